"""Reads of the dashboard, the landing page: who is tracking now, the range's time per day
stacked by project, the top projects and clients by time and by amount, the billable share and
the approval state of the time.

Every figure comes from the reports' own selectors with the Detailed report's filter (same
who-sees-what, same rounding per entry): the entries of `apply_filters` measured with
`report_annotations` (see `_fold`), and `detailed_totals` with the approval filter. A constant
number of queries whatever the number of entries, days, projects or members.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace

from django.db.models import Count
from django.db.models import Q
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.db.models.functions import TruncDate

from reports.filters import ApprovalState
from reports.filters import DateRange
from reports.filters import DetailedFilters
from reports.filters import FilterError
from reports.filters import detailed_filters_check
from reports.filters import parse_detailed_filters
from reports.filters import viewer_tz
from reports.rounding import workspace_rounding
from reports.selectors import CurrencyAmount
from reports.selectors import DetailedTotals
from reports.selectors import apply_filters
from reports.selectors import detailed_totals
from reports.selectors import report_annotations
from reports.selectors import visible_entries
from reports.summary import WITHOUT
from reports.summary import GroupBy
from tracking.models import Client
from tracking.models import Project
from tracking.models import TimeEntry
from tracking.models import WeekApproval
from tracking.selectors.entries import local_today
from tracking.selectors.entries import week_start_for
from workspaces.models import Membership

RANGES = (DateRange.THIS_WEEK, DateRange.LAST_WEEK, DateRange.THIS_MONTH)
TOP = 5  # projects and clients listed per ranking
CHART_SERIES = 8  # projects named in the chart (reports.charts.SERIES); the rest is "Other"
RUNNING_SHOWN = 50  # timers listed under "Tracking now"


@dataclass(frozen=True)
class RunningTimer:
    member: str
    description: str
    project: str
    project_color: str
    client: str
    start: dt.datetime


@dataclass(frozen=True)
class DayTime:
    """One day of the range: its time split by project (keys of `Dashboard.projects`)."""

    day: dt.date
    seconds: int
    by_project: dict[str, int]


@dataclass(frozen=True)
class Ranked:
    key: str
    label: str
    detail: str
    seconds: int
    amounts: tuple[CurrencyAmount, ...]

    @property
    def amount_cents(self) -> int:
        return sum(a.cents for a in self.amounts)


@dataclass(frozen=True)
class ApprovalSplit:
    """The range's time by the approval state of its weeks (the reports' approval filter), and
    for admins the weeks waiting for a decision, for a member the state of their current
    week."""

    approved_seconds: int
    pending_seconds: int
    not_submitted_seconds: int
    pending_weeks: int | None  # admins only
    my_week_state: str | None  # members only: approved | pending | rejected | not_submitted


@dataclass(frozen=True)
class Dashboard:
    filters: DetailedFilters
    running: tuple[RunningTimer, ...]
    running_more: bool  # more timers run than RUNNING_SHOWN
    days: tuple[DayTime, ...]
    chart_projects: tuple[Ranked, ...]  # the CHART_SERIES projects with most time: the rest
    # is "Other" in the chart
    top_projects_by_time: tuple[Ranked, ...]
    top_projects_by_amount: tuple[Ranked, ...]
    top_clients_by_time: tuple[Ranked, ...]
    top_clients_by_amount: tuple[Ranked, ...]
    totals: DetailedTotals
    approval: ApprovalSplit

    @property
    def billable_percent(self) -> float:
        total = self.totals.total_seconds
        return round(self.totals.billable_seconds / total * 100, 1) if total else 0.0


def dashboard_filters(
    params: Mapping[str, Sequence[str]], *, membership: Membership, today: dt.date | None = None
) -> DetailedFilters:
    """The dashboard's filter from its query parameters: `range` (this_week, the default,
    last_week or this_month), `project` ids (or "none") and, for admins, `member` ids. Other
    parameters are ignored; FilterError for anything unusable, as the reports say it."""
    raw_range = [v.strip().lower() for v in params.get("range", ()) if v.strip()]
    allowed = ", ".join(r.value for r in RANGES)
    if len(raw_range) > 1 or (raw_range and raw_range[0] not in {r.value for r in RANGES}):
        raise FilterError(f"Show one of these ranges: {allowed}.", field="range")
    picked: dict[str, Sequence[str]] = {
        "range": raw_range or [DateRange.THIS_WEEK.value],
        "project": params.get("project", ()),
    }
    if membership.is_admin:
        picked["member"] = params.get("member", ())
    filters = parse_detailed_filters(picked, user=membership.user, today=today)
    detailed_filters_check(membership=membership, filters=filters)
    return filters


def _running(membership: Membership, filters: DetailedFilters) -> tuple[list[RunningTimer], bool]:
    """Timers running now (admins: the team's, members: their own), within the project and
    member filters, oldest first. One query."""
    timers = TimeEntry.objects.filter(workspace_id=membership.workspace_id, end__isnull=True)
    if not membership.is_admin:
        timers = timers.filter(user_id=membership.user_id)
    elif filters.members:
        timers = timers.filter(user_id__in=filters.members)
    if filters.projects or filters.without_project:
        condition = Q(project_id__in=filters.projects)
        if filters.without_project:
            condition |= Q(project_id__isnull=True)
        timers = timers.filter(condition)
    rows = list(
        timers.order_by("start", "pk").values(
            "start",
            "description",
            "user__full_name",
            "user__email",
            "project__name",
            "project__color",
            "project__client__name",
        )[: RUNNING_SHOWN + 1]
    )
    shown = [
        RunningTimer(
            member=r["user__full_name"] or r["user__email"],
            description=r["description"],
            project=r["project__name"] or "",
            project_color=r["project__color"] or "",
            client=r["project__client__name"] or "",
            start=r["start"],
        )
        for r in rows[:RUNNING_SHOWN]
    ]
    return shown, len(rows) > RUNNING_SHOWN


@dataclass
class _Sum:
    seconds: int = 0
    billable_seconds: int = 0
    entry_count: int = 0
    amounts: dict[str, int] = field(default_factory=dict)

    def add(self, seconds: int, billable: int, count: int, currency: str, cents: int) -> None:
        self.seconds += seconds
        self.billable_seconds += billable
        self.entry_count += count
        if billable:
            self.amounts[currency] = self.amounts.get(currency, 0) + cents

    def money(self) -> tuple[CurrencyAmount, ...]:
        return tuple(CurrencyAmount(c, v) for c, v in sorted(self.amounts.items()))


@dataclass
class _Folded:
    total: _Sum
    days: dict[dt.date, dict[str, int]]  # day -> project key ("" without project) -> seconds
    projects: dict[str, _Sum]
    clients: dict[str, _Sum]


def _fold(membership: Membership, filters: DetailedFilters) -> _Folded:
    """The filtered entries' time and billable amounts per (day, project, client, currency),
    summed in one aggregate query with the reports' own definitions (`apply_filters`,
    `report_annotations`: rounded per entry, then added up; days in the viewer's time zone as
    the Summary's date groups), then folded here into days, projects, clients and the totals.
    One grouping instead of the Summary's three (`summary_groups` by date and project, by
    project, by client), which built some 5,000 groups a week on a 200-member workspace only
    for the dashboard to keep its top five; tests/reports/test_dashboard.py checks the figures
    against `summary_groups`."""
    annotations = report_annotations(workspace_rounding(membership.workspace))
    seconds = annotations["report_seconds"]
    rows = (
        apply_filters(
            visible_entries(membership=membership), membership=membership, filters=filters
        )
        .order_by()
        .values(
            "currency",
            "project_id",
            "project__client_id",
            day=TruncDate("start", tzinfo=viewer_tz(membership.user)),
        )
        .annotate(
            n=Count("*"),
            seconds=Coalesce(Sum(seconds), 0),
            billable_seconds=Coalesce(Sum(seconds, filter=Q(billable=True)), 0),
            amount=Coalesce(Sum(annotations["report_amount_cents"]), 0),
        )
        .values_list(
            "day",
            "project_id",
            "project__client_id",
            "currency",
            "n",
            "seconds",
            "billable_seconds",
            "amount",
        )
    )
    folded = _Folded(total=_Sum(), days={}, projects={}, clients={})
    days, projects, clients = folded.days, folded.projects, folded.clients
    for day, project, client, currency, n, secs, billable, cents in rows:
        secs, billable, cents = int(secs), int(billable), int(cents)
        project, client = project or "", client or ""
        # Thousands of rows a week: look up before creating (no throwaway dicts and sums).
        by_project = days.get(day)
        if by_project is None:
            by_project = days[day] = {}
        by_project[project] = by_project.get(project, 0) + secs
        for group, key in ((projects, project), (clients, client)):
            sums = group.get(key)
            if sums is None:
                sums = group[key] = _Sum()
            sums.add(secs, billable, n, currency, cents)
        folded.total.add(secs, billable, n, currency, cents)
    return folded


def _top_keys(sums: dict[str, _Sum], *, by_amount: bool, n: int) -> list[str]:
    """The keys of the `n` largest of `sums` by time (or by billable amount, those with any),
    ties by key."""
    if by_amount:
        ranked = sorted(
            ((-sum(s.amounts.values()), key) for key, s in sums.items() if any(s.amounts.values()))
        )
    else:
        ranked = sorted((-s.seconds, key) for key, s in sums.items() if s.seconds)
    return [key for _, key in ranked[:n]]


def _rows(
    keys: Sequence[str], sums: dict[str, _Sum], names: dict[str, tuple[str, str]], without: str
) -> tuple[Ranked, ...]:
    rows = []
    for key in keys:
        label, detail = names.get(key, (key, "")) if key else (without, "")
        total = sums[key]
        rows.append(Ranked(key, label, detail, total.seconds, total.money()))
    return tuple(rows)


def _project_names(membership: Membership, keys: set[str]) -> dict[str, tuple[str, str]]:
    """(name, client name) of the given projects, within the workspace (no query for none)."""
    keys.discard("")
    if not keys:
        return {}
    rows = Project.objects.filter(workspace_id=membership.workspace_id, pk__in=keys)
    return {
        pk: (name, client or "")
        for pk, name, client in rows.values_list("pk", "name", "client__name")
    }


def _client_names(membership: Membership, keys: set[str]) -> dict[str, tuple[str, str]]:
    keys.discard("")
    if not keys:
        return {}
    rows = Client.objects.filter(workspace_id=membership.workspace_id, pk__in=keys)
    return {pk: (name, "") for pk, name in rows.values_list("pk", "name")}


def _approval(
    membership: Membership, filters: DetailedFilters, totals: DetailedTotals
) -> ApprovalSplit:
    """Two totals through the reports' approval filter (the third state is the rest, as the
    three split the entries), and one query for the pending weeks or the member's week."""
    approved = detailed_totals(
        membership=membership, filters=replace(filters, approval=ApprovalState.APPROVED)
    )
    pending = detailed_totals(
        membership=membership, filters=replace(filters, approval=ApprovalState.PENDING)
    )
    pending_weeks: int | None = None
    my_week_state: str | None = None
    if membership.is_admin:
        pending_weeks = WeekApproval.objects.filter(
            workspace_id=membership.workspace_id, status=WeekApproval.Status.PENDING
        ).count()
    else:
        week = week_start_for(membership.user, local_today(membership.user))
        status = (
            WeekApproval.objects.filter(
                workspace_id=membership.workspace_id, user_id=membership.user_id, week_start=week
            )
            .values_list("status", flat=True)
            .first()
        )
        my_week_state = (
            "not_submitted"
            if status in (None, WeekApproval.Status.WITHDRAWN)
            else str(status).lower()
        )
    return ApprovalSplit(
        approved_seconds=approved.total_seconds,
        pending_seconds=pending.total_seconds,
        not_submitted_seconds=totals.total_seconds - approved.total_seconds - pending.total_seconds,
        pending_weeks=pending_weeks,
        my_week_state=my_week_state,
    )


