"""The "QuickBooks needs reconnecting" banner on every page of a workspace, for its admins."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from quickbooks_sync.selectors.connection import connection_problem


def quickbooks_banner(request: HttpRequest) -> dict[str, Any]:
    """`qbo_reconnect_problem`: None, or why the connection needs reconnecting.

    A callable, so the one query runs only when a page shows the banner (base.html, for the
    workspace's admins), not for members, htmx fragments or pages outside a workspace."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.is_admin:
        return {"qbo_reconnect_problem": None}

    def problem() -> str | None:
        return connection_problem(membership)

    return {"qbo_reconnect_problem": problem}
