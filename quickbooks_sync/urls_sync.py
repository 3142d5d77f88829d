"""QuickBooks pages: sync (mounted by quickbooks_sync/urls.py at /w/<ws>/quickbooks/)."""

from django.urls import URLPattern, URLResolver, path

from quickbooks_sync import views_sync

urlpatterns: list[URLPattern | URLResolver] = [
    path("sync/", views_sync.sync, name="sync"),
    path(
        "sync/create-missing-users/",
        views_sync.create_missing_users,
        name="create_missing_users",
    ),
    path(
        "sync/create-missing-customers/",
        views_sync.create_missing_customers,
        name="create_missing_customers",
    ),
    path("jobs/<str:job_id>/", views_sync.sync_job, name="sync_job"),
    path("jobs/<str:job_id>/status/", views_sync.sync_job_status, name="sync_job_status"),
]
