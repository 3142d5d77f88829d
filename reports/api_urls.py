"""The Reports API, Clockify's /reports/v1/ tree (mounted at /reports/ by timetracker/urls.py)."""

from reports import apis
from workspaces.rest.routes import WORKSPACE
from workspaces.rest.routes import api_routes

urlpatterns = api_routes(
    f"{WORKSPACE}/reports",
    [
        ("/detailed", apis.DetailedReportApi, "api-reports-detailed"),
        ("/summary", apis.SummaryReportApi, "api-reports-summary"),
        ("/weekly", apis.WeeklyReportApi, "api-reports-weekly"),
    ],
)
