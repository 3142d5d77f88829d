"""Approved time on a schedule, in the database (no QuickBooks call: a run selects and enqueues;
test_schedule_worker.py sends through a real worker and the emulator): what a run picks, one run
per slot, each outcome recorded and e-mailed to the owner and admins (once for a repeated skip),
the setting (admins only, validated, audited, refused while not connected), the Integrations
tab, the job page and the REST API saying the schedule started it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError
from django.db import transaction
from django.urls import reverse

from quickbooks_sync.models import CustomerLink
from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import ScheduledSend
from quickbooks_sync.models import SendItem
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SendSchedule
from quickbooks_sync.models import SentEntry
from quickbooks_sync.services import schedule as schedule_services
from quickbooks_sync.services.schedule import Slot
from quickbooks_sync.services.schedule import scheduled_sends_report
from quickbooks_sync.services.schedule import send_schedules_run_due
from tests.api.conftest import api_client_for
from tests.factories import membership_of
from tests.quickbooks_sync.connection_helpers import stored_connection
from tests.quickbooks_sync.send_helpers import entry
from tests.tracking.factories import ProjectFactory
from tracking.services import approvals
from workspaces.models import AuditLog
from workspaces.models import Membership
from workspaces.models import Workspace

UTC = dt.UTC
WEEK = dt.date(2026, 3, 9)  # a Monday, long past
AT = dt.datetime(2026, 3, 10, 14, tzinfo=UTC)
MONDAY_RUN = dt.datetime(2026, 12, 7, 6, 5, tzinfo=UTC)  # 5 minutes after a 06:00 UTC slot
Outcome = ScheduledSend.Outcome


def approve(workspace, owner, user, week=WEEK):
    week = approvals.week_submit(membership=membership_of(workspace, user), week_start=week)
    approvals.week_approve(membership=membership_of(workspace, owner), approval_id=week.pk)


@pytest.fixture
def connection(workspace) -> QBOConnection:
    return stored_connection(workspace)


def linked_project(workspace):
    """A project linked to customer 7 of company R1, as a sync links it (no QuickBooks)."""
    made = ProjectFactory(workspace=workspace, name="Website")
    CustomerLink.objects.create(
        workspace=workspace,
        kind=CustomerLink.Kind.PROJECT,
        project=made,
        realm_id="R1",
        qbo_customer_id="7",
        qbo_display_name="Website",
    )
    return made


@pytest.fixture
def project(workspace, connection):
    return linked_project(workspace)


def link(workspace, user):
    EmployeeLink.objects.create(
        workspace=workspace,
        membership=Membership.objects.get(workspace=workspace, user=user),
        realm_id="R1",
        qbo_employee_id=f"e{user.pk[-6:]}",
        qbo_display_name=user.full_name,
    )


@pytest.fixture
def entries(workspace, owner, admin, member, project):
    """The member's approved week (two entries), the admin's week not submitted, and the
    member's later week not submitted."""
    link(workspace, member)
    link(workspace, admin)
    rows = {  # key: (whose, start, seconds, description)
        "a": (member, AT, 3600, "A"),
        "b": (member, AT + dt.timedelta(hours=2), 1800, "B"),
        "admin": (admin, AT, 900, "X"),
        "later": (member, AT + dt.timedelta(days=7), 600, "Later"),
    }
    made = {
        key: entry(workspace, user, start=start, seconds=seconds, project=project, description=text)
        for key, (user, start, seconds, text) in rows.items()
    }
    approve(workspace, owner, member)
    return made


@pytest.fixture
def schedule(workspace, connection) -> SendSchedule:
    return SendSchedule.objects.create(
        workspace=workspace,
        enabled=True,
        frequency=SendSchedule.Frequency.DAILY,
        hour=6,
        active_since=dt.datetime(2026, 1, 1, tzinfo=UTC),
    )


def finish(job: SendJob) -> None:
    """What the worker does, without QuickBooks: every pending item sent."""
    SendItem.objects.filter(job=job, state=SendItem.State.PENDING).update(state=SendItem.State.SENT)
    for item in SendItem.objects.filter(job=job, state=SendItem.State.SENT):
        SentEntry.objects.create(
            workspace_id=job.workspace_id,
            time_entry_id=item.time_entry_id,
            entry_key=item.entry_key,
            realm_id=job.realm_id,
            qbo_time_activity_id=f"ta{item.entry_key[-6:]}",
            sync_token="0",
        )
    SendJob.objects.filter(pk=job.pk).update(state=SendJob.State.SUCCEEDED)


# --- what a run picks, once ------------------------------------------------------------------


