"""Approved time sent to QuickBooks on a schedule (opt-in per workspace; issue 16).

    send_schedule_set(membership=ms, enabled=True, frequency="WEEKLY", weekday=0, hour=6)
    send_schedules_run_due()     # the beat task, every QBO_SCHEDULE_CHECK_SECONDS
    scheduled_sends_report()     # the same task: e-mails what a settled run refused or skipped

When a run is due. A schedule's slots are `hour`:00 in the workspace's time zone, every day or
on one weekday (`slot_at`, `latest_slot`). The beat task runs every few minutes and starts the
latest slot that has passed, if it is not before the moment the schedule was turned on or moved
(`active_since`) and no run of the workspace has that slot or a later one. A slot is keyed by
its local date, and `ScheduledSend` is unique per workspace and slot: two beats (two beat
processes, or a slow one) that find the same slot due insert the same row, and the second waits
for the first and fails on the constraint, so one slot never makes two runs. A beat that was
down catches up with the latest slot only, once. Daylight saving time: an hour the clocks skip
is run at the instant they jump (02:00 on a spring-forward day runs at 03:00 new time); an hour
that happens twice runs at its first occurrence, once (the slot is the date).

What a run sends (services.send.send_start_approved): every approved entry (its member's week
approved and the entry locked, the reports' "approved") that is not sent yet and starts before
today (local midnight in the workspace's time zone), through the same outbox as a press of
Send (a SendJob without a requester, linked from its ScheduledSend). Its outcome, recorded on
the run, is one of:

- STARTED: a send job (its page says the schedule started it);
- NOTHING: nothing approved left to send (what could not go, by reason, is kept);
- BUSY: the previous run's job is still queued or sending: this slot is skipped, its entries
  wait for the next run (a send never runs twice at once from the schedule);
- NOT_CONNECTED: never connected, disconnected, or it needs reconnecting;
- PLAN: the workspace's plan no longer includes QuickBooks;
- ERROR: an unexpected error (logged) stopped the run before its job.

The owner and admins are e-mailed once a run is settled (a started job: once it finished) when
something was refused: entries the product would not send (not linked, too long...) or that
QuickBooks refused, a job that stopped, or a run skipped. A skip or an empty run that repeats the
previous run's (still disconnected, the same unlinked member's entries...) is not e-mailed
again.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from quickbooks_sync.models import ScheduledSend
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SendSchedule
from quickbooks_sync.selectors.send import not_sent_rows
from quickbooks_sync.selectors.send import send_job_refusals
from quickbooks_sync.services.connection import NotReadyMessages
from quickbooks_sync.services.connection import require_connection_ready
from quickbooks_sync.services.send import ALREADY_SENT
from quickbooks_sync.services.send import IN_ANOTHER_SEND
from quickbooks_sync.services.send import PLAN_REQUIRED
from quickbooks_sync.services.send import NothingToSend
from quickbooks_sync.services.send import send_start_approved
from workspaces.access import require_role
from workspaces.errors import ApplicationError
from workspaces.errors import PermissionDenied
from workspaces.models import WEEKDAYS
from workspaces.models import Membership
from workspaces.models import Workspace
from workspaces.services import audit_log_record

logger = logging.getLogger(__name__)

Frequency = SendSchedule.Frequency
Outcome = ScheduledSend.Outcome

NOT_READY = NotReadyMessages(
    plan=PLAN_REQUIRED,
    not_connected=(
        "The workspace is not connected to QuickBooks Online, so the scheduled send did not "
        "run. Connect it under Settings > Integrations; the next run sends what is waiting."
    ),
    needs_reconnect=(
        "The QuickBooks connection needs reconnecting, so the scheduled send did not run. "
        "Reconnect under Settings > Integrations; the next run sends what is waiting."
    ),
)
TURN_ON_NOT_READY = NotReadyMessages(
    plan=PLAN_REQUIRED,
    not_connected="Connect this workspace to QuickBooks Online before scheduling sends.",
    needs_reconnect="Reconnect QuickBooks (below) before scheduling sends.",
)
BUSY = (
    "The previous scheduled send was still sending, so this run was skipped; what it would "
    "have sent waits for the next run. Open the previous send to see where it is."
)
CRASHED = (
    "The scheduled send stopped on an unexpected error before sending anything (it was "
    "logged). The next run tries again; if it happens again, tell your administrator."
)
# Reasons that are not refusals: another send's business.
NOT_REFUSALS = (ALREADY_SENT, IN_ANOTHER_SEND)


# -- when --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    day: dt.date  # the local date: what makes a run unique
    at: dt.datetime  # the instant it is due (UTC)


def workspace_zone(workspace: Workspace) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(workspace.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def slot_at(day: dt.date, hour: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The instant of `hour`:00 on `day` in `zone`, in UTC. fold=0: an hour the clocks skip
    takes the offset before the jump, which is the instant of the jump (02:00 -> 03:00 new
    time); an hour that happens twice is its first occurrence."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone).astimezone(dt.UTC)


def _slots(
    frequency: str, weekday: int, hour: int, zone: zoneinfo.ZoneInfo, first: dt.date, step: int
) -> Iterator[Slot]:
    """The slots from the local date `first` on, a day at a time forward (step 1) or back
    (-1); nine days hold every weekly slot's neighbours."""
    for n in range(9):
        day = first + dt.timedelta(days=n * step)
        if frequency == Frequency.DAILY or day.weekday() == weekday:
            yield Slot(day=day, at=slot_at(day, hour, zone))


