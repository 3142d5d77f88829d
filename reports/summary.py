"""Reads of the Summary and Weekly reports: the Detailed report's filtered entries (same
filters, same who-sees-what, same rounding per entry) grouped in the database.

`summary_groups` returns plain dataclasses, so pages, exports and the Reports API share it.
A constant number of queries whatever the number of groups: rows are grouped by (first
key, second key, currency) on ids, folded into the tree in Python, then named.

An entry with several tags counts under each of its tags when grouping by tag (as Clockify
does), so tag groups can add up to more than the total; the report's totals never double
count (they come from `detailed_totals`). An entry without the grouped thing (no project, no
client, no task, no tag) falls in a "Without ..." group, listed last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from enum import StrEnum
from typing import Any

from django.db.models import Count
from django.db.models import F
from django.db.models import Q
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.db.models.functions import TruncDate
from django.db.models.functions import TruncMonth
from django.db.models.functions import TruncYear
from django.db.models.functions.datetime import TruncBase

from reports.filters import DetailedFilters
from reports.filters import FilterError
from reports.filters import viewer_tz
from reports.rounding import workspace_rounding
from reports.selectors import CurrencyAmount
from reports.selectors import DetailedTotals
from reports.selectors import apply_filters
from reports.selectors import detailed_totals
from reports.selectors import report_annotations
from reports.selectors import visible_entries
from tracking.models import Client
from tracking.models import Project
from tracking.models import Tag
from tracking.models import Task
from workspaces.models import Membership
from workspaces.models import User


class GroupBy(StrEnum):
    PROJECT = "project"
    CLIENT = "client"
    MEMBER = "member"
    TASK = "task"
    TAG = "tag"
    DATE = "date"
    # The Reports API's TIMEENTRY: entries with the same description together (Clockify's
    # "Description" grouping); not offered on the Summary page.
    DESCRIPTION = "description"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @classmethod
    def parse(cls, raw: str, *, name: str, default: GroupBy | None) -> GroupBy | None:
        raw = (raw or "").strip().lower()
        if not raw:
            return default
        if raw == "none" and name == "sub_group":
            return None
        group = next((g for g in PAGE_GROUPS if g.value == raw), None)
        if group is None:
            choices = ", ".join(g.value for g in PAGE_GROUPS)
            raise FilterError(f"Group by one of {choices}.", field=name)
        return group


# The groupings the pages offer (and their query parameters take).
PAGE_GROUPS = tuple(g for g in GroupBy if g != GroupBy.DESCRIPTION)


WITHOUT = {
    GroupBy.PROJECT: "Without project",
    GroupBy.CLIENT: "Without client",
    GroupBy.MEMBER: "Without member",
    GroupBy.TASK: "Without task",
    GroupBy.TAG: "Without tag",
    GroupBy.DATE: "Without date",
    GroupBy.DESCRIPTION: "Without description",
}

# Per grouping, the entry's column that keys a group. Rows are grouped by keys only (a hash
# aggregate on short ids); names are read afterwards for the groups found, one query per level.
# Grouping by the names too made PostgreSQL sort every row by wide text: 3 s instead of 0.3 s
# for a year of 200,000 entries.
_KEYS: dict[GroupBy, str] = {
    GroupBy.PROJECT: "project_id",
    GroupBy.CLIENT: "project__client_id",
    GroupBy.MEMBER: "user_id",
    GroupBy.TASK: "task_id",
    GroupBy.TAG: "tags__id",
    GroupBy.DESCRIPTION: "description",
}


@dataclass(frozen=True)
class SummaryGroup:
    group_by: GroupBy
    key: str  # an id, an ISO date, or "" for the "Without ..." group
    label: str
    seconds: int  # rounded per entry, then summed
    billable_seconds: int
    amounts: tuple[CurrencyAmount, ...]  # billable amounts per currency, by currency code
    children: tuple[SummaryGroup, ...] = ()
    date: dt.date | None = None  # for date groups
    detail: str = ""  # the task's project, the member's email
    entry_count: int = 0  # entries in the group (an entry with two tags counts in both)

    @property
    def amount_text(self) -> str:
        return "; ".join(f"{a.cents / 100:.2f} {a.currency}" for a in self.amounts)


@dataclass(frozen=True)
class TimeBucket:
    """Time on one day (over long ranges one month, or one year) of the range, for the bar
    chart; `start` is the bucket's first day."""

    start: dt.date
    seconds: int
    unit: str = "day"  # day | month | year


