"""QuickBooks routes outside a workspace, mounted at /quickbooks/: the OAuth callback (Intuit
redirects to one fixed URI; the workspace comes from the signed, single-use `state`)."""

from django.urls import URLPattern, URLResolver, path

from quickbooks_sync import views_connection

app_name = "quickbooks_public"

urlpatterns: list[URLPattern | URLResolver] = [
    path("callback/", views_connection.callback, name="callback"),
]
