"""Approval reminders by e-mail (Django's mail settings), sent by the periodic task
tracking.tasks.approval_reminders_send once a day is the workspace's reminder day
(Workspace.reminder_weekday, from REMINDER_HOUR in the workspace's time zone):

- to each active member whose last week (their calendar) has finished time and is neither
  waiting for approval nor approved (Workspace.remind_members_to_submit);
- to the owner and admins while weeks wait for approval (Workspace.remind_approvers).

Each reminder is recorded (ApprovalReminder: person, week, kind) before its mail goes, so
running the task twice, or every hour, sends it once.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tracking.models import ApprovalReminder
from tracking.models import TimeEntry
from tracking.models import WeekApproval
from tracking.selectors.entries import local_midnight
from tracking.selectors.entries import local_today
from tracking.selectors.entries import week_start_for
from workspaces.models import Membership
from workspaces.models import Workspace

log = logging.getLogger(__name__)
REMINDER_HOUR = 8  # local time from which the reminder day's mails go
Kind = ApprovalReminder.Kind


def _workspace_now(workspace: Workspace, now: dt.datetime) -> dt.datetime:
    try:
        zone = zoneinfo.ZoneInfo(workspace.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return now.astimezone(zone)


def _record(workspace: Workspace, user_id: str, week: dt.date, kind: str) -> bool:
    """Record the reminder; False when it was already sent (the unique constraint says so)."""
    try:
        with transaction.atomic():
            ApprovalReminder.objects.create(
                workspace=workspace, user_id=user_id, week_start=week, kind=kind
            )
    except IntegrityError:
        return False
    return True


def _remind_once(
    workspace: Workspace,
    member: Membership,
    week: dt.date,
    kind: str,
    subject: str,
    template: str,
    **context: object,
) -> int:
    """Mail `member` this reminder unless it was already sent (recorded) for `week`: 1 when
    mailed, 0 when not. The template gets `user`, `workspace` and `context`."""
    if not _record(workspace, member.user_id, week, kind):
        return 0
    send_mail(
        subject=subject,
        message=render_to_string(
            template, {"user": member.user, "workspace": workspace, **context}
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[member.user.email],
    )
    return 1


def _approvals_url(workspace: Workspace, name: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs={"ws": workspace.pk})


def _remind_members(workspace: Workspace) -> int:
    """Members whose last week has finished time and is not pending or approved."""
    members = list(
        Membership.objects.filter(workspace=workspace, status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("user__email")
    )
    if not members:
        return 0
    weeks: dict[str, tuple[dt.date, dt.datetime, dt.datetime]] = {}
    for m in members:
        user = m.user
        first = week_start_for(user, local_today(user)) - dt.timedelta(days=7)
        weeks[m.user_id] = (
            first,
            local_midnight(user, first),
            local_midnight(user, first + dt.timedelta(days=7)),
        )
    since = min(w[1] for w in weeks.values())
    until = max(w[2] for w in weeks.values())
    tracked: set[str] = set()
    for user_id, start in TimeEntry.objects.filter(
        workspace=workspace, end__isnull=False, start__gte=since, start__lt=until
    ).values_list("user_id", "start"):
        window = weeks.get(user_id)
        if window is not None and window[1] <= start < window[2]:
            tracked.add(user_id)
    done = set(
        WeekApproval.objects.filter(
            Q(status=WeekApproval.Status.PENDING) | Q(status=WeekApproval.Status.APPROVED),
            workspace=workspace,
            user_id__in=tracked,
            week_start__in={weeks[u][0] for u in tracked},
        ).values_list("user_id", "week_start")
    )
    sent = 0
    url = _approvals_url(workspace, "tracking:approvals")
    for m in members:
        first = weeks[m.user_id][0]
        if m.user_id not in tracked or (m.user_id, first) in done:
            continue
        sent += _remind_once(
            workspace,
            m,
            first,
            Kind.SUBMIT,
            f"Submit your week of {first:%b} {first.day} for approval",
            "tracking/email/reminder_submit.txt",
            week_start=first,
            url=url,
        )
    return sent


def _remind_approvers(workspace: Workspace, today: dt.date) -> int:
    pending = WeekApproval.objects.filter(
        workspace=workspace, status=WeekApproval.Status.PENDING
    ).count()
    if not pending:
        return 0
    approvers = Membership.objects.filter(
        workspace=workspace,
        status=Membership.Status.ACTIVE,
        role__in=[Membership.Role.OWNER, Membership.Role.ADMIN],
    ).select_related("user")
    sent = 0
    url = _approvals_url(workspace, "tracking:approvals_pending")
    for m in approvers:
        sent += _remind_once(
            workspace,
            m,
            today,
            Kind.REVIEW,
            f"{pending} week{'s' if pending != 1 else ''} waiting for your approval",
            "tracking/email/reminder_review.txt",
            pending=pending,
            url=url,
        )
    return sent


def approval_reminders_send() -> int:
    """Send the reminders due now in every workspace (see the module); the number of mails."""
    now = timezone.now()
    sent = 0
    workspaces = Workspace.objects.filter(
        Q(remind_members_to_submit=True) | Q(remind_approvers=True)
    ).order_by("pk")
    for workspace in workspaces:
        local = _workspace_now(workspace, now)
        if local.weekday() != workspace.reminder_weekday or local.hour < REMINDER_HOUR:
            continue
        try:
            if workspace.remind_members_to_submit:
                sent += _remind_members(workspace)
            if workspace.remind_approvers:
                sent += _remind_approvers(workspace, local.date())
        except Exception:  # one workspace's broken mail must not stop the others'
            log.exception("Approval reminders failed for workspace %s", workspace.pk)
    return sent
