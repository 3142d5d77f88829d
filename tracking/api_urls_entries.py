"""REST API v1 routes for time entries (mounted under /api/ by timetracker/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from tracking.apis import entries

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "v1/workspaces/<str:ws>/time-entries",
        entries.TimeEntryCreateApi.as_view(),
        name="api-time-entries",
    ),
    path(
        "v1/workspaces/<str:ws>/time-entries/status/in-progress",
        entries.InProgressApi.as_view(),
        name="api-time-entries-in-progress",
    ),
    path(
        "v1/workspaces/<str:ws>/time-entries/<str:entry_id>",
        entries.TimeEntryDetailApi.as_view(),
        name="api-time-entry",
    ),
    path(
        "v1/workspaces/<str:ws>/user/<str:user_id>/time-entries",
        entries.UserTimeEntriesApi.as_view(),
        name="api-user-time-entries",
    ),
]