@dataclass
class _Acc:
    key: str
    label: str
    detail: str = ""
    date: dt.date | None = None
    seconds: int = 0
    billable_seconds: int = 0
    entry_count: int = 0
    amounts: dict[str, int] = field(default_factory=dict)
    children: dict[Any, _Acc] = field(default_factory=dict)

    def add(self, row: dict[str, Any]) -> None:
        self.entry_count += row["n"]
        self.seconds += int(row["seconds"])
        self.billable_seconds += int(row["billable_seconds"])
        if row["billable_seconds"]:
            currency = row["currency"]
            self.amounts[currency] = self.amounts.get(currency, 0) + int(row["amount"])


def _filtered(membership: Membership, filters: DetailedFilters) -> Any:
    return apply_filters(
        visible_entries(membership=membership), membership=membership, filters=filters
    ).order_by()


def _key_column(group_by: GroupBy, membership: Membership) -> Any:
    if group_by == GroupBy.DATE:
        return TruncDate("start", tzinfo=viewer_tz(membership.user))
    return F(_KEYS[group_by])


# Past this many groups, names are read for the whole workspace rather than through an IN list
# of the groups' ids: a year by project names 1,419 of 2,000 projects, 5.7 ms with the list
# and 1.6 ms without.
NAMES_IN_LIST_MAX = 200


def _names(group_by: GroupBy, keys: set[str], membership: Membership) -> dict[str, tuple[str, str]]:
    """(label, detail) per key of the groups found (one query, none for dates), read within
    the workspace."""
    if group_by in (GroupBy.DATE, GroupBy.DESCRIPTION) or not keys:
        return {}
    ws = membership.workspace_id
    if group_by == GroupBy.MEMBER:
        users = User.objects.filter(pk__in=keys).values_list("pk", "full_name", "email")
        return {pk: (name or email, email) for pk, name, email in users}
    model: Any = {
        GroupBy.PROJECT: Project,
        GroupBy.CLIENT: Client,
        GroupBy.TAG: Tag,
        GroupBy.TASK: Task,
    }[group_by]
    rows = model.objects.filter(workspace_id=ws)
    if len(keys) <= NAMES_IN_LIST_MAX:
        rows = rows.filter(pk__in=keys)
    if group_by == GroupBy.TASK:
        return {pk: (n, p) for pk, n, p in rows.values_list("pk", "name", "project__name")}
    return {pk: (name, "") for pk, name in rows.values_list("pk", "name")}


def _new_acc(group_by: GroupBy, value: Any, names: dict[str, tuple[str, str]]) -> _Acc:
    if value is None:
        return _Acc(key="", label=WITHOUT[group_by])
    if group_by == GroupBy.DATE:
        return _Acc(key=value.isoformat(), label=value.isoformat(), date=value)
    if group_by == GroupBy.DESCRIPTION:  # keyed by the text; "" (none) is the "Without" group
        return _Acc(key=value, label=value or WITHOUT[group_by])
    label, detail = names.get(str(value), (str(value), ""))
    return _Acc(key=str(value), label=label, detail=detail)


def _order(group_by: GroupBy, accs: Iterable[_Acc]) -> list[_Acc]:
    """Dates in calendar order; names alphabetically (ties by detail, key); "Without" last."""
    if group_by == GroupBy.DATE:
        return sorted(accs, key=lambda a: (a.date is None, a.date or dt.date.min))
    return sorted(accs, key=lambda a: (a.key == "", a.label.casefold(), a.detail, a.key))


