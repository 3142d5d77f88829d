"""Reads about a workspace's QuickBooks connection."""

from __future__ import annotations

from quickbooks_sync.models import QBOConnection


def connection_get(*, workspace_id: str) -> QBOConnection | None:
    """The workspace's connection row in any status (with who connected it), or None."""
    return (
        QBOConnection.objects.select_related("connected_by")
        .defer("access_token", "refresh_token")
        .filter(workspace_id=workspace_id)
        .first()
    )


def connection_problem(*, workspace_id: str) -> str | None:
    """Why the connection needs reconnecting ("" when QBO gave no reason), or None when it does
    not need it. One query on two columns, for the banner on every page."""
    row = (
        QBOConnection.objects.filter(
            workspace_id=workspace_id, status=QBOConnection.Status.NEEDS_RECONNECT
        )
        .values_list("problem", flat=True)
        .first()
    )
    return row