def latest_slot(
    *, frequency: str, weekday: int, hour: int, zone: zoneinfo.ZoneInfo, now: dt.datetime
) -> Slot:
    """The last slot at or before `now`."""
    slots = _slots(frequency, weekday, hour, zone, now.astimezone(zone).date(), -1)
    return next(slot for slot in slots if slot.at <= now)


def next_slot(
    *, frequency: str, weekday: int, hour: int, zone: zoneinfo.ZoneInfo, after: dt.datetime
) -> Slot:
    """The first slot strictly after `after`."""
    slots = _slots(frequency, weekday, hour, zone, after.astimezone(zone).date(), 1)
    return next(slot for slot in slots if slot.at > after)


def due_slot(
    schedule: SendSchedule, *, now: dt.datetime, last_due: dt.datetime | None = None
) -> Slot | None:
    """The slot of `schedule` to run now, or None: the latest slot, unless it is before the
    schedule was turned on or moved, or not after the workspace's last run (`last_due`)."""
    if not schedule.enabled:
        return None
    slot = latest_slot(
        frequency=schedule.frequency,
        weekday=schedule.weekday,
        hour=schedule.hour,
        zone=workspace_zone(schedule.workspace),
        now=now,
    )
    if slot.at < schedule.active_since or (last_due is not None and slot.at <= last_due):
        return None
    return slot


def schedule_next_run(schedule: SendSchedule, *, now: dt.datetime | None = None) -> dt.datetime:
    """When the schedule runs next (UTC), for the Integrations tab."""
    now = now or timezone.now()
    return next_slot(
        frequency=schedule.frequency,
        weekday=schedule.weekday,
        hour=schedule.hour,
        zone=workspace_zone(schedule.workspace),
        after=max(now, schedule.active_since - dt.timedelta(microseconds=1)),
    ).at


def schedule_describe(schedule: SendSchedule) -> str:
    """ "every Monday at 06:00 (Europe/Berlin)" / "every day at 06:00 (UTC)"."""
    weekly = f"every {WEEKDAYS[schedule.weekday]}"
    days = "every day" if schedule.frequency == Frequency.DAILY else weekly
    return f"{days} at {schedule.hour:02d}:00 ({schedule.workspace.time_zone or 'UTC'})"


# -- the setting -------------------------------------------------------------------------------


def send_schedule_get(*, workspace: Workspace) -> SendSchedule:
    """The workspace's schedule, or an unsaved one that is off (the defaults)."""
    schedule = SendSchedule.objects.filter(workspace=workspace).first()
    return schedule or SendSchedule(workspace=workspace)


def send_schedule_set(
    *, membership: Membership, enabled: bool, frequency: str, weekday: int, hour: int
) -> SendSchedule:
    """Turn the schedule on or off, or move it (admins). Turning it on needs the plan and a
    working connection: it is the explicit action that lets the product write to QuickBooks
    without a press of Send, so every change is audited. Moving or turning it on never runs a
    slot that already passed."""
    require_role(membership, Membership.Role.ADMIN)
    if frequency not in Frequency.values:
        raise ApplicationError("Choose every day or every week.", field="frequency")
    if not 0 <= hour <= 23:
        raise ApplicationError("Choose an hour from 00:00 to 23:00.", field="hour")
    if not 0 <= weekday <= 6:
        raise ApplicationError("Choose a day of the week.", field="weekday")
    workspace = membership.workspace
    with transaction.atomic():
        schedule, _ = SendSchedule.objects.select_for_update().get_or_create(workspace=workspace)
        schedule.workspace = workspace
        before = (schedule.enabled, schedule.frequency, schedule.weekday, schedule.hour)
        if frequency == Frequency.DAILY:
            weekday = schedule.weekday  # kept for when it goes back to weekly
        after = (enabled, frequency, weekday, hour)
        if before == after:
            return schedule
        if enabled and not schedule.enabled:
            require_connection_ready(workspace_id=workspace.pk, messages=TURN_ON_NOT_READY)
        schedule.enabled, schedule.frequency, schedule.weekday, schedule.hour = after
        if enabled:
            schedule.active_since = timezone.now()
        schedule.changed_by = membership.user
        schedule.save()
        audit_log_record(
            workspace=workspace,
            actor=membership.user,
            event="quickbooks.send_schedule_set",
            target=f"approved time {schedule_describe(schedule)}" if enabled else "off",
            details={
                "enabled": enabled,
                "frequency": frequency,
                "weekday": weekday,
                "hour": hour,
                "time_zone": workspace.time_zone,
                "was": {
                    "enabled": before[0],
                    "frequency": before[1],
                    "weekday": before[2],
                    "hour": before[3],
                },
            },
        )
    return schedule