def test_a_run_picks_approved_entries_not_sent_once_per_slot(workspace, entries, schedule):
    (run,) = send_schedules_run_due(now=MONDAY_RUN)
    assert (run.outcome, run.slot) == (Outcome.STARTED, dt.date(2026, 12, 7))
    job = run.job
    assert job.requested_by is None and job.state == SendJob.State.QUEUED
    picked = set(SendItem.objects.filter(job=job).values_list("entry_key", "state"))
    assert picked == {(entries["a"].pk, "PENDING"), (entries["b"].pk, "PENDING")}
    assert ["approval", "approved"] in job.filters
    # More beats in the same slot (and later the same day) start nothing.
    assert send_schedules_run_due(now=MONDAY_RUN) == []
    assert send_schedules_run_due(now=MONDAY_RUN + dt.timedelta(hours=17)) == []
    assert ScheduledSend.objects.count() == 1 and SendJob.objects.count() == 1
    # Moving the hour later on a day that ran does not run the day again.
    SendSchedule.objects.filter(pk=schedule.pk).update(hour=20, active_since=MONDAY_RUN)
    assert send_schedules_run_due(now=MONDAY_RUN.replace(hour=20, minute=1)) == []
    assert ScheduledSend.objects.count() == 1


def test_the_slot_is_unique_in_the_database(workspace, entries, schedule):
    slot = Slot(day=dt.date(2026, 12, 7), at=dt.datetime(2026, 12, 7, 6, tzinfo=UTC))
    first = schedule_services._run(workspace, slot, now=MONDAY_RUN)
    # A second beat that read "due" before the first committed: its insert is refused.
    assert schedule_services._run(workspace, slot, now=MONDAY_RUN) is None
    assert first is not None and SendJob.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledSend.objects.create(
            workspace=workspace, slot=slot.day, due_at=slot.at, outcome=Outcome.NOTHING
        )


def test_only_time_before_today_and_not_sent_goes(workspace, owner, member, entries, schedule):
    today = entry(
        workspace,
        member,
        start=dt.datetime(2026, 12, 7, 1, tzinfo=UTC),
        seconds=600,
        project=entries["a"].project,
        description="Today",
    )
    approve(workspace, owner, member, week=dt.date(2026, 3, 16))  # "later"
    with time_machine.travel(MONDAY_RUN, tick=False):
        approve(workspace, owner, member, week=dt.date(2026, 12, 7))  # holds "today"
    (run,) = send_schedules_run_due(now=MONDAY_RUN)
    keys = set(SendItem.objects.filter(job=run.job).values_list("entry_key", flat=True))
    assert keys == {entries["a"].pk, entries["b"].pk, entries["later"].pk}  # not today's
    finish(run.job)
    (run,) = send_schedules_run_due(now=MONDAY_RUN + dt.timedelta(days=1))
    keys = set(SendItem.objects.filter(job=run.job).values_list("entry_key", flat=True))
    assert keys == {today.pk}  # the day after it was tracked; not the sent ones
    assert run.job.not_sent == {}


# --- outcomes and e-mails ---------------------------------------------------------------------


def outcomes(workspace) -> list[str]:
    return list(
        ScheduledSend.objects.filter(workspace=workspace)
        .order_by("due_at")
        .values_list("outcome", flat=True)
    )


def test_a_clean_run_mails_nobody_and_a_refusal_mails_the_admins(
    workspace, owner, admin, member, entries, schedule
):
    (run,) = send_schedules_run_due(now=MONDAY_RUN)
    assert scheduled_sends_report() == 0  # still running: not settled
    finish(run.job)
    assert scheduled_sends_report() == 0 and mail.outbox == []
    run.refresh_from_db()
    assert run.reported_at is not None and not run.emailed

    # The next week has an entry of a member who is not linked: refused, and said so.
    EmployeeLink.objects.filter(membership__user=member).delete()
    approve(workspace, owner, member, week=dt.date(2026, 3, 16))
    (run,) = send_schedules_run_due(now=MONDAY_RUN + dt.timedelta(days=1))
    assert run.outcome == Outcome.NOTHING  # nothing could go
    assert scheduled_sends_report() == 1
    (message,) = mail.outbox
    assert sorted(message.to) == ["admin@example.com", "owner@example.com"]
    assert message.subject == "QuickBooks: the scheduled send of 2026-12-08 left 1 entry out"
    assert "Member not linked (sync users): 1 entry (0:10:00)" in message.body
    assert f"/w/{workspace.pk}/quickbooks/#qbo-schedule" in message.body
    assert scheduled_sends_report() == 0  # settled once
    # The next day the same entry is stuck for the same reason: not e-mailed again.
    (run,) = send_schedules_run_due(now=MONDAY_RUN + dt.timedelta(days=2))
    assert run.outcome == Outcome.NOTHING
    assert scheduled_sends_report() == 0 and len(mail.outbox) == 1


