"""Reads for workspaces and people, with their joins done (no N+1 on the pages)."""

from __future__ import annotations

import hashlib

from django.db.models import Case
from django.db.models import IntegerField
from django.db.models import QuerySet
from django.db.models import Value
from django.db.models import When

from workspaces.models import AuditLog
from workspaces.models import Invitation
from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace

# How audit events read on the Audit log page.
AUDIT_EVENT_LABELS = {
    "member.role_changed": "Role changed",
    "member.deactivated": "Member deactivated",
    "member.reactivated": "Member reactivated",
    "member.removed": "Member removed",
    "invitation.sent": "Invitation sent",
    "invitation.resent": "Invitation resent",
    "invitation.cancelled": "Invitation cancelled",
    "invitation.accepted": "Invitation accepted",
    "workspace.plan_changed": "Plan changed",
    "quickbooks.send_approved_only_set": "QuickBooks: approved time only changed",
    "workspace.approval_reminders_changed": "Approval reminders changed",
    "workspace.ownership_transferred": "Ownership transferred",
    "workspace.deleted": "Workspace deleted",
    "workspace.rate_changed": "Default rate changed",
    "member.rate_changed": "Member's rate changed",
    "member.contractor_changed": "Contractor (QuickBooks vendor) changed",
    "project.rate_changed": "Project rate changed",
    "project_member.rate_changed": "Project member's rate changed",
    "task.rate_changed": "Task rate changed",
}


def team_member_list(*, workspace: Workspace) -> QuerySet[Membership]:
    """Active and deactivated members (removed ones are gone from the team), owner first."""
    role_order = Case(
        When(role=Membership.Role.OWNER, then=Value(0)),
        When(role=Membership.Role.ADMIN, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Membership.objects.filter(workspace=workspace)
        .exclude(status=Membership.Status.REMOVED)
        .select_related("user")
        .annotate(role_order=role_order)
        .order_by("status", "role_order", "user__full_name", "user__email")
    )


def invitation_pending_list(*, workspace: Workspace) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(workspace=workspace, status=Invitation.Status.PENDING)
        .select_related("invited_by")
        .order_by("-sent_at")
    )


def invitation_get(*, workspace: Workspace, invitation_id: str) -> Invitation | None:
    return (
        Invitation.objects.filter(workspace=workspace, pk=invitation_id)
        .select_related("workspace")
        .first()
    )


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(*, token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.filter(token_hash=invitation_token_hash(token))
        .select_related("workspace", "invited_by")
        .first()
    )


def membership_get(*, workspace: Workspace, membership_id: str) -> Membership | None:
    """A membership of this workspace (never another workspace's), with user and workspace."""
    return (
        Membership.objects.filter(workspace=workspace, pk=membership_id)
        .select_related("user", "workspace")
        .first()
    )


def audit_log_list(*, workspace: Workspace) -> QuerySet[AuditLog]:
    return (
        AuditLog.objects.filter(workspace=workspace)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def user_has_active_membership(*, user: User) -> bool:
    return Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).exists()
