"""Sending time entries to QuickBooks as TimeActivities, exactly once.

    preview = send_preview(membership=ms, filters=filters)   # what would go, what would not
    job = send_start(membership=ms, filters=filters)         # select + enqueue (admins only)
    send_run(job_id=job.id)                                  # the worker: batches until done
    send_retry_failed(membership=ms, job_id=job.id)          # after the admin fixed the cause

How a job runs (the outbox, see quickbooks_sync/models_send.py):

1. Selection (`send_start`, one transaction): the Detailed report's filter over ALL its pages;
   each entry becomes an item with its TimeActivity payload computed now (rounded as the report)
   or a reason it is not sent. PENDING items are unique per entry across jobs.
2. Per batch (`send_run`): up to 30 PENDING items get a `SendBatch` with a fresh request id,
   COMMITTED before the request leaves. The batch is sent through the company's rate limiter
   and `connection_call` (fresh token; one refresh after a 401).
3. The answer is written in ONE transaction: a `SentEntry` per confirmed bId (TimeActivity Id,
   SyncToken, values), items SENT or FAILED with QBO's reason, the batch DONE.
4. No answer (timeout, 5xx, lost response, a worker killed), or an answer that leaves entries
   out: those entries stay PENDING in their batch, which is sent again with the SAME request id,
   so QBO answers what it already did (an entry whose fate is unknown never gets a new request
   id). 429 waits and retries. QBO's faults on an entry (6210 closed books, 610 inactive
   customer...) fail that entry only, and only "Retry failed" sends it again (with a new request
   id: QBO created nothing). A job that stops with batches unanswered keeps their entries
   PENDING; "Retry failed" asks QBO again with their request ids.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from redis import RedisError

from quickbooks_sync.limiter import RateLimitTimeout, company_limiter
from quickbooks_sync.mapping import (
    RefusalReason,
    TimeActivityDraft,
    TimeEntryInput,
    time_activity_payload,
)
from quickbooks_sync.models import CustomerLink, EmployeeLink, QBOConnection
from quickbooks_sync.models_send import SendBatch, SendItem, SendJob, SentEntry
from quickbooks_sync.qbo.session import (
    MAX_BATCH_ITEMS,
    BatchItemResult,
    QBOAuthError,
    QBOError,
    QBOSession,
    QBOThrottled,
    QBOTransientError,
)
from quickbooks_sync.services.connection import ConnectionUnavailable, connection_call
from reports.filters import DetailedFilters
from reports.rounding import workspace_rounding
from reports.selectors import apply_filters, report_annotations
from tracking.models import TimeEntry
from workspaces.access import require_role
from workspaces.errors import ApplicationError, NotFound, PermissionDenied
from workspaces.ids import is_object_id
from workspaces.models import Membership

logger = logging.getLogger(__name__)

# Reasons an entry is not sent, beyond the mapping's own (RefusalReason).
ALREADY_SENT = "already_sent"
IN_ANOTHER_SEND = "in_another_send"
HELD_BY_STOPPED_SEND = "held_by_stopped_send"  # PENDING in a job that stopped unanswered
DELETED = "deleted"
STOPPED = "stopped"  # the job stopped (connection lost, QBO failing) before sending it

NOT_SENT_MESSAGES: dict[str, str] = {
    **{reason.value: reason.message for reason in RefusalReason},
    ALREADY_SENT: "Already sent to QuickBooks; an entry is sent only once.",
    IN_ANOTHER_SEND: "Another send that is still running has this entry.",
    HELD_BY_STOPPED_SEND: (
        "Held by a stopped send that QuickBooks did not answer for it: open that send and use "
        "Retry failed (it asks QuickBooks again with the same request id, so nothing is doubled)."
    ),
    DELETED: "The entry was deleted before it was sent.",
}
NOT_SENT_LABELS: dict[str, str] = {
    RefusalReason.BILLABLE_WITHOUT_PROJECT.value: "Billable without a project",
    RefusalReason.TOO_LONG.value: "Longer than 23 h 55 min",
    RefusalReason.TOO_SHORT.value: "Shorter than a minute",
    RefusalReason.RUNNING.value: "Timer still running",
    RefusalReason.MEMBER_NOT_LINKED.value: "Member not linked (sync users)",
    RefusalReason.PROJECT_NOT_LINKED.value: "Project not linked (sync customers)",
    ALREADY_SENT: "Already sent",
    IN_ANOTHER_SEND: "In another send",
    HELD_BY_STOPPED_SEND: "Held by a stopped send",
    DELETED: "Deleted",
    STOPPED: "Send stopped before it",
}

PLAN_REQUIRED = (
    "Sending time to QuickBooks needs the Standard, Pro or Enterprise plan, and this workspace "
    "is on another plan now. Change the plan on the Plan page to send."
)
# Shown on a QUEUED job (its `error`) whose message could not reach the broker.
WORKERS_UNREACHABLE = (
    "Queued: the background workers cannot be reached right now. The send starts by itself as "
    "soon as they can; there is nothing to press again."
)
LIMITER_UNAVAILABLE = "The rate limiter's store (Redis) cannot be reached ({error}); trying again."
NOTHING_TO_SEND = "No entries within these filters can be sent to QuickBooks."
COMPANY_CHANGED = (
    "The workspace is now connected to a different QuickBooks company than the one this send "
    "was for; start a new send."
)
# A fault on this entry that a later try may not meet (a throttle, a garbled item): QBO created
# nothing for it.
NO_ITEM_ANSWER = "QuickBooks could not take this entry just then. Retry failed sends it again."
# QBO's batch answer left entries out: whether it created them is unknown.
ITEMS_UNANSWERED = (
    "QuickBooks' answer left out {count} entr{suffix}; asking again with the same request id."
)


class SendInterrupted(Exception):
    """QBO kept failing in a way a later try may fix (5xx, timeouts, throttles): the job keeps
    its place (pending batches keep their request ids) and the task tries again later."""


# -- selection --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selected:
    """One entry of a selection: its TimeActivity, or the reason it is not sent."""

    entry_id: str
    seconds: int
    payload: dict[str, Any] | None
    reason: str = ""
    report_seconds: int | None = None  # the report's time when it differs from `seconds`


@dataclass
class ReasonCount:
    entries: int = 0
    seconds: int = 0


@dataclass
class SendPreview:
    """What "Send to QuickBooks" would do with the filter: counts over all its pages."""

    entries: int = 0
    seconds: int = 0  # what QBO gets: whole minutes per entry
    report_seconds: int = 0  # the same entries as the report counts them
    not_sent: dict[str, ReasonCount] = field(default_factory=dict)

    @property
    def not_sent_entries(self) -> int:
        return sum(c.entries for c in self.not_sent.values())

    @property
    def not_sent_seconds(self) -> int:
        return sum(c.seconds for c in self.not_sent.values())

    def add(self, item: Selected) -> None:
        if item.payload is not None:
            self.entries += 1
            self.seconds += item.seconds
            self.report_seconds += (
                item.seconds if item.report_seconds is None else item.report_seconds
            )
        else:
            count = self.not_sent.setdefault(item.reason, ReasonCount())
            count.entries += 1
            count.seconds += item.seconds

    def not_sent_json(self) -> dict[str, dict[str, int]]:
        return {r: {"entries": c.entries, "seconds": c.seconds} for r, c in self.not_sent.items()}


def _admin_connection(membership: Membership) -> QBOConnection:
    require_role(membership, Membership.Role.ADMIN)
    connection = (
        QBOConnection.objects.select_related("workspace")
        .defer("access_token", "refresh_token")  # not needed; unreadable ones would be a 500
        .filter(workspace_id=membership.workspace_id)
        .first()
    )
    # The plan as it is now (the membership's workspace may have been read before a change).
    workspace = connection.workspace if connection is not None else membership.workspace
    if not workspace.has_quickbooks:
        raise PermissionDenied(PLAN_REQUIRED)
    if connection is None or not connection.is_connected:
        raise ApplicationError(
            "Connect this workspace to QuickBooks Online before sending time "
            "(Settings > Integrations)."
            if connection is None or connection.status == QBOConnection.Status.DISCONNECTED
            else "The QuickBooks connection needs reconnecting (Settings > Integrations) before "
            "time can be sent."
        )
    return connection


def _entries_in(membership: Membership, filters: DetailedFilters) -> QuerySet[TimeEntry]:
    """Every entry of the workspace within the filter, running timers included (they are
    reported as not sent), whoever tracked it (only admins send)."""
    return apply_filters(
        TimeEntry.objects.filter(workspace_id=membership.workspace_id),
        membership=membership,
        filters=filters,
    )


def _annotated(
    entries: QuerySet[TimeEntry], *, membership: Membership, realm_id: str
) -> QuerySet[TimeEntry]:
    """Entries with the report's rounded duration and what the send needs to know about them:
    the QBO employee and customer they map to in this company, and whether they are sent or
    in another job already (one query, whatever the number of entries)."""
    ws = membership.workspace_id
    return entries.annotate(
        **report_annotations(workspace_rounding(membership.workspace)),
        qbo_employee_id=Subquery(
            EmployeeLink.objects.filter(
                workspace_id=ws, realm_id=realm_id, membership__user_id=OuterRef("user_id")
            ).values("qbo_employee_id")[:1]
        ),
        qbo_customer_id=Subquery(
            CustomerLink.objects.filter(
                workspace_id=ws,
                realm_id=realm_id,
                kind=CustomerLink.Kind.PROJECT,
                project_id=OuterRef("project_id"),
            ).values("qbo_customer_id")[:1]
        ),
        is_sent=Exists(SentEntry.objects.filter(entry_key=OuterRef("pk"))),
        in_other_send=Exists(
            SendItem.objects.filter(
                time_entry_id=OuterRef("pk"),
                state=SendItem.State.PENDING,
                job__state__in=SendJob.ACTIVE_STATES,
            )
        ),
        held_by_stopped_send=Exists(
            SendItem.objects.filter(
                time_entry_id=OuterRef("pk"), state=SendItem.State.PENDING
            ).exclude(job__state__in=SendJob.ACTIVE_STATES)
        ),
    )


def _select_one(entry: TimeEntry, *, time_zone: str, item_id: str | None) -> Selected:
    seconds = int(getattr(entry, "report_seconds", None) or 0)
    if getattr(entry, "is_sent", False):
        return Selected(entry_id=entry.pk, seconds=seconds, payload=None, reason=ALREADY_SENT)
    if getattr(entry, "in_other_send", False):
        return Selected(entry_id=entry.pk, seconds=seconds, payload=None, reason=IN_ANOTHER_SEND)
    if getattr(entry, "held_by_stopped_send", False):
        return Selected(
            entry_id=entry.pk, seconds=seconds, payload=None, reason=HELD_BY_STOPPED_SEND
        )
    draft = time_activity_payload(
        TimeEntryInput(
            entry_id=entry.pk,
            start=entry.start,
            end=entry.end,
            duration_seconds=seconds,
            billable=entry.billable,
            hourly_rate_cents=entry.hourly_rate_cents,
            description=entry.description,
            project_id=entry.project_id,
            employee_id=getattr(entry, "qbo_employee_id", None),
            customer_id=getattr(entry, "qbo_customer_id", None),
        ),
        time_zone=time_zone,
        item_id=item_id,
    )
    if isinstance(draft, TimeActivityDraft):
        # The time QBO gets (whole minutes, also when the workspace does not round), so the
        # confirmation and the job's totals add up what QuickBooks will show.
        sent = int(draft.payload["Hours"]) * 3600 + int(draft.payload["Minutes"]) * 60
        return Selected(
            entry_id=entry.pk, seconds=sent, payload=draft.payload, report_seconds=seconds
        )
    return Selected(entry_id=entry.pk, seconds=seconds, payload=None, reason=draft.reason.value)


def _selection(
    entries: QuerySet[TimeEntry], *, membership: Membership, connection: QBOConnection
) -> Iterator[Selected]:
    """Each entry's TimeActivity or reason, streamed in start order (the same rounding and
    refusal rules as the report and the mapping)."""
    rows = (
        _annotated(entries, membership=membership, realm_id=connection.realm_id)
        .order_by("start", "pk")
        .only(
            "pk",
            "start",
            "end",
            "billable",
            "hourly_rate_cents",
            "description",
            "project_id",
            "user_id",
        )
    )
    time_zone = membership.workspace.time_zone
    item_id = connection.service_item_id or None
    for entry in rows.iterator(chunk_size=2000):
        yield _select_one(entry, time_zone=time_zone, item_id=item_id)


def send_preview(*, membership: Membership, filters: DetailedFilters) -> SendPreview:
    """How many entries (and how much rounded time) "Send to QuickBooks" would send within the
    filter, over all its pages, and how many it would not, by reason. Admins only."""
    connection = _admin_connection(membership)
    preview = SendPreview()
    for item in _selection(
        _entries_in(membership, filters), membership=membership, connection=connection
    ):
        preview.add(item)
    return preview


# -- starting and retrying ----------------------------------------------------------------------


def _enqueue(job_id: str) -> None:
    transaction.on_commit(lambda: send_publish(job_id=job_id))


def send_publish(*, job_id: str) -> bool:
    """Hand a committed job to the workers. When the broker cannot be reached the job stays
    QUEUED, says so, and is due for the resume task at once: its next run (once the broker is
    back) starts it. Whether the message went out."""
    from quickbooks_sync.tasks_send import send_job_run  # the task module imports this one

    try:
        send_job_run.delay(job_id)
    except Exception as exc:  # kombu's OperationalError, or whatever the transport raises
        logger.warning("QBO send %s queued, but the broker cannot be reached: %s", job_id, exc)
        SendJob.objects.filter(pk=job_id, state=SendJob.State.QUEUED).update(
            error=WORKERS_UNREACHABLE, heartbeat_at=timezone.now() - _stale_after()
        )
        return False
    return True


def _recount(job: SendJob) -> None:
    """The job's progress counters from its items (correct whoever wrote them)."""
    rows = (
        SendItem.objects.filter(job_id=job.pk)
        .values("state")
        .annotate(n=Count("pk"), total=Coalesce(Sum("seconds"), 0))
    )
    by_state = {r["state"]: r for r in rows}
    sent = by_state.get(SendItem.State.SENT, {})
    job.sent_count = int(sent.get("n", 0))
    job.sent_seconds = int(sent.get("total", 0))
    job.failed_count = int(by_state.get(SendItem.State.FAILED, {}).get("n", 0))


