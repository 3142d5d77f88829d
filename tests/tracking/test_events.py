"""Entry services announce each change after commit: the hooks webhooks will subscribe to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.tracking.factories import ProjectFactory
from tracking.events import TimeEntryEvent
from tracking.events import time_entry_event
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


def test_changes_are_announced_inside_their_transaction_with_the_object(workspace, owner):
    """tracking_changed is the outbox's hook: sent before commit (a rollback takes what its
    receivers wrote away), a delete while the row and its tags still exist."""
    from django.db import connection
    from django.db import transaction

    from tests.tracking.factories import TagFactory
    from tracking.events import TrackingEvent
    from tracking.events import tracking_changed
    from tracking.models import TimeEntryTag
    from tracking.services import catalog

    seen: list[tuple] = []

    def receiver(sender, *, event, workspace_id, actor_id, instance, **kwargs):
        tags = list(TimeEntryTag.objects.filter(time_entry_id=instance.pk))
        seen.append((event, instance.pk, connection.in_atomic_block, len(tags)))

    tracking_changed.connect(receiver, weak=False)
    try:
        actor = Membership.objects.get(user=owner, workspace=workspace)
        tag = TagFactory(workspace=workspace)
        start = timezone.now() - dt.timedelta(hours=2)
        entry = entries.time_entry_create(
            membership=actor, start=start, end=start + dt.timedelta(hours=1), tag_ids=[tag.pk]
        )
        entry_id = entry.pk
        entries.time_entry_delete(membership=actor, entry=entry)
        with pytest.raises(RuntimeError), transaction.atomic():
            project = catalog.project_create(actor=actor, name="Rolled back")
            raise RuntimeError
    finally:
        tracking_changed.disconnect(receiver)
    assert seen == [
        (TrackingEvent.NEW_TIME_ENTRY, entry_id, True, 1),
        (TrackingEvent.TIME_ENTRY_DELETED, entry_id, True, 1),
        (TrackingEvent.NEW_PROJECT, project.pk, True, 0),
    ]
