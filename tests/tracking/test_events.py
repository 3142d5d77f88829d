"""Entry services announce each change after commit: the hooks webhooks will subscribe to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.tracking.factories import ProjectFactory
from tracking.events import TimeEntryEvent, time_entry_event
from tracking.services import entries
from workspaces.errors import ApplicationError
from workspaces.models import Membership


@pytest.fixture
def received():
    events: list[dict] = []

    def receiver(sender, signal, **kwargs):
        events.append(kwargs)

    time_entry_event.connect(receiver, weak=False)
    yield events
    time_entry_event.disconnect(receiver)


def test_each_change_is_announced_once_committed(
    workspace, member, admin, received, django_capture_on_commit_callbacks
):
    membership = Membership.objects.get(user=member, workspace=workspace)
    admin_membership = Membership.objects.get(user=admin, workspace=workspace)
    project = ProjectFactory(workspace=workspace)

    with django_capture_on_commit_callbacks(execute=True):
        timer = entries.timer_start(membership=membership, project_id=project.pk)
    assert received == [
        {
            "event": TimeEntryEvent.TIMER_STARTED,
            "workspace_id": workspace.pk,
            "entry_id": timer.pk,
            "user_id": member.pk,
            "actor_id": member.pk,
        }
    ]
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        entries.timer_stop(membership=membership)
        start = timezone.now() - dt.timedelta(hours=3)
        manual = entries.time_entry_create(
            membership=admin_membership,
            user=member,
            start=start,
            end=start + dt.timedelta(hours=1),
        )
        manual_id = manual.pk  # Django clears pk on delete
        entries.time_entry_update(membership=membership, entry=manual, description="Edited")
        entries.time_entry_delete(membership=membership, entry=manual)
    assert [(e["event"], e["entry_id"], e["actor_id"]) for e in received] == [
        (TimeEntryEvent.TIMER_STOPPED, timer.pk, member.pk),
        (TimeEntryEvent.CREATED, manual_id, admin.pk),
        (TimeEntryEvent.UPDATED, manual_id, member.pk),
        (TimeEntryEvent.DELETED, manual_id, member.pk),
    ]
    assert {e["user_id"] for e in received} == {member.pk}


def test_a_refused_change_announces_nothing(
    workspace, member, received, django_capture_on_commit_callbacks
):
    membership = Membership.objects.get(user=member, workspace=workspace)
    start = timezone.now() - dt.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError):
        entries.time_entry_create(membership=membership, start=start, end=start)
    assert received == []
