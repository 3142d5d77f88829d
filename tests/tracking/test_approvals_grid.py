"""The approvals review: the week as a grid of projects by days with day totals, the flags an
approver should look at, the member's note; the rejection note on the tracker and the
timesheet; the navigation's badge; query counts constant in the week's entries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import membership_of
from tests.query_counts import assert_queries_flat
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TimeEntryFactory
from tests.tracking.factories import entry_on
from tests.tracking.test_approvals_pages import last_week
from tests.tracking.test_approvals_pages import text
from tests.tracking.test_approvals_pages import url
from tracking.models import TimeEntry
from tracking.models import WeekApproval
from tracking.selectors.approvals import approval_grid
from tracking.services import approvals as services

pytestmark = pytest.mark.django_db


def at(user, workspace, day, hour, hours, **kw):
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
    return TimeEntryFactory(
        user=user,
        workspace=workspace,
        start=start,
        end=start + dt.timedelta(hours=hours),
        duration_seconds=int(hours * 3600),
        **kw,
    )


def test_grid_sums_projects_by_day_and_flags_what_to_look_at(workspace, owner, member):
    week = last_week(member)
    acme = ClientFactory(workspace=workspace, name="Acme")
    website = ProjectFactory(workspace=workspace, client=acme, name="Website")
    audit = ProjectFactory(workspace=workspace, name="Audit")
    at(member, workspace, week, 9, 2, project=website, description="Mockups")
    at(member, workspace, week, 13, 1.5, project=audit, description="Ledger")
    at(member, workspace, week + dt.timedelta(days=2), 8, 11, project=audit, description="Marathon")
    # Tuesday: two long entries over each other, 26 h in one day.
    at(member, workspace, week + dt.timedelta(days=1), 0, 13, description="Night shift")
    at(member, workspace, week + dt.timedelta(days=1), 10, 13, description="Day shift")
    approval = services.week_submit(
        membership=membership_of(workspace, member),
        week_start=week,
        note="Tuesday was the release.",
    )
    grid = approval_grid(approval=approval, workspace=workspace)
    assert [r.label for r in grid.rows] == ["Audit", "Website · Acme", "No project"]
    assert grid.rows[0].day_seconds == (5400, 0, 11 * 3600, 0, 0, 0, 0)
    assert grid.rows[2].day_seconds[1] == 26 * 3600
    assert grid.day_totals == (12600, 26 * 3600, 11 * 3600, 0, 0, 0, 0)
    assert grid.seconds == 12600 + 37 * 3600
    kinds = [f.kind for f in grid.flags]
    assert kinds == ["long_day", "overlap", "long_entry", "long_entry", "long_entry"]
    assert "“Day shift” overlaps “Night shift”" in grid.flags[1].text
    assert "26:00 in one day" in grid.flags[0].text
    assert "changed" not in kinds

    # An entry changed after submitting, and one added, are flagged too.
    mockups = TimeEntry.objects.get(description="Mockups")
    TimeEntry.objects.filter(pk=mockups.pk).update(
        updated_at=timezone.now() + dt.timedelta(seconds=5)
    )
    later = at(member, workspace, week + dt.timedelta(days=4), 9, 1, description="Late addition")
    TimeEntry.objects.filter(pk=later.pk).update(
        created_at=timezone.now() + dt.timedelta(seconds=5)
    )
    approval.refresh_from_db()
    changed = [
        f.text
        for f in approval_grid(approval=approval, workspace=workspace).flags
        if f.kind == "changed"
    ]
    assert any("“Mockups” was changed after" in t for t in changed)
    assert any("“Late addition” was added after" in t for t in changed)


def test_review_page_shows_grid_flags_note_and_decides(
    workspace, owner, member, owner_client, member_client
):
    week = last_week(member)
    at(member, workspace, week, 9, 11, description="Marathon")
    approval = services.week_submit(
        membership=membership_of(workspace, member), week_start=week, note="Long Monday, sorry"
    )
    pending = text(owner_client.get(url(workspace, "pending/")))
    assert "Long Monday, sorry" in pending
    page = text(owner_client.get(url(workspace, f"{approval.pk}/")))
    assert 'id="approval-grid"' in page and "11:00" in page
    assert "Note from Mia Member:</strong> Long Monday, sorry" in page
    assert "Too long" in page and "“Marathon”, 11:00 in one entry" in page
    assert 'id="decide"' in page
    owner_client.post(url(workspace, f"{approval.pk}/reject/"), {"note": "Split the Monday"})
    approval.refresh_from_db()
    assert approval.status == WeekApproval.Status.REJECTED and approval.member_note


def test_member_note_is_checked_and_cleared_on_resubmit(workspace, member, member_client):
    week = last_week(member)
    entry_on(member, workspace, week, 2)
    response = member_client.post(
        url(workspace, "submit/"), {"week": week.isoformat(), "note": "x" * 2001}, follow=True
    )
    assert "2001 characters long" in text(response)
    assert not WeekApproval.objects.exists()
    member_client.post(url(workspace, "submit/"), {"week": week.isoformat(), "note": " Hi "})
    assert WeekApproval.objects.get().member_note == "Hi"


def test_member_sees_the_rejection_note_on_tracker_and_timesheet(
    workspace, owner, member, member_client
):
    week = last_week(member)
    entry_on(member, workspace, week, 2)
    approval = services.week_submit(membership=membership_of(workspace, member), week_start=week)
    services.week_reject(
        membership=membership_of(workspace, owner),
        approval_id=approval.pk,
        note="Add the client to Monday's entry",
    )
    for page in ("tracker/", "timesheet/"):
        body = text(member_client.get(f"/w/{workspace.pk}/{page}"))
        assert 'id="rejected-weeks"' in body, page
        assert (
            "was rejected by Olivia Owner:</strong> Add the client to Monday&#x27;s entry" in body
        )
    services.week_submit(membership=membership_of(workspace, member), week_start=week)
    assert 'id="rejected-weeks"' not in text(member_client.get(f"/w/{workspace.pk}/tracker/"))


def test_grid_page_query_count_is_constant_in_entries(workspace, owner, member, owner_client):
    week = last_week(member)
    entry_on(member, workspace, week, 1, project=ProjectFactory(workspace=workspace))
    approval = services.week_submit(membership=membership_of(workspace, member), week_start=week)

    def twenty_more() -> None:
        client = ClientFactory(workspace=workspace)
        for i in range(20):
            project = ProjectFactory(workspace=workspace, client=client)
            at(member, workspace, week + dt.timedelta(days=i % 7), 1 + i % 20, 0.5, project=project)

    assert_queries_flat(owner_client, url(workspace, f"{approval.pk}/"), twenty_more)


def test_badge_shows_pending_weeks_to_admins(
    workspace, owner, admin, member, owner_client, member_client
):
    week = last_week(member)
    entry_on(member, workspace, week, 2)
    assert 'id="approvals-badge"' not in text(owner_client.get(url(workspace)))
    services.week_submit(membership=membership_of(workspace, member), week_start=week)
    assert 'id="approvals-badge"' in text(owner_client.get(url(workspace)))
    assert 'id="approvals-badge"' not in text(member_client.get(url(workspace)))
