"""The batch runner of a send: a worker's loop over a job's batches, exactly once.

    send_run(job_id=job.id)   # the task: batches until done, or until max_seconds

Per batch: up to 30 PENDING items get a `SendBatch` with a fresh request id, COMMITTED before the
request leaves (`_next_batch`). The batch goes through `connection_call` (fresh token; one
refresh after a 401), whose session takes the company's batch slot of the rate limiter. QBO's
answer is written in ONE transaction (`_record_answer`): a `SentEntry` per confirmed bId, items
SENT or FAILED with QBO's reason, the batch DONE. No answer (timeout, 5xx, lost response, a
killed worker), or an answer that leaves entries out: those entries stay PENDING in their batch,
which is sent again with the SAME request id. 429 waits its turn. The job's lease
(services/send_lease.py) says which worker runs it.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models import Q
from django.utils import timezone
from redis import RedisError

from quickbooks_sync.mapping import held_values
from quickbooks_sync.models import SendBatch
from quickbooks_sync.models import SendItem
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SentEntry
from quickbooks_sync.models import SentVersion
from quickbooks_sync.qbo.errors import QBOAuthError
from quickbooks_sync.qbo.errors import QBOError
from quickbooks_sync.qbo.errors import QBOThrottled
from quickbooks_sync.qbo.errors import QBOTransientError
from quickbooks_sync.qbo.limiter import RateLimitTimeout
from quickbooks_sync.qbo.session import QBOSession
from quickbooks_sync.qbo.types import MAX_BATCH_ITEMS
from quickbooks_sync.qbo.types import BatchItemResult
from quickbooks_sync.services.connection import ConnectionUnavailable
from quickbooks_sync.services.connection import connection_call
from quickbooks_sync.services.send import ALREADY_SENT
from quickbooks_sync.services.send import COMPANY_CHANGED
from quickbooks_sync.services.send import DELETED
from quickbooks_sync.services.send import DELETED_IN_QBO
from quickbooks_sync.services.send import NOT_SENT_MESSAGES
from quickbooks_sync.services.send import STOPPED
from quickbooks_sync.services.send import send_job_recount
from quickbooks_sync.services.send_lease import Lease
from quickbooks_sync.services.send_lease import LeaseLost
from quickbooks_sync.services.send_lease import lease_live
from quickbooks_sync.services.send_lease import stale_after

logger = logging.getLogger(__name__)

# A fault on this entry that a later try may not meet (a throttle, a garbled item): QBO created
# nothing for it.
NO_ITEM_ANSWER = "QuickBooks could not take this entry just then. Retry failed sends it again."
# QBO's batch answer left entries out: whether it created them is unknown.
LIMITER_UNAVAILABLE = "The rate limiter's store (Redis) cannot be reached ({error}); trying again."
ITEMS_UNANSWERED = (
    "QuickBooks' answer left out {count} entr{suffix}; asking again with the same request id."
)


# The batch operation of each kind of job.
OPERATIONS: dict[str, str] = {
    SendJob.Kind.SEND: "create",
    SendJob.Kind.UPDATE: "update",
    SendJob.Kind.DELETE: "delete",
}
STALE = "5010"
# QBO refused an update or delete as stale: someone changed the TimeActivity in QuickBooks.
STALE_REFUSED = "Changed in QuickBooks since it was last sent, so nothing was overwritten."
STALE_MESSAGE = (
    STALE_REFUSED + " The sent view "
    "now shows what QuickBooks holds beside this entry; update or delete it again to replace it."
)
STALE_UNREAD = (
    STALE_REFUSED + " Reading what QuickBooks holds now failed ({error}): check the "
    "TimeActivity in QuickBooks."
)
GONE_MESSAGE = "QuickBooks no longer has this TimeActivity: it was deleted there."


class SendInterrupted(Exception):
    """QBO kept failing in a way a later try may fix (5xx, timeouts, throttles): the job keeps
    its place (pending batches keep their request ids) and the task tries again later."""


def _skip_reason(kind: str, item: SendItem, ledger: dict[str, Any]) -> str:
    """Why an item is no longer to be sent, or "": `ledger` maps the sent entries' keys to
    when they were deleted from QBO (None: they are there). A send skips what was sent (by
    another job) or deleted meanwhile; an update what was deleted here or from QBO; a delete
    what was deleted from QBO."""
    if kind == SendJob.Kind.SEND:
        if item.entry_key in ledger:
            return ALREADY_SENT
        return DELETED if item.time_entry_id is None else ""
    if ledger.get(item.entry_key) is not None:
        return DELETED_IN_QBO
    return DELETED if kind == SendJob.Kind.UPDATE and item.time_entry_id is None else ""


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
        ledger = dict(
            SentEntry.objects.filter(entry_key__in=[i.entry_key for i in items]).values_list(
                "entry_key", "deleted_at"
            )
        )
        chosen: list[SendItem] = []
        for item in items:
            reason = _skip_reason(job.kind, item, ledger)
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


def _version(
    sent: SentEntry,
    operation: str,
    values: dict[str, Any],
    now: datetime,
    *,
    job_id: str | None = None,
) -> SentVersion:
    """The ledger row's current version (`sent.version`), as QBO confirmed it."""
    return SentVersion(
        workspace_id=sent.workspace_id,
        sent_entry=sent,
        version=sent.version,
        operation=operation,
        values=values,
        sync_token=sent.sync_token,
        job_id=job_id or sent.job_id,
        recorded_at=now,
    )


