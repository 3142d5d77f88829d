"""QuickBooks REST API routes under /api/v1/workspaces/<ws>/quickbooks/ (mounted by
timetracker/api_urls.py): connection status, sync jobs, sends."""

from django.urls import URLPattern, URLResolver

from quickbooks_sync import api_urls_connection, api_urls_send, api_urls_sync

urlpatterns: list[URLPattern | URLResolver] = [
    *api_urls_connection.urlpatterns,
    *api_urls_sync.urlpatterns,
    *api_urls_send.urlpatterns,
]
