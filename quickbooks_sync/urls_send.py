"""QuickBooks pages: send (mounted by quickbooks_sync/urls.py at /w/<ws>/quickbooks/)."""

from django.urls import URLPattern, URLResolver, path

from quickbooks_sync import views_send

urlpatterns: list[URLPattern | URLResolver] = [
    path("report/", views_send.report, name="send_report"),
    path("send/", views_send.send_confirm, name="send_confirm"),
    path("sends/<str:job_id>/", views_send.send_job, name="send_job"),
    path("sends/<str:job_id>/status/", views_send.send_job_status, name="send_job_status"),
    path("sends/<str:job_id>/retry-failed/", views_send.send_retry, name="send_retry"),
    path("service-item/", views_send.service_item, name="service_item"),
]
