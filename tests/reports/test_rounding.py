"""Rounding: boundary durations in every mode and interval, and the database's form of the same
rounding agreeing with the Python one on a sweep of durations."""

from __future__ import annotations

import datetime as dt

import pytest

from reports.rounding import Rounding
from reports.rounding import amount_cents
from reports.rounding import amount_cents_expression
from reports.rounding import round_duration
from reports.rounding import round_for_workspace
from reports.rounding import rounded_duration_expression
from reports.rounding import workspace_rounding
from tests.factories import UserFactory
from tests.factories import WorkspaceFactory
from tracking.models import TimeEntry

MODES = ("UP", "DOWN", "NEAREST")
INTERVALS = (1, 5, 6, 10, 12, 15, 30, 60)


def ms(minutes: int, seconds: int = 0) -> int:
    return minutes * 60 + seconds


@pytest.mark.parametrize(
    ("seconds", "mode", "minutes", "expected"),
    [
        (ms(7, 29), "NEAREST", 15, 0),
        (ms(7, 30), "NEAREST", 15, ms(15)),
        (ms(7, 31), "NEAREST", 15, ms(15)),
        (ms(22, 29), "NEAREST", 15, ms(15)),
        (ms(22, 30), "NEAREST", 15, ms(30)),
        (ms(59, 59), "UP", 60, ms(60)),
        (ms(60), "UP", 60, ms(60)),
        (ms(60, 1), "UP", 60, ms(120)),
        (1, "UP", 15, ms(15)),
        (ms(14, 59), "DOWN", 15, 0),
        (ms(15), "DOWN", 15, ms(15)),
        (ms(29, 59), "DOWN", 15, ms(15)),
        (29, "NEAREST", 1, 0),
        (30, "NEAREST", 1, 60),
        (ms(2, 59), "NEAREST", 6, 0),
        (ms(3), "NEAREST", 6, ms(6)),
        (ms(5, 59), "NEAREST", 12, 0),
        (ms(6), "NEAREST", 12, ms(12)),
        (ms(8, 1), "UP", 10, ms(10)),
        (ms(2, 30), "NEAREST", 5, ms(5)),
        (ms(2, 29), "NEAREST", 5, 0),
        (ms(44, 59), "NEAREST", 30, ms(30)),
        (ms(45), "NEAREST", 30, ms(60)),
    ],
)
def test_boundaries(seconds, mode, minutes, expected):
    assert round_duration(seconds, mode=mode, minutes=minutes) == expected


@pytest.mark.parametrize("minutes", INTERVALS)
@pytest.mark.parametrize("mode", MODES)
def test_zero_and_exact_multiples_stay(mode, minutes):
    assert round_duration(0, mode=mode, minutes=minutes) == 0
    for k in (1, 2, 7, 40):
        exact = k * minutes * 60
        assert round_duration(exact, mode=mode, minutes=minutes) == exact


@pytest.mark.parametrize("minutes", INTERVALS)
def test_one_second_either_side_of_a_multiple_and_of_its_half(minutes):
    interval = minutes * 60
    half = interval // 2
    base = 3 * interval
    assert round_duration(base + 1, mode="UP", minutes=minutes) == base + interval
    assert round_duration(base - 1, mode="UP", minutes=minutes) == base
    assert round_duration(base + 1, mode="DOWN", minutes=minutes) == base
    assert round_duration(base - 1, mode="DOWN", minutes=minutes) == base - interval
    assert round_duration(base + half - 1, mode="NEAREST", minutes=minutes) == base
    assert round_duration(base + half, mode="NEAREST", minutes=minutes) == base + interval
    assert round_duration(base + half + 1, mode="NEAREST", minutes=minutes) == base + interval


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="interval"):
        round_duration(100, mode="UP", minutes=7)
    with pytest.raises(ValueError, match="mode"):
        round_duration(100, mode="SIDEWAYS", minutes=15)
    with pytest.raises(ValueError, match="negative"):
        round_duration(-1, mode="UP", minutes=15)


def test_workspace_helper_rounds_only_when_on(db):
    workspace = WorkspaceFactory(rounding_enabled=False, rounding_mode="UP", rounding_minutes=15)
    assert workspace_rounding(workspace) is None
    assert round_for_workspace(61, workspace) == 61
    workspace.rounding_enabled = True
    assert workspace_rounding(workspace) == Rounding(mode="UP", minutes=15)
    assert workspace_rounding(workspace).label == "15 min, up"
    assert round_for_workspace(61, workspace) == 900


def test_amounts_round_to_the_nearest_cent_half_up():
    assert amount_cents(3600, 5000) == 5000
    assert amount_cents(ms(15), 5000) == 1250
    # 1 s at 18.00/h = 0.5 cent -> 1 cent; 1 s at 17.99/h = 0.4997 -> 0.
    assert amount_cents(1, 1800) == 1
    assert amount_cents(1, 1799) == 0
    assert amount_cents(999 * 3600, 10_000_000) == 999 * 10_000_000


def sweep_durations() -> list[int]:
    """Every second of the first two hours (all boundaries of every interval), then a stride
    up to the 999-hour maximum with both sides of each hour."""
    durations = list(range(0, 2 * 3600 + 1))
    for hour in range(2, 1000, 7):
        durations += [hour * 3600 - 1, hour * 3600, hour * 3600 + 1, hour * 3600 + 1799]
    return durations


@pytest.mark.django_db
def test_database_rounding_and_amounts_agree_with_python_on_a_sweep():
    workspace = WorkspaceFactory()
    durations = sweep_durations()
    user = UserFactory()
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rate = 12_345
    TimeEntry.objects.bulk_create(
        [
            TimeEntry(
                workspace=workspace,
                user=user,
                start=start,
                end=start + dt.timedelta(seconds=seconds + 1),
                duration_seconds=seconds,
                hourly_rate_cents=rate,
            )
            for seconds in durations
        ],
        batch_size=2000,
    )
    settings = [None] + [Rounding(mode=m, minutes=i) for m in MODES for i in INTERVALS]
    entries = TimeEntry.objects.filter(workspace=workspace)
    for rounding in settings:
        expression = rounded_duration_expression(rounding)
        rows = entries.annotate(
            rounded=expression, amount=amount_cents_expression(expression)
        ).values_list("duration_seconds", "rounded", "amount")
        mismatches = []
        for seconds, rounded, amount in rows:
            expected = (
                seconds
                if rounding is None
                else round_duration(seconds, mode=rounding.mode, minutes=rounding.minutes)
            )
            if rounded != expected or amount != amount_cents(expected, rate):
                mismatches.append((seconds, rounded, expected, amount))
        assert len(rows) == len(durations)
        assert mismatches == [], f"{rounding}: {mismatches[:5]}"
