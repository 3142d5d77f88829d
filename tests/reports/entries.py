"""Entries as the reports' tests make them: billable at 60.00 USD an hour unless told."""

from __future__ import annotations

import datetime as dt

from tests.tracking.factories import TimeEntryFactory
from tracking.models import TimeEntry
from workspaces.models import User
from workspaces.models import Workspace


def entry(
    workspace: Workspace, user: User, start: dt.datetime, seconds: int, **fields: object
) -> TimeEntry:
    """A finished entry of `seconds` from `start`, billable at 60.00 USD an hour unless
    `fields` (any of TimeEntryFactory's, `tags=[...]` included) say otherwise."""
    values = {"billable": True, "hourly_rate_cents": 6000, "currency": "USD"} | fields
    made: TimeEntry = TimeEntryFactory(
        workspace=workspace, user=user, start=start, seconds=seconds, **values
    )
    return made
