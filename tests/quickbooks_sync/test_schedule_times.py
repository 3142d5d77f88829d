"""When a scheduled send is due: slots at an hour of the workspace's time zone, daily or on a
weekday, across daylight saving time, never before the schedule was turned on or moved and
never twice for one local date (pure functions, no database)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from quickbooks_sync.models import SendSchedule
from quickbooks_sync.services.schedule import Slot
from quickbooks_sync.services.schedule import due_slot
from quickbooks_sync.services.schedule import latest_slot
from quickbooks_sync.services.schedule import next_slot
from quickbooks_sync.services.schedule import schedule_describe
from quickbooks_sync.services.schedule import slot_at
from workspaces.models import Workspace

UTC = dt.UTC
NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
DAILY, WEEKLY = SendSchedule.Frequency.DAILY, SendSchedule.Frequency.WEEKLY


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def latest(now: dt.datetime, *, hour: int, zone=BERLIN, frequency=DAILY, weekday=0) -> Slot:
    return latest_slot(frequency=frequency, weekday=weekday, hour=hour, zone=zone, now=now)


def test_a_daily_slot_is_the_hour_in_the_workspace_zone():
    # 06:00 in Berlin in winter is 05:00 UTC.
    assert latest(utc(2026, 12, 7, 5, 0), hour=6) == Slot(dt.date(2026, 12, 7), utc(2026, 12, 7, 5))
    # A minute before, the latest slot is yesterday's.
    assert latest(utc(2026, 12, 7, 4, 59), hour=6) == Slot(
        dt.date(2026, 12, 6), utc(2026, 12, 6, 5)
    )
    # In summer (CEST) the same hour is 04:00 UTC.
    assert latest(utc(2026, 7, 1, 12), hour=6).at == utc(2026, 7, 1, 4)


def test_the_local_date_decides_the_day_not_utcs():
    # 20:30 UTC on Dec 6 is 05:30 on Dec 7 in Tokyo: the Dec 7 06:00 slot is not due yet, but
    # Dec 7 00:00 Tokyo is (15:00 UTC on Dec 6).
    tokyo = ZoneInfo("Asia/Tokyo")
    assert latest(utc(2026, 12, 6, 20, 30), hour=6, zone=tokyo).day == dt.date(2026, 12, 6)
    assert latest(utc(2026, 12, 6, 20, 30), hour=0, zone=tokyo) == Slot(
        dt.date(2026, 12, 7), utc(2026, 12, 6, 15)
    )


def test_a_weekly_slot_is_on_its_weekday_only():
    # 2026-12-07 is a Monday. Weekly on Wednesday (2) at 09:00 Berlin, asked on Monday: the
    # latest is last Wednesday.
    slot = latest(utc(2026, 12, 7, 12), hour=9, frequency=WEEKLY, weekday=2)
    assert slot == Slot(dt.date(2026, 12, 2), utc(2026, 12, 2, 8))
    # On Monday before its hour, a Monday schedule's latest is the Monday before.
    slot = latest(utc(2026, 12, 7, 7), hour=9, frequency=WEEKLY, weekday=0)
    assert slot.day == dt.date(2026, 11, 30)
    assert latest(utc(2026, 12, 7, 8), hour=9, frequency=WEEKLY, weekday=0).day == dt.date(
        2026, 12, 7
    )


def test_an_hour_the_clocks_skip_runs_when_they_jump():
    # New York springs forward on 2026-03-08 at 02:00 EST -> 03:00 EDT (07:00 UTC).
    assert slot_at(dt.date(2026, 3, 8), 2, NY) == utc(2026, 3, 8, 7)
    assert slot_at(dt.date(2026, 3, 8), 3, NY) == utc(2026, 3, 8, 7)
    assert slot_at(dt.date(2026, 3, 8), 1, NY) == utc(2026, 3, 8, 6)  # still EST
    assert slot_at(dt.date(2026, 3, 9), 2, NY) == utc(2026, 3, 9, 6)  # EDT from now on
    # Berlin: 2026-03-29 02:00 CET -> 03:00 CEST (01:00 UTC).
    assert slot_at(dt.date(2026, 3, 29), 2, BERLIN) == utc(2026, 3, 29, 1)
    assert latest(utc(2026, 3, 29, 0, 59), hour=2).day == dt.date(2026, 3, 28)
    assert latest(utc(2026, 3, 29, 1, 0), hour=2).day == dt.date(2026, 3, 29)


def test_an_hour_that_happens_twice_runs_at_its_first_occurrence_once():
    # New York falls back on 2026-11-01: 01:00-02:00 happens in EDT (05:00 UTC) and in EST
    # (06:00 UTC). The slot is the first; during the second the latest slot is the same one.
    first = slot_at(dt.date(2026, 11, 1), 1, NY)
    assert first == utc(2026, 11, 1, 5)
    during_second = latest(utc(2026, 11, 1, 6, 30), hour=1, zone=NY)
    assert during_second == Slot(dt.date(2026, 11, 1), first)


def test_next_slot_is_strictly_after():
    at = utc(2026, 12, 7, 5)  # Berlin 06:00 Monday
    assert next_slot(frequency=DAILY, weekday=0, hour=6, zone=BERLIN, after=at).at == utc(
        2026, 12, 8, 5
    )
    assert (
        next_slot(
            frequency=WEEKLY, weekday=0, hour=6, zone=BERLIN, after=at - dt.timedelta(seconds=1)
        ).at
        == at
    )
    assert next_slot(frequency=WEEKLY, weekday=0, hour=6, zone=BERLIN, after=at).at == utc(
        2026, 12, 14, 5
    )


def schedule(**fields) -> SendSchedule:
    workspace = Workspace(name="W", time_zone=fields.pop("time_zone", "Europe/Berlin"))
    defaults = {"enabled": True, "frequency": DAILY, "weekday": 0, "hour": 6}
    return SendSchedule(workspace=workspace, **{**defaults, **fields})


@pytest.mark.parametrize(
    ("active_since", "last_due", "now", "expected"),
    [
        # Turned on at 10:00 local: the 06:00 that passed is not run; tomorrow's is.
        (utc(2026, 12, 7, 9), None, utc(2026, 12, 7, 9, 5), None),
        (utc(2026, 12, 7, 9), None, utc(2026, 12, 8, 5, 1), dt.date(2026, 12, 8)),
        # Turned on before the hour: today's runs.
        (utc(2026, 12, 7, 4), None, utc(2026, 12, 7, 5, 3), dt.date(2026, 12, 7)),
        # Already run (its due time recorded): not again, whatever the number of beats.
        (utc(2026, 12, 1), utc(2026, 12, 7, 5), utc(2026, 12, 7, 5, 10), None),
        (utc(2026, 12, 1), utc(2026, 12, 7, 5), utc(2026, 12, 7, 23), None),
        # A beat that was down two days catches up with the latest slot only.
        (utc(2026, 12, 1), utc(2026, 12, 4, 5), utc(2026, 12, 7, 11), dt.date(2026, 12, 7)),
    ],
)
def test_due_slot(active_since, last_due, now, expected):
    slot = due_slot(schedule(active_since=active_since), now=now, last_due=last_due)
    assert (slot.day if slot else None) == expected


def test_nothing_is_due_while_off_and_the_zone_is_the_workspaces():
    assert (
        due_slot(schedule(enabled=False, active_since=utc(2026, 1, 1)), now=utc(2026, 12, 7))
        is None
    )
    tokyo = schedule(time_zone="Asia/Tokyo", active_since=utc(2026, 1, 1))
    assert due_slot(tokyo, now=utc(2026, 12, 6, 21, 0)) == Slot(
        dt.date(2026, 12, 7), utc(2026, 12, 6, 21)
    )


def test_the_schedule_in_words():
    assert schedule_describe(schedule()) == "every day at 06:00 (Europe/Berlin)"
    assert (
        schedule_describe(schedule(frequency=WEEKLY, weekday=4, hour=17, time_zone="UTC"))
        == "every Friday at 17:00 (UTC)"
    )
