"""Report pages, mounted under /w/<ws>/reports/ by timetracker/urls.py."""

from django.urls import URLPattern, path

from reports import views
from reports.urls_summary import urlpatterns as summary_urls

app_name = "reports"

urlpatterns: list[URLPattern] = [
    path("detailed/", views.detailed, name="detailed"),
    path("detailed/export.csv", views.detailed_csv, name="detailed_csv"),
    path("detailed/export.xlsx", views.detailed_xlsx_export, name="detailed_xlsx"),
    path("detailed/export.pdf", views.detailed_pdf_export, name="detailed_pdf"),
    path("filters/tasks/", views.filter_tasks, name="filter_tasks"),
    path("detailed/entries/<str:pk>/", views.entry_row, name="entry_row"),
    path("detailed/entries/<str:pk>/edit/", views.entry_edit, name="entry_edit"),
    *summary_urls,
]