def test_quickbooks_refusals_and_a_stopped_job_are_mailed(workspace, entries, schedule):
    (run,) = send_schedules_run_due(now=MONDAY_RUN)
    item = SendItem.objects.filter(job=run.job).first()
    SendItem.objects.filter(pk=item.pk).update(
        state=SendItem.State.FAILED, message="The books are closed for 2026-03-10."
    )
    SendJob.objects.filter(pk=run.job_id).update(
        state=SendJob.State.FAILED, error="QuickBooks did not answer.", failed_count=1
    )
    assert scheduled_sends_report() == 1
    (message,) = mail.outbox
    assert message.subject == "QuickBooks: the scheduled send of 2026-12-07 stopped"
    assert "(Monday 2026-12-07) stopped: 0 of 2 entries sent." in message.body
    assert "QuickBooks did not answer." in message.body
    assert "Refused by QuickBooks: 1 entry" in message.body
    assert "The books are closed for 2026-03-10." in message.body
    assert f"/w/{workspace.pk}/quickbooks/sends/{run.job_id}/" in message.body


def test_a_busy_disconnected_or_downgraded_workspace_is_skipped_and_told_once(
    workspace, entries, schedule, connection
):
    day = dt.timedelta(days=1)
    send_schedules_run_due(now=MONDAY_RUN)  # its job never runs here: still queued
    (run,) = send_schedules_run_due(now=MONDAY_RUN + day)
    assert (run.outcome, run.job) == (Outcome.BUSY, None)
    assert "previous scheduled send was still sending" in run.message
    SendJob.objects.update(state=SendJob.State.SUCCEEDED)

    QBOConnection.objects.filter(pk=connection.pk).update(status=QBOConnection.Status.DISCONNECTED)
    send_schedules_run_due(now=MONDAY_RUN + 2 * day)
    send_schedules_run_due(now=MONDAY_RUN + 3 * day)  # the same skip again
    QBOConnection.objects.filter(pk=connection.pk).update(
        status=QBOConnection.Status.NEEDS_RECONNECT
    )
    send_schedules_run_due(now=MONDAY_RUN + 4 * day)
    QBOConnection.objects.filter(pk=connection.pk).update(status=QBOConnection.Status.CONNECTED)
    Workspace.objects.filter(pk=workspace.pk).update(plan=Workspace.Plan.FREE)
    send_schedules_run_due(now=MONDAY_RUN + 5 * day)
    assert outcomes(workspace) == [
        "STARTED",
        "BUSY",
        "NOT_CONNECTED",
        "NOT_CONNECTED",
        "NOT_CONNECTED",
        "PLAN",
    ]
    assert scheduled_sends_report() == 4  # busy, disconnected, needs reconnecting, plan
    subjects = {m.subject for m in mail.outbox}
    assert subjects == {
        f"QuickBooks: the scheduled send of 2026-12-{d:02d} did not run" for d in (8, 9, 11, 12)
    }
    bodies = "\n".join(m.body for m in mail.outbox)
    assert "is not connected to QuickBooks Online" in bodies
    assert "needs reconnecting" in bodies
    assert "Standard, Pro or Enterprise plan" in bodies
    emailed = ScheduledSend.objects.filter(emailed=True).values_list("slot", flat=True)
    assert dt.date(2026, 12, 10) not in set(emailed)  # the repeat


