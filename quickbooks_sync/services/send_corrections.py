"""Correcting what was sent, explicitly: "Update in QuickBooks" and "Delete from QuickBooks".

    preview = correction_preview(membership=ms, kind=UPDATE, filters=f, entry_keys=None)
    job = correction_start(membership=ms, kind=UPDATE, filters=f, entry_keys=[...])

Nothing here reaches QuickBooks by itself: an admin presses the button after a confirmation that
lists each change. A correction is a send job of another kind (SendJob.Kind.UPDATE / DELETE)
and runs through the same outbox as sending (services/send_batches.py): batches of up to 30
items, each batch's request id committed before it leaves, the job's lease and resume, so a
lost answer, a 5xx, a 429 or a killed worker never applies an update or a delete twice.

- Update: the TimeActivity each sent entry would be today (the send's own selection and
  rounding) is compared with the values the ledger says QuickBooks holds (`SentEntry`); the
  entries that differ get a sparse update carrying the ledger's SyncToken (a full update when a
  field must be cleared: mapping.time_activity_update).
- Delete: sent entries deleted here (their ledger row outlives them), or chosen ones, get a
  delete with the ledger's SyncToken; the ledger row records it (`deleted_at`) and stays, so
  the entry is never sent again.

QuickBooks' answer per entry (send_batches._record_answer): the ledger keeps every version
(`SentVersion`); a stale SyncToken (5010: someone changed the TimeActivity in QuickBooks) is
not overwritten: the TimeActivity is read again and the ledger holds what QuickBooks has now, so
the sent view shows it beside today's values and the admin decides; closed books (6210) and
every other refusal are reported per entry.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models import QuerySet

from quickbooks_sync.mapping import FieldChange
from quickbooks_sync.mapping import time_activity_changes
from quickbooks_sync.mapping import time_activity_delete
from quickbooks_sync.mapping import time_activity_update
from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SendItem
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SentEntry
from quickbooks_sync.selectors.connection import connection_not_ready
from quickbooks_sync.services.send import DELETED_IN_QBO
from quickbooks_sync.services.send import IN_ANOTHER_SEND
from quickbooks_sync.services.send import NOT_SENT_YET
from quickbooks_sync.services.send import OTHER_COMPANY
from quickbooks_sync.services.send import UNCHANGED
from quickbooks_sync.services.send import ReasonCount
from quickbooks_sync.services.send import _admin_connection
from quickbooks_sync.services.send import _enqueue
from quickbooks_sync.services.send import _entries_in
from quickbooks_sync.services.send import _selection
from quickbooks_sync.services.send import job_items_commit
from reports.filters import DetailedFilters
from tracking.models import TimeEntry
from workspaces.errors import ApplicationError
from workspaces.models import Membership
from workspaces.services import audit_log_record

logger = logging.getLogger(__name__)

UPDATE = SendJob.Kind.UPDATE
DELETE = SendJob.Kind.DELETE
NOTHING_TO_UPDATE = "No sent entry within these filters differs from what QuickBooks holds."
NOTHING_TO_DELETE = "None of these entries can be deleted from QuickBooks."
# How many chosen entries one request may name (a page of the sent view is 50).
MAX_CHOSEN = 1000


@dataclass(frozen=True)
class Correction:
    """One sent entry's update or delete, or the reason it is not made."""

    entry_key: str
    entry_id: str | None  # None: the entry was deleted here
    time_activity_id: str
    seconds: int
    body: dict[str, Any] | None  # the update or delete body (Id, SyncToken, ...)
    values: dict[str, Any] = field(default_factory=dict)  # an update: the TimeActivity after
    held: dict[str, Any] = field(default_factory=dict)  # what the ledger says QBO holds
    changes: tuple[FieldChange, ...] = ()
    reason: str = ""


@dataclass
class CorrectionPreview:
    """What "Update in QuickBooks" / "Delete from QuickBooks" would do: each correction that
    goes (for the confirmation's list) and, by reason, what does not."""

    kind: str
    go: list[Correction] = field(default_factory=list)
    not_going: dict[str, ReasonCount] = field(default_factory=dict)

    @property
    def seconds(self) -> int:
        return sum(c.seconds for c in self.go)

    def add(self, correction: Correction) -> None:
        if correction.body is not None:
            self.go.append(correction)
        else:
            count = self.not_going.setdefault(correction.reason, ReasonCount())
            count.entries += 1
            count.seconds += correction.seconds

    def not_going_json(self) -> dict[str, dict[str, int]]:
        return {r: {"entries": c.entries, "seconds": c.seconds} for r, c in self.not_going.items()}


def held_seconds(values: Mapping[str, Any]) -> int:
    """The duration of a TimeActivity's values (Hours and Minutes), in seconds."""
    return int(values.get("Hours") or 0) * 3600 + int(values.get("Minutes") or 0) * 60


