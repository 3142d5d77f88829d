"""The optional QuickBooks service item (ItemRef) sent with each TimeActivity: chosen by an
admin among the company's active Service items, or none.

    items = service_item_choices(membership=ms)            # reads QBO (connection_call)
    service_item_set(membership=ms, item_id="12")          # "" clears it
    send_approved_only_set(membership=ms, on=True)         # send only approved time
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from quickbooks_sync.models import QBOConnection
from quickbooks_sync.qbo.errors import QBOError
from quickbooks_sync.qbo.session import QBOSession
from quickbooks_sync.qbo.types import ServiceItem
from quickbooks_sync.services.connection import NOT_CONNECTED
from quickbooks_sync.services.connection import ConnectionUnavailable
from quickbooks_sync.services.connection import connection_call
from workspaces.access import require_role
from workspaces.errors import ApplicationError
from workspaces.models import Membership
from workspaces.services import audit_log_record

# Read while the admin waits on the page: a company whose limits are in use (a send running)
# answers "try again" (RateLimitTimeout, 503) after this long instead of a hanging page.
PAGE_SLOT_SECONDS = 10.0

T = TypeVar("T")


def read_for_page(*, workspace_id: str, read: Callable[[QBOSession], T], what: str) -> T:
    """Read from QuickBooks while an admin waits on a page (at most PAGE_SLOT_SECONDS for a
    slot). QBO's failure is an ApplicationError: "QuickBooks' <what> could not be read" and why."""
    try:
        return connection_call(
            workspace_id=workspace_id, operation=read, slot_timeout=PAGE_SLOT_SECONDS
        )
    except QBOError as exc:
        raise ApplicationError(
            f"QuickBooks' {what} could not be read: {exc.human_message}"
        ) from exc


def _connected(membership: Membership) -> QBOConnection:
    require_role(membership, Membership.Role.ADMIN)
    connection = (
        QBOConnection.objects.defer("access_token", "refresh_token")
        .filter(workspace_id=membership.workspace_id)
        .first()
    )
    if connection is None or not connection.is_connected:
        raise ConnectionUnavailable(NOT_CONNECTED)
    return connection


def service_item_choices(*, membership: Membership) -> list[ServiceItem]:
    """The company's active Service items, by name (admins only). QBO's failure is an
    ApplicationError with its reason."""
    _connected(membership)

    def read(qbo: QBOSession) -> list[ServiceItem]:
        return qbo.service_items()

    items = read_for_page(workspace_id=membership.workspace_id, read=read, what="service items")
    return sorted((i for i in items if i.active), key=lambda i: i.name.lower())


def service_item_set(*, membership: Membership, item_id: str) -> QBOConnection:
    """Send TimeActivities with this service item from now on ("" for none). The id must be an
    active Service item of the connected company (read again now); the change is audited.
    Sends already started keep the payloads they computed."""
    connection = _connected(membership)
    item_id = item_id.strip()
    name = ""
    if item_id:
        chosen = next(
            (i for i in service_item_choices(membership=membership) if i.id == item_id), None
        )
        if chosen is None:
            raise ApplicationError(
                "That service item is not an active Service item of the connected QuickBooks "
                "company; choose one from the list.",
                field="service_item",
            )
        name = chosen.name
    with transaction.atomic():
        QBOConnection.objects.filter(pk=connection.pk).update(
            service_item_id=item_id, service_item_name=name, updated_at=timezone.now()
        )
        audit_log_record(
            workspace=membership.workspace,
            actor=membership.user,
            event="quickbooks.service_item_set",
            target=name or "(none)",
            details={"service_item_id": item_id, "realm_id": connection.realm_id},
        )
    connection.service_item_id, connection.service_item_name = item_id, name
    return connection


def send_approved_only_set(*, membership: Membership, on: bool) -> QBOConnection:
    """Send only approved time from now on (or any time again); the change is audited. Sends
    already started keep the entries they chose."""
    connection = _connected(membership)
    if connection.send_approved_only == on:
        return connection
    with transaction.atomic():
        QBOConnection.objects.filter(pk=connection.pk).update(
            send_approved_only=on, updated_at=timezone.now()
        )
        audit_log_record(
            workspace=membership.workspace,
            actor=membership.user,
            event="quickbooks.send_approved_only_set",
            target="only approved time" if on else "any time",
            details={"send_approved_only": on, "realm_id": connection.realm_id},
        )
    connection.send_approved_only = on
    return connection
