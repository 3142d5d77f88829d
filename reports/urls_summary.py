"""Summary and Weekly report pages (reports/views_summary.py)."""

from django.urls import URLPattern, path

from reports import views_summary

urlpatterns: list[URLPattern] = [
    path("summary/", views_summary.summary, name="summary"),
    path("summary/export.csv", views_summary.summary_csv, name="summary_csv"),
    path("weekly/", views_summary.weekly, name="weekly"),
    path("weekly/export.csv", views_summary.weekly_csv, name="weekly_csv"),
]
