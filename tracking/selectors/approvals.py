"""Reads of timesheet approvals: a member's weeks with their state, the admins' queue, and one
submission's entries. Every query is scoped to the workspace (another's submission is a 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from tracking.models import TimeEntry
from tracking.models import WeekApproval
from tracking.selectors.entries import local_midnight
from tracking.selectors.entries import local_today
from tracking.selectors.entries import time_entries_of
from tracking.selectors.entries import week_start_for
from tracking.time_rules import clock_text
from tracking.time_rules import week_flags
from workspaces.errors import NotFound
from workspaces.ids import is_object_id
from workspaces.models import Membership
from workspaces.models import Workspace

RECENT_WEEKS = 8


@dataclass(frozen=True)
class MemberWeek:
    week_start: dt.date
    total_seconds: int  # tracked now, finished entries
    has_running: bool
    approval: WeekApproval | None

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)

    @property
    def state(self) -> str:
        """approved | pending | rejected | not_submitted (withdrawn counts as not submitted)."""
        if self.approval is None or self.approval.status == WeekApproval.Status.WITHDRAWN:
            return "not_submitted"
        return str(self.approval.status).lower()

    @property
    def can_submit(self) -> bool:
        return self.state in ("not_submitted", "rejected") and self.total_seconds > 0


def member_weeks(*, membership: Membership, weeks: int = RECENT_WEEKS) -> list[MemberWeek]:
    """The acting member's last `weeks` weeks (newest first) with time and approval state:
    two queries whatever the number of weeks."""
    user = membership.user
    newest = week_start_for(user, local_today(user))
    firsts = [newest - dt.timedelta(days=7 * i) for i in range(weeks)]
    since = local_midnight(user, firsts[-1])
    until = local_midnight(user, newest + dt.timedelta(days=7))
    totals: dict[dt.date, int] = {}
    running: set[dt.date] = set()
    rows = TimeEntry.objects.filter(
        workspace_id=membership.workspace_id, user=user, start__gte=since, start__lt=until
    ).values_list("start", "duration_seconds", "end")
    tz = local_midnight(user, newest).tzinfo
    for start, seconds, end in rows:
        first = week_start_for(user, start.astimezone(tz).date())
        totals[first] = totals.get(first, 0) + (seconds or 0)
        if end is None:
            running.add(first)
    approvals = {
        a.week_start: a
        for a in WeekApproval.objects.filter(
            workspace_id=membership.workspace_id, user=user, week_start__in=firsts
        )
    }
    return [
        MemberWeek(
            week_start=first,
            total_seconds=totals.get(first, 0),
            has_running=first in running,
            approval=approvals.get(first),
        )
        for first in firsts
    ]


def pending_approvals(*, membership: Membership) -> QuerySet[WeekApproval]:
    """Submissions waiting for a decision, oldest week first, with the member loaded."""
    return (
        WeekApproval.objects.filter(
            workspace_id=membership.workspace_id, status=WeekApproval.Status.PENDING
        )
        .select_related("user")
        .order_by("week_start", "submitted_at")
    )


def approval_get(*, membership: Membership, approval_id: str) -> WeekApproval:
    """One submission: any in the workspace for admins, only their own for a member."""
    rows = WeekApproval.objects.select_related("user", "decided_by").filter(
        workspace_id=membership.workspace_id
    )
    if not membership.is_admin:
        rows = rows.filter(user_id=membership.user_id)
    approval = rows.filter(pk=approval_id).first() if is_object_id(approval_id) else None
    if approval is None:
        raise NotFound("Submission not found.")
    return approval


def approval_entries(*, approval: WeekApproval) -> QuerySet[TimeEntry]:
    """The submitted week's entries, oldest first, ready to render as rows."""
    return (
        time_entries_of(workspace_id=approval.workspace_id, user=approval.user)
        .filter(start__gte=approval.since, start__lt=approval.until)
        .order_by("start", "pk")
    )


def week_approval_of(*, membership: Membership, week_start: dt.date) -> WeekApproval | None:
    """The acting member's submission of the week starting `week_start` that still holds it
    (pending or approved), if any: what locks the timesheet's cells."""
    return (
        WeekApproval.objects.filter(
            workspace_id=membership.workspace_id,
            user_id=membership.user_id,
            week_start=week_start,
            status__in=(WeekApproval.Status.PENDING, WeekApproval.Status.APPROVED),
        )
        .only("pk", "status", "week_start")
        .first()
    )


@dataclass
class WeekReview:
    """What a member sees before submitting a week: totals by day and what to look at."""

    week_start: dt.date
    entries: list[TimeEntry]
    day_totals: list[tuple[dt.date, int]]
    total_seconds: int
    approval: WeekApproval | None


def week_review(*, membership: Membership, week_start: dt.date) -> WeekReview:
    user = membership.user
    tz_days = [week_start + dt.timedelta(days=i) for i in range(7)]
    since = local_midnight(user, week_start)
    until = local_midnight(user, week_start + dt.timedelta(days=7))
    entries = list(
        time_entries_of(workspace_id=membership.workspace_id, user=user)
        .filter(start__gte=since, start__lt=until)
        .order_by("start", "pk")
    )
    per_day = dict.fromkeys(tz_days, 0)
    for entry in entries:
        day = entry.start.astimezone(since.tzinfo).date()
        per_day[day] = per_day.get(day, 0) + (entry.duration_seconds or 0)
    approval = WeekApproval.objects.filter(
        workspace_id=membership.workspace_id, user_id=user.pk, week_start=week_start
    ).first()
    return WeekReview(
        week_start=week_start,
        entries=entries,
        day_totals=[(d, per_day[d]) for d in tz_days],
        total_seconds=sum(per_day.values()),
        approval=approval,
    )


