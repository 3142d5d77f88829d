"""QuickBooks REST API: send (mounted by quickbooks_sync/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from quickbooks_sync import api_send

Q = "v1/workspaces/<str:ws>/quickbooks"

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        f"{Q}/sends/preview",
        api_send.SendPreviewApi.as_view(),
        name="api-quickbooks-send-preview",
    ),
    path(f"{Q}/sends", api_send.SendStartApi.as_view(), name="api-quickbooks-sends"),
    path(f"{Q}/sends/<str:job_id>", api_send.SendJobApi.as_view(), name="api-quickbooks-send"),
    path(
        f"{Q}/sends/<str:job_id>/entries",
        api_send.SendEntriesApi.as_view(),
        name="api-quickbooks-send-entries",
    ),
    path(
        f"{Q}/sends/<str:job_id>/retry-failed",
        api_send.SendRetryFailedApi.as_view(),
        name="api-quickbooks-send-retry-failed",
    ),
    path(
        f"{Q}/sent-entries",
        api_send.SentEntriesApi.as_view(),
        name="api-quickbooks-sent-entries",
    ),
]
