"""The Reports API, Clockify's /reports/v1/ tree (mounted at /reports/ by timetracker/urls.py)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
