"""Summary and Weekly report pages (reports/views_summary.py)."""

from django.urls import URLPattern, path

from reports import views_summary

urlpatterns: list[URLPattern] = [
    path("summary/", views_summary.summary, name="summary"),
    path("summary/export.csv", views_summary.summary_csv, name="summary_csv"),
    path("summary/export.xlsx", views_summary.summary_xlsx_export, name="summary_xlsx"),
    path("summary/export.pdf", views_summary.summary_pdf_export, name="summary_pdf"),
    path("weekly/", views_summary.weekly, name="weekly"),
    path("weekly/export.csv", views_summary.weekly_csv, name="weekly_csv"),
    path("weekly/export.xlsx", views_summary.weekly_xlsx_export, name="weekly_xlsx"),
    path("weekly/export.pdf", views_summary.weekly_pdf_export, name="weekly_pdf"),
]
