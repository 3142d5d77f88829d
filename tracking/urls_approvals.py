"""Timesheet approvals: members submit weeks, admins approve or reject them."""

from django.urls import URLPattern
from django.urls import path

from tracking.views import approvals as views

urlpatterns: list[URLPattern] = [
    path("approvals/", views.my_weeks, name="approvals"),
    path("approvals/submit/", views.week_submit, name="approval_submit"),
    path("approvals/pending/", views.pending, name="approvals_pending"),
    path("approvals/<str:pk>/", views.detail, name="approval_detail"),
    path("approvals/<str:pk>/withdraw/", views.week_withdraw, name="approval_withdraw"),
    path("approvals/<str:pk>/approve/", views.approve, name="approval_approve"),
    path("approvals/<str:pk>/reject/", views.reject, name="approval_reject"),
]