def send_start(*, membership: Membership, filters: DetailedFilters) -> SendJob:
    """Select every not-sent entry within the filter (all pages) and start sending them.

    Admins only; the workspace must be connected. The selection and its payloads are fixed now,
    in one transaction; an entry another running send holds is left to that send. Nothing to
    send is an error (nothing is saved)."""
    connection = _admin_connection(membership)
    with transaction.atomic():
        job = SendJob.objects.create(
            workspace_id=membership.workspace_id,
            requested_by_id=membership.user_id,
            realm_id=connection.realm_id,
            filters=[list(pair) for pair in filters.resolved().to_query()],
        )
        preview = SendPreview()
        to_send: list[SendItem] = []
        refused: list[SendItem] = []
        for item in _selection(
            _entries_in(membership, filters), membership=membership, connection=connection
        ):
            preview.add(item)
            if item.reason in (ALREADY_SENT, IN_ANOTHER_SEND, HELD_BY_STOPPED_SEND):
                continue  # counted, not listed: they are another send's business
            row = SendItem(
                workspace_id=membership.workspace_id,
                job=job,
                time_entry_id=item.entry_id,
                entry_key=item.entry_id,
                seconds=item.seconds,
            )
            if item.payload is not None:
                row.payload = item.payload
                to_send.append(row)
            else:
                row.state = SendItem.State.SKIPPED
                row.reason = item.reason
                row.message = NOT_SENT_MESSAGES[item.reason]
                refused.append(row)
        # ON CONFLICT DO NOTHING on the one-PENDING-per-entry constraint: an entry that another
        # send took between our read and our insert stays that send's (it waits for the other
        # transaction, so it never ends up in both).
        SendItem.objects.bulk_create(to_send, batch_size=1000, ignore_conflicts=True)
        SendItem.objects.bulk_create(refused, batch_size=1000)
        taken = SendItem.objects.filter(job=job, state=SendItem.State.PENDING).aggregate(
            n=Count("pk"), seconds=Coalesce(Sum("seconds"), 0)
        )
        lost = len(to_send) - int(taken["n"])
        if not taken["n"]:  # raising inside atomic() rolls the job and its items back
            if lost:
                raise ApplicationError(
                    "Another send that is still running already has these entries."
                )
            raise ApplicationError(NOTHING_TO_SEND)
        not_sent = preview.not_sent_json()
        if lost:
            count = not_sent.setdefault(IN_ANOTHER_SEND, {"entries": 0, "seconds": 0})
            count["entries"] += lost
            count["seconds"] += preview.seconds - int(taken["seconds"])
        job.selected_count = int(taken["n"])
        job.selected_seconds = int(taken["seconds"])
        job.not_sent = not_sent
        job.save(update_fields=["selected_count", "selected_seconds", "not_sent"])
        _enqueue(job.pk)
    logger.info("QBO send %s started: %s entries", job.pk, job.selected_count)
    return job


