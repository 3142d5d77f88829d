"""Display of durations and of UTC times in the user's time zone, for the tracker pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import dateformat

from tracking.time_rules import days_later as _days_later
from tracking.time_rules import user_tz
from workspaces.models import User

register = template.Library()


@register.filter
def hms(seconds: int | None) -> str:
    """1:05:09 (hours unbounded)."""
    seconds = int(seconds or 0)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@register.filter
def hm(seconds: int | None) -> str:
    """1:05, for the timesheet's cells (whole minutes, rounded)."""
    minutes = round(int(seconds or 0) / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


@register.filter
def local(value: dt.datetime | None, user: User) -> dt.datetime | None:
    """The UTC datetime in the user's time zone."""
    if value is None:
        return None
    return value.astimezone(user_tz(user))


@register.filter
def user_time(value: dt.datetime | None, user: User) -> str:
    """The time in the user's time zone and time format."""
    if value is None:
        return ""
    return dateformat.format(value.astimezone(user_tz(user)), user.time_format)


@register.filter
def user_date(value: dt.date | dt.datetime | None, user: User) -> str:
    """A date (or the date of a datetime in the user's time zone) in the user's date format."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(user_tz(user)).date()
    return dateformat.format(value, user.date_format)


@register.filter
def iso_local_date(value: dt.datetime | None, user: User) -> str:
    return value.astimezone(user_tz(user)).strftime("%Y-%m-%d") if value else ""


@register.filter
def iso_local_time(value: dt.datetime | None, user: User) -> str:
    return value.astimezone(user_tz(user)).strftime("%H:%M") if value else ""


@register.filter
def index(values: list[int], i: int) -> int:
    return values[i]


@register.filter
def next_day_marker(entry: object, user: User) -> str:
    """ "+1" (or "+2"...) for an entry that ends on a later day than it starts, "" otherwise."""
    days = _days_later(entry.start, entry.end, user)  # type: ignore[attr-defined]
    return f"+{days}" if days > 0 else ""
