"""Approvals pages: a member's weeks, submitting and withdrawing, the admins' queue, one
submission, approving and rejecting with a note; roles, tenancy and the locked-entry warning."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import membership_of
from tests.query_counts import assert_queries_flat
from tests.tracking.factories import entry_on
from tracking.models import TimeEntry
from tracking.models import WeekApproval
from tracking.selectors.entries import local_today
from tracking.selectors.entries import week_start_for
from tracking.services import approvals as services
from workspaces.models import AuditLog
from workspaces.models import Membership

pytestmark = pytest.mark.django_db

Status = WeekApproval.Status


def last_week(user) -> dt.date:
    return week_start_for(user, local_today(user)) - dt.timedelta(days=7)


def url(workspace, tail: str = "") -> str:
    return f"/w/{workspace.pk}/approvals/{tail}"


def text(response) -> str:
    return response.content.decode()


def test_member_submits_last_week_and_sees_it_pending(workspace, member, member_client):
    week = last_week(member)
    entry_on(member, workspace, week, 2, description="Design review")
    page = text(member_client.get(url(workspace)))
    assert "Not submitted" in page and "2:00" in page
    response = member_client.post(
        url(workspace, "submit/"), {"week": week.isoformat()}, follow=True
    )
    assert "submitted for approval" in text(response)
    approval = WeekApproval.objects.get()
    assert approval.user == member and approval.status == Status.PENDING
    assert "Pending" in text(response) and "Withdraw" in text(response)


def test_submitting_an_empty_week_says_so_and_saves_nothing(workspace, member, member_client):
    response = member_client.post(
        url(workspace, "submit/"), {"week": last_week(member).isoformat()}, follow=True
    )
    assert "no time entries" in text(response)
    assert not WeekApproval.objects.exists()
    bad = member_client.post(url(workspace, "submit/"), {"week": "soon"}, follow=True)
    assert "Choose a week" in text(bad)


def test_withdraw_and_resubmit_through_the_pages(workspace, member, member_client):
    week = last_week(member)
    entry_on(member, workspace, week)
    member_client.post(url(workspace, "submit/"), {"week": week.isoformat()})
    approval = WeekApproval.objects.get()
    page = text(member_client.post(url(workspace, f"{approval.pk}/withdraw/"), follow=True))
    assert "withdrawn" in page and "Submit" in page
    member_client.post(url(workspace, "submit/"), {"week": week.isoformat()})
    approval.refresh_from_db()
    assert approval.status == Status.PENDING


@pytest.fixture
def submitted(workspace, member):
    week = last_week(member)
    entries = [entry_on(member, workspace, week, 3, description="Client workshop")]
    entries.append(entry_on(member, workspace, week + dt.timedelta(days=1), 1, description="Notes"))
    return services.week_submit(
        membership=membership_of(workspace, member), week_start=week
    ), entries


def test_admin_sees_pending_opens_and_approves(workspace, admin_client_, submitted):
    approval, entries = submitted
    queue = text(admin_client_.get(url(workspace, "pending/")))
    assert "Mia Member" in queue and "4:00" in queue
    detail = text(admin_client_.get(url(workspace, f"{approval.pk}/")))
    assert "Client workshop" in detail and "Notes" in detail and "Approve" in detail
    response = admin_client_.post(url(workspace, f"{approval.pk}/approve/"), follow=True)
    assert "approved" in text(response) and "No submissions are waiting" in text(response)
    assert all(TimeEntry.objects.get(pk=e.pk).is_locked for e in entries)
    again = admin_client_.post(url(workspace, f"{approval.pk}/approve/"), follow=True)
    assert "already approved" in text(again)


def test_reject_needs_a_note_and_the_member_reads_it(
    workspace, admin_client_, member_client, submitted
):
    approval, _ = submitted
    empty = admin_client_.post(url(workspace, f"{approval.pk}/reject/"), {"note": ""}, follow=True)
    assert "Say why" in text(empty)
    approval.refresh_from_db()
    assert approval.status == Status.PENDING
    admin_client_.post(url(workspace, f"{approval.pk}/reject/"), {"note": "Add the ticket number"})
    approval.refresh_from_db()
    assert approval.status == Status.REJECTED
    mine = text(member_client.get(url(workspace)))
    assert "Rejected" in mine and "Add the ticket number" in mine and "Resubmit" in mine


def test_members_cannot_reach_the_queue_or_decide(workspace, member_client, submitted):
    approval, _ = submitted
    assert member_client.get(url(workspace, "pending/")).status_code == 403
    assert member_client.post(url(workspace, f"{approval.pk}/approve/")).status_code == 403
    assert (
        member_client.post(url(workspace, f"{approval.pk}/reject/"), {"note": "x"}).status_code
        == 403
    )
    approval.refresh_from_db()
    assert approval.status == Status.PENDING
    # Their own submission they may open, without the decision buttons.
    detail = text(member_client.get(url(workspace, f"{approval.pk}/")))
    assert "Client workshop" in detail and "Approve" not in detail


def test_a_member_cannot_open_or_withdraw_anothers_submission(workspace, admin, member_client):
    entry_on(admin, workspace, last_week(admin))
    theirs = services.week_submit(
        membership=membership_of(workspace, admin), week_start=last_week(admin)
    )
    assert member_client.get(url(workspace, f"{theirs.pk}/")).status_code == 404
    assert member_client.post(url(workspace, f"{theirs.pk}/withdraw/")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.PENDING


def test_outsiders_get_404_everywhere(
    workspace, outsider_client, owner_client, other_workspace, outsider, submitted
):
    approval, _ = submitted
    for path in ["", "pending/", f"{approval.pk}/"]:
        assert outsider_client.get(url(workspace, path)).status_code == 404
    assert outsider_client.post(url(workspace, f"{approval.pk}/approve/")).status_code == 404
    # An admin of this workspace can't reach a submission of another workspace through it.
    entry_on(outsider, other_workspace, last_week(outsider))
    foreign = services.week_submit(
        membership=membership_of(other_workspace, outsider), week_start=last_week(outsider)
    )
    assert owner_client.get(url(workspace, f"{foreign.pk}/")).status_code == 404
    assert owner_client.post(url(workspace, f"{foreign.pk}/approve/")).status_code == 404
    assert owner_client.get(url(workspace, "not-an-id/")).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.PENDING


def test_pending_page_queries_do_not_grow_with_submissions(workspace, owner, admin_client_):
    def submit_one(n: int) -> None:
        user = Membership.objects.create(
            workspace=workspace,
            user=type(owner).objects.create(email=f"p{n}@example.com", full_name=f"P {n}"),
            role=Membership.Role.MEMBER,
        ).user
        entry_on(user, workspace, last_week(user))
        services.week_submit(membership=membership_of(workspace, user), week_start=last_week(user))

    def submit_four_more() -> None:
        for n in range(2, 6):
            submit_one(n)

    submit_one(1)
    assert_queries_flat(admin_client_, url(workspace, "pending/"), submit_four_more)


def test_admin_editing_a_locked_entry_is_warned_and_recorded(
    workspace, owner, admin_client_, member_client, submitted
):
    approval, entries = submitted
    services.week_approve(membership=membership_of(workspace, owner), approval_id=approval.pk)
    edit = f"/w/{workspace.pk}/tracker/entries/{entries[0].pk}/edit/"
    assert "recorded in the audit log" in text(admin_client_.get(edit))
    assert "recorded in the audit log" in text(
        admin_client_.get(f"/w/{workspace.pk}/reports/detailed/entries/{entries[0].pk}/edit/")
    )
    form = {
        "description": "Corrected by admin",
        "project_task": "",
        "billable": "",
        "date": entries[0].start.date().isoformat(),
        "start_time": "09:00",
        "end_date": entries[0].start.date().isoformat(),
        "end_time": "12:00",
    }
    admin_client_.post(edit, form)
    assert TimeEntry.objects.get(pk=entries[0].pk).description == "Corrected by admin"
    assert AuditLog.objects.filter(event="time_entry.locked_edit", target=entries[0].pk).exists()
    # The member is refused and nothing changes.
    member_client.post(edit, {**form, "description": "Member change"})
    assert TimeEntry.objects.get(pk=entries[0].pk).description == "Corrected by admin"
