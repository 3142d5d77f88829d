"""Declaring an app's REST API routes (its `api_urls` module) as rows under one prefix.

A row is (path after the prefix, API view class, URL name): `api_routes` turns each into
`path(prefix + path, View.as_view(), name=name)`, so reverse() works by name as before. The
paths are Clockify's (the API is Clockify-compatible): a row's path is the real path, whole."""

from collections.abc import Iterable

from django.urls import URLPattern
from django.urls import path
from rest_framework.views import APIView

# The prefix of every workspace-scoped resource.
WORKSPACE = "v1/workspaces/<str:ws>"

Route = tuple[str, type[APIView], str]


def api_routes(prefix: str, routes: Iterable[Route]) -> list[URLPattern]:
    """One URL pattern a row: `prefix` followed by the row's path ("" for the prefix itself)."""
    return [path(prefix + route, view.as_view(), name=name) for route, view, name in routes]
