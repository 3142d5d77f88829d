"""Timesheet approvals: a member submits a week, an admin approves or rejects it.

States of a member's week: not submitted (no row, or WITHDRAWN/REJECTED) -> PENDING (submitted)
-> APPROVED (its entries are locked) or REJECTED (with a note; entries unlocked). A member may
withdraw a pending week and submit it again; a rejected week can be corrected and resubmitted.

Rules decided here where the issue was silent:
- Anyone with a membership submits their own weeks only; the owner and admins decide on anyone's,
  their own included (someone has to approve the owner's time).
- A week that has not started yet, is empty, or holds a running timer can't be submitted.
- An approved week can be rejected afterwards (reopened, with a note): its entries unlock.
- Approving locks every entry of the member in the week, also ones added while it was pending.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models import Sum
from django.utils import timezone

from tracking.events import TrackingEvent
from tracking.events import tracking_change_record
from tracking.models import TimeEntry
from tracking.models import WeekApproval
from tracking.selectors.entries import local_midnight
from tracking.selectors.entries import local_today
from tracking.time_rules import week_start_checked
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.errors import PermissionDenied
from workspaces.models import Membership
from workspaces.services import audit_log_record
from workspaces.text import text_strip_controls

MAX_NOTE_LENGTH = 2000
Status = WeekApproval.Status


def _week_entries(approval: WeekApproval) -> QuerySet[TimeEntry]:
    return TimeEntry.objects.filter(
        workspace_id=approval.workspace_id,
        user_id=approval.user_id,
        start__gte=approval.since,
        start__lt=approval.until,
    )


def _state(approval: WeekApproval) -> str:
    return str(approval.get_status_display()).lower()


def _check_note_length(note: str) -> None:
    if len(note) > MAX_NOTE_LENGTH:
        raise ApplicationError(
            f"The note is {len(note)} characters long; {MAX_NOTE_LENGTH} at most.", field="note"
        )


def _announce(event: TrackingEvent, membership: Membership, approval: WeekApproval) -> WeekApproval:
    """Tell tracking's event hook (webhooks), inside this transaction."""
    tracking_change_record(
        event=event,
        workspace_id=membership.workspace_id,
        actor_id=membership.user_id,
        instance=approval,
    )
    return approval


def _locked_row(membership: Membership, approval_id: str) -> WeekApproval:
    approval = (
        WeekApproval.objects.select_for_update()
        .filter(workspace_id=membership.workspace_id, pk=approval_id)
        .first()
    )
    if approval is None:
        raise NotFound("Submission not found.")
    return approval


@transaction.atomic
def week_submit(*, membership: Membership, week_start: dt.date, note: str = "") -> WeekApproval:
    """Submit the acting member's week holding `week_start` (their calendar) for approval,
    with a `note` for the approver (optional)."""
    note = (note or "").strip()
    _check_note_length(note)
    user = membership.user
    first = week_start_checked(week_start, user.week_start)
    if first > local_today(user):
        raise ApplicationError("This week has not started yet.", field="week")
    since = local_midnight(user, first).astimezone(dt.UTC)
    until = local_midnight(user, first + dt.timedelta(days=7)).astimezone(dt.UTC)
    entries = TimeEntry.objects.select_for_update().filter(
        workspace_id=membership.workspace_id, user=user, start__gte=since, start__lt=until
    )
    rows = list(entries.values_list("end", "duration_seconds"))
    if not rows:
        raise ApplicationError("This week has no time entries to submit.", field="week")
    if any(end is None for end, _ in rows):
        raise ApplicationError(
            "A timer is running in this week; stop it before submitting.", field="week"
        )
    total = sum(seconds or 0 for _, seconds in rows)
    approval = (
        WeekApproval.objects.select_for_update()
        .filter(workspace_id=membership.workspace_id, user=user, week_start=first)
        .first()
    )
    if approval is not None and approval.status == Status.PENDING:
        raise ApplicationError("This week is already submitted and waiting for approval.")
    if approval is not None and approval.status == Status.APPROVED:
        raise ApplicationError("This week is already approved.")
    now = timezone.now()
    if approval is None:
        approval = WeekApproval(workspace_id=membership.workspace_id, user=user, week_start=first)
    approval.since, approval.until = since, until
    approval.status = Status.PENDING
    approval.total_seconds = total
    approval.note = ""
    approval.member_note = note
    approval.submitted_at = now
    approval.decided_at = None
    approval.decided_by = None
    try:
        with transaction.atomic():
            approval.save()
    except IntegrityError:  # a double-click's twin got there first
        raise ApplicationError("This week is already submitted and waiting for approval.") from None
    return _announce(TrackingEvent.NEW_APPROVAL_REQUEST, membership, approval)


