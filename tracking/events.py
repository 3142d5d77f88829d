"""Domain events of the time domain: the extension point other apps (webhooks) plug into
without tracking importing them, as `tracking.notices` is for entry notices.

Two hooks:

- `tracking_changed` is sent *inside* the transaction of a change, before it commits (and, for
  a delete, while the row still exists): a receiver may write rows in the same transaction, so
  an outbox row is saved with the change or not at all (a rollback takes both away). Receivers
  get `event` (a TrackingEvent), `workspace_id`, `actor_id` (the user who acted) and `instance`
  (the TimeEntry, Project, Client, Task, Tag or WeekApproval). They must be quick: they run in
  the request.
- `time_entry_event` is sent once the transaction commits (at once outside one), for time
  entries only, with ids: receivers must not assume the entry still exists.

Event names are Clockify's webhook events.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.db import transaction
from django.dispatch import Signal


class TrackingEvent(StrEnum):
    NEW_TIME_ENTRY = "NEW_TIME_ENTRY"
    NEW_TIMER_STARTED = "NEW_TIMER_STARTED"
    TIMER_STOPPED = "TIMER_STOPPED"
    TIME_ENTRY_UPDATED = "TIME_ENTRY_UPDATED"
    TIME_ENTRY_DELETED = "TIME_ENTRY_DELETED"
    NEW_PROJECT = "NEW_PROJECT"
    PROJECT_UPDATED = "PROJECT_UPDATED"
    PROJECT_DELETED = "PROJECT_DELETED"
    NEW_CLIENT = "NEW_CLIENT"
    CLIENT_UPDATED = "CLIENT_UPDATED"
    CLIENT_DELETED = "CLIENT_DELETED"
    NEW_TASK = "NEW_TASK"
    TASK_UPDATED = "TASK_UPDATED"
    TASK_DELETED = "TASK_DELETED"
    NEW_TAG = "NEW_TAG"
    TAG_UPDATED = "TAG_UPDATED"
    TAG_DELETED = "TAG_DELETED"
    NEW_APPROVAL_REQUEST = "NEW_APPROVAL_REQUEST"
    APPROVAL_REQUEST_STATUS_UPDATED = "APPROVAL_REQUEST_STATUS_UPDATED"


class TimeEntryEvent(StrEnum):
    CREATED = "NEW_TIME_ENTRY"
    TIMER_STARTED = "NEW_TIMER_STARTED"
    TIMER_STOPPED = "TIMER_STOPPED"
    UPDATED = "TIME_ENTRY_UPDATED"
    DELETED = "TIME_ENTRY_DELETED"


tracking_changed = Signal()
time_entry_event = Signal()


def tracking_change_record(
    *, event: TrackingEvent | str, workspace_id: str, actor_id: str, instance: models.Model
) -> None:
    """Send `tracking_changed` now, inside the caller's transaction."""
    tracking_changed.send(
        sender=type(instance),
        event=TrackingEvent(event),
        workspace_id=workspace_id,
        actor_id=actor_id,
        instance=instance,
    )


def time_entry_event_emit(
    *, event: TimeEntryEvent, workspace_id: str, entry_id: str, user_id: str, actor_id: str
) -> None:
    """Send `time_entry_event` once the current transaction commits (at once outside one)."""
    payload = {
        "event": event,
        "workspace_id": workspace_id,
        "entry_id": entry_id,
        "user_id": user_id,
        "actor_id": actor_id,
    }
    transaction.on_commit(lambda: time_entry_event.send(sender=TimeEntryEvent, **payload))
