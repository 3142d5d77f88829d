"""The Detailed report's in-place edit of one row: description, project/task, tags, billable,
and the times (date, start, end and duration, in the viewer's time zone).

The form reads what was typed against what the row showed, so a save changes only what the
person changed (the row shows times to the minute unless they carry seconds, in the profile's
12- or 24-hour format, and a save that leaves the times alone keeps them to the second):
- a new date moves the entry: its end moves by as many days unless the end is changed too;
- a new duration moves the end (start + duration); changing the end and the duration at once is
  refused unless they agree;
- a new start keeps the end (the duration follows), as in the tracker.
The rules about who may change what (roles, locks, approved weeks) and what valid time is
(tracking/time_rules.py: dates, the longest entry, the future, a day's 24 hours) are tracking's
`time_entry_update`; the view puts its errors next to the fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from tracking.forms_entries import DurationTextField
from tracking.forms_entries import EntryEditForm
from tracking.forms_entries import input_time
from tracking.models import MAX_ENTRY_SECONDS
from tracking.models import TimeEntry
from tracking.time_rules import DATE_RANGE_MESSAGE
from tracking.time_rules import user_tz
from workspaces.models import User

DATE = "%Y-%m-%d"
# The service's error fields, as this form's fields.
FIELD_FOR = {"project": "project_task", "task": "project_task", "start": "start_time"}


def duration_text(seconds: int) -> str:
    """1:30, or 1:30:15 with seconds; what `parse_duration` reads back exactly."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if secs else f"{hours}:{minutes:02d}"


def shown_values(entry: TimeEntry, user: User) -> dict[str, Any]:
    """What the edit row shows for this entry: the values a save compares against."""
    tz = user_tz(user)
    start = entry.start.astimezone(tz)
    project_task = entry.project_id or ""
    if entry.task_id:
        project_task = f"{entry.project_id}:{entry.task_id}"
    values: dict[str, Any] = {
        "description": entry.description,
        "project_task": project_task,
        "tags": [t.pk for t in entry.tags.all()],
        "billable": entry.billable,
        "date": start.strftime(DATE),
        "start_time": input_time(start, user),
    }
    if entry.end is not None:
        end = entry.end.astimezone(tz)
        values.update(
            end_date=end.strftime(DATE),
            end_time=input_time(end, user),
            duration=duration_text(entry.duration_seconds or 0),
        )
    return values


class ReportEntryForm(EntryEditForm):
    duration = DurationTextField(required=False)
    # The report's filters (a query string), to refresh its totals after the change.
    q = forms.CharField(required=False, max_length=20_000)

    def __init__(self, *args: Any, entry: TimeEntry, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, running=entry.is_running, **kwargs)
        self.entry = entry

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") is None or "end" not in data or self.entry.end is None:
            return data
        try:
            self._times(data)
        except OverflowError:
            self.add_error("date", DATE_RANGE_MESSAGE)
        return data

    def _times(self, data: dict[str, Any]) -> None:
        """Settle start and end from what changed (see the module's docstring)."""
        entry = self.entry
        assert entry.end is not None
        tz = user_tz(self.user)

        def local(value: dt.datetime) -> dt.datetime:
            return value.astimezone(tz).replace(tzinfo=None)

        # Unchanged times keep the stored instant (seconds, and the right hour in a DST fold).
        if local(data["start"]) == local(entry.start):
            data["start"] = entry.start
        start = data["start"]
        end_moved = local(data["end"]) != local(entry.end)
        if not end_moved:
            data["end"] = entry.end
            days = data["date"] - local(entry.start).date()
            if days:
                # A new date moves the entry: the end moves by as many days (wall clock).
                data["end"] = (local(entry.end) + days).replace(tzinfo=tz)
        duration = data.get("duration")
        if duration is not None and duration != entry.duration_seconds:
            if duration > MAX_ENTRY_SECONDS:  # the rest of the rule is the service's
                self.add_error("duration", "An entry can be 999 hours long at most.")
            elif not end_moved:
                data["end"] = start + dt.timedelta(seconds=duration)
            elif data["end"] - start != dt.timedelta(seconds=duration):
                self.add_error("duration", "Change the end or the duration, not both.")
        for value in (data["start"], data["end"]):
            value.astimezone(dt.UTC)  # an OverflowError at the calendar's edges

    def error_field(self, service_field: str | None, *, duration_given: bool) -> str | None:
        """Where a service error shows: next to its field, or over the row."""
        field = FIELD_FOR.get(service_field or "", service_field)
        if field == "end":
            field = "duration" if duration_given else "end_time"
        return field if field in self.fields else None
