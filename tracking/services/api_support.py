"""What the REST API needs beyond tracking/services/entries.py, built on those services.

The API's paths name a user (`/user/{u}/time-entries`): an admin acts on another member's
timer, and a member on their own only. The entries services act on the acting membership's own
timer, so these functions pick out the target's membership (after the role check) and call the
same services with it; the rules of the timer (one running per user, no future starts, private
projects for their members) then apply to the user the timer runs for. Times are checked in the
rule's "flag" mode (tracking/time_rules.py): what Clockify accepts is accepted and flagged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction

from tracking.models import TimeEntry
from tracking.services import entries as entry_services
from workspaces.access import require_role
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.errors import PermissionDenied
from workspaces.ids import is_object_id
from workspaces.models import Membership


def member_for_path(*, membership: Membership, user_id: str, for_write: bool) -> Membership:
    """The membership of the user named in the path, as the actor may use it.

    Oneself always; another user needs an admin or the owner (403 otherwise, whether or not the
    user exists). Reads reach active and deactivated members (their past time stays visible);
    writes need an active member. Anyone else is a 404.
    """
    if user_id == membership.user_id:
        return membership
    require_role(membership, Membership.Role.ADMIN)
    statuses = [Membership.Status.ACTIVE]
    if not for_write:
        statuses.append(Membership.Status.INACTIVE)
    target = (
        Membership.objects.select_related("workspace", "user")
        .filter(workspace_id=membership.workspace_id, user_id=user_id, status__in=statuses)
        .first()
        if is_object_id(user_id)
        else None
    )
    if target is None:
        raise NotFound("User not found in this workspace.")
    return target


def timer_start_for(
    *,
    membership: Membership,
    target: Membership,
    description: str = "",
    project_id: str | None = None,
    task_id: str | None = None,
    tag_ids: Sequence[str] = (),
    billable: bool | None = None,
    start: dt.datetime | None = None,
) -> TimeEntry:
    """Start a timer for `target` (the actor or, for admins, an active member of the workspace)."""
    if target.pk != membership.pk:
        require_role(membership, Membership.Role.ADMIN)
        if target.workspace_id != membership.workspace_id or not target.is_active:
            raise NotFound("User not found in this workspace.")
    return entry_services.timer_start(
        membership=target,
        description=description,
        project_id=project_id,
        task_id=task_id,
        tag_ids=tag_ids,
        billable=billable,
        start=start,
        mode="flag",
    )


@transaction.atomic
def timer_stop_for(*, membership: Membership, target: Membership, end: dt.datetime) -> TimeEntry:
    """Stop `target`'s running timer at `end`, which must be after its start.

    The page's Stop button stops "now" and so never clashes with the start; an API client
    gives the end, and an end at or before the start is refused rather than moved.
    """
    if target.pk != membership.pk:
        require_role(membership, Membership.Role.ADMIN)
        if target.workspace_id != membership.workspace_id:
            raise NotFound("User not found in this workspace.")
    running = (
        TimeEntry.objects.select_for_update()
        .filter(workspace_id=target.workspace_id, user_id=target.user_id, end=None)
        .first()
    )
    if running is None:
        raise NotFound("No timer is running.")
    if running.is_locked and not membership.is_admin:
        raise PermissionDenied("This entry is locked; only an admin can change it.")
    if end.replace(microsecond=0) <= running.start:
        raise ApplicationError("The end must be after the start.", field="end")
    # Clockify's dialect: what the rule refuses on the pages is accepted here and flagged.
    return entry_services.timer_stop(membership=target, end=end, mode="flag")