def _pending_keys(keys: Sequence[str]) -> set[str]:
    """The entries another job is sending, updating or deleting now (or holds unanswered)."""
    return set(
        SendItem.objects.filter(entry_key__in=list(keys), state=SendItem.State.PENDING).values_list(
            "entry_key", flat=True
        )
    )


def _ledger_reason(sent: SentEntry, connection: QBOConnection) -> str:
    if sent.deleted_at is not None:
        return DELETED_IN_QBO
    if sent.realm_id != connection.realm_id:
        return OTHER_COMPANY
    return ""


def _updates(
    membership: Membership,
    connection: QBOConnection,
    filters: DetailedFilters,
    entry_keys: Sequence[str] | None,
) -> CorrectionPreview:
    preview = CorrectionPreview(kind=UPDATE)
    entries = _entries_in(membership, filters).filter(qbo_sent__isnull=False)
    if entry_keys is not None:
        entries = entries.filter(pk__in=list(entry_keys))
    ledger = {
        sent.entry_key: sent
        for sent in SentEntry.objects.filter(
            workspace_id=membership.workspace_id, time_entry__in=entries.values("pk")
        )
    }
    for item in _selection(entries, membership=membership, connection=connection, correcting=True):
        sent = ledger[item.entry_id]
        base = {
            "entry_key": sent.entry_key,
            "entry_id": item.entry_id,
            "time_activity_id": sent.qbo_time_activity_id,
            "held": sent.values_sent,
        }
        reason = _ledger_reason(sent, connection) or (item.reason if item.payload is None else "")
        if reason or item.payload is None:
            preview.add(Correction(seconds=item.seconds, body=None, reason=reason, **base))
            continue
        body = time_activity_update(
            activity_id=sent.qbo_time_activity_id,
            sync_token=sent.sync_token,
            held=sent.values_sent,
            today=item.payload,
        )
        changes = tuple(time_activity_changes(sent.values_sent, item.payload))
        preview.add(
            Correction(
                seconds=item.seconds,
                body=body,
                values=dict(item.payload),
                changes=changes,
                reason="" if body is not None else UNCHANGED,
                **base,
            )
        )
    return preview


def _deletes(
    membership: Membership,
    connection: QBOConnection,
    filters: DetailedFilters,
    entry_keys: Sequence[str] | None,
) -> CorrectionPreview:
    """Chosen entries (sent ones, deleted here or not), or with `entry_keys` None what the
    sent view lists as deleted here (`deleted_here`: the connected company's, capped)."""
    preview = CorrectionPreview(kind=DELETE)
    if entry_keys is None:
        rows = deleted_here(
            workspace_id=membership.workspace_id,
            realm_id=connection.realm_id,
            start=filters.start,
            end=filters.end,
        )
    else:
        rows = list(
            SentEntry.objects.filter(
                workspace_id=membership.workspace_id, entry_key__in=list(entry_keys)
            ).order_by("values_sent__TxnDate", "entry_key")
        )
    busy = _pending_keys([s.entry_key for s in rows])
    for sent in rows:
        reason = _ledger_reason(sent, connection) or (
            IN_ANOTHER_SEND if sent.entry_key in busy else ""
        )
        preview.add(
            Correction(
                entry_key=sent.entry_key,
                entry_id=sent.time_entry_id,
                time_activity_id=sent.qbo_time_activity_id,
                seconds=held_seconds(sent.values_sent),
                held=sent.values_sent,
                body=None
                if reason
                else time_activity_delete(
                    activity_id=sent.qbo_time_activity_id, sync_token=sent.sync_token
                ),
                reason=reason,
            )
        )
    if entry_keys is not None:
        for key in sorted(set(entry_keys) - {s.entry_key for s in rows}):
            preview.add(
                Correction(
                    entry_key=key,
                    entry_id=None,
                    time_activity_id="",
                    seconds=0,
                    body=None,
                    reason=NOT_SENT_YET,
                )
            )
    return preview


def _entries_in_workspace(membership: Membership) -> QuerySet[TimeEntry]:
    return TimeEntry.objects.filter(workspace_id=membership.workspace_id)


def _kind(kind: str) -> SendJob.Kind:
    if kind not in (UPDATE, DELETE):
        raise ApplicationError("Choose Update in QuickBooks or Delete from QuickBooks.")
    return SendJob.Kind(kind)


def _keys(entry_keys: Sequence[str] | None) -> list[str] | None:
    if entry_keys is None:
        return None
    keys = sorted({str(k) for k in entry_keys if k})
    if not keys:
        raise ApplicationError("Choose at least one entry.")
    if len(keys) > MAX_CHOSEN:
        raise ApplicationError(f"Choose at most {MAX_CHOSEN} entries at a time.")
    return keys


def _preview(
    membership: Membership,
    connection: QBOConnection,
    kind: SendJob.Kind,
    filters: DetailedFilters,
    entry_keys: list[str] | None,
) -> CorrectionPreview:
    select = _updates if kind == UPDATE else _deletes
    return select(membership, connection, filters, entry_keys)


