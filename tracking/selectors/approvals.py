"""Reads of timesheet approvals: a member's weeks with their state, the admins' queue, and one
submission's entries. Every query is scoped to the workspace (another's submission is a 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from tracking.models import TimeEntry, WeekApproval
from tracking.selectors.entries import (
    local_midnight,
    local_today,
    time_entries_of,
    week_start_for,
)
from workspaces.errors import NotFound
from workspaces.ids import is_object_id
from workspaces.models import Membership

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


def approval_entries_total(*, approval: WeekApproval) -> int:
    total = approval_entries(approval=approval).aggregate(total=Sum("duration_seconds"))["total"]
    return int(total or 0)


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
