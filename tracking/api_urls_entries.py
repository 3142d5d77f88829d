"""REST API v1 routes for time entries (mounted under /api/ by timetracker/api_urls.py)."""

from tracking.apis import entries
from workspaces.rest.routes import WORKSPACE
from workspaces.rest.routes import api_routes

urlpatterns = api_routes(
    WORKSPACE,
    [
        ("/time-entries", entries.TimeEntryCreateApi, "api-time-entries"),
        (
            "/time-entries/status/in-progress",
            entries.InProgressApi,
            "api-time-entries-in-progress",
        ),
        ("/time-entries/<str:entry_id>", entries.TimeEntryDetailApi, "api-time-entry"),
        ("/user/<str:user_id>/time-entries", entries.UserTimeEntriesApi, "api-user-time-entries"),
    ],
)
