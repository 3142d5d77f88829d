"""REST API v1 routes (mounted under /api/ by timetracker/api_urls.py)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
