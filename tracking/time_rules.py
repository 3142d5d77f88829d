"""What valid time is: the one rule every way time comes in applies (the tracker's timer and
manual entry, inline and bulk edits, timesheet cells, the Detailed report's edit, the REST API,
and approvals, which flag what breaks it).

The rule, per entry (the member's time zone decides what a day is):
1. Dates between 1970-01-01 and 2999-12-31 (the API's range): start and end.
2. The end after the start.
3. At most the workspace's longest entry (a setting, 24 hours unless changed; never more than
   999 hours, which the database holds).
4. No time in the future unless the workspace allows it (a setting, off unless changed): an
   entry may not end (a timer may not start) later than now, give or take a minute so a time
   typed to the minute at the current minute passes.
5. A day holds 24 hours: the parts of a member's entries that fall on one day (entries crossing
   midnight count on each day for their part) may not add up to more than 24 hours. Without
   overlapping entries no day can; the rule catches overlaps that would.

Pages and the timesheet refuse what breaks the rule, with a message for the field it concerns.
The REST API speaks Clockify's dialect and accepts what Clockify accepts (rules 3 to 5 do not
refuse there; 1, 2 and the 999 hours always do); such entries are flagged wherever they show
(`entry_flags`, `week_flags`), and an approver sees the flags before approving.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Literal

from django.db.models import Q
from django.utils import timezone

from tracking.models import MAX_ENTRY_SECONDS
from tracking.models import TimeEntry
from workspaces.errors import ApplicationError
from workspaces.models import User
from workspaces.models import Workspace
from workspaces.rest.fields import MAX_YEAR
from workspaces.rest.fields import MIN_YEAR

MIN_DATE = dt.date(MIN_YEAR, 1, 1)
MAX_DATE = dt.date(MAX_YEAR, 12, 31)
# Instants: [EARLIEST, LATEST). A day's wall clock in any time zone stays inside datetime's
# range well within these, so arithmetic near the edges never overflows.
EARLIEST = dt.datetime(MIN_YEAR, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(MAX_YEAR + 1, 1, 1, tzinfo=dt.UTC)
DAY_SECONDS = 24 * 3600
FUTURE_TOLERANCE = dt.timedelta(minutes=1)
DEFAULT_MAX_ENTRY_SECONDS = 24 * 3600
DEFAULT_LONG_TIMER_SECONDS = 10 * 3600
# What approvals call an unusually long entry (the "entries over 10 hours").
LONG_ENTRY_FLAG_SECONDS = 10 * 3600

DATE_RANGE_MESSAGE = f"Give a date between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}."

Mode = Literal["refuse", "flag"]


def clock_text(seconds: int) -> str:
    """25:00, 1:30:15 (hours unbounded; seconds only when there are some)."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if secs else f"{hours}:{minutes:02d}"


def date_in_range(day: dt.date) -> bool:
    return MIN_DATE <= day <= MAX_DATE


def date_check(day: dt.date, *, field: str = "date") -> dt.date:
    """A typed date, refused (before any arithmetic can overflow) outside the range."""
    if not date_in_range(day):
        raise ApplicationError(DATE_RANGE_MESSAGE, field=field)
    return day


WEEK_RANGE_MESSAGE = (
    f"Give a week between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}, all seven days of it."
)


def week_check(first_day: dt.date, *, field: str = "week") -> dt.date:
    """A week (its first day) whose seven days all lie in the range."""
    if not MIN_DATE <= first_day <= MAX_DATE - dt.timedelta(days=6):
        raise ApplicationError(WEEK_RANGE_MESSAGE, field=field)
    return first_day


def week_start_checked(day: dt.date, week_start: int, *, field: str = "week") -> dt.date:
    """The first day (by a profile's week start, 0 = Monday) of the week holding `day`, refused
    when the week reaches past the range (before date arithmetic can overflow)."""
    if not date_in_range(day):
        raise ApplicationError(WEEK_RANGE_MESSAGE, field=field)
    return week_check(day - dt.timedelta(days=(day.weekday() - int(week_start)) % 7), field=field)


def instant_in_range(value: dt.datetime) -> bool:
    return EARLIEST <= value < LATEST


