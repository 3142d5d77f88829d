"""Shared by the send tests: a workspace linked to an emulated QBO company, entries to send, and
what the emulator holds afterwards."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from quickbooks_sync.models import CustomerLink
from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SentEntry
from quickbooks_sync.services.send import send_start
from reports.filters import DateRange
from reports.filters import DetailedFilters
from tests.factories import membership_of
from tests.quickbooks_sync.sync_support import seed
from tests.quickbooks_sync.sync_support import stored
from tests.quickbooks_sync.sync_support import sub
from tests.quickbooks_sync.worker_process import Worker
from tests.sandbox_process import SandboxProcess
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TimeEntryFactory
from tracking.models import Project
from tracking.models import TimeEntry
from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace

DAY = dt.date(2026, 3, 10)


def time_activities(sandbox: SandboxProcess, realm: str) -> list[dict[str, Any]]:
    """Every TimeActivity the emulated company holds."""
    return stored(sandbox, realm, "TimeActivity")


def link_member(workspace: Workspace, user: User, sandbox: SandboxProcess, realm: str) -> str:
    """A QBO employee named like the member, linked as the sync would link it."""
    employee = seed(sandbox, realm, "Employee", DisplayName=user.full_name)
    EmployeeLink.objects.create(
        workspace=workspace,
        membership=Membership.objects.get(workspace=workspace, user=user),
        realm_id=realm,
        qbo_employee_id=employee["Id"],
        qbo_display_name=user.full_name,
    )
    return str(employee["Id"])


def linked_project(
    workspace: Workspace, sandbox: SandboxProcess, realm: str, name: str, *, parent: str = ""
) -> tuple[Project, str]:
    """A project linked to a QBO customer of the same name (a sub-customer under `parent`)."""
    if parent:
        customer = sub(sandbox, realm, name, seed(sandbox, realm, "Customer", DisplayName=parent))
    else:
        customer = seed(sandbox, realm, "Customer", DisplayName=name)
    project = ProjectFactory(workspace=workspace, name=name)
    CustomerLink.objects.create(
        workspace=workspace,
        kind=CustomerLink.Kind.PROJECT,
        project=project,
        realm_id=realm,
        qbo_customer_id=customer["Id"],
        qbo_display_name=name,
    )
    return project, str(customer["Id"])


def entry(
    workspace: Workspace,
    user: User,
    *,
    start: dt.datetime,
    seconds: int | None,
    project: Project | None = None,
    billable: bool = False,
    rate_cents: int = 0,
    description: str = "",
) -> TimeEntry:
    end = start + dt.timedelta(seconds=seconds) if seconds is not None else None
    made: TimeEntry = TimeEntryFactory(
        workspace=workspace,
        user=user,
        start=start,
        end=end,
        duration_seconds=seconds,
        project=project,
        billable=billable,
        hourly_rate_cents=rate_cents,
        description=description,
    )
    return made


def many_entries(
    workspace: Workspace, user: User, project: Project | None, count: int, *, tag: str
) -> list[TimeEntry]:
    """`count` sendable entries of 15 minutes, one a minute apart, described `tag-<n>`."""
    start = dt.datetime.combine(DAY, dt.time(9), tzinfo=dt.UTC)
    return [
        entry(
            workspace,
            user,
            start=start + dt.timedelta(minutes=20 * n),
            seconds=900,
            project=project,
            description=f"{tag}-{n}",
        )
        for n in range(count)
    ]


def ledger_row(made: TimeEntry, *, realm_id: str, activity_id: str, **fields: Any) -> SentEntry:
    """The ledger's record that `made` was sent to `realm_id` as TimeActivity `activity_id`
    (SyncToken "0"), written directly: for tests of what sent entries show, without a send."""
    row: SentEntry = SentEntry.objects.create(
        workspace_id=made.workspace_id,
        time_entry=made,
        entry_key=made.pk,
        realm_id=realm_id,
        qbo_time_activity_id=activity_id,
        sync_token="0",
        **fields,
    )
    return row


def filters_for(day: dt.date = DAY, **fields: Any) -> DetailedFilters:
    return DetailedFilters(
        date_range=DateRange.CUSTOM,
        start=day - dt.timedelta(days=2),
        end=day + dt.timedelta(days=2),
        **fields,
    )


@dataclass(frozen=True)
class Landed:
    """How the emulator's TimeActivities compare with the ledger, per selected entry."""

    missing: list[str]  # selected entries QBO does not have
    doubled: list[str]  # selected entries QBO has more than once
    ledger_mismatch: list[str]  # marked sent without being in QBO, or in QBO but not marked


def landed(
    sandbox: SandboxProcess, realm: str, entries: list[TimeEntry], ledger: dict[str, str]
) -> Landed:
    """`ledger` maps entry id -> TimeActivity Id (SentEntry). Entries are told apart in QBO by
    their (unique) descriptions."""
    by_description: dict[str, list[str]] = {}
    for activity in time_activities(sandbox, realm):
        by_description.setdefault(activity.get("Description", ""), []).append(activity["Id"])
    missing, doubled, mismatch = [], [], []
    for e in entries:
        ids = by_description.get(e.description, [])
        if not ids:
            missing.append(e.description)
        if len(ids) > 1:
            doubled.append(e.description)
        marked = ledger.get(e.pk)
        if not ((len(ids) == 1 and marked == ids[0]) or (not ids and marked is None)):
            mismatch.append(e.description)
    return Landed(missing=missing, doubled=doubled, ledger_mismatch=mismatch)


def wait_for_job(job_id: str, *, timeout: float = 60.0, worker: Worker | None = None) -> SendJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = SendJob.objects.get(pk=job_id)
        if not job.is_active:
            return job
        time.sleep(0.1)
    tail = worker.output()[-4000:] if worker is not None else ""
    raise AssertionError(f"send job {job_id} still {job.state} after {timeout}s\n{tail}")


def wait_until(condition: Callable[[], bool], *, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"condition not met in {timeout}s")


def start_send(workspace: Workspace, user: User, **filters: Any) -> str:
    """What `user` pressing Send to QuickBooks does, for filters_for(**filters): the job's id."""
    membership = membership_of(workspace, user)
    return str(send_start(membership=membership, filters=filters_for(**filters)).pk)


def ledger_of(workspace: Workspace) -> dict[str, str]:
    return dict(
        SentEntry.objects.filter(workspace=workspace).values_list(
            "entry_key", "qbo_time_activity_id"
        )
    )
