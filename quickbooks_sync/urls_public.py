"""QuickBooks routes outside a workspace, mounted at /quickbooks/: the OAuth callback (Intuit
redirects to one fixed URI; the workspace comes from the signed, single-use `state`)."""

from django.urls import URLPattern, URLResolver

app_name = "quickbooks_public"

urlpatterns: list[URLPattern | URLResolver] = []
