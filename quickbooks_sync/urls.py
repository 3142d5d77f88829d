"""QuickBooks pages of a workspace, mounted at /w/<ws>/quickbooks/ (connection, sync, send).

Each part keeps its own route module so they can grow independently."""

from django.urls import URLPattern, URLResolver

from quickbooks_sync import urls_connection, urls_send, urls_sync

app_name = "quickbooks"

urlpatterns: list[URLPattern | URLResolver] = [
    *urls_connection.urlpatterns,
    *urls_sync.urlpatterns,
    *urls_send.urlpatterns,
]
