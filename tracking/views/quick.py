"""What the tracker's scripts ask for as they go: suggestions while typing a description, and a
tag or project created on the fly from a combobox (JSON; the pages work without them)."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_POST

from tracking.models import Project
from tracking.models import Tag
from tracking.selectors.suggestions import suggestions_for
from tracking.services.catalog import project_create
from tracking.services.catalog import tag_create
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view
from workspaces.errors import ApplicationError
from workspaces.models import Membership

ADMIN = Membership.Role.ADMIN


@require_GET
@workspace_view()
def suggestions(request: WorkspaceRequest) -> JsonResponse:
    """GET ?q=: the member's recent entries matching q (see tracking/selectors/suggestions.py)."""
    found = suggestions_for(membership=request.membership, text=request.GET.get("q", ""))
    return JsonResponse(
        {
            "suggestions": [
                {
                    "description": s.description,
                    "projectTask": s.project_task,
                    "project": s.project_name,
                    "task": s.task_name,
                    "client": s.client_name,
                    "color": s.color,
                    "billable": s.billable,
                    "tagIds": list(s.tag_ids),
                    "tags": list(s.tag_names),
                }
                for s in found
            ]
        }
    )


def _created(kind: str, request: WorkspaceRequest) -> JsonResponse:
    membership = request.membership
    name = request.POST.get("name", "")
    obj: Tag | Project
    try:
        if kind == "tag":
            obj = tag_create(actor=membership, name=name)
        else:
            obj = project_create(actor=membership, name=name)
    except ApplicationError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    return JsonResponse({"value": obj.pk, "text": obj.name}, status=201)


@require_POST
@workspace_view(ADMIN)
def tag_quick_create(request: WorkspaceRequest) -> JsonResponse:
    """A tag typed into a tags combobox that doesn't exist yet (admins, as on the Tags page)."""
    return _created("tag", request)


@require_POST
@workspace_view(ADMIN)
def project_quick_create(request: WorkspaceRequest) -> JsonResponse:
    """A project typed into a project combobox (admins; no client, the defaults otherwise)."""
    return _created("project", request)
