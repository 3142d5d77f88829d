"""The REST API under /api/: v1 resources of each app, the OpenAPI schema and its docs page."""

from django.urls import URLPattern, URLResolver

from tracking.api_urls_catalog import urlpatterns as catalog_api
from tracking.api_urls_entries import urlpatterns as entries_api
from workspaces.api_urls import urlpatterns as workspaces_api

urlpatterns: list[URLPattern | URLResolver] = workspaces_api + catalog_api + entries_api