def _fail(item: SendItem, error: QBOError | None) -> None:
    """QBO answered this bId with a fault: it did nothing for it."""
    item.state = SendItem.State.FAILED
    item.reason = f"qbo_{error.code}"[:40] if error is not None else "qbo_unknown"
    item.message = (
        NO_ITEM_ANSWER if error is None or error.retryable else error.human_message[:1000]
    )


def _record_created(
    batch: SendBatch,
    answered: list[SendItem],
    results: dict[str, BatchItemResult],
    now: datetime,
) -> None:
    """A send's answered items: a ledger row (and its first version) per created TimeActivity."""
    already = set(
        SentEntry.objects.filter(entry_key__in=[i.entry_key for i in answered]).values_list(
            "entry_key", flat=True
        )
    )
    ledger: list[SentEntry] = []
    for item in answered:
        result = results[item.bid]
        if not result.ok:
            _fail(item, result.error)
            continue
        if item.entry_key in already:
            # Cannot happen while the selection and batching rules hold; if it does, QBO now
            # has a second TimeActivity for the entry: say so loudly.
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
    SentEntry.objects.bulk_create(ledger)
    SentVersion.objects.bulk_create(
        _version(sent, SentVersion.Operation.CREATE, sent.values_sent, now) for sent in ledger
    )


def _record_corrected(
    job: SendJob,
    batch: SendBatch,
    answered: list[SendItem],
    results: dict[str, BatchItemResult],
    now: datetime,
) -> None:
    """An update's or delete's answered items: the ledger row's next version for each one QBO
    confirmed (new SyncToken and values; or deleted), the fault of each one it refused (a
    stale one is read again afterwards: `_reread_stale`)."""
    ledger = {
        sent.entry_key: sent
        for sent in SentEntry.objects.select_for_update().filter(
            entry_key__in=[i.entry_key for i in answered]
        )
    }
    versions: list[SentVersion] = []
    for item in answered:
        result = results[item.bid]
        sent = ledger.get(item.entry_key)
        if not result.ok or sent is None:
            _fail(item, result.error)
            code = result.error.code if result.error is not None else ""
            if code in ("610", STALE):
                item.message = GONE_MESSAGE if code == "610" else STALE_REFUSED
            continue
        sent.version += 1
        if job.kind == SendJob.Kind.DELETE:
            sent.deleted_at = now
            operation, values = SentVersion.Operation.DELETE, {}
        else:
            sent.sync_token = result.sync_token or sent.sync_token
            sent.values_sent = item.values
            sent.updated_at = now
            entry = item.time_entry
            sent.entry_updated_at = entry.updated_at if entry is not None else None
            operation, values = SentVersion.Operation.UPDATE, item.values
        sent.save()
        versions.append(_version(sent, operation, values, now, job_id=job.pk))
        item.state = SendItem.State.SENT
        item.reason = ""
        item.message = ""
    SentVersion.objects.bulk_create(versions)


