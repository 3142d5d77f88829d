"""REST API v1 routes of webhooks (mounted under /api/ by timetracker/api_urls.py)."""

from webhooks import apis
from workspaces.rest.routes import WORKSPACE
from workspaces.rest.routes import api_routes

urlpatterns = api_routes(
    f"{WORKSPACE}/webhooks",
    [
        ("", apis.WebhookListApi, "api-webhooks"),
        ("/<str:pk>", apis.WebhookDetailApi, "api-webhook"),
        ("/<str:pk>/token", apis.WebhookTokenApi, "api-webhook-token"),
    ],
)
