"""QuickBooks REST API routes under /api/v1/workspaces/<ws>/quickbooks (mounted by
timetracker/api_urls.py): connection status, what changed in QuickBooks, sync jobs, sends."""

from quickbooks_sync.apis import changes
from quickbooks_sync.apis import connection
from quickbooks_sync.apis import send
from quickbooks_sync.apis import sync
from workspaces.rest.routes import WORKSPACE
from workspaces.rest.routes import api_routes

urlpatterns = api_routes(
    f"{WORKSPACE}/quickbooks",
    [
        # connection
        ("", connection.QuickBooksConnectionApi, "api-quickbooks"),
        # what changed in QuickBooks
        ("/changes", changes.ChangesApi, "api-quickbooks-changes"),
        # sync
        ("/sync", sync.SyncStartApi, "api-quickbooks-sync"),
        (
            "/create-missing-users",
            sync.CreateMissingUsersApi,
            "api-quickbooks-create-missing-users",
        ),
        (
            "/create-missing-customers",
            sync.CreateMissingCustomersApi,
            "api-quickbooks-create-missing-customers",
        ),
        ("/jobs/<str:job_id>", sync.SyncJobApi, "api-quickbooks-job"),
        ("/jobs/<str:job_id>/links", sync.SyncLinksApi, "api-quickbooks-job-links"),
        (
            "/jobs/<str:job_id>/links/<str:side>/<str:local_id>",
            sync.SyncLinkApi,
            "api-quickbooks-job-link",
        ),
        # send
        ("/sends/preview", send.SendPreviewApi, "api-quickbooks-send-preview"),
        ("/sends", send.SendStartApi, "api-quickbooks-sends"),
        ("/sends/<str:job_id>", send.SendJobApi, "api-quickbooks-send"),
        ("/sends/<str:job_id>/entries", send.SendEntriesApi, "api-quickbooks-send-entries"),
        (
            "/sends/<str:job_id>/retry-failed",
            send.SendRetryFailedApi,
            "api-quickbooks-send-retry-failed",
        ),
        ("/sent-entries", send.SentEntriesApi, "api-quickbooks-sent-entries"),
    ],
)
