"""The one place tenant access is decided.

HTML views (through `workspace_view`) and API permission classes both call
`membership_for`: a workspace the user is not an active member of does not exist for them (404),
and an action that needs a higher role is refused (403).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse

from workspaces.errors import NotFound
from workspaces.errors import PermissionDenied
from workspaces.ids import is_object_id
from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace

ROLE_RANK = {Membership.Role.MEMBER: 0, Membership.Role.ADMIN: 1, Membership.Role.OWNER: 2}


class WorkspaceRequest(HttpRequest):
    """The type of a request that `workspace_view` let through: Django's HttpRequest with the
    viewer's active `membership` of the workspace in the URL and that `workspace` set. Views
    behind `workspace_view` take it, so the two attributes are typed (no instance is made)."""

    membership: Membership
    workspace: Workspace


def membership_for(*, user: User, workspace_id: str) -> Membership:
    """The user's active membership of the workspace, or NotFound."""
    if not user.is_authenticated or not is_object_id(workspace_id):
        raise NotFound("Workspace not found.")
    membership = (
        Membership.objects.select_related("workspace", "user")
        .filter(workspace_id=workspace_id, user=user, status=Membership.Status.ACTIVE)
        .first()
    )
    if membership is None:
        raise NotFound("Workspace not found.")
    return membership


def require_role(membership: Membership, role: str) -> None:
    """PermissionDenied unless the membership's role is at least `role`."""
    if ROLE_RANK[Membership.Role(membership.role)] < ROLE_RANK[Membership.Role(role)]:
        label = Membership.Role(role).label.lower()
        if role == Membership.Role.ADMIN:
            label = "admin or owner"
        raise PermissionDenied(f"Only a workspace {label} can do this.")


def require_same_workspace(actor: Membership, obj: Any, *, what: str) -> None:
    """NotFound ("<what> not found.") unless `obj` (anything with a `workspace_id`) belongs to
    the actor's workspace: another workspace's object does not exist for them (a 404, never a
    403 that would confirm it exists)."""
    if getattr(obj, "workspace_id", None) != actor.workspace_id:
        raise NotFound(f"{what} not found.")


def workspace_view(
    role: str = Membership.Role.MEMBER,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate an HTML view taking `ws` (workspace id) from the URL.

    Sets `request.membership` and `request.workspace`; 404 for a workspace the user is not an
    active member of, 403 when the role is too low.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @functools.wraps(view)
        def wrapped(request: HttpRequest, ws: str, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                membership = membership_for(user=request.user, workspace_id=ws)  # type: ignore[arg-type]
            except NotFound as exc:
                raise Http404(exc.message) from exc
            try:
                require_role(membership, role)
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(exc.message) from exc
            admitted = cast(WorkspaceRequest, request)
            admitted.membership = membership
            admitted.workspace = membership.workspace
            if request.user.active_workspace_id != membership.workspace_id:  # type: ignore[union-attr]
                User.objects.filter(pk=request.user.pk).update(
                    active_workspace_id=membership.workspace_id
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
