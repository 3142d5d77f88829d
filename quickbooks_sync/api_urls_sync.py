"""QuickBooks REST API: sync (mounted by quickbooks_sync/api_urls.py)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
