"""What changed in QuickBooks since the last sync, so the admin knows when to sync.

One check is ONE ChangeDataCapture call through the session's door (the company's rate
limiter), for employees, vendors and customers changed since the last sync began, compared with
the workspace's links (a vendor as a contractor's, an employee as another member's). The
check writes only its own ChangeCheck row: links, members, clients and projects change when an
admin presses Sync (the seed: nothing changes until they do).

A check is asked for by "Check now" (admins) or by QuickBooks' webhook (views.changes), and
runs in a Celery task. Requests are debounced: while one is queued, more add nothing, so a
burst of notifications is one CDC call (QBO_CHANGES_DEBOUNCE_SECONDS after the first).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from quickbooks_sync.models import ChangeCheck
from quickbooks_sync.models import QBOConnection
from quickbooks_sync.qbo.types import CDC_LOOKBACK_DAYS
from quickbooks_sync.qbo.types import ChangeSet
from quickbooks_sync.selectors.changes import PENDING_STALE
from quickbooks_sync.selectors.changes import LinkedName
from quickbooks_sync.selectors.changes import WorkspaceLinks
from quickbooks_sync.selectors.changes import change_links
from quickbooks_sync.selectors.changes import change_window_start
from quickbooks_sync.services.connection import connection_call
from quickbooks_sync.services.connection import require_connection_ready
from workspaces.access import require_role
from workspaces.errors import ApplicationError
from workspaces.models import Membership
from workspaces.models import Workspace
from workspaces.services import audit_log_record

logger = logging.getLogger(__name__)

KINDS = ("new", "renamed", "deactivated", "unlinked")
# QBO keeps 30 days of changes; ask a little less so a clock skew cannot make it refuse.
LOOKBACK = timedelta(days=CDC_LOOKBACK_DAYS) - timedelta(hours=1)
SYNC_FIRST = "Sync first: changes are shown against what the last sync linked."
Source = ChangeCheck.Source


# -- the comparison (pure) --------------------------------------------------------------------


def _linked_to(names: Iterable[Any]) -> list[str]:
    return sorted({f"{n.local_kind} “{n.local_name}”" for n in names})


def changes_compare(
    *, changes: ChangeSet, links: WorkspaceLinks, since: datetime
) -> list[dict[str, Any]]:
    """What a sync would change or report, from QBO's changed records and the stored links.

    - deactivated: a linked employee, vendor or customer made inactive (or deleted) in
      QuickBooks;
    - renamed: a linked one whose name (for a customer, its full name with parents) differs
      from the name the last sync stored;
    - new: an active one created since `since` that nothing here links to;
    - unlinked: an active, older one that changed and nothing here links to.
    New and unlinked ones name what a sync would link them to (`matches`), by identical name:
    an employee a member who is not a contractor, a vendor a contractor (both without a link
    of that kind), a customer a project or client. Unlinked records made inactive concern
    nobody here and are left out; so does a vendor that matches no contractor (most vendors
    are suppliers), unless it is new while a contractor here has no vendor (it may be theirs
    under another name, to link by hand on the sync's page)."""
    found: list[dict[str, Any]] = []
    since = since.replace(microsecond=0)  # QBO's times have whole seconds
    # The last record of an Id wins (QBO lists each once; be safe with repeats).
    latest = {(c.entity, c.id): c for c in changes.entities}
    for (entity, qbo_id), record in latest.items():
        linked = _linked(entity, qbo_id, links)
        name = record.fully_qualified_name if entity == "Customer" else record.display_name
        row: dict[str, Any] = {"entity": entity, "qboId": qbo_id, "name": name}
        if linked:
            row["linkedTo"] = _linked_to(linked)
            stored = linked[0].qbo_name
            if record.deleted:
                found.append({**row, "kind": "deactivated", "name": name or stored})
            elif name != stored:
                found.append({**row, "kind": "renamed", "oldName": stored})
            continue
        if record.deleted:
            continue
        is_new = record.created_at is not None and record.created_at >= since
        row["kind"] = "new" if is_new else "unlinked"
        match = _match(entity, record.display_name, links)
        if match:
            row["matches"] = match
        elif entity == "Vendor" and not (is_new and links.unlinked_contractors):
            continue
        found.append(row)
    order = {kind: i for i, kind in enumerate(KINDS)}
    found.sort(key=lambda r: (order[r["kind"]], r["entity"], r["name"].casefold()))
    return found


def _linked(entity: str, qbo_id: str, links: WorkspaceLinks) -> list[LinkedName]:
    """What here is linked to QBO's `entity` `qbo_id` (Customer, Employee and Vendor Ids share
    one sequence in QBO, but each kind is looked up in its own links)."""
    if entity == "Customer":
        return links.customers.get(qbo_id, [])
    people = links.vendors if entity == "Vendor" else links.employees
    return [people[qbo_id]] if qbo_id in people else []


def _match(entity: str, display_name: str, links: WorkspaceLinks) -> str:
    if entity == "Employee":
        return f"member “{display_name}”" if display_name in links.unlinked_members else ""
    if entity == "Vendor":
        return f"contractor “{display_name}”" if display_name in links.unlinked_contractors else ""
    if display_name in links.unlinked_projects:
        return f"project “{display_name}”"
    if display_name in links.unlinked_clients:
        return f"client “{display_name}”"
    return ""


def changes_counts(found: list[dict[str, Any]]) -> dict[str, int]:
    return {kind: sum(1 for r in found if r["kind"] == kind) for kind in KINDS}


# -- QuickBooks' webhook notifications (pure) ---------------------------------------------------

WATCHED = frozenset({"employee", "vendor", "customer"})


class NotificationUnreadable(ValueError):
    """A signed body that is neither of Intuit's webhook formats."""


def notification_realms(payload: Any) -> set[str]:
    """The companies (realm ids) whose employees, vendors or customers a webhook notification
    names.

    Both of Intuit's formats: CloudEvents (since 2026: a list of events with `type`
    `qbo.<entity>.<operation>.v1` and `intuitaccountid`) and the earlier `eventNotifications`
    (`realmId`, `dataChangeEvent.entities[].name`)."""
    realms: set[str] = set()
    if isinstance(payload, list):
        for event in payload:
            if not isinstance(event, dict):
                raise NotificationUnreadable("an event is not an object")
            parts = str(event.get("type") or "").split(".")
            realm = str(event.get("intuitaccountid") or "")
            if len(parts) >= 3 and parts[1].lower() in WATCHED and realm:
                realms.add(realm)
        return realms
    notifications = payload.get("eventNotifications") if isinstance(payload, dict) else None
    if not isinstance(notifications, list):
        raise NotificationUnreadable("neither CloudEvents nor eventNotifications")
    for notification in notifications:
        if not isinstance(notification, dict):
            raise NotificationUnreadable("a notification is not an object")
        realm = str(notification.get("realmId") or "")
        event = notification.get("dataChangeEvent", {})
        entities = (event.get("entities") or []) if isinstance(event, dict) else None
        if not isinstance(entities, list):
            raise NotificationUnreadable("dataChangeEvent.entities is not a list")
        if realm and any(
            isinstance(e, dict) and str(e.get("name", "")).lower() in WATCHED for e in entities
        ):
            realms.add(realm)
    return realms


# -- asking for a check -----------------------------------------------------------------------


def _row(workspace_id: str) -> ChangeCheck:
    try:
        row, _ = ChangeCheck.objects.get_or_create(workspace_id=workspace_id)
    except IntegrityError:  # created by a concurrent request
        row = ChangeCheck.objects.get(workspace_id=workspace_id)
    return row


def change_check_request(
    *, workspace_id: str, source: str, user_id: Any = None, countdown: float | None = None
) -> bool:
    """Queue a check unless one is queued already (debounce); answers whether this call
    queued one. The task is enqueued after commit, `countdown` seconds later (default
    QBO_CHANGES_DEBOUNCE_SECONDS, so notifications arriving meanwhile join it)."""
    row = _row(workspace_id)
    now = timezone.now()
    queued = (
        ChangeCheck.objects.filter(pk=row.pk)
        .filter(Q(requested_at__isnull=True) | Q(requested_at__lt=now - PENDING_STALE))
        .update(requested_at=now, requested_source=source, requested_by_id=user_id)
    )
    if not queued:
        return False
    delay = settings.QBO_CHANGES_DEBOUNCE_SECONDS if countdown is None else countdown
    transaction.on_commit(lambda: _enqueue(workspace_id, delay))
    return True


def _enqueue(workspace_id: str, countdown: float) -> None:
    from quickbooks_sync.tasks.changes import change_check_run_task  # it imports this module

    try:
        change_check_run_task.apply_async((workspace_id,), countdown=countdown)
    except Exception as exc:  # the broker is away: the mark goes stale and a new request wins
        logger.warning("QBO change check of %s not queued: %s", workspace_id, exc)


def change_check_press(*, membership: Membership) -> bool:
    """ "Check now" (admins and the owner; plan and connection as for Sync; after a first
    sync). Audited, as it reaches QuickBooks. Answers whether a new check was queued (False:
    one is queued or running already)."""
    require_role(membership, Membership.Role.ADMIN)
    connection = require_connection_ready(workspace_id=membership.workspace_id)
    if change_window_start(workspace_id=membership.workspace_id) is None:
        raise ApplicationError(SYNC_FIRST)
    with transaction.atomic():
        queued = change_check_request(
            workspace_id=membership.workspace_id,
            source=Source.BUTTON,
            user_id=membership.user_id,
            countdown=0,
        )
        if queued:
            audit_log_record(
                workspace=membership.workspace,
                actor=membership.user,
                event="quickbooks.changes_checked",
                target=connection.company_name or connection.realm_id,
                details={"realm_id": connection.realm_id},
            )
    return queued


def change_checks_for_realm(realm_id: str) -> int:
    """A QuickBooks notification for company `realm_id`: ask for a check in every workspace
    connected to it that has synced and whose plan includes QuickBooks (one realm may serve
    several workspaces). Answers how many checks were newly queued."""
    workspace_ids = QBOConnection.objects.filter(
        realm_id=realm_id,
        status=QBOConnection.Status.CONNECTED,
        last_synced_at__isnull=False,
        workspace__plan__in=Workspace.QUICKBOOKS_PLANS,
    ).values_list("workspace_id", flat=True)
    queued = 0
    for workspace_id in workspace_ids:
        with transaction.atomic():
            queued += change_check_request(workspace_id=workspace_id, source=Source.WEBHOOK)
    return queued


# -- running a check --------------------------------------------------------------------------


def change_check_run(*, workspace_id: str) -> ChangeCheck | None:
    """The task's work: one CDC call since the last sync, compared with the links, stored.

    A refusal that waiting cannot cure (plan, connection, never synced, a QBO validation
    fault) is stored as the row's error; an error a retry may cure propagates (QBOError with
    `retryable`) for the task to retry, and `change_check_failed` stores it at the end."""
    row = ChangeCheck.objects.filter(workspace_id=workspace_id).first()
    if row is None:
        return None
    started = timezone.now()
    # Cleared before asking QuickBooks: a notification arriving during the call queues the
    # next check (the change may be newer than what this call reads).
    ChangeCheck.objects.filter(pk=row.pk).update(requested_at=None, started_at=started)
    source = row.requested_source or Source.BUTTON
    try:
        connection = require_connection_ready(workspace_id=workspace_id)
        since = change_window_start(workspace_id=workspace_id)
        if since is None:
            raise ApplicationError(SYNC_FIRST)
    except ApplicationError as exc:
        change_check_failed(workspace_id=workspace_id, message=exc.message)
        return None
    capped = since < started - LOOKBACK
    window = max(since, started - LOOKBACK)
    changes: ChangeSet = connection_call(
        workspace_id=workspace_id, operation=lambda qbo: qbo.changes_since(window)
    )
    links = change_links(workspace_id=workspace_id, realm_id=connection.realm_id)
    found = changes_compare(changes=changes, links=links, since=window)
    ChangeCheck.objects.filter(pk=row.pk).update(
        realm_id=connection.realm_id,
        checked_at=started,
        checked_source=source,
        changed_since=window,
        counts=changes_counts(found),
        changes=found,
        complete=changes.complete,
        window_capped=capped,
        error="",
        finished_at=timezone.now(),
    )
    logger.info(
        "QBO changes of workspace %s since %s: %s", workspace_id, window, changes_counts(found)
    )
    return ChangeCheck.objects.get(pk=row.pk)


def change_check_failed(*, workspace_id: str, message: str) -> None:
    """The check got no answer: say why beside the last result (which stays)."""
    ChangeCheck.objects.filter(workspace_id=workspace_id).update(
        error=message[:1000], finished_at=timezone.now()
    )