def scheduled_sends_recent(*, workspace: Workspace, limit: int = 5) -> list[ScheduledSend]:
    """The workspace's latest runs, newest first, with their jobs."""
    return list(
        ScheduledSend.objects.filter(workspace=workspace)
        .select_related("job")
        .order_by("-due_at")[:limit]
    )


# -- running -----------------------------------------------------------------------------------


def send_schedules_run_due(*, now: dt.datetime | None = None) -> list[ScheduledSend]:
    """Start the run of every schedule that is due now (see the module); the runs recorded."""
    now = now or timezone.now()
    runs = []
    schedules = SendSchedule.objects.filter(enabled=True).select_related("workspace")
    for schedule in schedules.order_by("pk"):
        last = (
            ScheduledSend.objects.filter(workspace_id=schedule.workspace_id)
            .order_by("-due_at")
            .values_list("due_at", flat=True)
            .first()
        )
        slot = due_slot(schedule, now=now, last_due=last)
        if (
            slot is None
            or ScheduledSend.objects.filter(
                workspace_id=schedule.workspace_id, slot=slot.day
            ).exists()
        ):  # a later hour on a day that ran already (the hour was moved)
            continue
        run = _run(schedule.workspace, slot, now=now)
        if run is not None:
            runs.append(run)
    return runs


