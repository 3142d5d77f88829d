"""REST API v1 routes (mounted under /api/ by timetracker/api_urls.py), the OpenAPI schema
(`/api/schema/`) and its documentation page (`/api/docs/`, Swagger UI served from
drf-spectacular-sidecar's static files: no CDN)."""

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import workspaces.rest.schema  # noqa: F401  registers the X-Api-Key scheme with drf-spectacular
from workspaces import apis

urlpatterns: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/user", apis.CurrentUserApi.as_view(), name="api-user"),
    path("v1/workspaces", apis.WorkspaceListApi.as_view(), name="api-workspaces"),
    path("v1/workspaces/<str:ws>", apis.WorkspaceDetailApi.as_view(), name="api-workspace"),
    path("v1/workspaces/<str:ws>/users", apis.WorkspaceUsersApi.as_view(), name="api-users"),
    path(
        "v1/workspaces/<str:ws>/users/<str:user_id>",
        apis.WorkspaceUserDetailApi.as_view(),
        name="api-user-detail",
    ),
    path(
        "v1/workspaces/<str:ws>/users/<str:user_id>/hourly-rate",
        apis.WorkspaceUserRateApi.as_view(),
        name="api-user-hourly-rate",
    ),
    path(
        "v1/workspaces/<str:ws>/users/<str:user_id>/contractor",
        apis.WorkspaceUserContractorApi.as_view(),
        name="api-user-contractor",
    ),
    # Legacy singular path that public Clockify clients still call.
    path(
        "v1/workspace/<str:ws>/users",
        apis.WorkspaceUsersLegacyApi.as_view(),
        name="api-users-legacy",
    ),
]
