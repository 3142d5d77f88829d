"""Reads for the send's pages and API: the Detailed report's entries split into not sent and
sent (with "changed since sent"), a job's per-entry outcomes, the ledger, and whether a viewer
may send at all."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField
from django.db.models import Case
from django.db.models import Count
from django.db.models import Exists
from django.db.models import F
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Sum
from django.db.models import Value
from django.db.models import When
from django.db.models.functions import Coalesce

from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SendItem
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SentEntry
from quickbooks_sync.selectors.connection import connection_not_ready
from quickbooks_sync.selectors.connection import connection_state
from quickbooks_sync.services.send import NOT_SENT_LABELS
from quickbooks_sync.services.send import NOT_SENT_MESSAGES
from reports.filters import DetailedFilters
from reports.selectors import Sort
from reports.selectors import detailed_entries
from tracking.models import TimeEntry
from tracking.notices import EntryNotice
from workspaces.models import Membership

# Said wherever a sent entry is edited or deleted (the seed: QuickBooks keeps what was sent).
KEEPS_VALUES = (
    "QuickBooks keeps the values that were sent until an admin updates them there (QuickBooks "
    "view, sent entries)."
)
CHANGED_NOTICE = "Changed since it was sent to QuickBooks on {date}. " + KEEPS_VALUES
SENT_NOTICE = "Sent to QuickBooks on {date} (TimeActivity {ta}). " + KEEPS_VALUES
DELETE_WARNING = (
    "It was sent to QuickBooks (TimeActivity {ta}): QuickBooks keeps the values sent, "
    "deleting it here does not delete it there (an admin can, from the QuickBooks view)."
)


def can_send(membership: Membership | None) -> bool:
    """Whether the viewer gets the QuickBooks view: an owner or admin of a connected workspace
    whose plan includes QuickBooks (the connection is read once per request, for admins only)."""
    if membership is None or not membership.is_admin:
        return False
    state = connection_state(membership)
    status = state[0] if state is not None else None
    return connection_not_ready(workspace=membership.workspace, status=status) is None


@dataclass(frozen=True)
class JobLeft:
    """What a finished job left for "Retry failed" (all 0 while it runs)."""

    waiting: int  # sent in a batch QuickBooks never answered: asked again with its request id
    refused: int  # refused, still here, and not delivered since by a later send

    @property
    def can_retry(self) -> bool:
        return bool(self.waiting or self.refused)


def send_job_left(job: SendJob) -> JobLeft:
    """What "Retry failed" would send again, in one query: the stopped job's entries still
    waiting for QuickBooks' answer, and the ones QuickBooks refused that still exist and that
    no later send delivered since."""
    if job.is_active:
        return JobLeft(waiting=0, refused=0)
    counts = SendItem.objects.filter(job=job).aggregate(
        waiting=Count("pk", filter=Q(state=SendItem.State.PENDING)),
        refused=Count(
            "pk",
            filter=Q(state=SendItem.State.FAILED, time_entry__isnull=False)
            & ~Q(_delivered_since()),
        ),
    )
    # A refused update or delete is started anew from the sent view, not retried as it was.
    refused = counts["refused"] if job.kind == SendJob.Kind.SEND else 0
    return JobLeft(waiting=counts["waiting"], refused=refused)


def _delivered_since() -> Exists:
    """True for an item whose entry is in the ledger: a send (this one or a later one)
    delivered it, whatever this item says."""
    return Exists(SentEntry.objects.filter(entry_key=OuterRef("entry_key")))


def _changed_since_sent(sent: str, entry: str) -> Case:
    """True when the entry was saved after it was sent (`sent`/`entry`: the paths to the
    ledger row's fields and to the entry's, from the queried model)."""
    return Case(
        When(
            Q(**{f"{sent}entry_updated_at__isnull": False})
            & Q(**{f"{entry}updated_at__gt": F(f"{sent}entry_updated_at")}),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


def report_entries_not_sent(
    *, membership: Membership, filters: DetailedFilters, sort: Sort | None = None
) -> QuerySet[TimeEntry]:
    """The Detailed report's rows within the filter that no send has delivered."""
    sent = SentEntry.objects.filter(entry_key=OuterRef("pk"))
    return detailed_entries(membership=membership, filters=filters, sort=sort).filter(~Exists(sent))


def report_entries_sent(
    *, membership: Membership, filters: DetailedFilters, sort: Sort | None = None
) -> QuerySet[TimeEntry]:
    """The Detailed report's rows within the filter that were sent, each with `qbo_sent` (the
    ledger row) and `changed_since_sent` (edited after it was sent)."""
    return (
        detailed_entries(membership=membership, filters=filters, sort=sort)
        .filter(qbo_sent__isnull=False)
        .select_related("qbo_sent")
        .annotate(changed_since_sent=_changed_since_sent("qbo_sent__", ""))
    )


def sent_entries(*, workspace_id: str) -> QuerySet[SentEntry]:
    """The workspace's ledger, newest first, with `changed_since_sent` (False once the entry is
    deleted: the row stays, its entry is gone)."""
    return (
        SentEntry.objects.filter(workspace_id=workspace_id)
        .select_related("time_entry")
        .annotate(changed_since_sent=_changed_since_sent("", "time_entry__"))
        .order_by("-sent_at", "-pk")
    )