def test_an_unexpected_error_is_recorded_not_retried_each_beat(
    workspace, entries, schedule, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(schedule_services, "send_start_approved", broken)
    (run,) = send_schedules_run_due(now=MONDAY_RUN)
    assert (run.outcome, run.job) == (Outcome.ERROR, None)
    assert send_schedules_run_due(now=MONDAY_RUN + dt.timedelta(minutes=5)) == []
    assert scheduled_sends_report() == 1
    assert "unexpected error" in mail.outbox[0].body
    assert SendJob.objects.count() == 0


def test_other_workspaces_are_untouched(workspace, other_workspace, entries, schedule):
    SendSchedule.objects.create(
        workspace=other_workspace, enabled=False, hour=6, active_since=schedule.active_since
    )
    runs = send_schedules_run_due(now=MONDAY_RUN)
    assert [r.workspace_id for r in runs] == [workspace.pk]
    assert SendItem.objects.exclude(workspace=workspace).count() == 0


# --- the setting ------------------------------------------------------------------------------


def integrations(workspace) -> str:
    return reverse("quickbooks:integrations", kwargs={"ws": workspace.pk})


def schedule_url(workspace) -> str:
    return reverse("quickbooks:send_schedule", kwargs={"ws": workspace.pk})


ON = {"enabled": "on", "frequency": "WEEKLY", "weekday": "4", "hour": "17"}


def test_admins_turn_it_on_audited_members_are_refused(
    workspace, owner_client, member_client, connection
):
    assert member_client.get(integrations(workspace)).status_code == 403
    assert member_client.post(schedule_url(workspace), ON).status_code == 403
    assert not SendSchedule.objects.filter(enabled=True).exists()
    page = owner_client.get(integrations(workspace)).content.decode()
    assert 'id="schedule-off"' in page and 'id="schedule-form"' in page

    response = owner_client.post(schedule_url(workspace), ON, follow=True)
    page = response.content.decode()
    assert "Approved time will be sent to QuickBooks every Friday at 17:00 (UTC)." in page
    assert 'id="schedule-on"' in page and 'data-testid="schedule-next"' in page
    saved = SendSchedule.objects.get(workspace=workspace)
    assert (saved.enabled, saved.frequency, saved.weekday, saved.hour) == (True, "WEEKLY", 4, 17)
    log = AuditLog.objects.get(event="quickbooks.send_schedule_set")
    assert log.target == "approved time every Friday at 17:00 (UTC)"
    assert log.details["enabled"] is True and log.details["was"]["enabled"] is False
    owner_client.post(schedule_url(workspace), ON)  # no change: no audit entry
    owner_client.post(schedule_url(workspace), {**ON, "enabled": ""})
    assert not SendSchedule.objects.get(workspace=workspace).enabled
    assert AuditLog.objects.filter(event="quickbooks.send_schedule_set").count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hour", "24", "Choose an hour from 00:00 to 23:00."),
        ("hour", "six", "Choose an hour from 00:00 to 23:00."),
        ("weekday", "7", "Choose a day of the week."),
        ("frequency", "HOURLY", "Choose every day or every week."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    workspace, owner_client, connection, field, value, message
):
    page = owner_client.post(schedule_url(workspace), {**ON, field: value}, follow=True)
    assert f"The schedule was not saved: {message}" in page.content.decode()
    assert not SendSchedule.objects.filter(enabled=True).exists()
    assert not AuditLog.objects.filter(event="quickbooks.send_schedule_set").exists()


def test_turning_on_needs_a_connection_and_the_plan(workspace, owner_client, connection):
    QBOConnection.objects.filter(pk=connection.pk).update(status=QBOConnection.Status.DISCONNECTED)
    page = owner_client.post(schedule_url(workspace), ON, follow=True).content.decode()
    assert "Connect this workspace to QuickBooks Online before scheduling sends." in page
    assert not SendSchedule.objects.filter(enabled=True).exists()
    QBOConnection.objects.filter(pk=connection.pk).update(status=QBOConnection.Status.CONNECTED)
    Workspace.objects.filter(pk=workspace.pk).update(plan=Workspace.Plan.BASIC)
    page = owner_client.post(schedule_url(workspace), ON, follow=True).content.decode()
    assert "needs the Standard, Pro or Enterprise plan" in page
    assert not SendSchedule.objects.filter(enabled=True).exists()


def test_a_schedule_left_on_can_be_turned_off_while_disconnected(
    workspace, owner_client, schedule, connection
):
    QBOConnection.objects.filter(pk=connection.pk).update(status=QBOConnection.Status.DISCONNECTED)
    page = owner_client.get(integrations(workspace)).content.decode()
    assert 'id="schedule-paused"' in page and 'id="schedule-turn-off"' in page
    form = {"frequency": "DAILY", "weekday": "0", "hour": "6"}
    owner_client.post(schedule_url(workspace), form)
    assert not SendSchedule.objects.get(pk=schedule.pk).enabled


def test_the_tab_lists_runs_and_the_job_page_and_api_name_the_schedule(
    workspace, owner, owner_client, entries, schedule
):
    (run,) = send_schedules_run_due(now=MONDAY_RUN)
    page = owner_client.get(integrations(workspace)).content.decode()
    runs = page.split('id="schedule-runs"', 1)[1]
    assert 'data-outcome="STARTED"' in runs
    job_url = reverse("quickbooks:send_job", kwargs={"ws": workspace.pk, "job_id": run.job_id})
    assert job_url in runs
    job_page = owner_client.get(job_url).content.decode()
    assert 'data-testid="started-by-schedule">by the schedule' in job_page
    assert "Mon 2026-12-07" in job_page
    api = api_client_for(owner)
    body = api.get(f"/api/v1/workspaces/{workspace.pk}/quickbooks/sends/{run.job_id}").json()
    assert body["scheduled"] is True and body["requestedBy"] is None