# --- the review grid --------------------------------------------------------------------------


@dataclass(frozen=True)
class GridRow:
    label: str  # the project ("Website · Acme"), or "No project"
    day_seconds: tuple[int, ...]  # the seven days of the week
    seconds: int


@dataclass(frozen=True)
class Flag:
    kind: str  # long_day | overlap | long_entry | future | running | changed
    text: str
    entry_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApprovalGrid:
    days: tuple[dt.date, ...]
    rows: tuple[GridRow, ...]
    day_totals: tuple[int, ...]
    seconds: int
    flags: tuple[Flag, ...]
    entries: tuple[TimeEntry, ...]  # the week's entries, oldest first, for the list under it
    flagged: frozenset[str]  # ids of entries with a flag


def _project_label(entry: TimeEntry) -> str:
    if entry.project is None:
        return "No project"
    client = entry.project.client
    return f"{entry.project.name} · {client.name}" if client is not None else entry.project.name


def approval_grid(*, approval: WeekApproval, workspace: Workspace) -> ApprovalGrid:
    """The submitted week as a grid of projects by the member's seven days with day totals,
    and what an approver should look at: the time rules' week flags (`week_flags`: entries
    over 10 hours or over the workspace's limit, in the future, overlapping, days over 24
    hours, running timers) and entries added or changed after the week was submitted. Built
    from the week's entries (approval_entries: two queries whatever their number)."""
    user = approval.user
    tz = local_midnight(user, approval.week_start).tzinfo
    days = tuple(approval.week_start + dt.timedelta(days=i) for i in range(7))
    index = {day: i for i, day in enumerate(days)}
    entries = tuple(approval_entries(approval=approval))
    per_project: dict[str, list[int]] = {}
    for entry in entries:
        day = entry.start.astimezone(tz).date()
        per_project.setdefault(_project_label(entry), [0] * 7)[index.get(day, 0)] += (
            entry.duration_seconds or 0
        )

    def when(entry: TimeEntry) -> str:
        day = entry.start.astimezone(tz).date()
        return f"{day:%a %b} {day.day}"

    def what(entry: TimeEntry) -> str:
        return f"“{entry.description or '(no description)'}”"

    found = week_flags(entries, workspace=workspace, user=user)
    flags: list[Flag] = [
        Flag("long_day", f"{day:%a %b} {day.day}: {clock_text(total)} in one day.")
        for day, total in found.days_over_24h
    ]
    flags += [
        Flag("overlap", f"{when(b)}: {what(b)} overlaps {what(a)}.", (a.pk, b.pk))
        for a, b in found.overlapping
    ]
    flags += [
        Flag(
            "long_entry",
            f"{when(e)}: {what(e)}, {clock_text(e.duration_seconds or 0)} in one entry.",
            (e.pk,),
        )
        for e in (*found.too_long, *found.long_entries)
    ]
    flags += [
        Flag("future", f"{when(e)}: {what(e)} is in the future.", (e.pk,)) for e in found.future
    ]
    flags += [
        Flag("running", f"{when(e)}: {what(e)} is still running.", (e.pk,)) for e in found.running
    ]
    for entry in entries:
        if entry.updated_at > approval.submitted_at or entry.created_at > approval.submitted_at:
            added = entry.created_at > approval.submitted_at
            flags.append(
                Flag(
                    "changed",
                    f"{when(entry)}: {what(entry)} was {'added' if added else 'changed'} after "
                    "the week was submitted.",
                    (entry.pk,),
                )
            )
    rows = tuple(
        GridRow(label=label, day_seconds=tuple(values), seconds=sum(values))
        for label, values in sorted(
            per_project.items(), key=lambda item: (item[0] == "No project", item[0].casefold())
        )
    )
    day_totals = tuple(sum(r.day_seconds[i] for r in rows) for i in range(7))
    return ApprovalGrid(
        days=days,
        rows=rows,
        day_totals=day_totals,
        seconds=sum(day_totals),
        flags=tuple(flags),
        entries=entries,
        flagged=frozenset(pk for f in flags for pk in f.entry_ids),
    )


def rejected_weeks(*, membership: Membership, weeks: int = RECENT_WEEKS) -> list[WeekApproval]:
    """The acting member's recent weeks that were rejected and not resubmitted since, newest
    first, with the reviewer: what the tracker and the timesheet tell them. One query."""
    user = membership.user
    oldest = week_start_for(user, local_today(user)) - dt.timedelta(days=7 * (weeks - 1))
    return list(
        WeekApproval.objects.filter(
            workspace_id=membership.workspace_id,
            user_id=membership.user_id,
            status=WeekApproval.Status.REJECTED,
            week_start__gte=oldest,
        )
        .select_related("decided_by")
        .order_by("-week_start")
    )
