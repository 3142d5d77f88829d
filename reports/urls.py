"""Report pages, mounted under /w/<ws>/reports/ by timetracker/urls.py."""

from django.urls import URLPattern, path

from reports import views, views_saved
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
    path("saved/", views_saved.saved_list, name="saved_list"),
    path("saved/new/", views_saved.saved_create, name="saved_create"),
    path("saved/<str:pk>/", views_saved.saved_open, name="saved_open"),
    path("saved/<str:pk>/edit/", views_saved.saved_update, name="saved_update"),
    path("saved/<str:pk>/delete/", views_saved.saved_delete, name="saved_delete"),
    *summary_urls,
]
