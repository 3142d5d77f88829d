"""QuickBooks REST API: send (mounted by quickbooks_sync/api_urls.py)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
