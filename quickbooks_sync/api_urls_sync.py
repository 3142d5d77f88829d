"""QuickBooks REST API: sync (mounted by quickbooks_sync/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from quickbooks_sync import api_sync

Q = "v1/workspaces/<str:ws>/quickbooks"

urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{Q}/sync", api_sync.SyncStartApi.as_view(), name="api-quickbooks-sync"),
    path(
        f"{Q}/create-missing-users",
        api_sync.CreateMissingUsersApi.as_view(),
        name="api-quickbooks-create-missing-users",
    ),
    path(
        f"{Q}/create-missing-customers",
        api_sync.CreateMissingCustomersApi.as_view(),
        name="api-quickbooks-create-missing-customers",
    ),
    path(f"{Q}/jobs/<str:job_id>", api_sync.SyncJobApi.as_view(), name="api-quickbooks-job"),
]