def send_job_items(*, job: SendJob, state: str | None = None) -> QuerySet[SendItem]:
    """A job's per-entry outcomes with their entries (member, project) for the outcome table;
    failures first, then by the entry's start. `delivered_since`: the entry is in the ledger
    (for a refused one: a later send delivered it)."""
    items = SendItem.objects.filter(job=job, workspace_id=job.workspace_id).annotate(
        delivered_since=_delivered_since()
    )
    if state:
        items = items.filter(state=state)
    return items.select_related("time_entry__user", "time_entry__project__client").order_by(
        Case(
            When(state=SendItem.State.FAILED, then=Value(0)),
            When(state=SendItem.State.SKIPPED, then=Value(1)),
            When(state=SendItem.State.PENDING, then=Value(2)),
            default=Value(3),
        ),
        "time_entry__start",
        "pk",
    )


def sent_entry_notices(entry_ids: Sequence[str]) -> Mapping[str, Sequence[EntryNotice]]:
    """tracking's entry notices: a sent entry says so in its edit form ("changed since sent"
    once edited after sending) and before it is deleted. One query for any number of entries."""
    rows = (
        SentEntry.objects.filter(entry_key__in=list(entry_ids))
        .annotate(changed=_changed_since_sent("", "time_entry__"))
        .values_list("entry_key", "qbo_time_activity_id", "sent_at", "changed")
    )
    notices: dict[str, list[EntryNotice]] = {}
    for entry_id, ta, sent_at, changed in rows:
        date = f"{sent_at:%Y-%m-%d %H:%M} UTC"
        text = (CHANGED_NOTICE if changed else SENT_NOTICE).format(date=date, ta=ta)
        notices[entry_id] = [EntryNotice(text=text, on_delete=DELETE_WARNING.format(ta=ta))]
    return notices


def not_sent_rows(
    not_sent: Mapping[str, Mapping[str, int]], *, most_first: bool = False
) -> list[dict[str, Any]]:
    """What will not (or did not) go, one row a reason: the key (`reason`), its `label`, what
    to do about it (`message`), `entries` and `seconds`; in the order of the keys (the API,
    the schedule's e-mail), or `most_first` (the pages). `not_sent`: a preview's or a job's
    counts by reason."""
    rows: list[dict[str, Any]] = [
        {
            "reason": reason,
            "label": NOT_SENT_LABELS.get(reason, reason),
            "message": NOT_SENT_MESSAGES.get(reason, ""),
            "entries": int(counts.get("entries", 0)),
            "seconds": int(counts.get("seconds", 0)),
        }
        for reason, counts in sorted(not_sent.items())
    ]
    if most_first:
        rows.sort(key=lambda r: (-r["entries"], r["label"]))
    return rows


def send_job_refusals(job: SendJob) -> list[dict[str, Any]]:
    """The entries QuickBooks refused (or the send stopped before), grouped by their message,
    most first: one query whatever their number. For the job's page and the schedule's
    e-mail."""
    rows = (
        send_job_items(job=job, state=SendItem.State.FAILED)
        .order_by()
        .values("message")
        .annotate(entries=Count("pk"), total_seconds=Coalesce(Sum("seconds"), 0))
        .order_by("-entries", "message")
    )
    return [
        {
            "message": r["message"] or "No reason given.",
            "entries": r["entries"],
            "seconds": r["total_seconds"],
        }
        for r in rows
    ]


@dataclass(frozen=True)
class QBONames:
    """The names of the QBO records a TimeActivity refers to, by Id, as the last sync (and the
    billing settings) saw them: for showing what QuickBooks holds in words."""

    people: dict[str, str]  # "Employee:<Id>" / "Vendor:<Id>" -> display name
    customers: dict[str, str]
    items: dict[str, str]
    classes: dict[str, str]


def qbo_names(*, workspace_id: str, realm_id: str, connection: QBOConnection | None) -> QBONames:
    """Four small queries per page, whatever the number of rows. `connection`: the workspace's
    (its service item and default class), as the page read it."""
    from quickbooks_sync.models import CustomerLink
    from quickbooks_sync.models import EmployeeLink
    from quickbooks_sync.models import ProjectBilling
    from quickbooks_sync.models import TaskBilling

    people = {  # keyed as mapping.comparable names a person: "<NameOf>:<Id>"
        f"{name_of}:{pk}": name
        for name_of, pk, name in EmployeeLink.objects.filter(
            workspace_id=workspace_id, realm_id=realm_id
        ).values_list("name_of", "qbo_employee_id", "qbo_display_name")
    }
    customers = {
        pk: full or name
        for pk, full, name in CustomerLink.objects.filter(
            workspace_id=workspace_id, realm_id=realm_id
        ).values_list("qbo_customer_id", "qbo_fully_qualified_name", "qbo_display_name")
    }
    items: dict[str, str] = {}
    classes: dict[str, str] = {}
    for item_id, item_name, class_id, class_name in ProjectBilling.objects.filter(
        workspace_id=workspace_id
    ).values_list("item_id", "item_name", "class_id", "class_name"):
        if item_id:
            items[item_id] = item_name
        if class_id:
            classes[class_id] = class_name
    items.update(
        (pk, name)
        for pk, name in TaskBilling.objects.filter(workspace_id=workspace_id).values_list(
            "item_id", "item_name"
        )
        if pk
    )
    if connection is not None:
        if connection.service_item_id:
            items[connection.service_item_id] = connection.service_item_name
        if connection.default_class_id:
            classes[connection.default_class_id] = connection.default_class_name
    return QBONames(people=people, customers=customers, items=items, classes=classes)
