from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from workspaces.models import Membership


def workspace(request: HttpRequest) -> dict[str, Any]:
    """The current workspace and membership (set by `workspace_view`) and the switcher's list."""
    membership = getattr(request, "membership", None)
    context: dict[str, Any] = {
        "membership": membership,
        "workspace": getattr(request, "workspace", None),
    }
    if membership is not None:
        context["my_memberships"] = (
            Membership.objects.filter(user_id=request.user.pk, status=Membership.Status.ACTIVE)
            .select_related("workspace")
            .order_by("workspace__name")
        )
    return context
