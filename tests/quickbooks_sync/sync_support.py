"""Shared by the sync tests: seeding an emulated company, the seed's four-level example, running
a job in-process, and reading what the workspace and the emulator hold afterwards."""

from __future__ import annotations

from typing import Any

import requests

from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SyncJob
from quickbooks_sync.services.sync import sync_run
from quickbooks_sync.services.sync import sync_start
from tests.factories import membership_of as membership_of  # the sync tests import it from here
from tests.sandbox_process import SandboxProcess
from tracking.models import Client
from tracking.models import Project
from workspaces.models import Membership
from workspaces.models import Workspace


def seed(sandbox: SandboxProcess, realm: str, entity: str, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = sandbox.control(
        "POST", f"/companies/{realm}/entities/{entity}", fields, expect=201
    )
    return result


def arm_fault(sandbox: SandboxProcess, realm: str, kind: str, **options: Any) -> None:
    """The emulator fails `realm`'s next requests as `kind` ("500", "429", "drop", "hang"...);
    `options` narrow it (path, count) or tune it (seconds). qbo_settings clears faults after
    each test."""
    sandbox.control("POST", "/faults", {"kind": kind, "realm": realm, **options}, expect=201)


def sub(
    sandbox: SandboxProcess, realm: str, name: str, parent: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    """A sub-customer (Job) of `parent`."""
    fields.update(Job=True, ParentRef={"value": parent["Id"]})
    return seed(sandbox, realm, "Customer", DisplayName=name, **fields)


def qbo_project(
    sandbox: SandboxProcess, realm: str, name: str, parent: dict[str, Any]
) -> dict[str, Any]:
    """A QuickBooks project under `parent` (IsProject: only the emulator's control API makes
    one; the Accounting API refuses it)."""
    fields = {"IsProject": True, "ParentRef": {"value": parent["Id"]}}
    return seed(sandbox, realm, "Customer", DisplayName=name, **fields)


def stored(sandbox: SandboxProcess, realm: str, entity: str) -> list[dict[str, Any]]:
    result = sandbox.control("GET", f"/companies/{realm}/entities/{entity}")
    rows = result if isinstance(result, list) else next(iter(result.values()), [])
    return list(rows)


def seed_four_levels(sandbox: SandboxProcess, realm: str) -> dict[str, str]:
    """The seed's example (a customer and sub-customers down to the top plus four levels), a
    second leaf at level 3, a QBO project under the top customer, a top-level customer without
    sub-customers, and an inactive one. Answers QBO Ids by name."""
    top = seed(sandbox, realm, "Customer", DisplayName="Customer")
    s1 = sub(sandbox, realm, "Sub-customer 1", top)
    s2 = sub(sandbox, realm, "Sub-customer 2", s1)
    s3 = sub(sandbox, realm, "Sub-customer 3", s2)
    s4 = sub(sandbox, realm, "Sub-customer 4", s3)
    s3b = sub(sandbox, realm, "Sub-customer 3b", s2)
    project = qbo_project(sandbox, realm, "Website Project", top)
    solo = seed(sandbox, realm, "Customer", DisplayName="Solo")
    old = seed(sandbox, realm, "Customer", DisplayName="Old Co", Active=False)
    rows = [top, s1, s2, s3, s4, s3b, project, solo, old]
    return {row["DisplayName"]: str(row["Id"]) for row in rows}


def run_job(membership: Membership, kind: str = SyncJob.Kind.SYNC) -> SyncJob:
    """Start a job and run it here (what the Celery task does), answering the finished row."""
    job = sync_start(membership=membership, kind=kind)
    sync_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def catalog(workspace: Workspace) -> dict[str, Any]:
    """Clients by name, and projects as (name, client name or None) -> archived."""
    return {
        "clients": {c.name: c.archived for c in Client.objects.filter(workspace=workspace)},
        "projects": {
            (p.name, p.client.name if p.client else None): p.archived
            for p in Project.objects.filter(workspace=workspace).select_related("client")
        },
    }


def names(rows: list[dict[str, Any]], key: str = "name") -> list[str]:
    return sorted(str(row[key]) for row in rows)


def rename_in_qbo(
    sandbox: SandboxProcess, workspace: Workspace, entity: str, row: dict[str, Any], new_name: str
) -> None:
    """Rename through the Accounting API (a sparse update), as someone would in QuickBooks."""
    connection = QBOConnection.objects.get(workspace=workspace)
    current = next(r for r in stored(sandbox, connection.realm_id, entity) if r["Id"] == row["Id"])
    response = requests.post(
        f"{sandbox.api_url_v3}/company/{connection.realm_id}/{entity.lower()}",
        json={
            "Id": row["Id"],
            "SyncToken": current["SyncToken"],
            "sparse": True,
            "DisplayName": new_name,
        },
        headers={
            "Authorization": f"Bearer {connection.access_token}",
            "Accept": "application/json",
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
