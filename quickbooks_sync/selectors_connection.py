"""Reads about a workspace's QuickBooks connection."""

from __future__ import annotations

from quickbooks_sync.models import QBOConnection
from workspaces.models import Membership


def connection_get(*, workspace_id: str) -> QBOConnection | None:
    """The workspace's connection row in any status (with who connected it), or None."""
    return (
        QBOConnection.objects.select_related("connected_by")
        .defer("access_token", "refresh_token")
        .filter(workspace_id=workspace_id)
        .first()
    )


def connection_state(membership: Membership) -> tuple[str, str] | None:
    """(status, problem) of the membership's workspace's connection, or None when it has none.

    Read once per membership object, i.e. once per request: the reconnect banner and the
    Detailed report's QuickBooks button both ask on the same page."""
    try:
        return membership._qbo_connection_state  # type: ignore[attr-defined, no-any-return]
    except AttributeError:
        state = (
            QBOConnection.objects.filter(workspace_id=membership.workspace_id)
            .values_list("status", "problem")
            .first()
        )
        membership._qbo_connection_state = state  # type: ignore[attr-defined]
        return state


def connection_problem(membership: Membership) -> str | None:
    """Why the connection needs reconnecting ("" when QBO gave no reason), or None when it does
    not need it; for the banner on every page."""
    state = connection_state(membership)
    if state is None or state[0] != QBOConnection.Status.NEEDS_RECONNECT:
        return None
    return state[1]