def correction_preview(
    *,
    membership: Membership,
    kind: str,
    filters: DetailedFilters,
    entry_keys: Sequence[str] | None = None,
) -> CorrectionPreview:
    """What an update (every sent entry within the filter that differs from QuickBooks, or the
    chosen ones) or a delete (the sent entries deleted here within the filter's dates, or the
    chosen ones) would do. Admins of a connected workspace whose plan includes QuickBooks."""
    connection = _admin_connection(membership)
    return _preview(membership, connection, _kind(kind), filters, _keys(entry_keys))


def correction_start(
    *,
    membership: Membership,
    kind: str,
    filters: DetailedFilters,
    entry_keys: Sequence[str] | None = None,
) -> SendJob:
    """Start the update or delete the confirmation listed (selected again now, in the same
    transaction as the job: what changed since the page was shown is what goes). Audited.
    Nothing to correct is an error (nothing is saved)."""
    connection = _admin_connection(membership)
    job_kind = _kind(kind)
    keys = _keys(entry_keys)
    with transaction.atomic():
        preview = _preview(membership, connection, job_kind, filters, keys)
        job = SendJob.objects.create(
            workspace_id=membership.workspace_id,
            requested_by_id=membership.user_id,
            realm_id=connection.realm_id,
            kind=job_kind,
            filters=[list(pair) for pair in filters.resolved().to_query()],
        )
        to_send = [
            SendItem(
                workspace_id=membership.workspace_id,
                job=job,
                time_entry_id=c.entry_id,
                entry_key=c.entry_key,
                seconds=c.seconds,
                payload=c.body,
                values=c.values,
                changes=[change.as_json() for change in c.changes],
            )
            for c in preview.go
        ]
        job_items_commit(
            job,
            to_send=to_send,
            refused=[],
            not_sent=preview.not_going_json(),
            seconds=preview.seconds,
            nothing=NOTHING_TO_UPDATE if job_kind == UPDATE else NOTHING_TO_DELETE,
        )
        audit_log_record(
            workspace=membership.workspace,
            actor=membership.user,
            event=f"quickbooks.{job_kind.value.lower()}_started",
            target=f"{job.selected_count} TimeActivities",
            details={
                "job": job.pk,
                "realm": connection.realm_id,
                "timeActivities": [c.time_activity_id for c in preview.go][:MAX_CHOSEN],
            },
        )
        _enqueue(job.pk)
    logger.info("QBO %s %s started: %s entries", job_kind.value, job.pk, job.selected_count)
    return job


def deleted_here(*, workspace_id: str, realm_id: str, start: date, end: date) -> list[SentEntry]:
    """Sent entries deleted here whose TimeActivity (dated within start..end) the connected
    company (`realm_id`) still holds, the first MAX_CHOSEN: what the sent view lists and what
    "Delete from QuickBooks" for deleted entries deletes (one query for both)."""
    return list(
        SentEntry.objects.filter(
            Q(workspace_id=workspace_id, realm_id=realm_id)
            & Q(time_entry__isnull=True, deleted_at__isnull=True)
            & Q(values_sent__TxnDate__gte=start.isoformat())
            & Q(values_sent__TxnDate__lte=end.isoformat())
        ).order_by("values_sent__TxnDate", "entry_key")[:MAX_CHOSEN]
    )


@dataclass(frozen=True)
class SentDifference:
    """How a sent entry today compares with what QuickBooks holds (the ledger): the fields that
    differ, or why it could not be updated now (`reason`)."""

    changes: tuple[FieldChange, ...] = ()
    reason: str = ""


def sent_differences(
    *, membership: Membership, connection: QBOConnection | None, entry_ids: Sequence[str]
) -> dict[str, SentDifference]:
    """For the sent view's page: each sent entry's differences from QuickBooks (one selection
    for the page); {} when the workspace cannot correct now (not an admin, not connected, no
    plan). `connection`: the workspace's row as the page read it (connection_of)."""
    if (
        not membership.is_admin
        or connection is None
        or connection_not_ready(workspace=membership.workspace, status=connection.status)
    ):
        return {}
    ledger = {
        s.entry_key: s
        for s in SentEntry.objects.filter(
            workspace_id=membership.workspace_id, entry_key__in=list(entry_ids)
        )
    }
    entries = _entries_in_workspace(membership).filter(pk__in=list(ledger))
    found: dict[str, SentDifference] = {}
    for item in _selection(entries, membership=membership, connection=connection, correcting=True):
        sent = ledger[item.entry_id]
        reason = _ledger_reason(sent, connection)
        if reason == DELETED_IN_QBO:
            continue
        if item.payload is None:
            found[item.entry_id] = SentDifference(reason=item.reason)
            continue
        changes = tuple(time_activity_changes(sent.values_sent, item.payload))
        found[item.entry_id] = SentDifference(changes=changes, reason=reason)
    return found