def _run(workspace: Workspace, slot: Slot, *, now: dt.datetime) -> ScheduledSend | None:
    """Record the slot's run and start its job in one transaction; None when another beat
    recorded the slot first (the unique constraint)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = ScheduledSend.objects.create(
                    workspace=workspace, slot=slot.day, due_at=slot.at, ran_at=now, outcome=""
                )
        except IntegrityError:
            logger.info("Scheduled send %s %s: another beat ran it", workspace.pk, slot.day)
            return None
        try:
            with transaction.atomic():
                _start(run, workspace, now=now)
        except Exception:  # the run is recorded as failed (and e-mailed), never retried blindly
            logger.exception("Scheduled send %s %s crashed", workspace.pk, slot.day)
            run.outcome, run.message, run.job = Outcome.ERROR, CRASHED, None
        run.save()
    logger.info("Scheduled send %s %s: %s", workspace.pk, slot.day, run.outcome)
    return run


def _start(run: ScheduledSend, workspace: Workspace, *, now: dt.datetime) -> None:
    try:
        connection = require_connection_ready(workspace_id=workspace.pk, messages=NOT_READY)
    except PermissionDenied as exc:
        run.outcome, run.message = Outcome.PLAN, exc.message
        return
    except ApplicationError as exc:
        run.outcome, run.message = Outcome.NOT_CONNECTED, exc.message
        return
    if SendJob.objects.filter(
        workspace=workspace, state__in=SendJob.ACTIVE_STATES, scheduled_run__isnull=False
    ).exists():
        run.outcome, run.message = Outcome.BUSY, BUSY
        return
    owner = (
        Membership.objects.select_related("workspace", "user")
        .filter(workspace=workspace, role=Membership.Role.OWNER)
        .first()
    )
    if owner is None:  # every workspace has an owner; a broken one is an error, not a 500
        raise ApplicationError("The workspace has no owner.")
    zone = workspace_zone(workspace)
    until = dt.datetime.combine(now.astimezone(zone).date(), dt.time(0), tzinfo=zone)  # today
    try:
        with transaction.atomic():
            run.job = send_start_approved(membership=owner, connection=connection, until=until)
    except NothingToSend as exc:
        run.outcome, run.message, run.not_sent = Outcome.NOTHING, exc.message, exc.not_sent
        return
    run.outcome = Outcome.STARTED


# -- telling the admins ------------------------------------------------------------------------


@dataclass
class RunSummary:
    """What a settled run tells the admins: why it did not run or stopped, and what it left
    out, by reason (entries and seconds)."""

    problem: str = ""
    refused: list[dict[str, Any]] = field(default_factory=list)

    @property
    def refused_entries(self) -> int:
        return sum(int(r["entries"]) for r in self.refused)

    @property
    def worth_mailing(self) -> bool:
        return bool(self.problem or self.refused)


def _not_sent_rows(not_sent: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """What a run left out that an admin can act on (not what another send has or had)."""
    return [r for r in not_sent_rows(not_sent) if r["reason"] not in NOT_REFUSALS and r["entries"]]


def scheduled_send_summary(run: ScheduledSend) -> RunSummary:
    job = run.job
    if run.outcome != Outcome.STARTED or job is None:
        return RunSummary(
            problem=run.message if run.outcome != Outcome.NOTHING else "",
            refused=_not_sent_rows(run.not_sent or {}),
        )
    refused = _not_sent_rows(job.not_sent or {})
    refused += [
        {
            "label": "Refused by QuickBooks",
            "message": r["message"],
            "entries": r["entries"],
            "seconds": r["seconds"],
        }
        for r in send_job_refusals(job)
    ]
    problem = job.error if job.state == SendJob.State.FAILED else ""
    return RunSummary(problem=problem, refused=refused)


def _repeats_previous(run: ScheduledSend) -> bool:
    """A run that only repeats the previous one's news is not e-mailed again: the same skip
    (still disconnected, still busy), or nothing sent for the same reasons and counts (the
    same unlinked member's entries, day after day). A started job's refusals always are."""
    if run.outcome == Outcome.STARTED:
        return False
    previous = (
        ScheduledSend.objects.filter(workspace_id=run.workspace_id, due_at__lt=run.due_at)
        .order_by("-due_at")
        .first()
    )
    return previous is not None and (previous.outcome, previous.message, previous.not_sent) == (
        run.outcome,
        run.message,
        run.not_sent,
    )


def _admins(workspace_id: str) -> list[Membership]:
    return list(
        Membership.objects.filter(
            workspace_id=workspace_id,
            status=Membership.Status.ACTIVE,
            role__in=[Membership.Role.OWNER, Membership.Role.ADMIN],
        )
        .select_related("user")
        .order_by("user__email")
    )


def _site(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def _mail(run: ScheduledSend, summary: RunSummary) -> bool:
    admins = _admins(run.workspace_id)
    if not admins:
        return False
    ws = run.workspace_id
    link = (
        reverse("quickbooks:send_job", kwargs={"ws": ws, "job_id": run.job_id})
        if run.job_id
        else reverse("quickbooks:integrations", kwargs={"ws": ws}) + "#qbo-schedule"
    )
    if summary.problem and not run.job_id:
        subject = f"QuickBooks: the scheduled send of {run.slot:%Y-%m-%d} did not run"
    elif summary.problem:
        subject = f"QuickBooks: the scheduled send of {run.slot:%Y-%m-%d} stopped"
    else:
        count = summary.refused_entries
        subject = (
            f"QuickBooks: the scheduled send of {run.slot:%Y-%m-%d} left "
            f"{count} entr{'y' if count == 1 else 'ies'} out"
        )
    send_mail(
        subject=subject,
        message=render_to_string(
            "quickbooks_sync/email/scheduled_send.txt",
            {
                "run": run,
                "workspace": run.workspace,
                "summary": summary,
                "url": _site(link),
                "settings_url": _site(reverse("quickbooks:integrations", kwargs={"ws": ws})),
            },
        ),
        from_email=None,
        recipient_list=[m.user.email for m in admins],
    )
    return True


def scheduled_sends_report(*, now: dt.datetime | None = None) -> int:
    """Settle the runs whose outcome is known (a started job: once it finished) and e-mail the
    owner and admins about those that refused or skipped something. Each run is settled once
    (a row lock; the mail goes inside the transaction, so a mail server that fails leaves the
    run to the next beat). The number of e-mails sent."""
    now = now or timezone.now()
    mailed = 0
    pending = ScheduledSend.objects.filter(reported_at__isnull=True).filter(
        ~Q(outcome=Outcome.STARTED) | Q(job__isnull=True) | ~Q(job__state__in=SendJob.ACTIVE_STATES)
    )
    for run_id in list(pending.order_by("ran_at").values_list("pk", flat=True)[:500]):
        try:
            with transaction.atomic():
                run = (
                    ScheduledSend.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("workspace", "job")
                    .filter(pk=run_id, reported_at__isnull=True)
                    .first()
                )
                if run is None:
                    continue
                summary = scheduled_send_summary(run)
                if summary.worth_mailing and not _repeats_previous(run):
                    run.emailed = _mail(run, summary)
                    mailed += int(run.emailed)
                run.reported_at = now
                run.save(update_fields=["reported_at", "emailed"])
        except OSError:  # smtplib's errors: the run stays unsettled for the next beat
            logger.exception("Could not e-mail the admins about scheduled send %s", run_id)
    return mailed
