"""Reads of the sync part: a workspace's QuickBooks jobs (tenant-scoped: another workspace's
job is a NotFound), and the members, clients and projects a sync links."""

from __future__ import annotations

from quickbooks_sync.models import SyncJob
from tracking.models import Client, Project
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
