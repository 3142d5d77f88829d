"""Clients, projects (members, rates), tasks and tags (tracking/views/catalog.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