def send_job_get(*, membership: Membership, job_id: str) -> SendJob:
    """A send job of the membership's workspace (admins only), or NotFound."""
    require_role(membership, Membership.Role.ADMIN)
    job = (
        SendJob.objects.filter(workspace_id=membership.workspace_id, pk=job_id).first()
        if is_object_id(job_id)
        else None
    )
    if job is None:
        raise NotFound("Send job not found.")
    return job


def send_retry_failed(*, membership: Membership, job_id: str) -> SendJob:
    """Send again what QBO refused (after the admin fixed the cause) and what a stopped job
    left unsent. Payloads are computed again from the entries as they are now (a new link, a
    fixed project); an entry that is now refused by the product's rules is marked so."""
    connection = _admin_connection(membership)
    with transaction.atomic():
        job = send_job_get(membership=membership, job_id=job_id)
        job = SendJob.objects.select_for_update().get(pk=job.pk)
        if job.is_active:
            raise ApplicationError("This send is still running; wait for it to finish.")
        if job.realm_id != connection.realm_id:
            raise ApplicationError(COMPANY_CHANGED)
        failed = list(
            SendItem.objects.filter(job=job, state=SendItem.State.FAILED).values_list(
                "pk", "time_entry_id"
            )
        )
        has_pending = SendItem.objects.filter(job=job, state=SendItem.State.PENDING).exists()
        if not failed and not has_pending:
            raise ApplicationError("Nothing to retry: no entry of this send failed.")
        by_entry = {entry_id: pk for pk, entry_id in failed if entry_id is not None}
        deleted = [pk for pk, entry_id in failed if entry_id is None]
        SendItem.objects.filter(pk__in=deleted).update(
            state=SendItem.State.SKIPPED, reason=DELETED, message=NOT_SENT_MESSAGES[DELETED]
        )
        entries = TimeEntry.objects.filter(workspace_id=job.workspace_id, pk__in=list(by_entry))
        for item in _selection(entries, membership=membership, connection=connection):
            changes: dict[str, Any] = {"seconds": item.seconds, "batch": None, "bid": ""}
            if item.payload is not None:
                changes.update(state=SendItem.State.PENDING, reason="", message="")
                changes["payload"] = item.payload
            else:
                changes.update(
                    state=SendItem.State.SKIPPED,
                    reason=item.reason,
                    message=NOT_SENT_MESSAGES[item.reason],
                )
            try:
                with transaction.atomic():
                    SendItem.objects.filter(pk=by_entry[item.entry_id]).update(**changes)
            except IntegrityError:
                # Another running send took the entry meanwhile: it is that send's now.
                SendItem.objects.filter(pk=by_entry[item.entry_id]).update(
                    state=SendItem.State.SKIPPED,
                    reason=IN_ANOTHER_SEND,
                    message=NOT_SENT_MESSAGES[IN_ANOTHER_SEND],
                )
        _recount(job)
        job.state = SendJob.State.QUEUED
        job.interruptions = 0
        job.error = ""
        job.finished_at = None
        job.lease_owner = ""
        job.heartbeat_at = None
        job.save()
        _enqueue(job.pk)
    return job


