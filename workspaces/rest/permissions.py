"""Tenancy for the API: the workspace in the URL (`ws`) must be one the caller is an active
member of, decided by `workspaces.access.membership_for` as for the pages. Another workspace,
or one that does not exist, is a 404 (never a 403 that would confirm it exists).

The permission sets `request.membership` and `request.workspace` for the view; role checks for
writes are made by the services (or `require_role` in the view), which answer 403.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from workspaces.access import membership_for
from workspaces.access import require_role
from workspaces.models import Membership


class IsWorkspaceMember(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False  # DRF answers 401 (NotAuthenticated)
        membership = membership_for(user=request.user, workspace_id=view.kwargs.get("ws", ""))
        request.membership = membership  # type: ignore[attr-defined]
        request.workspace = membership.workspace  # type: ignore[attr-defined]
        return True


class IsWorkspaceAdmin(IsWorkspaceMember):
    """Member of the workspace (else 404) with the admin or owner role (else 403)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        require_role(request.membership, Membership.Role.ADMIN)
        return True
