"""Summary and Weekly report pages (reports/views_summary.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