def _freeze(levels: Sequence[GroupBy], acc: _Acc) -> SummaryGroup:
    """The group `acc` of the first of `levels`, with its children of the next levels."""
    children: tuple[SummaryGroup, ...] = ()
    if len(levels) > 1:
        children = tuple(_freeze(levels[1:], c) for c in _order(levels[1], acc.children.values()))
    return SummaryGroup(
        group_by=levels[0],
        key=acc.key,
        label=acc.label,
        seconds=acc.seconds,
        billable_seconds=acc.billable_seconds,
        amounts=tuple(CurrencyAmount(currency=c, cents=v) for c, v in sorted(acc.amounts.items())),
        children=children,
        date=acc.date,
        detail=acc.detail,
        entry_count=acc.entry_count,
    )


# What a page can show: a year grouped by date then project is some 300,000 rows, 45 MB of
# HTML and 17 s of rendering on a million-entry workspace, for a table nobody can read.
MAX_PAGE_SUMMARY_ROWS = 5000
# What one JSON answer of the Reports API holds: three levels (date, member, description) over a
# year can be a group per entry; past this the answer asks for a CSV export, which streams.
MAX_API_SUMMARY_ROWS = 50_000


class SummaryTooLarge(FilterError):
    """The grouping has more rows than the caller's `max_rows`."""


def summary_groups(
    *,
    membership: Membership,
    filters: DetailedFilters,
    group_by: GroupBy,
    sub_group_by: GroupBy | None = None,
    third_group_by: GroupBy | None = None,
    max_rows: int | None = None,
) -> list[SummaryGroup]:
    """The filtered entries grouped by `group_by`, each group split by `sub_group_by` and
    each of those by `third_group_by` (when given and different from the levels above: the
    Reports API's third level), with time and billable amounts rounded per entry. One
    aggregate query (one more per level above a tag level) and one query of names per level.

    With `max_rows` (pages pass MAX_PAGE_SUMMARY_ROWS, the API's JSON answers
    MAX_API_SUMMARY_ROWS; exports pass nothing),
    SummaryTooLarge when the table would have more rows than that, checked before any name
    is read."""
    levels = [group_by]
    for level in (sub_group_by, third_group_by):
        if level is not None and level not in levels:
            levels.append(level)
    annotations = report_annotations(workspace_rounding(membership.workspace))
    seconds = annotations["report_seconds"]
    entries = _filtered(membership, filters)
    columns = [f"k{depth}" for depth in range(len(levels))]

    def grouped(depth: int) -> list[dict[str, Any]]:
        """Rows grouped by the keys of the first `depth` + 1 levels (and currency)."""
        keys = {columns[i]: _key_column(levels[i], membership) for i in range(depth + 1)}
        return list(
            entries.values("currency", **keys)
            .annotate(
                n=Count("*"),
                seconds=Coalesce(Sum(seconds), 0),
                billable_seconds=Coalesce(Sum(seconds, filter=Q(billable=True)), 0),
                amount=Coalesce(Sum(annotations["report_amount_cents"]), 0),
            )
            .order_by()
        )

    # Each level sums the rows of the deepest one, except above a tag level: an entry with two
    # tags is two rows there and must count once in its group, so that level is read apart.
    deepest = len(levels) - 1
    rows_at: dict[int, list[dict[str, Any]]] = {deepest: grouped(deepest)}
    for depth in range(deepest):
        if GroupBy.TAG in levels[depth + 1 :]:
            rows_at[depth] = grouped(depth)
        else:
            rows_at[depth] = rows_at[deepest]
    if max_rows is not None:
        table_rows = sum(
            len({tuple(r[c] for c in columns[: depth + 1]) for r in rows_at[depth]})
            for depth in range(len(levels))
        )
        if table_rows > max_rows:
            raise SummaryTooLarge(
                f"This grouping makes {table_rows:,} rows, more than the {max_rows:,} shown at "
                "once: choose a shorter date range or another grouping, or export it as CSV.",
                field="sub_group" if len(levels) > 1 else "group",
            )
    tops: dict[Any, _Acc] = {}  # by the raw key value (None for "Without ...")
    for depth, level in enumerate(levels):
        rows = rows_at[depth]
        column = columns[depth]
        names = _names(level, {str(r[column]) for r in rows if r[column] is not None}, membership)
        for row in rows:
            siblings = tops
            for above in columns[:depth]:
                siblings = siblings[row[above]].children
            acc = siblings.get(row[column])
            if acc is None:
                acc = siblings[row[column]] = _new_acc(level, row[column], names)
            acc.add(row)
    return [_freeze(levels, acc) for acc in _order(group_by, tops.values())]