def user_tz(user: User) -> zoneinfo.ZoneInfo:
    """The member's profile time zone (UTC when unset or unknown)."""
    try:
        return zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@dataclass(frozen=True)
class TimeRules:
    """A workspace's settings of the rule."""

    max_entry_seconds: int = DEFAULT_MAX_ENTRY_SECONDS
    allow_future: bool = False
    long_timer_seconds: int = DEFAULT_LONG_TIMER_SECONDS

    @classmethod
    def of(cls, workspace: Workspace) -> TimeRules:
        return cls(
            max_entry_seconds=min(int(workspace.max_entry_seconds), MAX_ENTRY_SECONDS),
            allow_future=bool(workspace.allow_future_entries),
            long_timer_seconds=int(workspace.long_timer_seconds),
        )


@dataclass(frozen=True)
class Flag:
    """One way an entry (or a week) breaks the rule, or is unusual enough to show an approver."""

    code: str  # "too_long", "future", "day_over_24h", "long", "overlap", "running"
    text: str
    field: str = "end"


@dataclass
class TimeCheck:
    """What `entry_time_check` found (flags, in "flag" mode) for an entry's times."""

    flags: list[Flag] = field(default_factory=list)


def _length_flag(seconds: int, rules: TimeRules, *, field: str) -> Flag | None:
    if seconds <= rules.max_entry_seconds:
        return None
    return Flag(
        "too_long",
        f"This entry is {clock_text(seconds)} long; entries in this workspace are "
        f"{clock_text(rules.max_entry_seconds)} at most. Check the end, or split the time "
        f"into several entries.",
        field,
    )


def _future_flag(
    start: dt.datetime, end: dt.datetime | None, rules: TimeRules, now: dt.datetime, user: User
) -> Flag | None:
    if rules.allow_future:
        return None
    last = end if end is not None else start
    if last <= now + FUTURE_TOLERANCE:
        return None
    local = last.astimezone(user_tz(user))
    what = "ends" if end is not None else "starts"
    return Flag(
        "future",
        f"This entry {what} in the future ({local:%Y-%m-%d %H:%M}); this workspace takes time "
        f"up to now only. Check the date and times.",
        "end" if end is not None else "start",
    )


def _days_touched(
    start: dt.datetime, end: dt.datetime, tz: zoneinfo.ZoneInfo
) -> list[tuple[dt.date, dt.datetime, dt.datetime]]:
    """The local days [start, end) falls on, each with its midnight-to-midnight span."""
    days = []
    day = start.astimezone(tz).date()
    while True:
        since = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
        until = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        days.append((day, since, until))
        if until >= end:
            return days
        day += dt.timedelta(days=1)


def _overlap(a0: dt.datetime, a1: dt.datetime, b0: dt.datetime, b1: dt.datetime) -> int:
    return max(0, int((min(a1, b1) - max(a0, b0)).total_seconds()))


def _day_flags(
    *,
    workspace_id: str,
    user: User,
    start: dt.datetime,
    end: dt.datetime,
    exclude_id: str | None,
    now: dt.datetime,
) -> list[Flag]:
    """Days the entry [start, end) would fill past 24 hours, with the user's other entries (one
    query)."""
    tz = user_tz(user)
    days = _days_touched(start, end, tz)
    if not days:
        return []
    window_start, window_end = days[0][1], days[-1][2]
    others = TimeEntry.objects.filter(
        Q(end__gt=window_start) | Q(end__isnull=True),
        workspace_id=workspace_id,
        user=user,
        start__lt=window_end,
    )
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    spans = [
        (s, e if e is not None else max(now, s)) for s, e in others.values_list("start", "end")
    ]
    flags = []
    for day, since, until in days:
        total = _overlap(start, end, since, until) + sum(
            _overlap(s, e, since, until) for s, e in spans
        )
        if total > DAY_SECONDS:
            flags.append(
                Flag(
                    "day_over_24h",
                    f"{day:%A %Y-%m-%d} would hold {clock_text(total)} of time, and a day has "
                    f"24 hours. Check for entries that overlap this one.",
                    "start",
                )
            )
    return flags


