"""The timesheet's week: locked cells for a submitted or approved week, deleting a row, copying
last week's rows, one-line day headers; submitting a week from the timesheet or the tracker's
week header through a summary with flags."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TimeEntryFactory
from tracking.models import TimeEntry
from tracking.models import WeekApproval
from tracking.services import approvals
from workspaces.models import Membership

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()
LAST_MONDAY = TODAY - dt.timedelta(days=TODAY.weekday() + 7)


def at(day, hour):
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def _entry(workspace, member, day, hours=2, project=None, start_hour=9):
    start = at(day, start_hour)
    return TimeEntryFactory.create(
        workspace=workspace,
        user=member,
        project=project,
        start=start,
        seconds=hours * 3600,
    )


def _sheet(client, workspace, **params):
    url = reverse("tracking:timesheet", kwargs={"ws": workspace.pk})
    return client.get(url, params).content.decode()


def test_a_submitted_week_shows_locked_cells_and_withdraw_unlocks(workspace, member, member_client):
    project = ProjectFactory.create(workspace=workspace, name="Audit")
    _entry(workspace, member, LAST_MONDAY, project=project)
    membership = Membership.objects.get(workspace=workspace, user=member)
    approval = approvals.week_submit(membership=membership, week_start=LAST_MONDAY)
    text = _sheet(member_client, workspace, week=LAST_MONDAY.isoformat())
    assert 'id="week-locked"' in text and "waiting for approval" in text
    assert text.count("cell--locked") == 7 and text.count(" readonly ") == 7
    assert "row-delete" not in text and 'id="submit-week"' not in text
    # A typed value is refused anyway (the lock is the service's, not the page's).
    url = reverse("tracking:timesheet_cell", kwargs={"ws": workspace.pk})
    member_client.post(
        url, {"row": f"{project.pk}:", "date": LAST_MONDAY.isoformat(), "hours": "5"}
    )
    assert TimeEntry.objects.get(user=member).duration_seconds == 7200
    approvals.week_withdraw(membership=membership, approval_id=approval.pk)
    text = _sheet(member_client, workspace, week=LAST_MONDAY.isoformat())
    assert "cell--locked" not in text and 'id="submit-week"' in text


def test_day_headers_are_one_line(workspace, member_client):
    text = _sheet(member_client, workspace, week=LAST_MONDAY.isoformat())
    assert 'class="num nowrap" title="Monday' in text
    assert f">Mon {LAST_MONDAY.day}</th>" in text
    assert "<br>" not in text.split("<thead>")[1].split("</thead>")[0]


def test_delete_a_row_deletes_its_time_that_week_only(workspace, member, member_client):
    audit = ProjectFactory.create(workspace=workspace, name="Audit")
    other = ProjectFactory.create(workspace=workspace, name="Other")
    _entry(workspace, member, LAST_MONDAY, project=audit)
    _entry(workspace, member, LAST_MONDAY + dt.timedelta(days=2), project=audit)
    kept = _entry(workspace, member, LAST_MONDAY, project=other, start_hour=12)
    earlier = _entry(workspace, member, LAST_MONDAY - dt.timedelta(days=7), project=audit)
    url = reverse("tracking:timesheet_row_delete", kwargs={"ws": workspace.pk})
    response = member_client.post(
        url, {"week": LAST_MONDAY.isoformat(), "row": f"{audit.pk}:", "keep": [f"{audit.pk}:"]}
    )
    assert response.status_code == 302
    assert set(TimeEntry.objects.values_list("pk", flat=True)) == {kept.pk, earlier.pk}
    assert f"row={audit.pk}" not in response["Location"]


def test_deleting_a_row_of_a_submitted_week_is_refused(workspace, member, member_client):
    audit = ProjectFactory.create(workspace=workspace, name="Audit")
    _entry(workspace, member, LAST_MONDAY, project=audit)
    approvals.week_submit(
        membership=Membership.objects.get(workspace=workspace, user=member),
        week_start=LAST_MONDAY,
    )
    url = reverse("tracking:timesheet_row_delete", kwargs={"ws": workspace.pk})
    response = member_client.post(url, {"week": LAST_MONDAY.isoformat(), "row": f"{audit.pk}:"})
    assert f"week={LAST_MONDAY.isoformat()}" in response["Location"]  # stays on that week
    page = member_client.get(response["Location"])
    assert "withdraw it to change it" in page.content.decode()
    assert TimeEntry.objects.count() == 1


def test_copy_last_weeks_rows_without_their_time(workspace, member, member_client):
    audit = ProjectFactory.create(workspace=workspace, name="Audit")
    _entry(workspace, member, LAST_MONDAY, project=audit)
    this_monday = LAST_MONDAY + dt.timedelta(days=7)
    text = _sheet(member_client, workspace, week=this_monday.isoformat(), copy="last")
    assert f'data-row="{audit.pk}:"' in text
    assert 'class="num week-total"><strong>0:00</strong>' in text
    assert TimeEntry.objects.count() == 1


def test_submit_shows_a_summary_with_flags_then_submits(workspace, member, member_client):
    _entry(workspace, member, LAST_MONDAY, hours=11)
    _entry(workspace, member, LAST_MONDAY, hours=2, start_hour=18)  # overlaps the 11 hours
    url = reverse("tracking:approval_submit", kwargs={"ws": workspace.pk})
    sheet = reverse("tracking:timesheet", kwargs={"ws": workspace.pk})
    text = member_client.get(url, {"week": LAST_MONDAY.isoformat(), "next": sheet}).content
    text = text.decode()
    assert 'id="week-summary-total">13:00<' in text
    assert "11:00 in one entry" in text and "overlaps" in text
    assert "Submit anyway" in text
    assert not WeekApproval.objects.exists()  # looking is not submitting
    response = member_client.post(url, {"week": LAST_MONDAY.isoformat(), "next": sheet})
    assert response.status_code == 302 and response["Location"] == sheet
    assert WeekApproval.objects.get().status == WeekApproval.Status.PENDING


def test_the_tracker_week_header_links_to_the_summary(workspace, member, member_client):
    _entry(workspace, member, TODAY - dt.timedelta(days=1) if TODAY.weekday() else TODAY)
    text = member_client.get(reverse("tracking:tracker", kwargs={"ws": workspace.pk}))
    assert "data-submit-week=" in text.content.decode()
