"""Forms of the tracker and timesheet pages: they parse what the user typed (dates, times,
durations, the project/task picker) in the user's time zone; the business rules are in
`tracking.services.entries`, whose errors the views put next to the fields."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from tracking.time_rules import DATE_RANGE_MESSAGE
from tracking.time_rules import date_in_range
from tracking.time_rules import user_tz
from workspaces.models import User

_CLOCK = re.compile(r"^(?P<h>\d{1,4}):(?P<m>[0-5]?\d)(?::(?P<s>[0-5]?\d))?$")
_UNITS = re.compile(r"^(?:(?P<h>\d+(?:[.,]\d+)?)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?$")
_DECIMAL = re.compile(r"^\d+(?:[.,]\d+)?$")


def parse_duration(text: str) -> int:
    """Seconds from "1:30", "1:30:15", "1.5" / "1,5" (hours), "90m", "2h", "1h 30m".

    Raises ValueError for anything else.
    """
    text = text.strip().lower()
    if not text:
        raise ValueError("empty")
    if match := _CLOCK.match(text):
        return int(match["h"]) * 3600 + int(match["m"]) * 60 + int(match["s"] or 0)
    if _DECIMAL.match(text):
        return round(float(text.replace(",", ".")) * 3600)
    match = _UNITS.match(text)
    if match and (match["h"] or match["m"]):
        hours = float((match["h"] or "0").replace(",", "."))
        return round(hours * 3600) + int(match["m"] or 0) * 60
    raise ValueError(text)


class DurationTextField(forms.CharField):
    default_error_messages = {
        "invalid": "Enter a duration like 1:30, 1.5 or 90m.",
        "minutes": "Minutes go up to 59: enter {hours}:{minutes:02d} as {fixed}.",
    }

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_duration(text)
        except ValueError:
            pass
        clock = re.match(r"^(\d{1,4}):(\d{2})$", text.strip())
        if clock and int(clock[2]) > 59:
            hours, minutes = int(clock[1]), int(clock[2])
            total = hours * 60 + minutes
            fixed = f"{total // 60}:{total % 60:02d}"
            message = self.error_messages["minutes"].format(
                hours=hours, minutes=minutes, fixed=fixed
            )
            raise ValidationError(message, code="minutes")
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class EntryDateField(forms.DateField):
    """A date as the date input sends it (YYYY-MM-DD), inside the rule's range (1970-2999), so
    nothing later computes with year 1 or 9999."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not date_in_range(value):
            raise ValidationError(DATE_RANGE_MESSAGE, code="out_of_range")


TIME_INPUT_FORMATS = [
    "%H:%M",
    "%H:%M:%S",
    "%I:%M %p",
    "%I:%M:%S %p",
    "%I:%M%p",
    "%I:%M:%S%p",
    "%I %p",
    "%I%p",
]


