"""Chart data for static/js/charts.js (Chart.js), built once in Python: the dashboard's and the
Summary's bars per day stacked by a grouping, the Detailed report's bar per day, and the share
of time by a grouping. Figures are seconds; every chart also has a table of the same figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import dateformat

from reports.filters import DetailedFilters
from reports.summary import GroupBy
from reports.summary import SummaryGroup
from reports.summary import TimeBucket
from reports.summary import time_buckets
from reports.summary import time_buckets_by_group
from tracking.templatetags.entry_format import hms
from tracking.templatetags.entry_format import user_date
from workspaces.models import Membership
from workspaces.models import User

# Distinct, print-safe colours (the share chart's slices and the stacks' series, in order).
PALETTE = (
    "#0b6bcb",
    "#e07a1f",
    "#2e9b5f",
    "#c0392b",
    "#8e44ad",
    "#16a0a8",
    "#b8860b",
    "#d35d8c",
    "#7f8c8d",
)
OTHER_COLOR = "#b0b7bf"
SERIES = 8  # series of a stacked bar and slices of a share chart; the rest is "Other"


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    seconds: int  # over the whole range: the series are ranked by it


def ranked_series(series: Sequence[Series]) -> tuple[list[Series], set[str]]:
    """The SERIES largest series (most time first; ties keep the order given) and the keys
    folded into "Other"."""
    ranked = sorted((s for s in series if s.seconds), key=lambda s: -s.seconds)
    return ranked[:SERIES], {s.key for s in ranked[SERIES:]}


def stacked_bars(
    *,
    days: Sequence[dt.date],
    series: Sequence[Series],
    seconds_of: Callable[[dt.date, str], int],
    other_of: Callable[[dt.date], int],
    day_label: Callable[[dt.date], str],
    title: str,
) -> dict[str, Any]:
    """A bar per day stacked by `series` (at most SERIES of them, seconds_of(day, key) each)
    and "Other" (other_of(day): the time of the series left out), when there is any."""
    datasets: list[dict[str, Any]] = [
        {
            "label": s.label,
            "color": PALETTE[i % len(PALETTE)],
            "seconds": [seconds_of(day, s.key) for day in days],
        }
        for i, s in enumerate(series[:SERIES])
    ]
    other = [other_of(day) for day in days]
    if any(other):
        datasets.append({"label": "Other", "color": OTHER_COLOR, "seconds": other})
    return {
        "kind": "stacked",
        "title": title,
        "labels": [day_label(day) for day in days],
        "datasets": datasets,
        "yTitle": "Hours",
    }


def day_bars(
    *, days: Sequence[dt.date], seconds: Sequence[int], day_label: Callable[[dt.date], str]
) -> dict[str, Any]:
    """One bar per day (or month, or year: the caller's buckets)."""
    return {
        "kind": "bar",
        "labels": [day_label(day) for day in days],
        "datasets": [{"label": "Time", "color": PALETTE[0], "seconds": list(seconds)}],
        "yTitle": "Hours",
    }


def share(series: Sequence[Series]) -> dict[str, Any]:
    """The share of time of each series (the SERIES largest, then "Other"), with a legend."""
    shown, other = ranked_series(series)
    rest = sum(s.seconds for s in series if s.key in other)
    labels = [s.label for s in shown] + (["Other"] if rest else [])
    values = [s.seconds for s in shown] + ([rest] if rest else [])
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(shown))] + (
        [OTHER_COLOR] if rest else []
    )
    whole = sum(values)
    return {
        "kind": "share",
        "labels": labels,
        "datasets": [{"label": "Time", "seconds": values, "colors": colors}],
        "legend": [
            {
                "label": label,
                "seconds": value,
                "color": color,
                "percent": round(value / whole * 100, 1) if whole else 0.0,
            }
            for label, value, color in zip(labels, values, colors, strict=True)
        ],
    }


def bucket_label(bucket: TimeBucket, user: User) -> str:
    """A bar's label: the day in the user's date format, the month, or the year."""
    if bucket.unit == "year":
        return dateformat.format(bucket.start, "Y")
    if bucket.unit == "month":
        return dateformat.format(bucket.start, "F Y")
    return user_date(bucket.start, user)


def bucket_bars(buckets: Sequence[TimeBucket], user: User) -> dict[str, Any]:
    """`day_bars` of `time_buckets`, with the same figures as text for the chart's table."""
    labels = {b.start: bucket_label(b, user) for b in buckets}
    chart = day_bars(
        days=[b.start for b in buckets],
        seconds=[b.seconds for b in buckets],
        day_label=labels.__getitem__,
    )
    chart.update(
        unit=buckets[0].unit if buckets else "day",
        table=[(labels[b.start], hms(b.seconds)) for b in buckets],
        top_seconds=max((b.seconds for b in buckets), default=0),
    )
    return chart


def summary_charts(
    *,
    membership: Membership,
    filters: DetailedFilters,
    group_by: GroupBy,
    groups: Sequence[SummaryGroup],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The Summary's two charts (static/js/charts.js draws them, the page has their figures as
    text): a bar per day (month, year) stacked by the first grouping's largest groups, the rest
    as "Other", and the share of time by the first grouping, with its legend. Two queries
    (one for dates, or when nothing is grouped)."""
    user = membership.user
    buckets = time_buckets(membership=membership, filters=filters)
    labels = {b.start: bucket_label(b, user) for b in buckets}
    totals = {b.start: b.seconds for b in buckets}
    every = [Series(g.key, g.label, g.seconds) for g in groups]
    shown, _ = ranked_series(every)
    days = [b.start for b in buckets]
    unit = buckets[0].unit if buckets else "day"
    if group_by == GroupBy.DATE or not shown:
        chart = day_bars(
            days=days, seconds=[b.seconds for b in buckets], day_label=labels.__getitem__
        )
    else:
        by = time_buckets_by_group(
            membership=membership, filters=filters, group_by=group_by, keys=[s.key for s in shown]
        )
        chart = stacked_bars(
            days=days,
            series=shown,
            seconds_of=lambda day, key: by.get((day, key), 0),
            # An entry with two tags is in two tag groups: never below zero.
            other_of=lambda day: max(0, totals[day] - sum(by.get((day, s.key), 0) for s in shown)),
            day_label=labels.__getitem__,
            title=f"Time per {unit} by {group_by.label.lower()}",
        )
    chart.update(
        unit=unit,
        table=[(labels[b.start], hms(b.seconds)) for b in buckets],
        top_seconds=max(totals.values(), default=0),
    )
    return chart, share(every)