def entry_time_check(
    *,
    workspace: Workspace,
    user: User,
    start: dt.datetime,
    end: dt.datetime | None,
    entry_id: str | None = None,
    mode: Mode = "refuse",
    now: dt.datetime | None = None,
    end_field: str = "end",
) -> TimeCheck:
    """Check an entry's times (end None: a running timer) against the rule.

    In "refuse" mode the first broken rule raises ApplicationError (with `field=` for the form);
    in "flag" mode rules 3-5 come back as flags instead and only 1, 2 and the 999 hours raise.
    `entry_id` is the entry being changed (its current times don't count against the day).
    """
    now = now if now is not None else timezone.now()
    for value, name in ((start, "start"), (end, end_field)):
        if value is not None and not instant_in_range(value):
            raise ApplicationError(DATE_RANGE_MESSAGE, field=name)
    rules = TimeRules.of(workspace)
    found: list[Flag] = []
    if end is not None:
        if end <= start:
            raise ApplicationError(
                "The end must be after the start. For an entry past midnight, set the end "
                "on the next day.",
                field=end_field,
            )
        seconds = int((end - start).total_seconds())
        if seconds > MAX_ENTRY_SECONDS:
            raise ApplicationError(
                f"This entry is {clock_text(seconds)} long; an entry can be 999 hours at most.",
                field=end_field,
            )
        if (flag := _length_flag(seconds, rules, field=end_field)) is not None:
            found.append(flag)
    elif start > now:
        # A running timer that starts later is not a timer (Clockify refuses it too).
        raise ApplicationError("A timer can't start in the future.", field="start")
    if (flag := _future_flag(start, end, rules, now, user)) is not None:
        found.append(flag)
    if end is not None and mode == "refuse" and found:
        raise ApplicationError(found[0].text, field=found[0].field)
    if end is not None:
        found.extend(
            _day_flags(
                workspace_id=workspace.pk,
                user=user,
                start=start,
                end=end,
                exclude_id=entry_id,
                now=now,
            )
        )
    if mode == "refuse" and found:
        raise ApplicationError(found[0].text, field=found[0].field)
    return TimeCheck(flags=found)


# --- flags on entries already stored ----------------------------------------------------------


def entry_flags(
    entries: Iterable[TimeEntry],
    *,
    workspace: Workspace,
    now: dt.datetime | None = None,
    user: User | None = None,
) -> dict[str, list[Flag]]:
    """Flags of stored entries without a query: longer than the workspace allows, in the future
    when it doesn't allow that, or outside the date range. (Day totals: `week_flags`.)"""
    now = now if now is not None else timezone.now()
    rules = TimeRules.of(workspace)
    found: dict[str, list[Flag]] = {}
    for entry in entries:
        flags = []
        if not instant_in_range(entry.start) or (
            entry.end is not None and not instant_in_range(entry.end)
        ):
            flags.append(Flag("date_range", f"Outside the date range. {DATE_RANGE_MESSAGE}"))
        elif entry.duration_seconds is not None:
            if (flag := _length_flag(entry.duration_seconds, rules, field="end")) is not None:
                flags.append(flag)
            owner = user if user is not None else entry.user
            if (flag := _future_flag(entry.start, entry.end, rules, now, owner)) is not None:
                flags.append(flag)
        if flags:
            found[entry.pk] = flags
    return found


@dataclass
class WeekFlags:
    """What an approver (and the member submitting) should look at in a week."""

    long_entries: list[TimeEntry] = field(default_factory=list)  # over 10 hours
    too_long: list[TimeEntry] = field(default_factory=list)  # over the workspace's limit
    future: list[TimeEntry] = field(default_factory=list)
    overlapping: list[tuple[TimeEntry, TimeEntry]] = field(default_factory=list)
    days_over_24h: list[tuple[dt.date, int]] = field(default_factory=list)
    running: list[TimeEntry] = field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            len(self.long_entries)
            + len(self.too_long)
            + len(self.future)
            + len(self.overlapping)
            + len(self.days_over_24h)
            + len(self.running)
        )

    def lines(self, user: User) -> list[str]:
        tz = user_tz(user)

        def when(entry: TimeEntry) -> str:
            return f"{entry.start.astimezone(tz):%a %Y-%m-%d %H:%M}"

        out = [
            f"{when(e)}: {clock_text(e.duration_seconds or 0)} in one entry"
            for e in self.long_entries
        ]
        out += [f"{when(e)}: longer than this workspace allows" for e in self.too_long]
        out += [f"{when(e)}: in the future" for e in self.future]
        out += [f"{when(a)} overlaps {when(b)}" for a, b in self.overlapping]
        out += [
            f"{day:%a %Y-%m-%d}: {clock_text(total)} in one day"
            for day, total in self.days_over_24h
        ]
        out += [f"{when(e)}: a timer is running" for e in self.running]
        return out


