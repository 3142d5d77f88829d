"""Report pages, mounted under /w/<ws>/reports/ by timetracker/urls.py."""

from django.urls import URLPattern

app_name = "reports"

urlpatterns: list[URLPattern] = []
