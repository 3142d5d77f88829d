"""Editing a Detailed report row in place: admins any entry, members their own unlocked ones;
the row and the totals re-render with the change (rounding and amounts included)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from reports.forms import shown_values
from tests.factories import rounding_on
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from tracking.models import TimeEntry

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
Q = "range=custom&start=2026-03-01&end=2026-03-31"


def make(workspace, user, **kwargs):
    values = {
        "billable": False,
        "hourly_rate_cents": 8000,
        "start": START,
        "end": START + dt.timedelta(seconds=2000),
        "duration_seconds": 2000,
        "description": "old words",
    }
    values.update(kwargs)
    return TimeEntryFactory(workspace=workspace, user=user, **values)


def times(entry, viewer):
    """The row's date and time fields as the edit form shows them (left unchanged)."""
    shown = shown_values(entry, viewer)
    return {k: shown[k] for k in ("date", "start_time", "end_date", "end_time", "duration")}


def edit_url(workspace, entry):
    return reverse("reports:entry_edit", kwargs={"ws": workspace.pk, "pk": entry.pk})


def test_admin_edits_anyones_entry_and_row_and_totals_follow(
    workspace, admin, member, admin_client_
):
    rounding_on(workspace, "UP", 15)
    project = ProjectFactory(workspace=workspace, name="Website", hourly_rate_cents=8000)
    task = TaskFactory(workspace=workspace, project=project, name="Design")
    entry = make(workspace, member)
    form = admin_client_.get(edit_url(workspace, entry) + "?q=" + Q.replace("&", "%26"))
    assert form.status_code == 200
    assert 'name="description" value="old words"' in form.content.decode()
    response = admin_client_.post(
        edit_url(workspace, entry),
        {
            "description": "new words",
            "project_task": f"{project.pk}:{task.pk}",
            "billable": "on",
            "q": Q,
            **times(entry, admin),
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.description, entry.project_id, entry.task_id, entry.billable) == (
        "new words",
        project.pk,
        task.pk,
        True,
    )
    assert f'<tr id="row-{entry.pk}">' in html
    assert "new words" in html and "Task: Design" in html
    # 2000 s rounds up to 45 min; 0.75 h x 80.00 = 60.00.
    assert "0:45:00" in html and "60.00 USD" in html
    assert 'id="totals" hx-swap-oob="true"' in html
    assert 'id="billable-time">0:45:00<' in html
    assert 'id="total-amount">60.00 USD<' in html


def test_member_edits_own_unlocked_entry_only(workspace, owner, member, member_client):
    own = make(workspace, member)
    locked = make(
        workspace,
        member,
        is_locked=True,
        start=START + dt.timedelta(hours=2),
        end=START + dt.timedelta(hours=3),
    )
    others = make(
        workspace, owner, start=START + dt.timedelta(hours=4), end=START + dt.timedelta(hours=5)
    )
    ok = member_client.post(
        edit_url(workspace, own), {"description": "mine", "q": Q, **times(own, member)}
    )
    assert ok.status_code == 200
    own.refresh_from_db()
    assert own.description == "mine"
    assert member_client.get(edit_url(workspace, locked)).status_code == 403
    refused = member_client.post(
        edit_url(workspace, locked), {"description": "x", "q": Q, **times(locked, member)}
    )
    assert refused.status_code == 403
    assert member_client.post(edit_url(workspace, others), {"description": "x"}).status_code == 404
    locked.refresh_from_db()
    others.refresh_from_db()
    assert locked.description == others.description == "old words"


def test_outsider_gets_404(workspace, member, outsider_client):
    entry = make(workspace, member)
    assert outsider_client.get(edit_url(workspace, entry)).status_code == 404
    assert outsider_client.post(edit_url(workspace, entry), {"description": "x"}).status_code == 404
    row = reverse("reports:entry_row", kwargs={"ws": workspace.pk, "pk": entry.pk})
    assert outsider_client.get(row).status_code == 404


def test_bad_project_is_refused_and_nothing_changes(
    workspace, owner, owner_client, other_workspace
):
    entry = make(workspace, owner)
    foreign = ProjectFactory(workspace=other_workspace)
    response = owner_client.post(
        edit_url(workspace, entry),
        {"description": "changed", "project_task": foreign.pk, "q": Q, **times(entry, owner)},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'class="is-editing"' in html  # the form stays open with the reason
    entry.refresh_from_db()
    assert (entry.description, entry.project_id) == ("old words", None)
    assert TimeEntry.objects.filter(workspace=workspace).count() == 1


def test_cancel_gives_back_the_row(workspace, owner, owner_client):
    entry = make(workspace, owner, description="keep me")
    row = reverse("reports:entry_row", kwargs={"ws": workspace.pk, "pk": entry.pk})
    html = owner_client.get(row).content.decode()
    assert html.startswith(f'<tr id="row-{entry.pk}">') and "keep me" in html
