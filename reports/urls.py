"""Report pages, mounted under /w/<ws>/reports/ by timetracker/urls.py."""

from django.urls import URLPattern
from django.urls import path

from reports import views
from reports import views_saved
from reports import views_summary
from reports.responses import View


def _report_routes(report: str, page: View, csv: View, xlsx: View, pdf: View) -> list[URLPattern]:
    """A report's page and its three downloads: `<report>/`, `<report>/export.csv`, .xlsx and
    .pdf, named `<report>`, `<report>_csv`, `<report>_xlsx` and `<report>_pdf`."""
    return [
        path(f"{report}/", page, name=report),
        *(
            path(f"{report}/export.{extension}", view, name=f"{report}_{extension}")
            for extension, view in (("csv", csv), ("xlsx", xlsx), ("pdf", pdf))
        ),
    ]


app_name = "reports"

urlpatterns: list[URLPattern] = [
    *_report_routes(
        "detailed",
        views.detailed,
        views.detailed_csv,
        views.detailed_xlsx_export,
        views.detailed_pdf_export,
    ),
    path("filters/tasks/", views.filter_tasks, name="filter_tasks"),
    path("detailed/entries/<str:pk>/", views.entry_row, name="entry_row"),
    path("detailed/entries/<str:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("saved/", views_saved.saved_list, name="saved_list"),
    path("saved/new/", views_saved.saved_create, name="saved_create"),
    path("saved/<str:pk>/", views_saved.saved_open, name="saved_open"),
    path("saved/<str:pk>/edit/", views_saved.saved_update, name="saved_update"),
    path("saved/<str:pk>/delete/", views_saved.saved_delete, name="saved_delete"),
    *_report_routes(
        "summary",
        views_summary.summary,
        views_summary.summary_csv,
        views_summary.summary_xlsx_export,
        views_summary.summary_pdf_export,
    ),
    *_report_routes(
        "weekly",
        views_summary.weekly,
        views_summary.weekly_csv,
        views_summary.weekly_xlsx_export,
        views_summary.weekly_pdf_export,
    ),
]
