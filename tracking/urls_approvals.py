"""Timesheet approvals: members submit weeks, admins approve or reject them."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
