"""Approved time sent on a schedule: the setting on Settings > Integrations (admins only; the
page is theirs, and the POST refuses members) and what the tab shows about it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from quickbooks_sync.services.schedule import schedule_describe
from quickbooks_sync.services.schedule import schedule_next_run
from quickbooks_sync.services.schedule import scheduled_sends_recent
from quickbooks_sync.services.schedule import send_schedule_get
from quickbooks_sync.services.schedule import send_schedule_set
from quickbooks_sync.services.schedule import workspace_zone
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view
from workspaces.errors import ApplicationError
from workspaces.models import WEEKDAYS
from workspaces.models import Membership
from workspaces.models import Workspace

HOURS = [(h, f"{h:02d}:00") for h in range(24)]


def schedule_context(workspace: Workspace) -> dict[str, Any]:
    """What the Integrations tab shows of the schedule: the setting, its next run, the last
    runs."""
    schedule = send_schedule_get(workspace=workspace)
    return {
        "send_schedule": schedule,
        "schedule_text": schedule_describe(schedule),
        "schedule_next": schedule_next_run(schedule) if schedule.enabled else None,
        "schedule_runs": scheduled_sends_recent(workspace=workspace) if schedule.pk else [],
        "schedule_hours": HOURS,
        "schedule_weekdays": list(enumerate(WEEKDAYS)),
        "schedule_zone": workspace_zone(workspace).key,
    }


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return -1  # refused by the service with its message


@require_POST
@workspace_view(Membership.Role.ADMIN)
def send_schedule(request: WorkspaceRequest) -> HttpResponse:
    """Turn the scheduled send of approved time on or off, or move it."""
    membership: Membership = request.membership
    back = reverse("quickbooks:integrations", kwargs={"ws": membership.workspace_id})
    enabled = request.POST.get("enabled") == "on"
    try:
        schedule = send_schedule_set(
            membership=membership,
            enabled=enabled,
            frequency=request.POST.get("frequency", ""),
            weekday=_int(request.POST.get("weekday")),
            hour=_int(request.POST.get("hour")),
        )
    except ApplicationError as exc:
        messages.error(request, f"The schedule was not saved: {exc.message}")
    else:
        messages.success(
            request,
            f"Approved time will be sent to QuickBooks {schedule_describe(schedule)}."
            if enabled
            else "Scheduled sending is off: time goes to QuickBooks when an admin presses Send.",
        )
    return redirect(back + "#qbo-schedule")
