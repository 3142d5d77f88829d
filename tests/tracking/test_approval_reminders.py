"""Approval reminders by e-mail: on the workspace's day, to members whose last week has time
and is not submitted, and to the owner and admins while weeks wait; once each however often
the periodic task runs; both can be turned off (Settings > Approvals, audited)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from tests.factories import membership_of
from tests.tracking.factories import entry_on
from tracking.models import ApprovalReminder
from tracking.services import approvals
from tracking.services.reminders import approval_reminders_send
from workspaces.models import AuditLog

pytestmark = pytest.mark.django_db

MONDAY_9 = dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.UTC)  # last week: Mar 9 - 15
LAST_WEEK = dt.date(2026, 3, 9)


@pytest.fixture
def week(workspace, owner, admin, member):
    entry_on(member, workspace, LAST_WEEK, hours=2)  # not submitted: reminded
    entry_on(admin, workspace, LAST_WEEK, hours=2)
    with time_machine.travel(dt.datetime(2026, 3, 15, 18, tzinfo=dt.UTC), tick=False):
        approvals.week_submit(membership=membership_of(workspace, admin), week_start=LAST_WEEK)
    # The owner tracked nothing last week: nothing to submit.


def sent_to():
    return sorted((m.to[0], m.subject) for m in mail.outbox)


def test_reminders_go_on_the_day_once(workspace, owner, admin, member, week):
    with time_machine.travel(MONDAY_9, tick=False):
        assert approval_reminders_send() == 3
        assert sent_to() == [
            ("admin@example.com", "1 week waiting for your approval"),
            ("member@example.com", "Submit your week of Mar 9 for approval"),
            ("owner@example.com", "1 week waiting for your approval"),
        ]
        body = next(m.body for m in mail.outbox if m.to == ["member@example.com"])
        assert f"{settings.SITE_URL.rstrip('/')}/w/{workspace.pk}/approvals/" in body
        assert approval_reminders_send() == 0  # the hourly run after: nothing again
    assert ApprovalReminder.objects.count() == 3
    with time_machine.travel(MONDAY_9 + dt.timedelta(days=1), tick=False):
        assert approval_reminders_send() == 0


def test_not_before_the_morning_nor_on_another_day(workspace, owner, admin, member, week):
    with time_machine.travel(MONDAY_9.replace(hour=7), tick=False):
        assert approval_reminders_send() == 0
    workspace.reminder_weekday = 2  # Wednesday
    workspace.save()
    with time_machine.travel(MONDAY_9, tick=False):
        assert approval_reminders_send() == 0
    with time_machine.travel(MONDAY_9 + dt.timedelta(days=2), tick=False):
        assert approval_reminders_send() == 3


def test_each_kind_can_be_turned_off(workspace, owner, admin, member, week):
    workspace.remind_approvers = False
    workspace.save()
    with time_machine.travel(MONDAY_9, tick=False):
        assert approval_reminders_send() == 1
    assert sent_to() == [("member@example.com", "Submit your week of Mar 9 for approval")]
    workspace.remind_approvers = True
    workspace.remind_members_to_submit = False
    workspace.save()
    mail.outbox.clear()
    with time_machine.travel(MONDAY_9, tick=False):
        assert approval_reminders_send() == 2
    assert {to for to, _ in sent_to()} == {"owner@example.com", "admin@example.com"}


def test_settings_page_turns_them_off_audited_and_admins_only(
    workspace, owner, owner_client, member_client
):
    url = f"/w/{workspace.pk}/settings/approvals/"
    assert member_client.get(url).status_code == 403
    page = owner_client.get(url).content.decode()
    assert "Remind members who have not submitted last week" in page
    response = owner_client.post(url, {"reminder_weekday": "4", "remind_approvers": "on"})
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert (
        workspace.remind_members_to_submit,
        workspace.remind_approvers,
        workspace.reminder_weekday,
    ) == (False, True, 4)
    log = AuditLog.objects.get(event="workspace.approval_reminders_changed")
    assert log.details["to"]["reminder_weekday"] == 4
    response = owner_client.post(url, {"reminder_weekday": "9"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.reminder_weekday == 4


def test_the_beat_schedule_names_the_task():
    from timetracker.celery import app

    app.loader.import_default_modules()
    name = settings.CELERY_BEAT_SCHEDULE["approval-reminders"]["task"]
    assert name in app.tasks
