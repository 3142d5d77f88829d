"""REST API v1 routes of webhooks (mounted under /api/ by timetracker/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from webhooks import apis

W = "v1/workspaces/<str:ws>/webhooks"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W, apis.WebhookListApi.as_view(), name="api-webhooks"),
    path(f"{W}/<str:pk>", apis.WebhookDetailApi.as_view(), name="api-webhook"),
    path(f"{W}/<str:pk>/token", apis.WebhookTokenApi.as_view(), name="api-webhook-token"),
]
