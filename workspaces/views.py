from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from workspaces.models import Membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the time tracker of their last-used (or first) workspace."""
    memberships = Membership.objects.filter(user=request.user, status=Membership.Status.ACTIVE)
    membership = (
        memberships.filter(workspace_id=request.user.active_workspace_id).first()  # type: ignore[union-attr]
        or memberships.order_by("created_at").first()
    )
    if membership is None:
        return redirect("workspaces:workspace_create")
    return redirect("tracking:tracker", ws=membership.workspace_id)
