"""Context for every page of a workspace. The running timer: the header shows it (description,
project, elapsed time, Stop), the tab's title follows it, and past the workspace's long-timer
limit every page warns and offers to stop it at the time the member really stopped.

Lazy: the query runs only when a template reads `header_timer` (base.html does; htmx partials
don't), so fragments cost nothing more. And for admins, the navigation's badge of weeks
waiting for approval (`approvals_badge`), read likewise only when a template asks."""

from __future__ import annotations

import datetime as dt
import functools
from functools import cached_property
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from tracking.models import TimeEntry
from tracking.models import WeekApproval
from tracking.time_rules import TimeRules
from tracking.time_rules import user_tz
from workspaces.models import Membership


class HeaderTimer:
    def __init__(self, request: HttpRequest, membership: Membership) -> None:
        self.request = request
        self.membership = membership

    @cached_property
    def entry(self) -> TimeEntry | None:
        membership = self.membership
        if hasattr(self.request, "running_timer"):  # the tracker page read it already
            return self.request.running_timer
        return (
            TimeEntry.objects.filter(
                workspace_id=membership.workspace_id, user_id=membership.user_id, end=None
            )
            .select_related("project", "task")
            .first()
        )

    @cached_property
    def elapsed(self) -> int:
        entry = self.entry
        return 0 if entry is None else max(0, int((timezone.now() - entry.start).total_seconds()))

    @cached_property
    def rules(self) -> TimeRules:
        return TimeRules.of(self.membership.workspace)

    @property
    def is_long(self) -> bool:
        return self.entry is not None and self.elapsed > self.rules.long_timer_seconds

    @property
    def limit_hours(self) -> int:
        return self.rules.long_timer_seconds // 3600

    @property
    def stop_guess(self) -> str:
        """A guess at when the member really stopped, for them to correct: the start plus the
        warning's limit (not later than now), in their time zone, as a datetime-local value."""
        if self.entry is None:
            return ""
        limit = dt.timedelta(seconds=self.rules.long_timer_seconds)
        guess = min(self.entry.start + limit, timezone.now())
        return guess.astimezone(user_tz(self.membership.user)).strftime("%Y-%m-%dT%H:%M")


def running_timer(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {"header_timer": HeaderTimer(request, membership)}


def approvals_badge(request: HttpRequest) -> dict[str, Any]:
    """For an admin inside a workspace, `pending_approvals`: the number of weeks waiting for a
    decision, for the navigation's badge. Read when the template asks (one query), not on
    pages that do not show the navigation."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.is_admin:
        return {}

    @functools.cache
    def pending() -> int:
        return WeekApproval.objects.filter(
            workspace_id=membership.workspace_id, status=WeekApproval.Status.PENDING
        ).count()

    return {"pending_approvals": pending}