# -- the worker --------------------------------------------------------------------------------


def _stale_after() -> timedelta:
    return timedelta(seconds=settings.QBO_SEND_STALE_SECONDS)


def _lease_live(job: SendJob, now: datetime) -> bool:
    """A worker holds the job and showed life within the stale time."""
    return bool(
        job.lease_owner and job.heartbeat_at is not None and job.heartbeat_at > now - _stale_after()
    )


class _Lease:
    """This run's hold on a job. Another worker may take the job over when the heartbeat is
    stale; then `beat()` says so and this run stops (the outbox keeps that safe anyway)."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.owner = uuid.uuid4().hex

    def claim(self) -> SendJob | None:
        with transaction.atomic():
            job = SendJob.objects.select_for_update().filter(pk=self.job_id).first()
            if job is None or not job.is_active:
                return None
            now = timezone.now()
            if _lease_live(job, now):
                return None
            job.lease_owner = self.owner
            job.heartbeat_at = now
            job.state = SendJob.State.RUNNING
            job.started_at = job.started_at or now
            job.error = ""  # WORKERS_UNREACHABLE, if the broker was away when it was queued
            job.save(update_fields=["lease_owner", "heartbeat_at", "state", "started_at", "error"])
            return job

    def beat(self) -> bool:
        return bool(
            SendJob.objects.filter(
                pk=self.job_id, lease_owner=self.owner, state=SendJob.State.RUNNING
            ).update(heartbeat_at=timezone.now())
        )

    def release(self) -> None:
        """Let the next try take the job at once (the heartbeat stays: a released job that
        nobody takes is resumed once it is stale)."""
        SendJob.objects.filter(pk=self.job_id, lease_owner=self.owner).update(lease_owner="")

    def sleep(self, seconds: float) -> None:
        """Wait, showing life every few seconds; _LeaseLost when another worker took over."""
        deadline = time.monotonic() + seconds
        step = max(0.2, _stale_after().total_seconds() / 4)
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, step))
            if not self.beat():
                raise _LeaseLost


class _LeaseLost(Exception):
    """Another worker took the job over (this one looked dead): stop, it carries on."""


def _next_batch(job: SendJob) -> SendBatch | None:
    """The oldest batch still waiting for QBO's answer, else a new one of up to 30 PENDING
    items, recorded and committed before anything is sent. Items whose entry was sent (by
    another job) or deleted meanwhile are marked so, never sent."""
    pending = SendBatch.objects.filter(job=job, state=SendBatch.State.PENDING).order_by(
        "created_at", "pk"
    )
    batch = pending.first()
    if batch is not None:
        return batch
    with transaction.atomic():
        # FOR UPDATE: two workers holding the job never put an item in two batches (the second
        # re-reads `batch IS NULL` after the first commits and finds other items or none).
        items = list(
            SendItem.objects.select_for_update(skip_locked=True)
            .filter(job=job, state=SendItem.State.PENDING, batch__isnull=True)
            .order_by("pk")[: MAX_BATCH_ITEMS * 4]
        )
        if not items:
            return None
        sent = set(
            SentEntry.objects.filter(entry_key__in=[i.entry_key for i in items]).values_list(
                "entry_key", flat=True
            )
        )
        chosen: list[SendItem] = []
        for item in items:
            reason = (
                ALREADY_SENT
                if item.entry_key in sent
                else DELETED
                if item.time_entry_id is None
                else ""
            )
            if reason:
                item.state = SendItem.State.SKIPPED
                item.reason = reason
                item.message = NOT_SENT_MESSAGES[reason]
                item.save(update_fields=["state", "reason", "message", "updated_at"])
            elif len(chosen) < MAX_BATCH_ITEMS:
                chosen.append(item)
        if not chosen:
            return _next_batch(job)
        batch = SendBatch.objects.create(
            workspace_id=job.workspace_id,
            job=job,
            realm_id=job.realm_id,
            request_id=str(uuid.uuid4()),
        )
        for number, item in enumerate(chosen, start=1):
            item.batch = batch
            item.bid = str(number)
        SendItem.objects.bulk_update(chosen, ["batch", "bid"])
    return batch


def _record_answer(batch: SendBatch, results: dict[str, BatchItemResult]) -> int:
    """QBO's answer to a batch, in one transaction: the ledger rows for what it created, the
    items' outcomes, the batch DONE. An item the answer leaves out stays PENDING and keeps the
    batch PENDING (whether QBO created it is unknown: only the same request id may ask again).
    A second writer (another worker that sent the same batch with the same request id) finds
    the batch DONE, or its items answered, and writes nothing twice. Answers how many items
    are still without an answer."""
    with transaction.atomic():
        locked = SendBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state != SendBatch.State.PENDING:
            return 0
        items = list(
            SendItem.objects.filter(batch=batch, state=SendItem.State.PENDING).select_related(
                "time_entry"
            )
        )
        already = set(
            SentEntry.objects.filter(entry_key__in=[i.entry_key for i in items]).values_list(
                "entry_key", flat=True
            )
        )
        now = timezone.now()
        ledger: list[SentEntry] = []
        answered: list[SendItem] = []
        for item in items:
            result = results.get(item.bid)
            if result is None or not result.answered:
                continue  # fate unknown: stays PENDING in this batch
            answered.append(item)
            if result.ok:
                if item.entry_key in already:
                    # Cannot happen while the selection and batching rules hold; if it does,
                    # QBO now has a second TimeActivity for the entry: say so loudly.
                    logger.error(
                        "QBO TimeActivity %s duplicates sent entry %s",
                        result.time_activity_id,
                        item.entry_key,
                    )
                    item.state = SendItem.State.SKIPPED
                    item.reason = ALREADY_SENT
                    item.message = NOT_SENT_MESSAGES[ALREADY_SENT]
                    continue
                entry = item.time_entry
                ledger.append(
                    SentEntry(
                        workspace_id=batch.workspace_id,
                        time_entry=entry,
                        entry_key=item.entry_key,
                        realm_id=batch.realm_id,
                        qbo_time_activity_id=result.time_activity_id or "",
                        sync_token=result.sync_token or "0",
                        values_sent=item.payload,
                        entry_updated_at=entry.updated_at if entry is not None else None,
                        sent_at=now,
                        job_id=batch.job_id,
                        batch=batch,
                    )
                )
                item.state = SendItem.State.SENT
                item.reason = ""
                item.message = ""
            else:
                # QBO answered this bId with a fault: it created nothing for it.
                error = result.error
                item.state = SendItem.State.FAILED
                item.reason = f"qbo_{error.code}"[:40] if error is not None else "qbo_unknown"
                item.message = (
                    NO_ITEM_ANSWER
                    if error is None or error.retryable
                    else error.human_message[:1000]
                )
            item.updated_at = now
        SentEntry.objects.bulk_create(ledger)
        SendItem.objects.bulk_update(answered, ["state", "reason", "message", "updated_at"])
        unanswered = len(items) - len(answered)
        if not unanswered:
            locked.state = SendBatch.State.DONE
            locked.done_at = now
            locked.save(update_fields=["state", "done_at"])
        job = SendJob.objects.get(pk=batch.job_id)
        _recount(job)
        job.save(update_fields=["sent_count", "sent_seconds", "failed_count"])
    return unanswered


def _refuse_batch(batch: SendBatch, error: QBOError) -> None:
    """QBO refused the whole request (e.g. 3100, a read-only company): every item failed with
    its reason; QBO created nothing (a refused request executes nothing)."""
    results = {
        bid: BatchItemResult(bid=bid, error=error)
        for bid in SendItem.objects.filter(batch=batch, state=SendItem.State.PENDING).values_list(
            "bid", flat=True
        )
    }
    _record_answer(batch, results)


class _Unanswered(Exception):
    """QBO's answer to a batch left some of its items out (or none came: the rate limiter could
    not be asked)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _send_batch(batch: SendBatch, lease: _Lease) -> None:
    """Send one recorded batch until QBO answers for each of its items, retrying transient
    failures with backoff (same request id; only the items still without an answer, so a
    request id that QBO no longer remembers cannot create an answered item twice);
    SendInterrupted when they last too long, ConnectionUnavailable when the connection is
    gone."""
    items = [
        (bid, payload)
        for bid, payload in SendItem.objects.filter(batch=batch, state=SendItem.State.PENDING)
        .order_by("pk")
        .values_list("bid", "payload")
    ]
    if not items:
        SendBatch.objects.filter(pk=batch.pk).update(state=SendBatch.State.DONE)
        return
    base = float(settings.QBO_SEND_BACKOFF_SECONDS)
    max_tries = int(settings.QBO_SEND_MAX_TRIES)
    limiter = company_limiter(batch.realm_id)
    # Wait for a slot at most a third of the stale time, so the heartbeat keeps showing life.
    slot_timeout = _stale_after().total_seconds() / 3
    failures = throttles = 0  # a throttle waits its turn; it is not a failure of the batch

    def send(qbo: QBOSession) -> dict[str, BatchItemResult]:
        if qbo.realm_id != batch.realm_id:
            # Reconnected to another company: this batch's references mean nothing there.
            raise ConnectionUnavailable(COMPANY_CHANGED)
        # Counted right before the request leaves: a batch never tried can be let go safely.
        SendBatch.objects.filter(pk=batch.pk).update(
            attempts=F("attempts") + 1, last_attempt_at=timezone.now()
        )
        return qbo.send_time_activities(request_id=batch.request_id, items=items)

    while True:
        if not lease.beat():
            raise _LeaseLost
        wait = min(base * 2**failures, 60.0)
        error: QBOError | RateLimitTimeout | _Unanswered
        try:
            with limiter.batch_slot(timeout=slot_timeout):
                results = connection_call(workspace_id=batch.workspace_id, operation=send)
        except RateLimitTimeout as exc:
            error, wait = exc, 0.0  # nothing was sent: ask for a slot again
        except QBOThrottled as exc:
            # Every worker of this company pauses (Intuit: wait 60 s); the next slot waits.
            try:
                limiter.penalize(QBOThrottled.retry_after_seconds)
            except RedisError:
                logger.warning("QBO send: the rate limiter's Redis is away; pause not shared")
            error, wait = exc, 0.0
        except RedisError as exc:
            # The limiter's Redis is away: back off and try again like a QBO outage (then the
            # task retries later). Should it fail after QBO answered, the batch goes again with
            # its request id and QBO answers what it already did.
            error = _Unanswered(LIMITER_UNAVAILABLE.format(error=exc))
        except (QBOTransientError, QBOAuthError) as exc:
            # No answer, or QBO failing: the same request id again after a pause. (A 401 right
            # after connection_call's refresh is QBO having a moment too.)
            error = exc
        except QBOError as exc:
            _refuse_batch(batch, exc)
            return
        else:
            unanswered = _record_answer(batch, results)
            if not unanswered:
                return
            # Part of the answer is missing: those items only, same request id, after a pause.
            items = [
                (bid, payload)
                for bid, payload in items
                if bid not in results or not results[bid].answered
            ]
            error = _Unanswered(
                ITEMS_UNANSWERED.format(count=unanswered, suffix="y" if unanswered == 1 else "ies")
            )
        if wait:
            failures += 1
        else:
            throttles += 1
        text = error.human_message if isinstance(error, QBOError) else error.message
        SendBatch.objects.filter(pk=batch.pk).update(last_error=text[:1000])
        logger.warning(
            "QBO send batch %s failed (%s); again in %.1fs",
            batch.request_id,
            getattr(error, "code", type(error).__name__),
            wait,
        )
        if failures >= max_tries or throttles >= 10 * max_tries:
            raise SendInterrupted(text)
        lease.sleep(wait)


