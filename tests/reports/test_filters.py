"""The Detailed report's filter: presets in the viewer's calendar, URL round trips and clear
refusals of bad values."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.http import QueryDict

from reports.filters import DateRange
from reports.filters import DetailedFilters
from reports.filters import FilterError
from reports.filters import TagMode
from reports.filters import parse_detailed_filters
from workspaces.ids import new_object_id
from workspaces.models import User

# A Thursday.
TODAY = dt.date(2026, 11, 26)


def parse(query: str, *, week_start: int = 0, tz: str = "UTC", today=TODAY) -> DetailedFilters:
    user = User(email="v@example.com", time_zone=tz, week_start=week_start)
    return parse_detailed_filters(dict(QueryDict(query).lists()), user=user, today=today)


@pytest.mark.parametrize(
    ("preset", "week_start", "start", "end"),
    [
        ("today", 0, "2026-11-26", "2026-11-26"),
        ("yesterday", 0, "2026-11-25", "2026-11-25"),
        ("this_week", 0, "2026-11-23", "2026-11-29"),  # Monday start
        ("this_week", 6, "2026-11-22", "2026-11-28"),  # Sunday start
        ("this_week", 5, "2026-11-21", "2026-11-27"),  # Saturday start
        ("last_week", 0, "2026-11-16", "2026-11-22"),
        ("last_week", 6, "2026-11-15", "2026-11-21"),
        ("this_month", 0, "2026-11-01", "2026-11-30"),
        ("last_month", 0, "2026-10-01", "2026-10-31"),
        ("this_year", 0, "2026-01-01", "2026-12-31"),
        ("last_year", 0, "2025-01-01", "2025-12-31"),
    ],
)
def test_presets(preset, week_start, start, end):
    f = parse(f"range={preset}", week_start=week_start)
    assert (f.start.isoformat(), f.end.isoformat()) == (start, end)
    assert f.date_range == preset


def test_last_month_in_january_and_february_in_a_leap_year():
    f = parse("range=last_month", today=dt.date(2028, 1, 15))
    assert (f.start, f.end) == (dt.date(2027, 12, 1), dt.date(2027, 12, 31))
    f = parse("range=this_month", today=dt.date(2028, 2, 3))
    assert f.end == dt.date(2028, 2, 29)


def test_default_is_this_week_and_dates_alone_mean_custom():
    assert parse("").date_range == DateRange.THIS_WEEK
    f = parse("start=2026-01-05&end=2026-02-01")
    assert f.date_range == DateRange.CUSTOM
    assert (f.start, f.end) == (dt.date(2026, 1, 5), dt.date(2026, 2, 1))


def test_a_preset_ignores_dates_sent_with_it():
    f = parse("range=today&start=2020-01-01&end=2020-01-02")
    assert (f.start, f.end) == (TODAY, TODAY)


def test_today_is_the_viewers_day():
    user = User(email="v@example.com", time_zone="Pacific/Auckland", week_start=0)
    f = parse_detailed_filters({"range": ["today"]}, user=user)
    auckland_today = (
        dt.datetime.now(dt.UTC).astimezone(zoneinfo.ZoneInfo("Pacific/Auckland")).date()
    )
    assert f.start == auckland_today
    since, until = f.utc_bounds(zoneinfo.ZoneInfo("Pacific/Auckland"))
    assert until - since in (dt.timedelta(hours=24), dt.timedelta(hours=23), dt.timedelta(hours=25))
    assert since.utcoffset() == dt.timedelta(0)


def test_url_round_trip_reproduces_the_filter():
    a, b, c, t1, t2, m = (new_object_id() for _ in range(6))
    query = (
        f"range=custom&start=2026-03-01&end=2026-03-31&member={m}&client={a}&client=none"
        f"&project={b}&project=none&task={c}&tag={t1}&tag={t2}&tag_mode=not_contains"
        "&billable=no&description=fix+bug"
    )
    f = parse(query)
    assert f.members == (m,)
    assert f.clients == (a,) and f.without_client
    assert f.projects == (b,) and f.without_project
    assert f.tasks == (c,)
    assert f.tags == (t1, t2) and f.tag_mode == TagMode.NOT_CONTAINS
    assert f.billable is False
    assert f.description == "fix bug"
    again = parse("&".join(f"{k}={v}" for k, v in f.to_query()).replace(" ", "+"))
    assert again == f


def test_presets_stay_relative_in_links_and_resolve_to_dates():
    f = parse("range=last_month")
    assert f.to_query() == [("range", "last_month")]
    pinned = parse("&".join(f"{k}={v}" for k, v in f.resolved().to_query()))
    assert (pinned.date_range, pinned.start, pinned.end) == (
        DateRange.CUSTOM,
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
    )


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("range=fortnight", "range", "Unknown date range"),
        ("range=custom&start=2026-01-01", "end", "both a start and an end"),
        ("start=2026-02-30&end=2026-03-01", "start", "a date like"),
        ("start=26-1-1&end=2026-03-01", "start", "a date like"),
        ("start=2026-03-02&end=2026-03-01", "end", "before the start"),
        ("start=0900-01-01&end=2026-03-01", "start", "between 1970 and 2999"),
        ("project=12", "project", "not a project id"),
        ("client=ABCDEF0123456789ABCDEF01", "client", "not a client id"),
        ("member=none", "member", "not a member id"),
        ("tag_mode=all", "tag_mode", "contains"),
        ("billable=maybe", "billable", "yes"),
        ("billable=yes&billable=no", "billable", "one value"),
        ("description=a%00b", "description", "NUL"),
        ("approval=soon", "approval", "Approval must be"),
    ],
)
def test_bad_values_are_refused_with_the_parameter_named(query, field, words):
    with pytest.raises(FilterError) as caught:
        parse(query)
    assert caught.value.field == field
    assert words in caught.value.message


def test_too_many_ids_and_too_long_descriptions_are_refused():
    many = "&".join(f"tag={new_object_id()}" for _ in range(501))
    with pytest.raises(FilterError, match="at most 500"):
        parse(many)
    with pytest.raises(FilterError, match="longer than"):
        parse("description=" + "x" * 3001)
