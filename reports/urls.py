"""Report pages, mounted under /w/<ws>/reports/ by timetracker/urls.py."""

from django.urls import URLPattern, path

from reports import views

app_name = "reports"

urlpatterns: list[URLPattern] = [
    path("detailed/", views.detailed, name="detailed"),
    path("detailed/export.csv", views.detailed_csv, name="detailed_csv"),
]
