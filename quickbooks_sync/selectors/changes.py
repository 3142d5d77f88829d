"""Reads for "what changed in QuickBooks": the workspace's links as the comparison needs them,
where the window of the next check starts, and the last check as the Integrations tab shows it."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta

from django.utils import timezone

from quickbooks_sync.models import ChangeCheck
from quickbooks_sync.models import CustomerLink
from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SyncJob
from tracking.models import Client
from tracking.models import Project
from workspaces.models import Membership

# A check asked for this long ago that never started (its message was lost: the broker was
# away) no longer blocks a new request.
PENDING_STALE = timedelta(minutes=5)


@dataclass(frozen=True)
class LinkedName:
    """A local member (a contractor), client or project linked to a QBO record, and that
    record's name as the last sync stored it."""

    local_kind: str  # "member", "contractor", "client" or "project"
    local_name: str
    qbo_name: str


@dataclass
class WorkspaceLinks:
    """The workspace's side of the comparison, for one company (realm)."""

    employees: dict[str, LinkedName] = field(default_factory=dict)  # QBO Id -> member
    vendors: dict[str, LinkedName] = field(default_factory=dict)  # QBO Id -> contractor
    customers: dict[str, list[LinkedName]] = field(default_factory=dict)  # a client, a project
    # Names of active members a sync would link by name: employees to non-contractors without
    # an employee link, vendors to contractors without a vendor link (a link of the other kind,
    # the flag changed since, does not count: the next sync replaces it).
    unlinked_members: set[str] = field(default_factory=set)
    unlinked_contractors: set[str] = field(default_factory=set)
    unlinked_clients: set[str] = field(default_factory=set)
    unlinked_projects: set[str] = field(default_factory=set)


def change_links(*, workspace_id: str, realm_id: str) -> WorkspaceLinks:
    links = WorkspaceLinks()
    linked_as: dict[str, str] = {}  # membership id -> the link's NameOf
    for person_link in EmployeeLink.objects.filter(
        workspace_id=workspace_id, realm_id=realm_id
    ).select_related("membership__user"):
        linked_as[person_link.membership_id] = person_link.name_of
        vendor = person_link.name_of == EmployeeLink.NameOf.VENDOR
        (links.vendors if vendor else links.employees)[person_link.qbo_employee_id] = LinkedName(
            "contractor" if vendor else "member",
            person_link.membership.user.full_name,
            person_link.qbo_display_name,
        )
    linked_clients: set[str] = set()
    linked_projects: set[str] = set()
    for customer_link in CustomerLink.objects.filter(
        workspace_id=workspace_id, realm_id=realm_id
    ).select_related("client", "project"):
        if customer_link.client is not None:
            linked_clients.add(customer_link.client.pk)
            local = LinkedName("client", customer_link.client.name, "")
        elif customer_link.project is not None:
            linked_projects.add(customer_link.project.pk)
            local = LinkedName("project", customer_link.project.name, "")
        else:
            continue
        qbo_name = customer_link.qbo_fully_qualified_name or customer_link.qbo_display_name
        links.customers.setdefault(customer_link.qbo_customer_id, []).append(
            LinkedName(local.local_kind, local.local_name, qbo_name)
        )
    for m in Membership.objects.filter(
        workspace_id=workspace_id, status=Membership.Status.ACTIVE
    ).select_related("user"):
        wanted = EmployeeLink.NameOf.VENDOR if m.contractor else EmployeeLink.NameOf.EMPLOYEE
        if linked_as.get(m.pk) != wanted:
            (links.unlinked_contractors if m.contractor else links.unlinked_members).add(
                m.user.full_name
            )
    links.unlinked_clients = set(
        Client.objects.filter(workspace_id=workspace_id)
        .exclude(pk__in=linked_clients)
        .values_list("name", flat=True)
    )
    links.unlinked_projects = set(
        Project.objects.filter(workspace_id=workspace_id)
        .exclude(pk__in=linked_projects)
        .values_list("name", flat=True)
    )
    return links


def change_window_start(*, workspace_id: str) -> datetime | None:
    """Where "since the last sync" starts: when the last successful Sync began reading
    QuickBooks (a change made while it ran may have been missed by it), or the connection's
    last sync time; None before the first sync."""
    started = (
        SyncJob.objects.filter(
            workspace_id=workspace_id,
            kind=SyncJob.Kind.SYNC,
            state=SyncJob.State.SUCCEEDED,
            started_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("started_at", flat=True)
        .first()
    )
    synced = (
        QBOConnection.objects.filter(workspace_id=workspace_id)
        .values_list("last_synced_at", flat=True)
        .first()
    )
    if synced is None:
        return None
    return min(started, synced) if started is not None else synced


@dataclass(frozen=True)
class ChangePanel:
    """The Integrations tab's view of the last check."""

    check: ChangeCheck | None
    pending: bool  # a check is queued or running
    synced_since: bool  # a sync ran after the last check: its list is history
    never_synced: bool


def change_panel(*, workspace_id: str) -> ChangePanel:
    check = ChangeCheck.objects.filter(workspace_id=workspace_id).first()
    window = change_window_start(workspace_id=workspace_id)
    pending = False
    synced_since = False
    if check is not None:
        now = timezone.now()
        queued = check.requested_at is not None and now - check.requested_at < PENDING_STALE
        running = (
            check.started_at is not None
            and (check.finished_at is None or check.finished_at < check.started_at)
            and now - check.started_at < PENDING_STALE
        )
        pending = queued or running
        synced = (
            QBOConnection.objects.filter(workspace_id=workspace_id)
            .values_list("last_synced_at", flat=True)
            .first()
        )
        synced_since = bool(check.checked_at and synced and synced > check.checked_at)
    return ChangePanel(
        check=check, pending=pending, synced_since=synced_since, never_synced=window is None
    )