def _finish(job_id: str, owner: str | None, *, error: str = "") -> bool:
    """Close the job: SUCCEEDED when every item has its outcome, FAILED (with `error`) when it
    stopped. Items never put in a batch are failed with the job's reason; items in a batch that
    QBO has not answered stay PENDING: whether QBO has them is unknown until "Retry failed"
    sends that batch again with its request id. False when there is still work (another worker
    was batching items meanwhile): the caller looks again.

    `owner` None: a caller without a lease (giving up) closes the job only while no worker
    holds a live lease on it (False otherwise)."""
    with transaction.atomic():
        job = SendJob.objects.select_for_update().get(pk=job_id)
        if not job.is_active:
            return True
        if owner is None:
            if _lease_live(job, timezone.now()):
                return False
        elif job.lease_owner and job.lease_owner != owner:
            return True
        if error:
            never_sent = SendBatch.objects.filter(
                job=job, state=SendBatch.State.PENDING, attempts=0
            )
            SendItem.objects.filter(job=job, state=SendItem.State.PENDING).filter(
                Q(batch__isnull=True) | Q(batch__in=never_sent)
            ).update(state=SendItem.State.FAILED, reason=STOPPED, message=error[:1000])
            never_sent.update(state=SendBatch.State.DONE, done_at=timezone.now())
        elif SendItem.objects.filter(job=job, state=SendItem.State.PENDING).exists():
            return False
        _recount(job)
        job.state = SendJob.State.FAILED if error else SendJob.State.SUCCEEDED
        job.error = error[:1000]
        job.finished_at = timezone.now()
        job.lease_owner = ""
        job.save()
    return True


