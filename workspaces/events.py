"""Membership events, sent inside the transaction of the change (before it commits), so an
app above (webhooks) can record them in the same transaction without workspaces importing it.
Receivers get `event` (Clockify's webhook event name), `workspace_id`, `actor_id` and
`instance` (the Membership)."""

from __future__ import annotations

from enum import StrEnum

from django.dispatch import Signal

from workspaces.models import Membership


class MembershipEvent(StrEnum):
    USER_JOINED_WORKSPACE = "USER_JOINED_WORKSPACE"
    USER_DEACTIVATED_ON_WORKSPACE = "USER_DEACTIVATED_ON_WORKSPACE"
    USER_ACTIVATED_ON_WORKSPACE = "USER_ACTIVATED_ON_WORKSPACE"
    USER_DELETED_FROM_WORKSPACE = "USER_DELETED_FROM_WORKSPACE"


membership_changed = Signal()

# A membership's new status -> the event it announces.
EVENT_FOR_STATUS = {
    Membership.Status.INACTIVE: MembershipEvent.USER_DEACTIVATED_ON_WORKSPACE,
    Membership.Status.ACTIVE: MembershipEvent.USER_ACTIVATED_ON_WORKSPACE,
    Membership.Status.REMOVED: MembershipEvent.USER_DELETED_FROM_WORKSPACE,
}


def membership_change_record(
    *, event: MembershipEvent, actor_id: str, membership: Membership
) -> None:
    membership_changed.send(
        sender=Membership,
        event=event,
        workspace_id=membership.workspace_id,
        actor_id=actor_id,
        instance=membership,
    )
