"""QuickBooks REST API: connection (mounted by quickbooks_sync/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from quickbooks_sync.api_connection import QuickBooksConnectionApi

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "v1/workspaces/<str:ws>/quickbooks",
        QuickBooksConnectionApi.as_view(),
        name="api-quickbooks",
    ),
]
