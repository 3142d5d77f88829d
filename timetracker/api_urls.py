"""The REST API under /api/: v1 resources of each app, the OpenAPI schema and its docs page."""

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import re_path

from quickbooks_sync.api_urls import urlpatterns as quickbooks_api
from tracking.api_urls_catalog import urlpatterns as catalog_api
from tracking.api_urls_entries import urlpatterns as entries_api
from webhooks.api_urls import urlpatterns as webhooks_api
from workspaces.api_urls import urlpatterns as workspaces_api
from workspaces.rest.exceptions import api_not_found

urlpatterns: list[URLPattern | URLResolver] = [
    *workspaces_api,
    *catalog_api,
    *entries_api,
    *quickbooks_api,
    *webhooks_api,
    # Last: any other path under /api/, whatever the method, is a 404 in the API's
    # {message, code} shape (exempt from CSRF, which has nothing to protect there).
    re_path(r"^(?P<unmatched>.*)$", api_not_found),
]