def summary_totals(
    *,
    membership: Membership,
    filters: DetailedFilters,
    group_by: GroupBy,
    groups: list[SummaryGroup],
) -> DetailedTotals:
    """The report's totals (`detailed_totals` of the same filters) for `groups` of
    `summary_groups` grouped first by `group_by`: added up from the groups instead of a second
    scan of the entries (a year of a million-entry workspace: 120 ms of SQL saved), as every
    entry is in exactly one first-level group. Except tags, under which an entry counts once
    per tag: those totals are read with `detailed_totals`."""
    if group_by == GroupBy.TAG:
        return detailed_totals(membership=membership, filters=filters)
    amounts: dict[str, int] = {}
    for group in groups:
        for amount in group.amounts:
            amounts[amount.currency] = amounts.get(amount.currency, 0) + amount.cents
    return DetailedTotals(
        entry_count=sum(g.entry_count for g in groups),
        total_seconds=sum(g.seconds for g in groups),
        billable_seconds=sum(g.billable_seconds for g in groups),
        amounts=tuple(CurrencyAmount(currency=c, cents=v) for c, v in sorted(amounts.items())),
    )


MAX_DAILY_BUCKETS = 92  # longer ranges chart months: a year of day bars is unreadable
MAX_MONTHLY_BUCKETS = 60  # and ranges past five years chart years


def _next_bucket(day: dt.date, unit: str) -> dt.date:
    if unit == "year":
        return day.replace(year=day.year + 1)
    if unit == "month":
        return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return day + dt.timedelta(days=1)


def _bucket_unit(filters: DetailedFilters) -> tuple[str, type[TruncBase], dt.date]:
    """The chart's bucket (day, month or year) for the range, its truncation, its first day."""
    months = (filters.end.year - filters.start.year) * 12 + filters.end.month - filters.start.month
    if (filters.end - filters.start).days + 1 <= MAX_DAILY_BUCKETS:
        return "day", TruncDate, filters.start
    if months + 1 <= MAX_MONTHLY_BUCKETS:
        return "month", TruncMonth, filters.start.replace(day=1)
    return "year", TruncYear, filters.start.replace(month=1, day=1)


def time_buckets_by_group(
    *, membership: Membership, filters: DetailedFilters, group_by: GroupBy, keys: Sequence[str]
) -> dict[tuple[dt.date, str], int]:
    """Seconds per (bucket of `time_buckets`, first-level group key) for the groups `keys`
    ("" for the "Without ..." group), to stack the chart's bars by the first grouping: the
    largest groups only, the rest is the bucket's total less theirs. One query."""
    if group_by == GroupBy.DATE or not keys:
        return {}
    _, trunc, _ = _bucket_unit(filters)
    column = _KEYS[group_by]
    named = [k for k in keys if k]
    condition = Q(**{f"{column}__in": named})
    if "" in keys:
        condition |= Q(**{f"{column}__isnull": True})
    seconds = report_annotations(workspace_rounding(membership.workspace))["report_seconds"]
    rows = (
        _filtered(membership, filters)
        .filter(condition)
        .values(bucket=trunc("start", tzinfo=viewer_tz(membership.user)), g=F(column))
        .annotate(seconds=Coalesce(Sum(seconds), 0))
        .order_by()
    )
    found: dict[tuple[dt.date, str], int] = {}
    for row in rows:
        day = row["bucket"]
        if isinstance(day, dt.datetime):
            day = day.date()
        key = (day, str(row["g"]) if row["g"] is not None else "")
        found[key] = found.get(key, 0) + int(row["seconds"])
    return found


