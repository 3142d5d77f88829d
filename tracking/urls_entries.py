"""Time entries, the timer, the timesheet and re-rating (tracking/views/entries.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