def send_run(*, job_id: str, max_seconds: float | None = None) -> bool:
    """Send a job's batches until none is left (True) or `max_seconds` have passed (False: call
    again). Safe to run twice at once and after a crash: progress is read from the database,
    and a batch waiting for its answer is sent again with its request id.

    SendInterrupted when QBO keeps failing transiently (the caller retries later)."""
    lease = _Lease(job_id)
    job = lease.claim()
    if job is None:
        return True  # finished, or another live worker holds it
    started = time.monotonic()
    try:
        while True:
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                lease.release()
                return False
            if not lease.beat():
                return True  # taken over by another worker
            batch = _next_batch(job)
            if batch is None:
                if _finish(job_id, lease.owner):
                    return True
                lease.sleep(0.2)
                continue
            _send_batch(batch, lease)
    except ConnectionUnavailable as exc:
        _finish(job_id, lease.owner, error=exc.message)
        return True
    except _LeaseLost:
        return True
    except BaseException:
        lease.release()  # the next try (or the resume task) takes over at once
        raise


def send_interrupted(*, job_id: str, retry_in: float) -> int:
    """Note that a run stopped on QBO failing transiently and will be tried again in `retry_in`
    seconds (the resume task leaves the job alone until then). Answers how many runs of the job
    have stopped so, since it started or was last retried by an admin."""
    with transaction.atomic():
        job = SendJob.objects.select_for_update().get(pk=job_id)
        job.interruptions += 1
        if job.is_active and not job.lease_owner:
            job.heartbeat_at = timezone.now() + timedelta(seconds=retry_in)
        job.save(update_fields=["interruptions", "heartbeat_at"])
        return job.interruptions


def send_give_up(*, job_id: str, error: str) -> bool:
    """The task's last word after too many interrupted runs: stop the job (FAILED), unless a
    worker holds it now (another run took it over and is sending: it carries on, and stops
    or finishes by itself). Whether the job was stopped."""
    return _finish(job_id, None, error=error)


def send_jobs_resume_due(*, now: datetime | None = None) -> list[str]:
    """Jobs a worker should be running but nobody is: running with a stale heartbeat, or
    queued for longer than the stale time (a lost message). Their heartbeat is set to now, so
    a job waiting in a long queue is handed out again once per stale period, not every time."""
    now = now or timezone.now()
    limit = now - _stale_after()
    with transaction.atomic():
        job_ids = list(
            SendJob.objects.select_for_update(skip_locked=True)
            .filter(state__in=SendJob.ACTIVE_STATES)
            .filter(Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, created_at__lt=limit))
            .values_list("pk", flat=True)
        )
        # The lease is dropped too: its holder showed no life for the whole stale time.
        SendJob.objects.filter(pk__in=job_ids).update(heartbeat_at=now, lease_owner="")
    return job_ids