def week_flags(
    entries: Sequence[TimeEntry],
    *,
    workspace: Workspace,
    user: User,
    now: dt.datetime | None = None,
) -> WeekFlags:
    """Flags over a member's entries (a week's, ordered or not): entries over 10 hours, over the
    workspace's limit, in the future; overlapping pairs; days over 24 hours; running timers."""
    now = now if now is not None else timezone.now()
    tz = user_tz(user)
    rules = TimeRules.of(workspace)
    flags = WeekFlags()
    spans = []
    for entry in sorted(entries, key=lambda e: (e.start, e.pk)):
        if not (instant_in_range(entry.start) and instant_in_range(entry.end or entry.start)):
            continue  # outside the calendar: `entry_flags` says so
        if entry.end is None:
            flags.running.append(entry)
            continue
        seconds = entry.duration_seconds or 0
        if seconds > rules.max_entry_seconds:
            flags.too_long.append(entry)
        elif seconds > LONG_ENTRY_FLAG_SECONDS:
            flags.long_entries.append(entry)
        if _future_flag(entry.start, entry.end, rules, now, user) is not None:
            flags.future.append(entry)
        spans.append(entry)
    latest_end: TimeEntry | None = None
    for entry in spans:
        assert entry.end is not None
        if latest_end is not None and latest_end.end is not None and entry.start < latest_end.end:
            flags.overlapping.append((latest_end, entry))
        if latest_end is None or (latest_end.end is not None and entry.end > latest_end.end):
            latest_end = entry
    per_day: dict[dt.date, int] = {}
    for entry in spans:
        assert entry.end is not None
        for day, since, until in _days_touched(entry.start, entry.end, tz):
            per_day[day] = per_day.get(day, 0) + _overlap(entry.start, entry.end, since, until)
    flags.days_over_24h = sorted((d, t) for d, t in per_day.items() if t > DAY_SECONDS)
    return flags


def attach_rule_flags(
    entries: Sequence[TimeEntry],
    *,
    workspace: Workspace,
    user: User,
    now: dt.datetime | None = None,
) -> None:
    """Set `rule_flags` (a list of Flag) on each of a member's entries shown together (no
    query): what `entry_flags` finds, and days over 24 hours among them."""
    now = now if now is not None else timezone.now()
    per_entry = entry_flags(entries, workspace=workspace, now=now, user=user)
    week = week_flags(entries, workspace=workspace, user=user, now=now)
    full_days = {day for day, _ in week.days_over_24h}
    tz = user_tz(user)
    for entry in entries:
        flags = list(per_entry.get(entry.pk, []))
        if full_days and entry.end is not None and instant_in_range(entry.start):
            days = {d for d, _, _ in _days_touched(entry.start, entry.end, tz)} & full_days
            for day in sorted(days):
                flags.append(
                    Flag(
                        "day_over_24h",
                        f"{day:%A %Y-%m-%d} holds more than 24 hours of time: entries overlap.",
                    )
                )
        entry.rule_flags = flags  # type: ignore[attr-defined]


def days_later(start: dt.datetime, end: dt.datetime | None, user: User) -> int:
    """How many days after its start day (the user's calendar) an entry ends: the "+1" shown
    next to an end past midnight."""
    if end is None or not (instant_in_range(start) and instant_in_range(end)):
        return 0
    tz = user_tz(user)
    return (end.astimezone(tz).date() - start.astimezone(tz).date()).days
