"""QuickBooks pages: connection (mounted by quickbooks_sync/urls.py at /w/<ws>/quickbooks/).

Settings > Integrations lives here (workspaces must not import quickbooks_sync);
`workspaces:settings_integrations` redirects to it."""

from django.urls import URLPattern, URLResolver, path

from quickbooks_sync import views_connection

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_connection.integrations, name="integrations"),
    path("connect/", views_connection.connect, name="connect"),
    path("disconnect/", views_connection.disconnect, name="disconnect"),
]
