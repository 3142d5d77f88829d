"""The tracker's forms in the profile's 12/24-hour format, and the edit form's duration."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from reports.forms import shown_values
from tests.tracking.factories import TimeEntryFactory
from tracking.models import TimeEntry
from workspaces.models import User

pytestmark = pytest.mark.django_db

DAY = dt.date.today() - dt.timedelta(days=3)


def _entry(workspace, member, hour=14, minutes=30, seconds=5400):
    start = dt.datetime(DAY.year, DAY.month, DAY.day, hour, minutes, tzinfo=dt.UTC)
    return TimeEntryFactory.create(
        workspace=workspace,
        user=member,
        start=start,
        seconds=seconds,
        description="work",
    )


def _edit(client, workspace, entry, **data):
    url = reverse("tracking:entry_edit", kwargs={"ws": workspace.pk, "pk": entry.pk})
    return client.post(url, data, HTTP_HX_REQUEST="true")


def _shown(client, workspace, entry):
    url = reverse("tracking:entry_edit", kwargs={"ws": workspace.pk, "pk": entry.pk})
    return client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_a_12_hour_profile_sees_and_types_12_hour_times(workspace, member, member_client):
    member.time_format = User.TimeFormat.H12
    member.save()
    entry = _entry(workspace, member)
    text = _shown(member_client, workspace, entry)
    assert 'name="start_time" value="2:30 PM"' in text and 'placeholder="2:30 PM"' in text
    assert 'name="end_time" value="4:00 PM"' in text
    assert 'type="time"' not in text  # the browser's own format would ignore the profile
    base = {"date": DAY.isoformat(), "end_date": DAY.isoformat(), "description": "work"}
    _edit(member_client, workspace, entry, **base, start_time="9:15 am", end_time="12:45 PM")
    entry.refresh_from_db()
    assert (entry.start.hour, entry.start.minute, entry.end.hour, entry.end.minute) == (
        9,
        15,
        12,
        45,
    )
    # Manual entry reads both formats.
    url = reverse("tracking:entry_create", kwargs={"ws": workspace.pk})
    member_client.post(url, {"date": DAY.isoformat(), "start_time": "7 AM", "end_time": "08:30"})
    assert TimeEntry.objects.filter(start__hour=7, end__hour=8, end__minute=30).exists()


def test_a_24_hour_profile_sees_24_hour_times_everywhere(workspace, member, member_client):
    entry = _entry(workspace, member)
    text = _shown(member_client, workspace, entry)
    assert 'name="start_time" value="14:30"' in text and 'placeholder="14:30"' in text
    assert "PM" not in text.split('name="start_time"')[1][:40]
    assert shown_values(entry, member)["start_time"] == "14:30"
    member.time_format = User.TimeFormat.H12
    assert shown_values(entry, member)["start_time"] == "2:30 PM"


def test_the_edit_forms_duration_moves_the_end(workspace, member, member_client):
    entry = _entry(workspace, member)
    text = _shown(member_client, workspace, entry)
    assert 'name="duration" value="1:30"' in text
    base = {
        "date": DAY.isoformat(),
        "end_date": DAY.isoformat(),
        "start_time": "14:30",
        "end_time": "16:00",
        "shown_end": "16:00",
        "shown_duration": "1:30",
        "description": "work",
    }
    _edit(member_client, workspace, entry, **base, duration="2h")
    entry.refresh_from_db()
    assert entry.duration_seconds == 7200 and entry.end.hour == 16 and entry.end.minute == 30
    # The end and the duration changed at once and disagree: refused, next to the duration.
    base.update(end_time="17:00", shown_end="16:30", shown_duration="2:00")
    response = _edit(member_client, workspace, entry, **base, duration="1h")
    assert "Change the end or the duration, not both." in response.content.decode()
    # A duration past the workspace's limit is refused next to the duration.
    base.update(end_time="16:30")
    response = _edit(member_client, workspace, entry, **base, duration="30h")
    text = response.content.decode()
    assert "24:00 at most" in text and 'value="30h"' in text
    entry.refresh_from_db()
    assert entry.duration_seconds == 7200
