"""REST API v1 routes (mounted under /api/ by timetracker/api_urls.py), the OpenAPI schema
(`/api/schema/`) and its documentation page (`/api/docs/`, Swagger UI served from
drf-spectacular-sidecar's static files: no CDN)."""

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from drf_spectacular.views import SpectacularSwaggerSplitView

import workspaces.rest.schema  # noqa: F401  registers the X-Api-Key scheme with drf-spectacular
from workspaces import apis
from workspaces.rest.routes import WORKSPACE
from workspaces.rest.routes import api_routes

urlpatterns: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *api_routes(
        "v1/",
        [
            ("user", apis.CurrentUserApi, "api-user"),
            ("workspaces", apis.WorkspaceListApi, "api-workspaces"),
            # Legacy singular path that public Clockify clients still call.
            ("workspace/<str:ws>/users", apis.WorkspaceUsersLegacyApi, "api-users-legacy"),
        ],
    ),
    *api_routes(
        WORKSPACE,
        [
            ("", apis.WorkspaceDetailApi, "api-workspace"),
            ("/users", apis.WorkspaceUsersApi, "api-users"),
            ("/users/<str:user_id>", apis.WorkspaceUserDetailApi, "api-user-detail"),
            ("/users/<str:user_id>/hourly-rate", apis.WorkspaceUserRateApi, "api-user-hourly-rate"),
            (
                "/users/<str:user_id>/contractor",
                apis.WorkspaceUserContractorApi,
                "api-user-contractor",
            ),
        ],
    ),
]
