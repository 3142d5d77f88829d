"""The Reports API, Clockify's /reports/v1/ tree (mounted at /reports/ by timetracker/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from reports import apis

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "v1/workspaces/<str:ws>/reports/detailed",
        apis.DetailedReportApi.as_view(),
        name="api-reports-detailed",
    ),
    path(
        "v1/workspaces/<str:ws>/reports/summary",
        apis.SummaryReportApi.as_view(),
        name="api-reports-summary",
    ),
    path(
        "v1/workspaces/<str:ws>/reports/weekly",
        apis.WeeklyReportApi.as_view(),
        name="api-reports-weekly",
    ),
]
