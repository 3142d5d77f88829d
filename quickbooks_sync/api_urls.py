"""QuickBooks REST API routes under /api/v1/workspaces/<ws>/quickbooks (mounted by
timetracker/api_urls.py): connection status, what changed in QuickBooks, sync jobs, sends."""

from django.urls import URLPattern, URLResolver, path

from quickbooks_sync.apis import changes, connection, send, sync

Q = "v1/workspaces/<str:ws>/quickbooks"

urlpatterns: list[URLPattern | URLResolver] = [
    # connection
    path(Q, connection.QuickBooksConnectionApi.as_view(), name="api-quickbooks"),
    # what changed in QuickBooks
    path(f"{Q}/changes", changes.ChangesApi.as_view(), name="api-quickbooks-changes"),
    # sync
    path(f"{Q}/sync", sync.SyncStartApi.as_view(), name="api-quickbooks-sync"),
    path(
        f"{Q}/create-missing-users",
        sync.CreateMissingUsersApi.as_view(),
        name="api-quickbooks-create-missing-users",
    ),
    path(
        f"{Q}/create-missing-customers",
        sync.CreateMissingCustomersApi.as_view(),
        name="api-quickbooks-create-missing-customers",
    ),
    path(f"{Q}/jobs/<str:job_id>", sync.SyncJobApi.as_view(), name="api-quickbooks-job"),
    path(
        f"{Q}/jobs/<str:job_id>/links",
        sync.SyncLinksApi.as_view(),
        name="api-quickbooks-job-links",
    ),
    path(
        f"{Q}/jobs/<str:job_id>/links/<str:side>/<str:local_id>",
        sync.SyncLinkApi.as_view(),
        name="api-quickbooks-job-link",
    ),
    # send
    path(
        f"{Q}/sends/preview",
        send.SendPreviewApi.as_view(),
        name="api-quickbooks-send-preview",
    ),
    path(f"{Q}/sends", send.SendStartApi.as_view(), name="api-quickbooks-sends"),
    path(f"{Q}/sends/<str:job_id>", send.SendJobApi.as_view(), name="api-quickbooks-send"),
    path(
        f"{Q}/sends/<str:job_id>/entries",
        send.SendEntriesApi.as_view(),
        name="api-quickbooks-send-entries",
    ),
    path(
        f"{Q}/sends/<str:job_id>/retry-failed",
        send.SendRetryFailedApi.as_view(),
        name="api-quickbooks-send-retry-failed",
    ),
    path(f"{Q}/sent-entries", send.SentEntriesApi.as_view(), name="api-quickbooks-sent-entries"),
]
