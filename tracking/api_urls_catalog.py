"""REST API v1 routes of the catalog (mounted under /api/ by timetracker/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from tracking.apis import catalog as api

W = "v1/workspaces/<str:ws>"

urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{W}/clients", api.ClientListApi.as_view(), name="api-clients"),
    path(f"{W}/clients/<str:pk>", api.ClientDetailApi.as_view(), name="api-client"),
    path(f"{W}/projects", api.ProjectListApi.as_view(), name="api-projects"),
    path(f"{W}/projects/<str:pk>", api.ProjectDetailApi.as_view(), name="api-project"),
    path(
        f"{W}/projects/<str:pk>/users/<str:user_id>/hourly-rate",
        api.ProjectMemberRateApi.as_view(),
        name="api-project-member-rate",
    ),
    path(f"{W}/projects/<str:pk>/tasks", api.TaskListApi.as_view(), name="api-tasks"),
    path(
        f"{W}/projects/<str:pk>/tasks/<str:task_id>",
        api.TaskDetailApi.as_view(),
        name="api-task",
    ),
    path(f"{W}/tags", api.TagListApi.as_view(), name="api-tags"),
    path(f"{W}/tags/<str:pk>", api.TagDetailApi.as_view(), name="api-tag"),
]