@transaction.atomic
def week_withdraw(*, membership: Membership, approval_id: str) -> WeekApproval:
    """The member takes back their pending week (to change it); its entries stay unlocked."""
    approval = _locked_row(membership, approval_id)
    if approval.user_id != membership.user_id:
        raise NotFound("Submission not found.")
    if approval.status != Status.PENDING:
        raise ApplicationError(
            f"Only a pending week can be withdrawn; this one is {_state(approval)}."
        )
    approval.status = Status.WITHDRAWN
    approval.save(update_fields=["status"])
    _week_entries(approval).update(is_locked=False)
    return _announce(TrackingEvent.APPROVAL_REQUEST_STATUS_UPDATED, membership, approval)


@transaction.atomic
def week_approve(*, membership: Membership, approval_id: str) -> WeekApproval:
    """Approve a pending week: its entries lock for the member."""
    if not membership.is_admin:
        raise PermissionDenied("Only a workspace admin or owner can approve timesheets.")
    approval = _locked_row(membership, approval_id)
    if approval.status == Status.APPROVED:
        raise ApplicationError("This week is already approved.")
    if approval.status != Status.PENDING:
        raise ApplicationError(
            f"Only a pending week can be approved; this one is {_state(approval)}."
        )
    entries = _week_entries(approval)
    if entries.filter(end__isnull=True).exists():
        raise ApplicationError("A timer is running in this week; it can't be approved yet.")
    approval.status = Status.APPROVED
    approval.total_seconds = entries.aggregate(total=Sum("duration_seconds"))["total"] or 0
    approval.decided_at = timezone.now()
    approval.decided_by = membership.user
    approval.note = ""
    approval.save(update_fields=["status", "total_seconds", "decided_at", "decided_by", "note"])
    entries.update(is_locked=True)
    return _announce(TrackingEvent.APPROVAL_REQUEST_STATUS_UPDATED, membership, approval)


@transaction.atomic
def week_reject(*, membership: Membership, approval_id: str, note: str) -> WeekApproval:
    """Send a pending (or reopen an approved) week back to the member with a note."""
    if not membership.is_admin:
        raise PermissionDenied("Only a workspace admin or owner can reject timesheets.")
    note = text_strip_controls(note or "", multiline=True).strip()
    if not note:
        raise ApplicationError("Say why the week is rejected.", field="note")
    _check_note_length(note)
    approval = _locked_row(membership, approval_id)
    if approval.status not in (Status.PENDING, Status.APPROVED):
        raise ApplicationError(
            f"Only a pending or approved week can be rejected; this one is {_state(approval)}."
        )
    was_approved = approval.status == Status.APPROVED
    approval.status = Status.REJECTED
    approval.note = note
    approval.decided_at = timezone.now()
    approval.decided_by = membership.user
    approval.save(update_fields=["status", "note", "decided_at", "decided_by"])
    _week_entries(approval).update(is_locked=False)
    if was_approved:
        audit_log_record(
            workspace=membership.workspace,
            actor=membership.user,
            event="timesheet.reopened",
            target=f"{approval.user_id} {approval.week_start.isoformat()}",
            details={"approval": approval.pk, "note": note},
        )
    return _announce(TrackingEvent.APPROVAL_REQUEST_STATUS_UPDATED, membership, approval)


def week_lock_check(*, membership: Membership, user_id: str, start: dt.datetime) -> None:
    """Refuse a member adding time to, moving time into, or changing time in one of their
    submitted weeks: a pending week is locked while it waits (as in Clockify, so the approver's
    total can't change under them; withdrawing unlocks it), an approved one is closed (an admin
    reopens it by rejecting it). Admins may, as with locked entries."""
    if membership.is_admin:
        return
    status = (
        WeekApproval.objects.filter(
            workspace_id=membership.workspace_id,
            user_id=user_id,
            status__in=(Status.APPROVED, Status.PENDING),
            since__lte=start,
            until__gt=start,
        )
        .values_list("status", flat=True)
        .first()
    )
    if status == Status.APPROVED:
        raise PermissionDenied(
            "This week is approved and closed; ask an admin to reopen it.", field="start"
        )
    if status == Status.PENDING:
        raise PermissionDenied(
            "This week is submitted and waiting for approval; withdraw it to change it.",
            field="start",
        )


def locked_entry_edit_record(
    *, membership: Membership, entry: TimeEntry, action: str, fields: list[str]
) -> None:
    """Audit an admin's change to a locked (approved) entry; called by the entry services."""
    if not entry.is_locked or not membership.is_admin:
        return
    audit_log_record(
        workspace=membership.workspace,
        actor=membership.user,
        event=f"time_entry.locked_{action}",
        target=str(entry.pk),
        details={"user": entry.user_id, "fields": sorted(fields)},
    )
