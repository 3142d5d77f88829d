"""Approved time on a schedule, end to end: a real Celery worker with its beat (the schedule
checked every second) and the QBO emulator as a real server. The beat starts the workspace's
run at its hour; only approved entries become TimeActivities; an entry QuickBooks refuses
(closed books) is e-mailed to the admins (the worker's console mail backend, as in `make run`);
the next slot's run sends it once the books are open again; and however many beats run, every
entry exists exactly once in QuickBooks."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from quickbooks_sync.models import ScheduledSend
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SendSchedule
from tests.quickbooks_sync.connection_helpers import emulator_marks
from tests.quickbooks_sync.send_helpers import entry
from tests.quickbooks_sync.send_helpers import landed
from tests.quickbooks_sync.send_helpers import ledger_of
from tests.quickbooks_sync.send_helpers import link_member
from tests.quickbooks_sync.send_helpers import linked_project
from tests.quickbooks_sync.send_helpers import time_activities
from tests.quickbooks_sync.send_helpers import wait_until
from tests.quickbooks_sync.worker_process import WAIT_FOR_GO
from tests.quickbooks_sync.worker_process import DjangoScripts
from tests.quickbooks_sync.worker_process import running_worker
from tests.quickbooks_sync.worker_process import worker_env
from tests.sandbox_process import SandboxProcess
from tracking.services import approvals
from workspaces.models import Membership

pytestmark = emulator_marks(transaction=True)

TASK_DONE = re.compile(r"quickbooks_sync\.tasks\.send_schedules_run\[[^\]]+\] succeeded")


def ms(workspace, user) -> Membership:
    return Membership.objects.select_related("workspace", "user").get(
        workspace=workspace, user=user
    )


def settled(run_count: int):
    def check() -> bool:
        runs = list(ScheduledSend.objects.select_related("job").order_by("due_at"))
        return len(runs) >= run_count and all(
            r.reported_at is not None and (r.job is None or not r.job.is_active) for r in runs
        )

    return check


def test_the_beat_sends_approved_time_once_and_mails_what_quickbooks_refused(
    workspace,
    owner,
    admin,
    member,
    sandbox: SandboxProcess,
    linked_connection,
    realm: str,
    tmp_path,
) -> None:
    link_member(workspace, admin, sandbox, realm)
    project, _ = linked_project(workspace, sandbox, realm, "Website", parent="Acme")
    day = dt.datetime(2026, 3, 9, 10, tzinfo=dt.UTC)  # the Monday of the approved week

    def add(user, at, description):
        return entry(
            workspace, user, start=at, seconds=1800, project=project, description=description
        )

    approved = [
        add(member, day, "Closed books"),  # dated on QuickBooks' closing date: refused (6210)
        add(member, day + dt.timedelta(days=1), "Approved A"),
        add(member, day + dt.timedelta(days=2), "Approved B"),
    ]
    add(admin, day + dt.timedelta(days=1), "Admin, not submitted")
    add(member, day + dt.timedelta(days=8), "Next week, not submitted")
    week = approvals.week_submit(membership=ms(workspace, member), week_start=day.date())
    approvals.week_approve(membership=ms(workspace, owner), approval_id=week.pk)
    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": "2026-03-09"})

    now = timezone.now()
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    SendSchedule.objects.create(
        workspace=workspace,
        enabled=True,
        frequency=SendSchedule.Frequency.DAILY,
        hour=now.hour,  # the workspace's time zone is UTC
        active_since=this_hour,
    )
    env = worker_env(sandbox, QBO_SCHEDULE_CHECK_SECONDS="1", EMAIL_URL="consolemail://")
    with running_worker(tmp_path, env) as worker:
        wait_until(settled(1), timeout=60)
        (run,) = ScheduledSend.objects.select_related("job")
        assert run.outcome == ScheduledSend.Outcome.STARTED, worker.output()[-3000:]
        job = run.job
        assert job.requested_by is None and job.state == SendJob.State.SUCCEEDED
        assert (job.selected_count, job.sent_count, job.failed_count) == (3, 2, 1)
        assert sorted(a["Description"] for a in time_activities(sandbox, realm)) == [
            "Approved A",
            "Approved B",
        ]
        # The admins' e-mail, printed by the console backend.
        assert run.emailed
        out = worker.output()
        assert "Subject: QuickBooks: the scheduled send of" in out and "left 1 entry out" in out
        assert "To: admin@example.com, owner@example.com" in out
        assert "Refused by QuickBooks: 1 entry (0:30:00)" in out

        # More beats in the same slot start nothing.
        beats = len(TASK_DONE.findall(worker.output()))
        wait_until(lambda: len(TASK_DONE.findall(worker.output())) >= beats + 3, timeout=30)
        assert ScheduledSend.objects.count() == 1 and SendJob.objects.count() == 1

        # The books are opened and the next slot comes (the run is moved to yesterday): that
        # run sends the refused entry and nothing that was sent.
        sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": None})
        ScheduledSend.objects.filter(pk=run.pk).update(
            slot=run.slot - dt.timedelta(days=1), due_at=run.due_at - dt.timedelta(days=1)
        )
        wait_until(settled(2), timeout=60)
        second = ScheduledSend.objects.select_related("job").latest("due_at")
        assert second.outcome == ScheduledSend.Outcome.STARTED
        assert (second.job.selected_count, second.job.sent_count) == (1, 1)
        assert not second.emailed  # nothing refused: no e-mail
        beats = len(TASK_DONE.findall(worker.output()))
        wait_until(lambda: len(TASK_DONE.findall(worker.output())) >= beats + 2, timeout=30)

    assert ScheduledSend.objects.count() == 2 and SendJob.objects.count() == 2
    result = landed(sandbox, realm, approved, ledger_of(workspace))
    assert (result.missing, result.doubled, result.ledger_mismatch) == ([], [], [])
    assert len(time_activities(sandbox, realm)) == 3  # nothing unapproved


def test_two_beats_racing_for_one_slot_start_one_run(
    workspace, owner, member, sandbox: SandboxProcess, linked_connection, realm: str, tmp_path
) -> None:
    """Two processes (two beat schedulers) that both found the same slot due record it at the
    same instant: the unique (workspace, slot) row lets one start the run; the other starts
    nothing."""
    project, _ = linked_project(workspace, sandbox, realm, "Website")
    day = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
    entry(workspace, member, start=day, seconds=1800, project=project, description="Raced")
    week = approvals.week_submit(membership=ms(workspace, member), week_start=dt.date(2026, 3, 9))
    approvals.week_approve(membership=ms(workspace, owner), approval_id=week.pk)
    SendSchedule.objects.create(
        workspace=workspace,
        enabled=True,
        frequency=SendSchedule.Frequency.DAILY,
        hour=6,
        active_since=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    # Each process is warmed up (imports, a database connection) before the go, then both
    # record the same slot at once: the second insert waits for the first transaction and
    # fails on the constraint.
    script = (
        """
import datetime as dt
from quickbooks_sync.models import ScheduledSend
from quickbooks_sync.services import schedule
from workspaces.models import Workspace
workspace = Workspace.objects.get(pk=WORKSPACE_ID)
slot = schedule.Slot(day=dt.date(2026, 12, 7), at=dt.datetime(2026, 12, 7, 6, tzinfo=dt.UTC))
ScheduledSend.objects.exists()
""".replace("WORKSPACE_ID", repr(workspace.pk))
        + WAIT_FOR_GO
        + """
run = schedule._run(workspace, slot, now=dt.datetime(2026, 12, 7, 6, 1, tzinfo=dt.UTC))
print("RUNS", 0 if run is None else 1, flush=True)
"""
    )
    with DjangoScripts(script, worker_env(sandbox), count=2, directory=tmp_path) as scripts:
        scripts.wait_ready()
        scripts.go()
        outputs = scripts.results()
    counts = sorted(int(re.search(r"RUNS (\d)", out).group(1)) for out in outputs)
    assert counts == [0, 1], outputs
    assert ScheduledSend.objects.count() == 1 and SendJob.objects.count() == 1
