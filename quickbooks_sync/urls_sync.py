"""QuickBooks pages: sync (mounted by quickbooks_sync/urls.py)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
