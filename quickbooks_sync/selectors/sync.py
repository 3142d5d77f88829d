"""Reads of the sync part: a workspace's QuickBooks jobs (tenant-scoped: another workspace's
job is a NotFound), and the members, clients and projects a sync links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch

from quickbooks_sync.models import CustomerLink
from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SyncJob
from tracking.models import Client
from tracking.models import Project
from tracking.models import Task
from workspaces.errors import NotFound
from workspaces.ids import is_object_id
from workspaces.models import Membership


def sync_job_get(*, workspace_id: str, job_id: str) -> SyncJob:
    job = (
        SyncJob.objects.select_related("requested_by")
        .filter(workspace_id=workspace_id, pk=job_id)
        .first()
        if is_object_id(job_id)
        else None
    )
    if job is None:
        raise NotFound("Job not found.")
    return job


def sync_job_latest(*, workspace_id: str) -> SyncJob | None:
    """The workspace's most recent job of any kind (the one the Integrations page shows)."""
    return (
        SyncJob.objects.select_related("requested_by")
        .filter(workspace_id=workspace_id)
        .order_by("-created_at", "-pk")
        .first()
    )


def sync_memberships(*, workspace_id: str) -> list[Membership]:
    """Every membership of the workspace (inactive and removed ones keep their links)."""
    return list(
        Membership.objects.filter(workspace_id=workspace_id)
        .select_related("user")
        .order_by("created_at", "id")
    )


def sync_catalog(*, workspace_id: str) -> tuple[list[Client], list[Project]]:
    """All clients and projects of the workspace, archived ones too (they link by name)."""
    clients = list(Client.objects.filter(workspace_id=workspace_id).order_by("name", "id"))
    projects = list(
        Project.objects.filter(workspace_id=workspace_id)
        .select_related("client")
        .order_by("name", "id")
    )
    return clients, projects


@dataclass(frozen=True)
class Missing:
    """What the two create-missing actions would create, as of a finished job's result."""

    members: list[dict[str, Any]]  # members (contractors) "Create missing users" can create
    # employees (vendors) for
    customers: list[dict[str, Any]]  # QBO customers "Create missing customers" makes here

    @property
    def anything(self) -> bool:
        return bool(self.members or self.customers)


def sync_missing(job: SyncJob | None) -> Missing | None:
    """What is left to create after `job` (None unless it succeeded). Members sharing a name
    or without one are not counted: the action cannot create them (results written before
    `canCreate` existed count every row)."""
    if job is None or job.state != SyncJob.State.SUCCEEDED:
        return None
    result = job.result or {}
    members = [
        row
        for key in ("membersWithoutEmployee", "contractorsWithoutVendor")
        for row in result.get(key, [])
        if row.get("canCreate", True)
    ]
    customers = [
        *result.get("customersWithoutClient", []),
        *result.get("customersWithoutProject", []),
    ]
    return Missing(members=members, customers=customers)


def sync_needed_first(*, connection: QBOConnection | None) -> bool:
    """True for a connected company before its first sync: no Sync has finished since it was
    connected and no member is linked to one of its employees, so a send would refuse every
    entry as "member not linked" (the QuickBooks view guides the admin to sync first).
    `connection`: the workspace's row (selectors.connection.connection_of), None without one."""
    if connection is None or connection.last_synced_at is not None:
        return False
    return not EmployeeLink.objects.filter(
        workspace_id=connection.workspace_id, realm_id=connection.realm_id
    ).exists()


@dataclass(frozen=True)
class ManualLinks:
    """Local ids linked by hand into a company: memberships, clients, projects."""

    members: frozenset[str]
    clients: frozenset[str]
    projects: frozenset[str]


def manual_links(*, workspace_id: str, realm_id: str) -> ManualLinks:
    members = EmployeeLink.objects.filter(
        workspace_id=workspace_id, realm_id=realm_id, manual=True
    ).values_list("membership_id", flat=True)
    customers = CustomerLink.objects.filter(
        workspace_id=workspace_id, realm_id=realm_id, manual=True
    ).values_list("client_id", "project_id")
    pairs = list(customers)
    return ManualLinks(
        members=frozenset(members),
        clients=frozenset(c for c, _ in pairs if c),
        projects=frozenset(p for _, p in pairs if p),
    )


def sync_job_linkable(job: SyncJob) -> bool:
    """Whether links can be made by hand on `job`'s result: it is the workspace's latest
    finished job and no job runs (services.links checks the same, and the connection)."""
    if job.state != SyncJob.State.SUCCEEDED:
        return False
    jobs = SyncJob.objects.filter(workspace_id=job.workspace_id)
    if jobs.filter(state__in=[SyncJob.State.QUEUED, SyncJob.State.RUNNING]).exists():
        return False
    latest = jobs.filter(state=SyncJob.State.SUCCEEDED).order_by("-finished_at", "-pk").first()
    return latest is not None and latest.pk == job.pk


def billing_projects(*, workspace_id: str) -> list[Project]:
    """The workspace's active projects with their client, class and item (`qbo_billing`, or
    none) and `task_list`: their active tasks with theirs, by name."""
    tasks = Task.objects.filter(workspace_id=workspace_id, status=Task.Status.ACTIVE)
    return list(
        Project.objects.filter(workspace_id=workspace_id, archived=False)
        .select_related("client", "qbo_billing")
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=tasks.select_related("qbo_billing").order_by("name", "pk"),
                to_attr="task_list",
            )
        )
        .order_by("name", "pk")
    )
