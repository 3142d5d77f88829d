"""The dashboard, mounted at /w/<ws>/dashboard/ by timetracker/urls.py."""

from django.urls import URLPattern
from django.urls import path

from reports import views_dashboard

app_name = "dashboard"

urlpatterns: list[URLPattern] = [
    path("", views_dashboard.dashboard_page, name="home"),
]
