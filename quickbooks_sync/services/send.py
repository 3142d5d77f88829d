"""Sending time entries to QuickBooks as TimeActivities, exactly once.

    preview = send_preview(membership=ms, filters=filters)   # what would go, what would not
    job = send_start(membership=ms, filters=filters)         # select + enqueue (admins only)
    send_retry_failed(membership=ms, job_id=job.id)          # after the admin fixed the cause
    send_start_approved(membership=owner_ms, connection=c, until=midnight)  # the schedule's

The worker's side is the batch runner (services/send_batches.py: `send_run`) holding the job's
lease (services/send_lease.py). How a job runs (the outbox, see quickbooks_sync/models/send.py):

1. Selection (`send_start`, one transaction): the Detailed report's filter over ALL its pages;
   each entry becomes an item with its TimeActivity payload computed now (rounded as the report)
   or a reason it is not sent. PENDING items are unique per entry across jobs.
2. Per batch (`send_run`): up to 30 PENDING items get a `SendBatch` with a fresh request id,
   COMMITTED before the request leaves. The batch is sent through `connection_call` (fresh
   token; one refresh after a 401), whose session takes the company's rate-limit batch slot.
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
import zoneinfo
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import Any

from django.db import IntegrityError
from django.db import transaction
from django.db.models import BooleanField
from django.db.models import Case
from django.db.models import Count
from django.db.models import Exists
from django.db.models import Min
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Subquery
from django.db.models import Sum
from django.db.models import Value
from django.db.models import When
from django.db.models.functions import Coalesce
from django.utils import timezone

from quickbooks_sync.mapping import Billing
from quickbooks_sync.mapping import RefusalReason
from quickbooks_sync.mapping import TimeActivityDraft
from quickbooks_sync.mapping import TimeEntryInput
from quickbooks_sync.mapping import billing_for
from quickbooks_sync.mapping import time_activity_payload
from quickbooks_sync.models import CustomerLink
from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import ProjectBilling
from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SendItem
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SentEntry
from quickbooks_sync.models import TaskBilling
from quickbooks_sync.services.connection import NotReadyMessages
from quickbooks_sync.services.connection import require_connection_ready
from quickbooks_sync.services.send_lease import stale_after
from reports.filters import ApprovalState
from reports.filters import DateRange
from reports.filters import DetailedFilters
from reports.rounding import workspace_rounding
from reports.selectors import apply_filters
from reports.selectors import approved_condition
from reports.selectors import report_annotations
from tracking.models import TimeEntry
from tracking.models import WeekApproval
from workspaces.access import require_role
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.ids import is_object_id
from workspaces.models import Membership

logger = logging.getLogger(__name__)

# Reasons an entry is not sent, beyond the mapping's own (RefusalReason).
ALREADY_SENT = "already_sent"
IN_ANOTHER_SEND = "in_another_send"
HELD_BY_STOPPED_SEND = "held_by_stopped_send"  # PENDING in a job that stopped unanswered
DELETED = "deleted"
NOT_APPROVED = "not_approved"  # "send only approved time" is on and the entry is not approved
STOPPED = "stopped"  # the job stopped (connection lost, QBO failing) before sending it
# Reasons a sent entry is not updated or deleted in QuickBooks (services/send_corrections.py).
UNCHANGED = "unchanged"
DELETED_IN_QBO = "deleted_in_qbo"
OTHER_COMPANY = "other_company"
NOT_SENT_YET = "not_sent_yet"

NOT_SENT_MESSAGES: dict[str, str] = {
    **{reason.value: reason.message for reason in RefusalReason},
    ALREADY_SENT: "Already sent to QuickBooks; an entry is sent only once.",
    IN_ANOTHER_SEND: "Another send that is still running has this entry.",
    HELD_BY_STOPPED_SEND: (
        "Held by a stopped send that QuickBooks did not answer for it: open that send and use "
        "Retry failed (it asks QuickBooks again with the same request id, so nothing is doubled)."
    ),
    DELETED: "The entry was deleted before it was sent.",
    UNCHANGED: "QuickBooks already holds these values: nothing to update.",
    DELETED_IN_QBO: "Deleted from QuickBooks already (the ledger records when and by which job).",
    OTHER_COMPANY: (
        "Sent to another QuickBooks company than the one connected now: it cannot be changed "
        "from here."
    ),
    NOT_SENT_YET: "Not sent to QuickBooks: there is nothing there to update or delete.",
    NOT_APPROVED: (
        "Only approved time is sent (Settings > Integrations) and this entry's week is not "
        "approved: approve it in Approvals."
    ),
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
    NOT_APPROVED: "Not approved",
    STOPPED: "Send stopped before it",
    UNCHANGED: "Same in QuickBooks",
    DELETED_IN_QBO: "Deleted from QuickBooks already",
    OTHER_COMPANY: "Sent to another company",
    NOT_SENT_YET: "Not sent",
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
NOTHING_TO_SEND = "No entries within these filters can be sent to QuickBooks."
NOTHING_APPROVED = "No approved week has time that is not sent yet."
COMPANY_CHANGED = (
    "The workspace is now connected to a different QuickBooks company than the one this send "
    "was for; start a new send."
)


# -- selection --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selected:
    """One entry of a selection: its TimeActivity, or the reason it is not sent."""

    entry_id: str
    seconds: int
    payload: dict[str, Any] | None
    reason: str = ""
    report_seconds: int | None = None  # the report's time when it differs from `seconds`
    project_id: str | None = None  # what a blocker names (project, member)
    user_id: str | None = None
    # What the TimeActivity carries, by name: (employee or vendor, customer, item, class,
    # NameOf); "" for none.
    carries: tuple[str, str, str, str, str] = ("", "", "", "", "")


@dataclass
class ReasonCount:
    entries: int = 0
    seconds: int = 0
    project_ids: set[str] = field(default_factory=set)  # the projects and members concerned,
    user_ids: set[str] = field(default_factory=set)  # for the blockers' names


@dataclass
class SendPreview:
    """What "Send to QuickBooks" would do with the filter: counts over all its pages."""

    entries: int = 0
    seconds: int = 0  # what QBO gets: whole minutes per entry
    report_seconds: int = 0  # the same entries as the report counts them
    not_sent: dict[str, ReasonCount] = field(default_factory=dict)
    # The entries that go, by what they carry: (employee or vendor, customer, item, class,
    # NameOf) -> counts.
    groups: dict[tuple[str, str, str, str, str], ReasonCount] = field(default_factory=dict)

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
            group = self.groups.setdefault(item.carries, ReasonCount())
            group.entries += 1
            group.seconds += item.seconds
        else:
            count = self.not_sent.setdefault(item.reason, ReasonCount())
            count.entries += 1
            count.seconds += item.seconds
            if item.project_id:
                count.project_ids.add(item.project_id)
            if item.user_id:
                count.user_ids.add(item.user_id)

    def not_sent_json(self) -> dict[str, dict[str, int]]:
        return {r: {"entries": c.entries, "seconds": c.seconds} for r, c in self.not_sent.items()}


NOT_READY = NotReadyMessages(
    plan=PLAN_REQUIRED,
    not_connected=(
        "Connect this workspace to QuickBooks Online before sending time (Settings > Integrations)."
    ),
    needs_reconnect=(
        "The QuickBooks connection needs reconnecting (Settings > Integrations) before "
        "time can be sent."
    ),
)


def _admin_connection(membership: Membership) -> QBOConnection:
    require_role(membership, Membership.Role.ADMIN)
    return require_connection_ready(workspace_id=membership.workspace_id, messages=NOT_READY)


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
    """See `_annotated_rows`; `is_approved` too (the reports' approval filter's condition)."""
    return _annotated_rows(entries, membership=membership, realm_id=realm_id).annotate(
        is_approved=Case(
            When(approved_condition(membership=membership), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def _annotated_rows(
    entries: QuerySet[TimeEntry], *, membership: Membership, realm_id: str
) -> QuerySet[TimeEntry]:
    """Entries with the report's rounded duration and what the send needs to know about them:
    the QBO employee (a contractor's: vendor) and customer they map to in this company, and
    whether they are sent or in another job already (one query, whatever the number of
    entries). A link of the other kind than the member is now (the contractor flag changed
    since the last sync) counts as none: the entry is "member not linked" until a sync."""
    ws = membership.workspace_id
    employee = EmployeeLink.objects.filter(
        workspace_id=ws, realm_id=realm_id, membership__user_id=OuterRef("user_id")
    ).filter(
        Q(name_of=EmployeeLink.NameOf.VENDOR, membership__contractor=True)
        | Q(name_of=EmployeeLink.NameOf.EMPLOYEE, membership__contractor=False)
    )
    customer = CustomerLink.objects.filter(
        workspace_id=ws,
        realm_id=realm_id,
        kind=CustomerLink.Kind.PROJECT,
        project_id=OuterRef("project_id"),
    )
    project = ProjectBilling.objects.filter(workspace_id=ws, project_id=OuterRef("project_id"))
    task = TaskBilling.objects.filter(workspace_id=ws, task_id=OuterRef("task_id"))
    return entries.annotate(
        **report_annotations(workspace_rounding(membership.workspace)),
        qbo_employee_id=Subquery(employee.values("qbo_employee_id")[:1]),
        qbo_employee_name=Subquery(employee.values("qbo_display_name")[:1]),
        qbo_name_of=Subquery(employee.values("name_of")[:1]),
        qbo_customer_id=Subquery(customer.values("qbo_customer_id")[:1]),
        qbo_customer_name=Subquery(customer.values("qbo_fully_qualified_name")[:1]),
        qbo_customer_display=Subquery(customer.values("qbo_display_name")[:1]),
        qbo_project_item=Subquery(project.values("item_id")[:1]),
        qbo_project_item_name=Subquery(project.values("item_name")[:1]),
        qbo_project_class=Subquery(project.values("class_id")[:1]),
        qbo_project_class_name=Subquery(project.values("class_name")[:1]),
        qbo_task_item=Subquery(task.values("item_id")[:1]),
        qbo_task_item_name=Subquery(task.values("item_name")[:1]),
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


def _pair(entry: TimeEntry, field: str) -> tuple[str, str] | None:
    """(id, name) of an annotated choice (`field` and `field`_name), or None when unset."""
    value = getattr(entry, field, None)
    return (value, getattr(entry, f"{field}_name", None) or value) if value else None


def _billing(entry: TimeEntry, connection: QBOConnection) -> Billing:
    return billing_for(
        task=_pair(entry, "qbo_task_item"),
        project=_pair(entry, "qbo_project_item"),
        default=(
            (connection.service_item_id, connection.service_item_name)
            if connection.service_item_id
            else None
        ),
        project_class=_pair(entry, "qbo_project_class"),
        default_class=(
            (connection.default_class_id, connection.default_class_name)
            if connection.default_class_id
            else None
        ),
        class_tracking=connection.class_tracking,
    )


def _select_one(
    entry: TimeEntry,
    *,
    time_zone: str,
    connection: QBOConnection,
    approved_only: bool = False,
    correcting: bool = False,
) -> Selected:
    """`correcting`: the TimeActivity a sent entry would be today (for "Update in QuickBooks"),
    so being sent already is no reason."""
    seconds = int(getattr(entry, "report_seconds", None) or 0)
    names = {"project_id": entry.project_id, "user_id": entry.user_id}
    if getattr(entry, "is_sent", False) and not correcting:
        return Selected(entry_id=entry.pk, seconds=seconds, payload=None, reason=ALREADY_SENT)
    if getattr(entry, "in_other_send", False):
        return Selected(entry_id=entry.pk, seconds=seconds, payload=None, reason=IN_ANOTHER_SEND)
    if getattr(entry, "held_by_stopped_send", False):
        return Selected(
            entry_id=entry.pk, seconds=seconds, payload=None, reason=HELD_BY_STOPPED_SEND
        )
    if approved_only and not getattr(entry, "is_approved", False):
        return Selected(
            entry_id=entry.pk, seconds=seconds, payload=None, reason=NOT_APPROVED, **names
        )
    billing = _billing(entry, connection)
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
            name_of=getattr(entry, "qbo_name_of", None) or EmployeeLink.NameOf.EMPLOYEE,
        ),
        time_zone=time_zone,
        item_id=billing.item_id,
        class_id=billing.class_id,
    )
    if isinstance(draft, TimeActivityDraft):
        # The time QBO gets (whole minutes, also when the workspace does not round), so the
        # confirmation and the job's totals add up what QuickBooks will show.
        sent = int(draft.payload["Hours"]) * 3600 + int(draft.payload["Minutes"]) * 60
        carries = (
            getattr(entry, "qbo_employee_name", None) or "",
            getattr(entry, "qbo_customer_name", None)
            or getattr(entry, "qbo_customer_display", None)
            or "",
            billing.item_name,
            billing.class_name,
            str(draft.payload["NameOf"]),
        )
        return Selected(
            entry_id=entry.pk,
            seconds=sent,
            payload=draft.payload,
            report_seconds=seconds,
            carries=carries,
        )
    return Selected(
        entry_id=entry.pk, seconds=seconds, payload=None, reason=draft.reason.value, **names
    )


def _selection(
    entries: QuerySet[TimeEntry],
    *,
    membership: Membership,
    connection: QBOConnection,
    approved_only: bool | None = None,
    correcting: bool = False,
) -> Iterator[Selected]:
    """Each entry's TimeActivity or reason, streamed in start order (the same rounding and
    refusal rules as the report and the mapping). `approved_only` overrides the connection's
    "send only approved time" (the schedule sends approved time only); `correcting`: see
    `_select_one`."""
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
            "task_id",
            "user_id",
        )
    )
    time_zone = membership.workspace.time_zone
    if approved_only is None:
        approved_only = connection.send_approved_only
    for entry in rows.iterator(chunk_size=2000):
        yield _select_one(
            entry,
            time_zone=time_zone,
            connection=connection,
            approved_only=approved_only,
            correcting=correcting,
        )


def send_blockers(*, membership: Membership, entry_ids: Sequence[str]) -> dict[str, str]:
    """For the QuickBooks view's page of not-sent entries: what would keep each of them out of
    a send now (reason key), for those that cannot go; {} when the workspace cannot send (not
    connected, no plan). One query for the page."""
    try:
        connection = _admin_connection(membership)
    except ApplicationError:
        return {}
    entries = TimeEntry.objects.filter(workspace_id=membership.workspace_id, pk__in=entry_ids)
    return {
        item.entry_id: item.reason
        for item in _selection(entries, membership=membership, connection=connection)
        if item.payload is None
    }


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
    from quickbooks_sync.tasks.send import send_job_run  # the task module imports this one

    try:
        send_job_run.delay(job_id)
    except Exception as exc:  # kombu's OperationalError, or whatever the transport raises
        logger.warning("QBO send %s queued, but the broker cannot be reached: %s", job_id, exc)
        SendJob.objects.filter(pk=job_id, state=SendJob.State.QUEUED).update(
            error=WORKERS_UNREACHABLE, heartbeat_at=timezone.now() - stale_after()
        )
        return False
    return True


def send_job_recount(job: SendJob) -> None:
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


class NothingToSend(ApplicationError):
    """A selection with no entry to send; `not_sent` says why, by reason (nothing is saved)."""

    def __init__(self, message: str, *, not_sent: dict[str, dict[str, int]]) -> None:
        super().__init__(message)
        self.not_sent = not_sent


def job_items_commit(
    job: SendJob,
    *,
    to_send: list[SendItem],
    refused: list[SendItem],
    not_sent: dict[str, dict[str, int]],
    seconds: int,
    nothing: str,
) -> None:
    """Save a new job's items (inside the caller's transaction) and its selection counts.
    Items another running job holds stay that job's: ON CONFLICT DO NOTHING on the
    one-PENDING-per-entry constraints (the insert waits for the other transaction, so an entry
    never ends up in both). Nothing left to go raises NothingToSend with `nothing` (inside the
    caller's atomic(): the job rolls back)."""
    SendItem.objects.bulk_create(to_send, batch_size=1000, ignore_conflicts=True)
    SendItem.objects.bulk_create(refused, batch_size=1000)
    taken = SendItem.objects.filter(job=job, state=SendItem.State.PENDING).aggregate(
        n=Count("pk"), seconds=Coalesce(Sum("seconds"), 0)
    )
    lost = len(to_send) - int(taken["n"])
    if lost:
        count = not_sent.setdefault(IN_ANOTHER_SEND, {"entries": 0, "seconds": 0})
        count["entries"] += lost
        count["seconds"] += seconds - int(taken["seconds"])
    if not taken["n"]:  # raising inside atomic() rolls the job and its items back
        if lost:
            raise NothingToSend(
                "Another send that is still running already has these entries.",
                not_sent=not_sent,
            )
        raise NothingToSend(nothing, not_sent=not_sent)
    job.selected_count = int(taken["n"])
    job.selected_seconds = int(taken["seconds"])
    job.not_sent = not_sent
    job.save(update_fields=["selected_count", "selected_seconds", "not_sent"])


def send_start(*, membership: Membership, filters: DetailedFilters) -> SendJob:
    """Select every not-sent entry within the filter (all pages) and start sending them.

    Admins only; the workspace must be connected. The selection and its payloads are fixed now,
    in one transaction; an entry another running send holds is left to that send. Nothing to
    send is an error (nothing is saved)."""
    connection = _admin_connection(membership)
    with transaction.atomic():
        job = _job_create(
            membership=membership,
            connection=connection,
            entries=_entries_in(membership, filters),
            filters=filters.resolved().to_query(),
            requested_by_id=membership.user_id,
        )
    logger.info("QBO send %s started: %s entries", job.pk, job.selected_count)
    return job


def send_start_approved(
    *, membership: Membership, connection: QBOConnection, until: datetime
) -> SendJob:
    """The schedule's send (services/schedule.py): every approved entry (in its member's
    approved week and locked) that starts before `until` and is not sent yet, whatever the
    connection's "send only approved time" says. `membership` is the workspace's owner (the
    workspace's rounding and time zone); the job has no requester. Call inside a transaction;
    NothingToSend when nothing can go."""
    ws = membership.workspace_id
    first = WeekApproval.objects.filter(
        workspace_id=ws, status=WeekApproval.Status.APPROVED, since__lt=until
    ).aggregate(since=Min("since"))["since"]
    if first is None:
        raise NothingToSend(NOTHING_APPROVED, not_sent={})
    entries = (
        TimeEntry.objects.filter(workspace_id=ws, start__gte=first, start__lt=until)
        .filter(approved_condition(membership=membership))
        .exclude(Exists(SentEntry.objects.filter(entry_key=OuterRef("pk"))))
    )
    zone = zoneinfo.ZoneInfo(membership.workspace.time_zone or "UTC")
    filters = DetailedFilters(
        date_range=DateRange.CUSTOM,
        start=first.astimezone(zone).date(),
        end=(until - timedelta(microseconds=1)).astimezone(zone).date(),
        approval=ApprovalState.APPROVED,
    )
    job = _job_create(
        membership=membership,
        connection=connection,
        entries=entries,
        filters=filters.to_query(),
        requested_by_id=None,
        approved_only=True,
    )
    logger.info("QBO scheduled send %s started: %s entries", job.pk, job.selected_count)
    return job


def _job_create(
    *,
    membership: Membership,
    connection: QBOConnection,
    entries: QuerySet[TimeEntry],
    filters: list[tuple[str, str]],
    requested_by_id: str | None,
    approved_only: bool | None = None,
) -> SendJob:
    """A job for `entries` with its items, enqueued once the caller's transaction commits.
    NothingToSend (raised inside the caller's atomic(): the job rolls back) when none can go."""
    job = SendJob.objects.create(
        workspace_id=membership.workspace_id,
        requested_by_id=requested_by_id,
        realm_id=connection.realm_id,
        filters=[list(pair) for pair in filters],
    )
    preview = SendPreview()
    to_send: list[SendItem] = []
    refused: list[SendItem] = []
    for item in _selection(
        entries, membership=membership, connection=connection, approved_only=approved_only
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
    job_items_commit(
        job,
        to_send=to_send,
        refused=refused,
        not_sent=preview.not_sent_json(),
        seconds=preview.seconds,
        nothing=NOTHING_TO_SEND,
    )
    _enqueue(job.pk)
    return job


def send_job_get(*, membership: Membership, job_id: str) -> SendJob:
    """A send job of the membership's workspace (admins only), or NotFound."""
    require_role(membership, Membership.Role.ADMIN)
    job = (
        SendJob.objects.select_related("scheduled_run")  # "started by the schedule"
        .filter(workspace_id=membership.workspace_id, pk=job_id)
        .first()
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
        # A refused entry that a later send delivered stays as it was: nothing to retry.
        delivered = SentEntry.objects.filter(entry_key=OuterRef("entry_key"))
        # An update or delete QBO refused is not sent again as it was: the admin reviews the
        # entry on the sent view (what QBO holds now) and starts a new one.
        failed = (
            list(
                SendItem.objects.filter(job=job, state=SendItem.State.FAILED)
                .exclude(Exists(delivered))
                .values_list("pk", "time_entry_id")
            )
            if job.kind == SendJob.Kind.SEND
            else []
        )
        has_pending = SendItem.objects.filter(job=job, state=SendItem.State.PENDING).exists()
        if not failed and not has_pending:
            raise ApplicationError(
                "Nothing to retry: no entry of this send failed, or a later send has sent them."
            )
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
        send_job_recount(job)
        job.state = SendJob.State.QUEUED
        job.interruptions = 0
        job.error = ""
        job.finished_at = None
        job.lease_owner = ""
        job.heartbeat_at = None
        job.save()
        _enqueue(job.pk)
    return job


def send_jobs_resume_due(*, now: datetime | None = None) -> list[str]:
    """Jobs a worker should be running but nobody is: running with a stale heartbeat, or
    queued for longer than the stale time (a lost message). Their heartbeat is set to now, so
    a job waiting in a long queue is handed out again once per stale period, not every time."""
    now = now or timezone.now()
    limit = now - stale_after()
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
