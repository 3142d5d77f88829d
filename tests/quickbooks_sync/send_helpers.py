"""Shared by the send tests: a workspace linked to an emulated QBO company, entries to send, and
what the emulator holds afterwards."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kombu.pools
import pytest
from django.db import connection

from quickbooks_sync.models import CustomerLink, EmployeeLink
from quickbooks_sync.models_send import SendJob, SentEntry
from reports.filters import DateRange, DetailedFilters
from tests.sandbox_process import ROOT, SandboxProcess
from tests.tracking.factories import ProjectFactory, TimeEntryFactory
from timetracker.celery import app as celery_app
from tracking.models import Project, TimeEntry
from workspaces.models import Membership, User, Workspace

DAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def restore_insecure_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client sets OAUTHLIB_INSECURE_TRANSPORT for a loopback emulator; undo it after each
    test (import this autouse fixture into a test module)."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "")
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT")


def seed(sandbox: SandboxProcess, realm: str, entity: str, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = sandbox.control(
        "POST", f"/companies/{realm}/entities/{entity}", fields, expect=201
    )
    return result


def time_activities(sandbox: SandboxProcess, realm: str) -> list[dict[str, Any]]:
    """Every TimeActivity the emulated company holds."""
    result = sandbox.control("GET", f"/companies/{realm}/entities/TimeActivity")
    rows = result if isinstance(result, list) else next(iter(result.values()), [])
    return list(rows)


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
    fields: dict[str, Any] = {"DisplayName": name}
    if parent:
        top = seed(sandbox, realm, "Customer", DisplayName=parent)
        fields.update(Job=True, ParentRef={"value": top["Id"]})
    customer = seed(sandbox, realm, "Customer", **fields)
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


# -- real Celery workers --------------------------------------------------------------------------

# Broker and rate limiter of the test's workers. Messages left over from an earlier run (a worker
# killed mid-task) are harmless: they name jobs that no longer exist, and a run of those is a no-op.
REDIS_URL = os.environ.get("SEND_TEST_REDIS_URL") or (
    os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7"
)


def worker_env(sandbox: SandboxProcess, **overrides: Any) -> dict[str, str]:
    """A worker's environment: the test database, Redis as broker and for the rate limiter,
    the emulator, short timeouts and backoffs."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    url = f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": f"{url}/{db['NAME']}",
        "CELERY_BROKER_URL": REDIS_URL,
        "REDIS_URL": REDIS_URL,
        "QBO_ENVIRONMENT": sandbox.discovery_url,
        "QBO_API_BASE_URL": sandbox.base_url,
        "QBO_CLIENT_ID": "sandbox-client-id",
        "QBO_CLIENT_SECRET": "sandbox-client-secret",
        "QBO_TIMEOUT_SECONDS": "1",
        "QBO_SEND_BACKOFF_SECONDS": "0.1",
        "QBO_SEND_STALE_SECONDS": "3",
        "QBO_SEND_RESUME_SECONDS": "1",
        "QBO_RATE_TIME_SCALE": "60",
    }
    env.update({k: str(v) for k, v in overrides.items()})
    return env


class Worker:
    """`celery worker -B` (beat inside: the periodic resume runs too) as a process group, so
    SIGKILL takes its pool children with it."""

    def __init__(self, directory: Path, env: dict[str, str], *, concurrency: int = 2) -> None:
        self.directory = directory
        self.env = env
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None
        self.log = directory / f"worker-{uuid.uuid4().hex[:6]}.log"

    def start(self, timeout: float = 30.0) -> Worker:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "timetracker",
                    "worker",
                    "-B",
                    "-s",
                    str(self.directory / f"beat-{uuid.uuid4().hex[:6]}"),
                    f"--concurrency={self.concurrency}",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.output()}")
            if " ready." in self.output():
                return self
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"worker not ready in {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the worker and its children: no shutdown, no acks, no cleanup."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None


@contextlib.contextmanager
def broker_for_this_process(url: str = REDIS_URL) -> Iterator[None]:
    """Tasks enqueued by this (test) process go to `url`, where the test's workers listen;
    the app's cached connections are dropped on the way in and out."""
    conf = celery_app.conf
    names = ("broker_url", "broker_read_url", "broker_write_url", "broker_transport_options")
    saved = {name: conf[name] for name in names}

    def reset() -> None:
        kombu.pools.reset()  # kombu's registry of producer pools, keyed by connection
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.update(broker_url=url, broker_read_url=url, broker_write_url=url)
    conf.broker_transport_options = {}
    reset()
    try:
        assert celery_app.connection_for_write().as_uri().startswith("redis://")
        yield
    finally:
        reset()
        conf.update(saved)


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


def ledger_of(workspace: Workspace) -> dict[str, str]:
    return dict(
        SentEntry.objects.filter(workspace=workspace).values_list(
            "entry_key", "qbo_time_activity_id"
        )
    )