def time_buckets(*, membership: Membership, filters: DetailedFilters) -> list[TimeBucket]:
    """Time per day of the range (in the viewer's time zone), days without time included;
    per month past MAX_DAILY_BUCKETS days, per year past MAX_MONTHLY_BUCKETS months. One
    query."""
    time_zone = viewer_tz(membership.user)
    unit, trunc, first = _bucket_unit(filters)
    seconds = report_annotations(workspace_rounding(membership.workspace))["report_seconds"]
    rows = (
        _filtered(membership, filters)
        .values(bucket=trunc("start", tzinfo=time_zone))
        .annotate(seconds=Coalesce(Sum(seconds), 0))
        .order_by()
    )
    found: dict[dt.date, int] = {}
    for row in rows:
        day = row["bucket"]
        if isinstance(day, dt.datetime):
            day = day.date()
        found[day] = int(row["seconds"])
    buckets: list[TimeBucket] = []
    day = first
    while day <= filters.end:
        buckets.append(TimeBucket(start=day, seconds=found.get(day, 0), unit=unit))
        day = _next_bucket(day, unit)
    return buckets


# --- Weekly ---------------------------------------------------------------------------------


Amounts = tuple[CurrencyAmount, ...]  # billable amounts per currency, by currency code


def _add_amounts(*parts: Amounts) -> Amounts:
    cents: dict[str, int] = {}
    for part in parts:
        for a in part:
            cents[a.currency] = cents.get(a.currency, 0) + a.cents
    return tuple(CurrencyAmount(c, v) for c, v in sorted(cents.items()))


@dataclass(frozen=True)
class WeeklyRow:
    key: str
    label: str
    detail: str
    day_seconds: tuple[int, ...]  # seven days from the week's first
    seconds: int
    day_amounts: tuple[Amounts, ...] = ()  # the earned view: billable amounts per day
    amounts: Amounts = ()


@dataclass(frozen=True)
class WeeklyGrid:
    days: tuple[dt.date, ...]
    rows: tuple[WeeklyRow, ...]
    day_totals: tuple[int, ...]
    seconds: int
    day_amount_totals: tuple[Amounts, ...] = ()
    amounts: Amounts = ()


def week_first_day(day: dt.date, week_start: int) -> dt.date:
    """The first day (week_start: 0 = Monday) of the week holding `day`."""
    return day - dt.timedelta(days=(day.weekday() - week_start) % 7)


def weekly_grid(
    *, membership: Membership, filters: DetailedFilters, rows_by: GroupBy
) -> WeeklyGrid:
    """Members (or projects) by the seven days from `filters.start`, rounded per entry."""
    if rows_by not in (GroupBy.MEMBER, GroupBy.PROJECT):
        raise FilterError("The weekly report shows members or projects.", field="by")
    days = tuple(filters.start + dt.timedelta(days=i) for i in range(7))
    groups = summary_groups(
        membership=membership, filters=filters, group_by=rows_by, sub_group_by=GroupBy.DATE
    )
    rows = []
    for group in groups:
        per_day = {child.date: child for child in group.children}
        rows.append(
            WeeklyRow(
                key=group.key,
                label=group.label,
                detail=group.detail,
                day_seconds=tuple(per_day[d].seconds if d in per_day else 0 for d in days),
                seconds=group.seconds,
                day_amounts=tuple(per_day[d].amounts if d in per_day else () for d in days),
                amounts=group.amounts,
            )
        )
    day_totals = tuple(sum(r.day_seconds[i] for r in rows) for i in range(7))
    day_amounts = tuple(_add_amounts(*(r.day_amounts[i] for r in rows)) for i in range(7))
    return WeeklyGrid(
        days=days,
        rows=tuple(rows),
        day_totals=day_totals,
        seconds=sum(day_totals),
        day_amount_totals=day_amounts,
        amounts=_add_amounts(*day_amounts),
    )
