"""Timesheet approvals: every state and transition, locking, role checks, tenancy, time zones,
and that a refused action saves nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from tests.factories import membership_of
from tests.tracking.factories import TimeEntryFactory
from tracking.models import TimeEntry
from tracking.models import WeekApproval
from tracking.services import approvals as services
from tracking.services.entries import time_entry_delete
from tracking.services.entries import time_entry_update
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.errors import PermissionDenied
from workspaces.models import AuditLog
from workspaces.models import Membership

pytestmark = pytest.mark.django_db

WEEK = dt.date(2026, 11, 16)  # a Monday in the past
UTC = dt.UTC
Status = WeekApproval.Status


def at(day: dt.date, hour: int, tz: dt.tzinfo = UTC) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=tz)


def entry(user, workspace, start: dt.datetime, hours: int = 1, **kw) -> TimeEntry:
    return TimeEntryFactory(
        user=user, workspace=workspace, start=start, end=start + dt.timedelta(hours=hours), **kw
    )


@pytest.fixture
def week_entries(workspace, member):
    return [
        entry(member, workspace, at(WEEK, 9), 2),
        entry(member, workspace, at(WEEK + dt.timedelta(days=6), 22), 1),  # Sunday night
    ]


def test_submit_makes_the_week_pending_with_its_total(workspace, member, week_entries):
    approval = services.week_submit(
        membership=membership_of(workspace, member), week_start=WEEK + dt.timedelta(days=3)
    )
    assert approval.status == Status.PENDING
    assert approval.week_start == WEEK  # any day of the week names the week
    assert approval.total_seconds == 3 * 3600
    assert not TimeEntry.objects.filter(is_locked=True).exists()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("empty", "no time entries"),
        ("running", "timer is running"),
        ("future", "not started yet"),
    ],
)
def test_submit_refuses_empty_running_or_future_weeks(workspace, member, setup, message):
    week = WEEK
    if setup == "running":
        entry(member, workspace, at(WEEK, 9))
        TimeEntryFactory(user=member, workspace=workspace, start=at(WEEK, 12), end=None)
    if setup == "future":
        week = dt.date.today() + dt.timedelta(days=14)
        entry(member, workspace, at(week, 9))
    with pytest.raises(ApplicationError, match=message):
        services.week_submit(membership=membership_of(workspace, member), week_start=week)
    assert not WeekApproval.objects.exists()


def test_submitting_twice_is_refused(workspace, member, week_entries):
    services.week_submit(membership=membership_of(workspace, member), week_start=WEEK)
    with pytest.raises(ApplicationError, match="already submitted"):
        services.week_submit(membership=membership_of(workspace, member), week_start=WEEK)
    assert WeekApproval.objects.count() == 1


def test_week_follows_the_members_time_zone_and_week_start(workspace, member):
    member.time_zone = "America/New_York"
    member.week_start = 6  # Sunday
    member.save()
    ny = zoneinfo.ZoneInfo("America/New_York")
    sunday = dt.date(2026, 11, 15)
    inside = entry(member, workspace, at(sunday, 0, ny))  # Sunday 00:00 NY = 05:00 UTC
    before = entry(member, workspace, at(sunday, 4))  # Sunday 04:00 UTC = Saturday 23:00 NY
    approval = services.week_submit(membership=membership_of(workspace, member), week_start=sunday)
    assert approval.week_start == sunday
    assert approval.since == at(sunday, 5)
    assert approval.total_seconds == 3600
    admin_ms = Membership.objects.filter(workspace=workspace, role="OWNER").get()
    services.week_approve(membership=admin_ms, approval_id=approval.pk)
    inside.refresh_from_db()
    before.refresh_from_db()
    assert inside.is_locked and not before.is_locked


def test_withdraw_then_resubmit(workspace, member, week_entries):
    member_ms = membership_of(workspace, member)
    approval = services.week_submit(membership=member_ms, week_start=WEEK)
    withdrawn = services.week_withdraw(membership=member_ms, approval_id=approval.pk)
    assert withdrawn.status == Status.WITHDRAWN
    with pytest.raises(ApplicationError, match="Only a pending week can be withdrawn"):
        services.week_withdraw(membership=member_ms, approval_id=approval.pk)
    again = services.week_submit(membership=member_ms, week_start=WEEK)
    assert again.pk == approval.pk and again.status == Status.PENDING


def test_approve_locks_exactly_the_weeks_entries(workspace, member, admin, week_entries):
    other_week = entry(member, workspace, at(WEEK - dt.timedelta(days=1), 12))
    admins_own = entry(admin, workspace, at(WEEK, 10))
    approval = services.week_submit(membership=membership_of(workspace, member), week_start=WEEK)
    approved = services.week_approve(
        membership=membership_of(workspace, admin), approval_id=approval.pk
    )
    assert approved.status == Status.APPROVED and approved.decided_by == admin
    locked = set(TimeEntry.objects.filter(is_locked=True).values_list("pk", flat=True))
    assert locked == {e.pk for e in week_entries}
    assert other_week.pk not in locked and admins_own.pk not in locked
    with pytest.raises(ApplicationError, match="already approved"):
        services.week_approve(membership=membership_of(workspace, admin), approval_id=approval.pk)
    with pytest.raises(ApplicationError, match="already approved"):
        services.week_submit(membership=membership_of(workspace, member), week_start=WEEK)
    with pytest.raises(ApplicationError, match="Only a pending week"):
        services.week_withdraw(membership=membership_of(workspace, member), approval_id=approval.pk)


def test_approve_with_a_running_timer_saves_nothing(workspace, member, owner, week_entries):
    approval = services.week_submit(membership=membership_of(workspace, member), week_start=WEEK)
    TimeEntryFactory(user=member, workspace=workspace, start=at(WEEK, 15), end=None)
    with pytest.raises(ApplicationError, match="timer is running"):
        services.week_approve(membership=membership_of(workspace, owner), approval_id=approval.pk)
    approval.refresh_from_db()
    assert approval.status == Status.PENDING
    assert not TimeEntry.objects.filter(is_locked=True).exists()


def test_reject_needs_a_note_and_sends_the_week_back(workspace, member, admin, week_entries):
    approval = services.week_submit(membership=membership_of(workspace, member), week_start=WEEK)
    with pytest.raises(ApplicationError, match="Say why"):
        services.week_reject(
            membership=membership_of(workspace, admin), approval_id=approval.pk, note="  "
        )
    approval.refresh_from_db()
    assert approval.status == Status.PENDING
    rejected = services.week_reject(
        membership=membership_of(workspace, admin),
        approval_id=approval.pk,
        note="Split the Monday entry",
    )
    assert rejected.status == Status.REJECTED and rejected.note == "Split the Monday entry"
    resubmitted = services.week_submit(membership=membership_of(workspace, member), week_start=WEEK)
    assert resubmitted.status == Status.PENDING and resubmitted.note == ""


def test_rejecting_an_approved_week_unlocks_it_and_is_audited(
    workspace, member, owner, week_entries
):
    approval = services.week_submit(membership=membership_of(workspace, member), week_start=WEEK)
    services.week_approve(membership=membership_of(workspace, owner), approval_id=approval.pk)
    services.week_reject(
        membership=membership_of(workspace, owner), approval_id=approval.pk, note="Wrong"
    )
    assert not TimeEntry.objects.filter(is_locked=True).exists()
    log = AuditLog.objects.get(event="timesheet.reopened")
    assert log.actor == owner and log.details["note"] == "Wrong"


def test_members_cannot_decide_or_touch_others_submissions(workspace, member, admin, owner):
    entry(admin, workspace, at(WEEK, 9))
    approval = services.week_submit(membership=membership_of(workspace, admin), week_start=WEEK)
    member_ms = membership_of(workspace, member)
    with pytest.raises(PermissionDenied):
        services.week_approve(membership=member_ms, approval_id=approval.pk)
    with pytest.raises(PermissionDenied):
        services.week_reject(membership=member_ms, approval_id=approval.pk, note="no")
    with pytest.raises(NotFound):
        services.week_withdraw(membership=member_ms, approval_id=approval.pk)
    approval.refresh_from_db()
    assert approval.status == Status.PENDING


def test_another_workspaces_submission_is_not_found(workspace, owner, outsider, other_workspace):
    entry(outsider, other_workspace, at(WEEK, 9))
    theirs = services.week_submit(
        membership=membership_of(other_workspace, outsider), week_start=WEEK
    )
    with pytest.raises(NotFound):
        services.week_approve(membership=membership_of(workspace, owner), approval_id=theirs.pk)
    with pytest.raises(NotFound):
        services.week_reject(
            membership=membership_of(workspace, owner), approval_id=theirs.pk, note="x"
        )
    theirs.refresh_from_db()
    assert theirs.status == Status.PENDING


def test_locked_entries_members_cannot_admins_can_and_it_is_recorded(
    workspace, member, admin, week_entries
):
    approval = services.week_submit(membership=membership_of(workspace, member), week_start=WEEK)
    services.week_approve(membership=membership_of(workspace, admin), approval_id=approval.pk)
    locked = TimeEntry.objects.get(pk=week_entries[0].pk)
    with pytest.raises(PermissionDenied, match="locked"):
        time_entry_update(
            membership=membership_of(workspace, member), entry=locked, description="sneaky"
        )
    with pytest.raises(PermissionDenied, match="locked"):
        time_entry_delete(membership=membership_of(workspace, member), entry=locked)
    assert not AuditLog.objects.filter(event__startswith="time_entry.locked").exists()

    time_entry_update(membership=membership_of(workspace, admin), entry=locked, description="Fixed")
    log = AuditLog.objects.get(event="time_entry.locked_edit")
    assert log.actor == admin and log.target == locked.pk
    assert log.details == {"user": member.pk, "fields": ["description"]}
    time_entry_delete(
        membership=membership_of(workspace, admin),
        entry=TimeEntry.objects.get(pk=week_entries[1].pk),
    )
    assert AuditLog.objects.filter(event="time_entry.locked_delete").count() == 1


def test_saving_a_locked_entry_unchanged_is_not_an_edit(workspace, member, admin, week_entries):
    """Forms post every field; a save that changes nothing is neither audited nor a change
    (updated_at stays, so "changed since sent to QuickBooks" stays false)."""
    approval = services.week_submit(membership=membership_of(workspace, member), week_start=WEEK)
    services.week_approve(membership=membership_of(workspace, admin), approval_id=approval.pk)
    locked = TimeEntry.objects.get(pk=week_entries[0].pk)
    before = locked.updated_at
    time_entry_update(
        membership=membership_of(workspace, admin),
        entry=locked,
        description=locked.description,
        billable=locked.billable,
        start=locked.start,
        end=locked.end,
    )
    assert not AuditLog.objects.filter(event="time_entry.locked_edit").exists()
    assert TimeEntry.objects.get(pk=locked.pk).updated_at == before


def test_admin_edit_of_an_unlocked_entry_is_not_audited(workspace, member, admin):
    unlocked = entry(member, workspace, at(WEEK, 9))
    time_entry_update(
        membership=membership_of(workspace, admin), entry=unlocked, description="Fine"
    )
    assert not AuditLog.objects.filter(event__startswith="time_entry.locked").exists()


def test_an_approved_week_is_closed_to_new_time_from_the_member(
    workspace, member, admin, week_entries
):
    from tracking.services.entries import time_entry_create
    from tracking.services.entries import timer_start

    approval = services.week_submit(membership=membership_of(workspace, member), week_start=WEEK)
    services.week_approve(membership=membership_of(workspace, admin), approval_id=approval.pk)
    member_ms = membership_of(workspace, member)
    before = TimeEntry.objects.count()
    with pytest.raises(PermissionDenied, match="approved and closed"):
        time_entry_create(membership=member_ms, start=at(WEEK, 14), duration_seconds=600)
    with pytest.raises(PermissionDenied, match="approved and closed"):
        timer_start(membership=member_ms, start=at(WEEK, 14))
    outside = entry(member, workspace, at(WEEK + dt.timedelta(days=7), 9))
    with pytest.raises(PermissionDenied, match="approved and closed"):
        time_entry_update(membership=member_ms, entry=outside, start=at(WEEK, 20))
    assert TimeEntry.objects.count() == before + 1
    outside.refresh_from_db()
    assert outside.start == at(WEEK + dt.timedelta(days=7), 9)
    # The week after is open; an admin may still add to the closed week.
    time_entry_create(
        membership=member_ms, start=at(WEEK + dt.timedelta(days=8), 9), duration_seconds=600
    )
    time_entry_create(
        membership=membership_of(workspace, admin),
        user=member,
        start=at(WEEK, 14),
        duration_seconds=600,
    )
    # Rejecting reopens it.
    services.week_reject(
        membership=membership_of(workspace, admin), approval_id=approval.pk, note="Reopen"
    )
    time_entry_create(membership=member_ms, start=at(WEEK, 16), duration_seconds=600)