def _reread_stale(batch: SendBatch | None = None, *, job: SendJob | None = None) -> None:
    """After QBO refused updates or deletes as stale (5010): read each TimeActivity again and
    make the ledger hold what QuickBooks has now (a version "read"), so the sent view shows it
    beside today's values and nothing is overwritten without the admin seeing it. A failed
    read leaves the ledger as it was and says so on the item."""
    items = (
        SendItem.objects.filter(batch=batch)
        if batch is not None
        else SendItem.objects.filter(job=job)
    )
    stale = list(
        items.filter(state=SendItem.State.FAILED, reason=f"qbo_{STALE}", qbo_holds={})
        .filter(message=STALE_REFUSED)  # not yet read (a failed read says so instead)
        .order_by("pk")
    )
    for item in stale:
        sent = SentEntry.objects.filter(entry_key=item.entry_key).first()
        if sent is None:
            continue
        activity_id = sent.qbo_time_activity_id
        workspace_id, job_id = item.workspace_id, item.job_id

        def read(qbo: QBOSession, activity_id: str = activity_id) -> dict[str, Any]:
            return qbo.time_activity(activity_id)

        try:
            activity = connection_call(workspace_id=workspace_id, operation=read)
        except QBOError as exc:
            message = GONE_MESSAGE if exc.code == "610" else STALE_UNREAD.format(error=exc.code)
            SendItem.objects.filter(pk=item.pk).update(message=message[:1000])
            continue
        except (ConnectionUnavailable, RateLimitTimeout, RedisError) as exc:
            text = STALE_UNREAD.format(error=type(exc).__name__)
            SendItem.objects.filter(pk=item.pk).update(message=text[:1000])
            continue
        held = held_values(activity)
        token = str(activity.get("SyncToken", sent.sync_token))
        with transaction.atomic():
            locked = SentEntry.objects.select_for_update().get(pk=sent.pk)
            locked.version += 1
            locked.values_sent = held
            locked.sync_token = token
            locked.save(update_fields=["version", "values_sent", "sync_token"])
            _version(locked, SentVersion.Operation.READ, held, timezone.now(), job_id=job_id).save()
            SendItem.objects.filter(pk=item.pk).update(qbo_holds=held, message=STALE_MESSAGE)


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
        job = SendJob.objects.get(pk=batch.job_id)
        now = timezone.now()
        answered = [
            item
            for item in items
            if (result := results.get(item.bid)) is not None and result.answered
        ]
        if job.kind == SendJob.Kind.SEND:
            _record_created(batch, answered, results, now)
        else:
            _record_corrected(job, batch, answered, results, now)
        for item in answered:
            item.updated_at = now
        SendItem.objects.bulk_update(
            answered, ["state", "reason", "message", "qbo_holds", "updated_at"]
        )
        unanswered = len(items) - len(answered)
        if not unanswered:
            locked.state = SendBatch.State.DONE
            locked.done_at = now
            locked.save(update_fields=["state", "done_at"])
        send_job_recount(job)
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


def _send_batch(batch: SendBatch, lease: Lease) -> None:
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
    operation = OPERATIONS[SendJob.objects.values_list("kind", flat=True).get(pk=batch.job_id)]
    if not items:
        SendBatch.objects.filter(pk=batch.pk).update(state=SendBatch.State.DONE)
        return
    base = float(settings.QBO_SEND_BACKOFF_SECONDS)
    max_tries = int(settings.QBO_SEND_MAX_TRIES)
    # Wait for the company's batch slot (taken by the session, like every QuickBooks call) at
    # most a third of the stale time, so the heartbeat keeps showing life.
    slot_timeout = stale_after().total_seconds() / 3
    failures = throttles = 0  # a throttle waits its turn; it is not a failure of the batch

    def send(qbo: QBOSession) -> dict[str, BatchItemResult]:
        if qbo.realm_id != batch.realm_id:
            # Reconnected to another company: this batch's references mean nothing there.
            raise ConnectionUnavailable(COMPANY_CHANGED)

        def count_attempt() -> None:
            # Counted once the slot is granted, right before the request leaves: a batch never
            # tried can be let go safely.
            SendBatch.objects.filter(pk=batch.pk).update(
                attempts=F("attempts") + 1, last_attempt_at=timezone.now()
            )

        return qbo.batch_time_activities(
            request_id=batch.request_id,
            operation=operation,
            items=items,
            on_request=count_attempt,
        )

    while True:
        if not lease.beat():
            raise LeaseLost
        wait = min(base * 2**failures, 60.0)
        error: QBOError | RateLimitTimeout | _Unanswered
        try:
            results = connection_call(
                workspace_id=batch.workspace_id, operation=send, slot_timeout=slot_timeout
            )
        except RateLimitTimeout as exc:
            error, wait = exc, 0.0  # nothing was sent: ask for a slot again
        except QBOThrottled as exc:
            # The session paused every worker of this company (Intuit: wait 60 s); the next
            # slot waits for the pause.
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
            if operation != "create":
                _reread_stale(batch)
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
            if lease_live(job, timezone.now()):
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
        send_job_recount(job)
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
    lease = Lease(job_id)
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
                if job.kind != SendJob.Kind.SEND:
                    # Stale refusals a killed worker had no time to read again.
                    _reread_stale(job=job)
                if _finish(job_id, lease.owner):
                    return True
                lease.sleep(0.2)
                continue
            _send_batch(batch, lease)
    except ConnectionUnavailable as exc:
        _finish(job_id, lease.owner, error=exc.message)
        return True
    except LeaseLost:
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