class ClockTimeField(forms.TimeField):
    """A time typed as the profile shows times: 14:30 (24-hour) or 2:30 PM (12-hour); either is
    read whatever the profile, with or without seconds."""

    default_error_messages = {"invalid": "Enter a time like 14:30 or 2:30 PM."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", TIME_INPUT_FORMATS)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.time | None:
        if isinstance(value, str):
            value = " ".join(value.upper().replace(".", "").split())
        return super().to_python(value)


def input_time(value: dt.datetime | None, user: User) -> str:
    """A time input's value in the profile's format (seconds kept when there are some)."""
    if value is None:
        return ""
    local = value.astimezone(user_tz(user))
    if user.time_format == User.TimeFormat.H12:
        text = local.strftime("%I:%M:%S %p" if local.second else "%I:%M %p")
        return text.lstrip("0")
    return local.strftime("%H:%M:%S" if local.second else "%H:%M")


class IdListField(forms.Field):
    """Several ids from a <select multiple> or repeated checkboxes; checked by the services."""

    widget = forms.SelectMultiple

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            return [value]
        return [str(v) for v in value if v]


def split_project_task(value: str) -> tuple[str | None, str | None]:
    """The picker's value "<project id>" or "<project id>:<task id>" ("" for no project)."""
    project_id, _, task_id = (value or "").partition(":")
    return project_id or None, task_id or None


class _EntryFieldsForm(forms.Form):
    description = forms.CharField(required=False, strip=True)
    project_task = forms.CharField(required=False)
    tags = IdListField(required=False)
    billable = forms.BooleanField(required=False)

    def refs(self) -> dict[str, Any]:
        project_id, task_id = split_project_task(self.cleaned_data.get("project_task") or "")
        return {
            "description": self.cleaned_data.get("description") or "",
            "project_id": project_id,
            "task_id": task_id,
            "tag_ids": self.cleaned_data.get("tags") or [],
            "billable": bool(self.cleaned_data.get("billable")),
        }


class TimerStartForm(_EntryFieldsForm):
    pass


class ManualEntryForm(_EntryFieldsForm):
    """A finished entry by date + start + end, or date + duration (start optional). An end
    earlier than the start is on the next day (the entry crosses midnight), as in Clockify."""

    date = EntryDateField()
    start_time = ClockTimeField(required=False)
    end_time = ClockTimeField(required=False)
    duration = DurationTextField(required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("date")
        if day is None:
            return data
        start_time, end_time = data.get("start_time"), data.get("end_time")
        duration = data.get("duration")
        if any(name in self.errors for name in ("start_time", "end_time", "duration")):
            pass  # what was typed is wrong already: one message, next to it
        elif end_time is not None and duration is not None:
            self.add_error("duration", "Give an end time or a duration, not both.")
        elif end_time is not None and start_time is None:
            self.add_error("start_time", "Give the start time too.")
        elif end_time is None and duration is None:
            self.add_error("end_time", "Give an end time or a duration.")
        tz = user_tz(self.user)
        data["start"] = dt.datetime.combine(day, start_time, tzinfo=tz) if start_time else None
        data["end"] = None
        if end_time is not None and start_time is not None:
            end_day = day + dt.timedelta(days=1) if end_time < start_time else day
            data["end"] = dt.datetime.combine(end_day, end_time, tzinfo=tz)
        return data


class EntryEditForm(_EntryFieldsForm):
    """The inline edit of one entry: its fields, start date and time, end date and time (the
    end date defaults to the start date; a running timer has no end)."""

    date = EntryDateField()
    start_time = ClockTimeField()
    end_date = EntryDateField(required=False)
    end_time = ClockTimeField(required=False)

    def __init__(self, *args: Any, user: User, running: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.running = running

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start_time = data.get("date"), data.get("start_time")
        if day is None or start_time is None:
            return data
        tz = user_tz(self.user)
        data["start"] = dt.datetime.combine(day, start_time, tzinfo=tz)
        end_time = data.get("end_time")
        if self.running:
            data["end"] = None
        elif end_time is None:
            self.add_error("end_time", "Give the end time.")
        else:
            end_day = data.get("end_date") or day
            data["end"] = dt.datetime.combine(end_day, end_time, tzinfo=tz)
        return data


class TrackerEntryEditForm(EntryEditForm):
    """The tracker's edit form, with a duration like the Detailed report's: a changed duration
    moves the end (start + duration); changing the end and the duration at once must agree.
    `shown_duration` and `shown_end` are what the form showed, to tell what the member changed."""

    duration = DurationTextField(required=False)
    shown_duration = forms.CharField(required=False)
    shown_end = forms.CharField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        duration = data.get("duration")
        shown = (self.data.get("shown_duration") or "").strip()
        typed = (self.data.get("duration") or "").strip()
        if self.running or duration is None or typed == shown or data.get("start") is None:
            return data
        if duration <= 0:
            self.add_error("duration", "The duration must be more than zero.")
            return data
        moved = dt.timedelta(seconds=duration)
        end = data.get("end")
        end_typed = (self.data.get("end_time") or "").strip()
        end_shown = (self.data.get("shown_end") or "").strip()
        if (
            end is not None
            and end_shown
            and end_typed != end_shown
            and end - data["start"] != moved
        ):
            self.add_error("duration", "Change the end or the duration, not both.")
            return data
        try:
            data["end"] = data["start"] + moved
        except OverflowError:
            self.add_error("duration", "The duration is too long.")
        return data


class BulkForm(forms.Form):
    ACTIONS = (("edit", "Edit"), ("delete", "Delete"))
    TRI = (("", "Leave as is"), ("yes", "Billable"), ("no", "Non-billable"))

    action = forms.ChoiceField(choices=ACTIONS)
    entries = IdListField()
    change_project = forms.BooleanField(required=False)
    project_task = forms.CharField(required=False)
    billable = forms.ChoiceField(choices=TRI, required=False)
    change_tags = forms.ChoiceField(
        choices=(("", "Leave as is"), ("replace", "Replace with"), ("add", "Add")),
        required=False,
    )
    tags = IdListField(required=False)


class TimesheetCellForm(forms.Form):
    row = forms.CharField(required=False)  # "<project id>:<task id>", either part may be empty
    date = EntryDateField()
    hours = DurationTextField(required=False)
