"""Reads about a workspace's QuickBooks connection."""

from __future__ import annotations

import enum

from quickbooks_sync.models import QBOConnection
from workspaces.models import Membership
from workspaces.models import Workspace


class NotReady(enum.Enum):
    """Why a workspace cannot use QuickBooks now."""

    PLAN = "plan"  # its plan does not include QuickBooks (it may have been downgraded)
    NOT_CONNECTED = "not_connected"  # never connected, or disconnected
    NEEDS_RECONNECT = "needs_reconnect"  # QuickBooks no longer accepts the connection


def connection_not_ready(*, workspace: Workspace, status: str | None) -> NotReady | None:
    """The one "paid plan and connected" rule: why `workspace`, whose connection has `status`
    (None: it has none), cannot sync or send now, or None when it can. Services raise on it
    (services.connection.require_connection_ready); pages ask it to show or hide buttons."""
    if not workspace.has_quickbooks:
        return NotReady.PLAN
    if status is None or status == QBOConnection.Status.DISCONNECTED:
        return NotReady.NOT_CONNECTED
    if status != QBOConnection.Status.CONNECTED:
        return NotReady.NEEDS_RECONNECT
    return None


def connection_get(*, workspace_id: str) -> QBOConnection | None:
    """The workspace's connection row in any status (with who connected it), or None."""
    return (
        QBOConnection.objects.select_related("connected_by")
        .defer("access_token", "refresh_token")
        .filter(workspace_id=workspace_id)
        .first()
    )


def connection_of(membership: Membership) -> QBOConnection | None:
    """connection_get's row for the membership's workspace, read once per membership object,
    i.e. once per request: the parts of a page ask it instead of reading the row again, and
    connection_state (the banner) answers from it."""
    try:
        return membership._qbo_connection  # type: ignore[attr-defined, no-any-return]
    except AttributeError:
        connection = connection_get(workspace_id=membership.workspace_id)
        membership._qbo_connection = connection  # type: ignore[attr-defined]
        membership._qbo_connection_state = (  # type: ignore[attr-defined]
            (connection.status, connection.problem) if connection is not None else None
        )
        return connection


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