def dashboard(*, membership: Membership, filters: DetailedFilters) -> Dashboard:
    """Everything the dashboard shows for `filters` (see `dashboard_filters`), in at most
    seven queries whatever the data: running timers, the time (one grouping, see `_fold`), the
    names of the projects and clients shown, the approvals (two totals and one count)."""
    running, running_more = _running(membership, filters)
    folded = _fold(membership, filters)
    project_keys = {
        "time": _top_keys(folded.projects, by_amount=False, n=TOP),
        "amount": _top_keys(folded.projects, by_amount=True, n=TOP),
        "chart": _top_keys(folded.projects, by_amount=False, n=CHART_SERIES),
    }
    client_keys = {
        "time": _top_keys(folded.clients, by_amount=False, n=TOP),
        "amount": _top_keys(folded.clients, by_amount=True, n=TOP),
    }
    project_names = _project_names(membership, {k for ks in project_keys.values() for k in ks})
    client_names = _client_names(membership, {k for ks in client_keys.values() for k in ks})

    def projects(keys: list[str]) -> tuple[Ranked, ...]:
        return _rows(keys, folded.projects, project_names, WITHOUT[GroupBy.PROJECT])

    def clients(keys: list[str]) -> tuple[Ranked, ...]:
        return _rows(keys, folded.clients, client_names, WITHOUT[GroupBy.CLIENT])

    calendar: list[DayTime] = []
    day = filters.start
    while day <= filters.end:
        by_project = folded.days.get(day, {})
        calendar.append(DayTime(day=day, seconds=sum(by_project.values()), by_project=by_project))
        day += dt.timedelta(days=1)
    totals = DetailedTotals(
        entry_count=folded.total.entry_count,
        total_seconds=folded.total.seconds,
        billable_seconds=folded.total.billable_seconds,
        amounts=folded.total.money(),
    )
    return Dashboard(
        filters=filters,
        running=tuple(running),
        running_more=running_more,
        days=tuple(calendar),
        chart_projects=projects(project_keys["chart"]),
        top_projects_by_time=projects(project_keys["time"]),
        top_projects_by_amount=projects(project_keys["amount"]),
        top_clients_by_time=clients(client_keys["time"]),
        top_clients_by_amount=clients(client_keys["amount"]),
        totals=totals,
        approval=_approval(membership, filters, totals),
    )
