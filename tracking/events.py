"""Domain events of time entries, sent after the transaction that caused them commits.

They are the hooks a webhooks resource (Clockify's NEW_TIME_ENTRY, TIMER_STARTED,
TIMER_STOPPED, TIME_ENTRY_UPDATED, TIME_ENTRY_DELETED) will subscribe to, so it can be added
without touching the services: connect a receiver to a signal below. Receivers get
`workspace_id`, `entry_id`, `user_id` and `actor_id` (the membership's user who acted) and must
not assume the entry still exists (a delete sends its id after the row is gone).
"""

from __future__ import annotations

from enum import StrEnum

from django.db import transaction
from django.dispatch import Signal


class TimeEntryEvent(StrEnum):
    CREATED = "NEW_TIME_ENTRY"
    TIMER_STARTED = "NEW_TIMER_STARTED"
    TIMER_STOPPED = "TIMER_STOPPED"
    UPDATED = "TIME_ENTRY_UPDATED"
    DELETED = "TIME_ENTRY_DELETED"


time_entry_event = Signal()


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
