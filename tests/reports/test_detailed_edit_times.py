"""Editing a Detailed report row's times and tags in place: date, start, end and duration in the
viewer's time zone, tags from the workspace; errors stay in the row with nothing saved; the
tracker's rules (roles, locks and their audit, approved weeks, running timers) still hold."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from reports.forms import shown_values
from tests.factories import rounding_on
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TimeEntryFactory
from tracking.models import TimeEntry
from tracking.models import WeekApproval
from workspaces.models import AuditLog

pytestmark = pytest.mark.django_db

BERLIN = "Europe/Berlin"  # UTC+1 in March
START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)  # 10:00 in Berlin
Q = "range=custom&start=2026-03-01&end=2026-03-31"


@pytest.fixture(autouse=True)
def _viewers_in_berlin(owner, admin, member):
    for user in (owner, admin, member):
        user.time_zone = BERLIN
        user.save()


def make(workspace, user, *, seconds=3600, **kwargs):
    values = {
        "billable": True,
        "hourly_rate_cents": 6000,
        "start": START,
        "end": START + dt.timedelta(seconds=seconds),
        "duration_seconds": seconds,
        "description": "work",
    }
    values.update(kwargs)
    return TimeEntryFactory(workspace=workspace, user=user, **values)


def edit_url(workspace, entry):
    return reverse("reports:entry_edit", kwargs={"ws": workspace.pk, "pk": entry.pk})


def post(client, workspace, entry, viewer, **changes):
    """Save the edit row as shown, with `changes` typed over it."""
    data = {**shown_values(entry, viewer), "q": Q, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    if data.pop("billable", False):
        data["billable"] = "on"
    return client.post(edit_url(workspace, entry), data, HTTP_HX_REQUEST="true")


def snapshot(entry):
    entry = TimeEntry.objects.get(pk=entry.pk)
    tags = sorted(entry.tags.values_list("name", flat=True))
    return (entry.start, entry.end, entry.duration_seconds, entry.description, tags)


def test_the_form_shows_times_in_the_viewers_zone_and_the_tags(workspace, owner, owner_client):
    design = TagFactory(workspace=workspace, name="design")
    TagFactory(workspace=workspace, name="urgent")
    entry = make(workspace, owner, seconds=5430)  # 10:00:00 - 11:30:30 in Berlin
    entry.tags.add(design, through_defaults={"workspace": workspace})
    html = owner_client.get(edit_url(workspace, entry)).content.decode()
    assert 'name="date" value="2026-03-02"' in html
    assert 'name="start_time" value="10:00" size="8"' in html
    assert 'name="end_time" value="11:30:30" size="8"' in html  # the seconds survive a save
    assert 'name="duration" value="1:30:30"' in html
    assert f'<option value="{design.pk}" selected>design</option>' in html
    assert ">urgent</option>" in html


def test_start_and_end_are_read_in_the_viewers_zone_and_the_row_and_totals_follow(
    workspace, owner, owner_client
):
    entry = make(workspace, owner)
    response = post(owner_client, workspace, entry, owner, start_time="08:00", end_time="12:30")
    html = response.content.decode()
    entry.refresh_from_db()
    assert entry.start == dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC)
    assert entry.end == dt.datetime(2026, 3, 2, 11, 30, tzinfo=dt.UTC)
    assert entry.duration_seconds == 4.5 * 3600
    assert f'<tr id="row-{entry.pk}">' in html
    assert "08:00 \u2013 12:30" in html and "4:30:00" in html and "270.00 USD" in html
    assert 'id="total-time">4:30:00<' in html and 'id="total-amount">270.00 USD<' in html


@pytest.mark.parametrize("typed", ["1:30", "1h30m", "1h 30m", "90m", "1.5", "1,5"])
def test_a_typed_duration_moves_the_end(workspace, owner, owner_client, typed):
    entry = make(workspace, owner)
    html = post(owner_client, workspace, entry, owner, duration=typed).content.decode()
    entry.refresh_from_db()
    assert entry.start == START
    assert entry.end == START + dt.timedelta(minutes=90)
    assert entry.duration_seconds == 5400
    assert "10:00 \u2013 11:30" in html and 'id="total-time">1:30:00<' in html


def test_rounding_applies_to_the_saved_row_and_totals(workspace, owner, owner_client):
    rounding_on(workspace, "UP", 15)
    entry = make(workspace, owner)
    html = post(owner_client, workspace, entry, owner, duration="50m").content.decode()
    # 50 min rounds up to 1:00:00; 1 h x 60.00.
    assert 'title="Tracked 0:50:00">1:00:00<' in html
    assert 'id="total-time">1:00:00<' in html and 'id="total-amount">60.00 USD<' in html


def test_a_new_start_keeps_the_end(workspace, owner, owner_client):
    entry = make(workspace, owner)  # 10:00 - 11:00
    post(owner_client, workspace, entry, owner, start_time="09:15")
    entry.refresh_from_db()
    assert entry.start == START - dt.timedelta(minutes=45)
    assert entry.end == START + dt.timedelta(hours=1)
    assert entry.duration_seconds == 6300


def test_a_new_date_moves_the_whole_entry(workspace, owner, owner_client):
    entry = make(workspace, owner, seconds=2 * 3600)
    html = post(owner_client, workspace, entry, owner, date="2026-03-05").content.decode()
    entry.refresh_from_db()
    assert entry.start == START + dt.timedelta(days=3)
    assert entry.end == START + dt.timedelta(days=3, hours=2)
    assert "outside-filters" not in html


def test_an_entry_moved_out_of_the_filters_says_so_and_leaves_the_totals(
    workspace, owner, owner_client
):
    entry = make(workspace, owner)
    html = post(owner_client, workspace, entry, owner, date="2026-04-02").content.decode()
    entry.refresh_from_db()
    assert entry.start == dt.datetime(2026, 4, 2, 8, tzinfo=dt.UTC)  # Berlin is UTC+2 then
    assert "No longer matches the filters" in html
    assert 'id="total-time">0:00:00<' in html


def test_an_end_on_the_next_day_crosses_midnight(workspace, owner, owner_client):
    entry = make(workspace, owner)
    post(owner_client, workspace, entry, owner, end_date="2026-03-03", end_time="02:00")
    entry.refresh_from_db()
    assert entry.end == dt.datetime(2026, 3, 3, 1, tzinfo=dt.UTC)
    assert entry.duration_seconds == 16 * 3600


def test_saving_untouched_times_keeps_them_to_the_second(workspace, owner, owner_client):
    start = START + dt.timedelta(seconds=30)
    entry = make(workspace, owner, start=start, end=start + dt.timedelta(seconds=2017))
    entry.duration_seconds = 2017
    entry.save()
    post(owner_client, workspace, entry, owner, description="renamed")
    entry.refresh_from_db()
    assert (entry.start, entry.duration_seconds, entry.description) == (start, 2017, "renamed")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_time": "09:30"}, "The end must be after the start."),
        ({"duration": "0"}, "The end must be after the start."),
        ({"duration": "1000h"}, "999 hours long at most"),
        ({"end_date": "2026-05-15"}, "an entry can be 999 hours at most"),
        ({"end_date": "2026-03-03"}, "entries in this workspace are 24:00 at most"),
        ({"duration": "25h"}, "entries in this workspace are 24:00 at most"),
        ({"duration": "ninety"}, "Enter a duration like 1:30, 1.5 or 90m."),
        ({"start_time": "25:00"}, "Enter a time like 14:30 or 2:30 PM."),
        ({"date": "2026-02-30"}, "Enter a valid date."),
        ({"date": "0001-01-01", "start_time": "00:30"}, "between 1970-01-01 and 2999-12-31"),
        ({"date": "9999-12-31", "start_time": "23:00", "duration": "2h"}, "1970-01-01 and 2999"),
        ({"end_time": "12:00", "duration": "3h"}, "Change the end or the duration, not both."),
    ],
)
def test_bad_times_are_shown_in_the_row_and_nothing_is_saved(
    workspace, owner, owner_client, changes, message
):
    entry = make(workspace, owner)
    before = snapshot(entry)
    response = post(owner_client, workspace, entry, owner, description="changed", **changes)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="is-editing"' in html and 'role="alert"' in html
    assert message in html
    assert snapshot(entry) == before


def test_tags_are_set_and_cleared(workspace, owner, owner_client):
    design = TagFactory(workspace=workspace, name="design")
    urgent = TagFactory(workspace=workspace, name="urgent")
    entry = make(workspace, owner)
    html = post(owner_client, workspace, entry, owner, tags=[urgent.pk, design.pk]).content
    assert snapshot(entry)[4] == ["design", "urgent"]
    assert '<span class="badge">design</span> <span class="badge">urgent</span>' in html.decode()
    post(owner_client, workspace, entry, owner, tags=None)  # nothing selected
    assert snapshot(entry)[4] == []


def test_an_archived_tag_already_on_the_entry_can_stay(workspace, owner, owner_client):
    old = TagFactory(workspace=workspace, name="old", archived=True)
    entry = make(workspace, owner)
    entry.tags.add(old, through_defaults={"workspace": workspace})
    html = owner_client.get(edit_url(workspace, entry)).content.decode()
    assert f'<option value="{old.pk}" selected>old (archived)</option>' in html
    post(owner_client, workspace, entry, owner, description="still old")
    assert snapshot(entry)[3:] == ("still old", ["old"])


@pytest.mark.parametrize("kind", ["other workspace", "archived"])
def test_a_tag_that_cannot_be_chosen_is_refused(
    workspace, other_workspace, owner, owner_client, kind
):
    if kind == "archived":
        tag = TagFactory(workspace=workspace, name="gone", archived=True)
        message = "The tag “gone” is archived; choose another."
    else:
        tag = TagFactory(workspace=other_workspace, name="theirs")
        message = "Choose tags of this workspace."
    entry = make(workspace, owner)
    before = snapshot(entry)
    html = post(
        owner_client, workspace, entry, owner, tags=[tag.pk], duration="2h"
    ).content.decode()
    assert message in html and 'class="is-editing"' in html
    assert snapshot(entry) == before


def test_an_admin_edits_a_locked_entry_with_a_warning_and_the_edit_is_audited(
    workspace, admin, member, admin_client_
):
    tag = TagFactory(workspace=workspace, name="reviewed")
    entry = make(workspace, member, is_locked=True)
    form = admin_client_.get(edit_url(workspace, entry)).content.decode()
    assert "locked-warning" in form
    post(admin_client_, workspace, entry, admin, duration="45m", tags=[tag.pk])
    entry.refresh_from_db()
    assert entry.duration_seconds == 45 * 60 and entry.is_locked
    log = AuditLog.objects.get(event="time_entry.locked_edit", target=entry.pk)
    assert log.actor == admin
    assert {"end", "duration_seconds", "tags"} <= set(log.details["fields"])


EDITS = {
    "times": {"start_time": "08:00", "end_time": "12:00"},
    "duration": {"duration": "3h"},
    "tags": "tag",
}


@pytest.mark.parametrize("field", EDITS)
def test_who_may_edit_each_field(
    workspace, owner, member, member_client, outsider, outsider_client, field
):
    tag = TagFactory(workspace=workspace)
    changes = {"tags": [tag.pk]} if EDITS[field] == "tag" else EDITS[field]
    own = make(workspace, member)
    own_locked = make(workspace, member, is_locked=True)
    others = make(workspace, owner)
    before = {e.pk: snapshot(e) for e in (own, own_locked, others)}

    assert post(member_client, workspace, own_locked, member, **changes).status_code == 403
    assert post(member_client, workspace, others, member, **changes).status_code == 404
    assert post(outsider_client, workspace, others, outsider, **changes).status_code == 404
    assert {e.pk: snapshot(e) for e in (own, own_locked, others)} == before

    assert post(member_client, workspace, own, member, **changes).status_code == 200
    assert snapshot(own) != before[own.pk]


def test_a_member_cannot_move_an_entry_into_an_approved_week(workspace, member, member_client):
    WeekApproval.objects.create(
        workspace=workspace,
        user=member,
        week_start=dt.date(2026, 3, 9),
        since=dt.datetime(2026, 3, 8, 23, tzinfo=dt.UTC),
        until=dt.datetime(2026, 3, 15, 23, tzinfo=dt.UTC),
        status=WeekApproval.Status.APPROVED,
    )
    entry = make(workspace, member)
    before = snapshot(entry)
    html = post(member_client, workspace, entry, member, date="2026-03-10").content.decode()
    assert "This week is approved and closed" in html
    assert snapshot(entry) == before


def test_a_running_timer_is_not_edited_from_the_report(workspace, owner, owner_client):
    timer = make(workspace, owner, end=None, duration_seconds=None)
    assert owner_client.get(edit_url(workspace, timer)).status_code == 404
    response = owner_client.post(
        edit_url(workspace, timer),
        {"date": "2026-03-02", "start_time": "08:00", "end_time": "09:00", "q": Q},
    )
    assert response.status_code == 404
    timer.refresh_from_db()
    assert (timer.start, timer.end) == (START, None)
