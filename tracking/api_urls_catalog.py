"""REST API v1 routes of the catalog (mounted under /api/ by timetracker/api_urls.py)."""

from tracking.apis import catalog as api
from workspaces.rest.routes import WORKSPACE
from workspaces.rest.routes import api_routes

urlpatterns = api_routes(
    WORKSPACE,
    [
        ("/clients", api.ClientListApi, "api-clients"),
        ("/clients/<str:pk>", api.ClientDetailApi, "api-client"),
        ("/projects", api.ProjectListApi, "api-projects"),
        ("/projects/<str:pk>", api.ProjectDetailApi, "api-project"),
        (
            "/projects/<str:pk>/users/<str:user_id>/hourly-rate",
            api.ProjectMemberRateApi,
            "api-project-member-rate",
        ),
        ("/projects/<str:pk>/tasks", api.TaskListApi, "api-tasks"),
        ("/projects/<str:pk>/tasks/<str:task_id>", api.TaskDetailApi, "api-task"),
        ("/tags", api.TagListApi, "api-tags"),
        ("/tags/<str:pk>", api.TagDetailApi, "api-tag"),
    ],
)
