"""Reads of the Detailed report: the filtered entries (tenant-scoped, role-scoped) and their
totals over the whole filtered set, with the workspace's rounding applied per entry in the
database (see reports/rounding.py).

Who sees what: the owner and admins see everyone's entries in the workspace; a member sees only
their own. Only finished entries are reported: a running timer has no duration yet.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from typing import NamedTuple

from django.db.models import Case
from django.db.models import Count
from django.db.models import Exists
from django.db.models import F
from django.db.models import OuterRef
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Sum
from django.db.models import Value
from django.db.models import When
from django.db.models.functions import Coalesce

from reports.filters import FILTER_ID_ROWS
from reports.filters import ApprovalState
from reports.filters import DetailedFilters
from reports.filters import FilterError
from reports.filters import TagMode
from reports.filters import filter_ids_found
from reports.filters import viewer_tz
from reports.models import SavedReport
from reports.rounding import Rounding
from reports.rounding import amount_cents_expression
from reports.rounding import rounded_duration_expression
from reports.rounding import workspace_rounding
from tracking.models import Client
from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Tag
from tracking.models import Task
from tracking.models import TimeEntry
from tracking.models import TimeEntryTag
from tracking.models import WeekApproval
from workspaces.errors import NotFound
from workspaces.ids import is_object_id
from workspaces.models import Membership

# --- filtering ------------------------------------------------------------------------------


def _by_dates(entries: QuerySet[TimeEntry], f: DetailedFilters, ms: Membership) -> Any:
    since, until = f.utc_bounds(viewer_tz(ms.user))
    return entries.filter(start__gte=since, start__lt=until)


def _by_members(entries: QuerySet[TimeEntry], f: DetailedFilters, ms: Membership) -> Any:
    return entries.filter(user_id__in=f.members) if f.members else entries


def _in_or_without(
    entries: QuerySet[TimeEntry], field: str, ids: Sequence[str], without: bool
) -> Any:
    """Entries whose `field` is one of `ids`, or (`without`: the "Without client/project"
    choice) empty; all of them when neither is asked."""
    if not ids and not without:
        return entries
    condition = Q(**{f"{field}__in": ids}) if ids else Q(pk__in=[])
    if without:
        condition |= Q(**{f"{field}__isnull": True})
    return entries.filter(condition)


def _by_clients(entries: QuerySet[TimeEntry], f: DetailedFilters, ms: Membership) -> Any:
    return _in_or_without(entries, "project__client_id", f.clients, f.without_client)


def _by_projects(entries: QuerySet[TimeEntry], f: DetailedFilters, ms: Membership) -> Any:
    return _in_or_without(entries, "project_id", f.projects, f.without_project)


def _by_tasks(entries: QuerySet[TimeEntry], f: DetailedFilters, ms: Membership) -> Any:
    return entries.filter(task_id__in=f.tasks) if f.tasks else entries


def _by_tags(entries: QuerySet[TimeEntry], f: DetailedFilters, ms: Membership) -> Any:
    if not f.tags:
        return entries
    tagged = Exists(
        TimeEntryTag.objects.filter(
            workspace_id=ms.workspace_id, time_entry_id=OuterRef("pk"), tag_id__in=f.tags
        )
    )
    return entries.filter(tagged if f.tag_mode == TagMode.CONTAINS else ~tagged)


def _by_billable(entries: QuerySet[TimeEntry], f: DetailedFilters, ms: Membership) -> Any:
    return entries if f.billable is None else entries.filter(billable=f.billable)


def _by_description(entries: QuerySet[TimeEntry], f: DetailedFilters, ms: Membership) -> Any:
    return entries.filter(description__icontains=f.description) if f.description else entries


def _in_week(ms: Membership, status: str) -> Exists:
    """The entry starts inside one of its member's weeks that has `status`."""
    return Exists(
        WeekApproval.objects.filter(
            workspace_id=ms.workspace_id,
            user_id=OuterRef("user_id"),
            status=status,
            since__lte=OuterRef("start"),
            until__gt=OuterRef("start"),
        )
    )


def approved_condition(*, membership: Membership) -> Q:
    """The condition of an approved entry (the approval filter's "approved"): in its member's
    approved week and locked. The QuickBooks send's "only approved time" uses it too."""
    return Q(_in_week(membership, WeekApproval.Status.APPROVED)) & Q(is_locked=True)


def _by_approval(entries: QuerySet[TimeEntry], f: DetailedFilters, ms: Membership) -> Any:
    """Approved: in an approved week and locked (an entry added to the week after the approval,
    or unlocked by an admin since, was not approved). Pending: in a week waiting for approval.
    Not submitted: all the rest, so the three states split the entries with no overlap.
    Unapproved: pending or not submitted (all but the approved)."""
    if f.approval is None:
        return entries
    approved = approved_condition(membership=ms)
    pending = _in_week(ms, WeekApproval.Status.PENDING)
    if f.approval == ApprovalState.APPROVED:
        return entries.filter(approved)
    if f.approval == ApprovalState.PENDING:
        return entries.filter(pending)
    if f.approval == ApprovalState.UNAPPROVED:
        return entries.exclude(approved)
    return entries.exclude(approved).exclude(pending)


# One step per filter field.
FILTER_STEPS: tuple[Callable[[QuerySet[TimeEntry], DetailedFilters, Membership], Any], ...] = (
    _by_dates,
    _by_members,
    _by_clients,
    _by_projects,
    _by_tasks,
    _by_tags,
    _by_billable,
    _by_description,
    _by_approval,
)


def visible_entries(*, membership: Membership) -> QuerySet[TimeEntry]:
    """Finished entries of the workspace the membership may see in reports."""
    entries = TimeEntry.objects.filter(workspace_id=membership.workspace_id, end__isnull=False)
    if not membership.is_admin:
        entries = entries.filter(user_id=membership.user_id)
    return entries


def apply_filters(
    entries: QuerySet[TimeEntry], *, membership: Membership, filters: DetailedFilters
) -> QuerySet[TimeEntry]:
    for step in FILTER_STEPS:
        entries = step(entries, filters, membership)
    return entries


# --- the table ------------------------------------------------------------------------------


class SortKey(StrEnum):
    DATE = "date"
    DURATION = "duration"
    MEMBER = "member"
    PROJECT = "project"
    AMOUNT = "amount"
    # The Reports API's ID and DESCRIPTION; the page's table has no such column.
    ID = "id"
    DESCRIPTION = "description"


SORT_FIELDS: dict[SortKey, tuple[str, ...]] = {
    SortKey.DATE: ("start",),
    SortKey.DURATION: ("report_seconds", "start"),
    SortKey.MEMBER: ("user__full_name", "start"),
    SortKey.PROJECT: ("project__client__name", "project__name", "start"),
    SortKey.AMOUNT: ("report_amount_cents", "start"),
    SortKey.ID: (),  # the id alone (every order ends with it)
    SortKey.DESCRIPTION: ("description", "start"),
}
# The columns a page sorts by (its `sort` parameter); the API also sorts by ID and DESCRIPTION.
PAGE_SORT_KEYS = (SortKey.DATE, SortKey.DURATION, SortKey.MEMBER, SortKey.PROJECT, SortKey.AMOUNT)
NULLABLE_SORT_FIELDS = {"project__client__name", "project__name"}


@dataclass(frozen=True)
class Sort:
    key: SortKey = SortKey.DATE
    descending: bool = True

    @classmethod
    def parse(cls, raw: str) -> Sort:
        """`date` (oldest first) or `-date` (newest first, the default), and so on."""
        raw = (raw or "").strip()
        if not raw:
            return cls()
        descending = raw.startswith("-")
        key = next((k for k in PAGE_SORT_KEYS if k.value == raw.lstrip("-")), None)
        if key is None:
            choices = ", ".join(k.value for k in PAGE_SORT_KEYS)
            raise FilterError(f"Sort by one of {choices}.", field="sort")
        return cls(key=key, descending=descending)

    @property
    def param(self) -> str:
        return f"-{self.key.value}" if self.descending else self.key.value

    def order_by(self) -> list[Any]:
        # Ties break on the id, so pages never repeat or skip a row. Only the nullable columns
        # (an entry without project or client) say NULLS LAST: on `start` it would stop
        # PostgreSQL from reading the (workspace, -start) index in order.
        order: list[Any] = []
        for name in [*SORT_FIELDS[self.key], "pk"]:
            column = F(name)
            nulls_last = True if name in NULLABLE_SORT_FIELDS else None
            order.append(
                column.desc(nulls_last=nulls_last)
                if self.descending
                else column.asc(nulls_last=nulls_last)
            )
        return order


def _rounding_of(membership: Membership) -> Rounding | None:
    return workspace_rounding(membership.workspace)


def report_annotations(rounding: Rounding | None) -> dict[str, Any]:
    """`report_seconds` (the entry's duration as reports count it, rounded when the workspace
    rounds) and `report_amount_cents` (0 unless billable), as expressions to annotate entries
    with: the one definition the reports, exports and the QuickBooks send share."""
    seconds = rounded_duration_expression(rounding)
    return {
        "report_seconds": seconds,
        # Only billable time earns money.
        "report_amount_cents": Case(
            When(billable=True, then=amount_cents_expression(seconds)), default=Value(0)
        ),
    }


def detailed_entries(
    *, membership: Membership, filters: DetailedFilters, sort: Sort | None = None
) -> QuerySet[TimeEntry]:
    """The report's rows, sorted, each annotated with `report_seconds` (its duration as the
    report counts it, rounded when the workspace rounds) and `report_amount_cents`; user,
    project, client and task joined, tags prefetched in name order."""
    entries = apply_filters(
        visible_entries(membership=membership), membership=membership, filters=filters
    )
    return (
        entries.annotate(**report_annotations(_rounding_of(membership)))
        .select_related("user", "project__client", "task")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .order_by(*(sort or Sort()).order_by())
    )


@dataclass(frozen=True)
class CurrencyAmount:
    currency: str
    cents: int


@dataclass(frozen=True)
class DetailedTotals:
    entry_count: int
    total_seconds: int
    billable_seconds: int
    amounts: tuple[CurrencyAmount, ...]  # billable amounts, one per currency, by currency code


def detailed_totals(*, membership: Membership, filters: DetailedFilters) -> DetailedTotals:
    """Totals over the whole filtered set (not a page), summed in the database in one query:
    each entry rounded first, then added up."""
    entries = apply_filters(
        visible_entries(membership=membership), membership=membership, filters=filters
    )
    annotations = report_annotations(_rounding_of(membership))
    seconds = annotations["report_seconds"]
    rows = list(
        entries.order_by()
        .values("currency")
        .annotate(
            # COUNT(*), not COUNT(id): the id is not in the covering (workspace, start)
            # index, and naming it made PostgreSQL read the table instead of the index.
            n=Count("*"),
            total=Coalesce(Sum(seconds), 0),
            billable_total=Coalesce(Sum(seconds, filter=Q(billable=True)), 0),
            amount=Coalesce(Sum(annotations["report_amount_cents"]), 0),
        )
        .order_by("currency")
    )
    return DetailedTotals(
        entry_count=sum(r["n"] for r in rows),
        total_seconds=sum(int(r["total"]) for r in rows),
        billable_seconds=sum(int(r["billable_total"]) for r in rows),
        amounts=tuple(
            CurrencyAmount(currency=r["currency"], cents=int(r["amount"]))
            for r in rows
            if r["billable_total"]
        ),
    )


# --- the filter form's choices --------------------------------------------------------------


class Choice(NamedTuple):
    """One option of a filter's select: the id it sends and the text it shows (a tuple: some
    2,500 of them are built per report page)."""

    value: str
    label: str


@dataclass(frozen=True)
class FilterChoices:
    members: tuple[Choice, ...]  # empty for members: they only ever see their own entries
    clients: tuple[Choice, ...]
    projects: tuple[Choice, ...]
    tasks: tuple[Choice, ...]  # see filter_task_choices: not every task of the workspace
    tags: tuple[Choice, ...]
    projects_chosen: bool  # whether `tasks` lists the tasks of chosen projects


def _viewable_projects(membership: Membership) -> QuerySet[Project]:
    """The projects whose names a filter may show: all of the workspace's for admins; for
    members the ones they may track on (public ones and those they belong to), so private
    project names do not leak. Archived ones included: old entries use them."""
    projects = Project.objects.filter(workspace_id=membership.workspace_id)
    if membership.is_admin:
        return projects
    member_of = ProjectMember.objects.filter(
        workspace_id=membership.workspace_id, user_id=membership.user_id
    ).values("project_id")
    return projects.filter(Q(is_public=True) | Q(pk__in=member_of))


def filter_task_choices(
    *, membership: Membership, projects: Iterable[str], tasks: Iterable[str] = ()
) -> tuple[Choice, ...]:
    """The Tasks select's options: the tasks of the chosen `projects`, plus the `tasks` already
    chosen (a shared link keeps showing what it filters by), of projects the membership may
    see. Not every task of the workspace: 6,000 of them were 70% of the filter form's options
    on every page. Values that are not ids ("none", junk from a hand-edited URL) are ignored;
    one query, none when nothing is chosen."""
    project_ids = [p for p in projects if is_object_id(p)]
    task_ids = [t for t in tasks if is_object_id(t)]
    if not project_ids and not task_ids:
        return ()
    rows = Task.objects.filter(
        Q(project_id__in=project_ids) | Q(pk__in=task_ids),
        workspace_id=membership.workspace_id,
        project__in=_viewable_projects(membership),
    )
    return tuple(
        Choice(pk, f"{name} · {project}")
        for pk, name, project in rows.order_by("project__name", "name").values_list(
            "pk", "name", "project__name"
        )
    )


def member_choices(*, membership: Membership) -> tuple[Choice, ...]:
    """The Team filter's options for admins (everyone who was ever a member, the inactive and
    removed ones saying so); none for members, who only see their own time. One query."""
    if not membership.is_admin:
        return ()
    statuses = dict(Membership.Status.choices)
    return tuple(
        Choice(
            user_id,
            (name or email)
            + ("" if status == Membership.Status.ACTIVE else f" ({statuses[status].lower()})"),
        )
        for user_id, name, email, status in Membership.objects.filter(
            workspace_id=membership.workspace_id
        )
        .order_by("user__full_name", "user__email")
        .values_list("user_id", "user__full_name", "user__email", "status")
    )


def project_choices(*, membership: Membership) -> tuple[Choice, ...]:
    """The Projects filter's options: the viewable projects (_viewable_projects), "name ·
    client", by client then name. One query."""
    return tuple(
        Choice(pk, f"{name} · {client}" if client is not None else name)
        for pk, name, client in _viewable_projects(membership)
        .order_by("client__name", "name")
        .values_list("pk", "name", "client__name")
    )


def detailed_filter_choices(
    *, membership: Membership, projects: Iterable[str] = (), tasks: Iterable[str] = ()
) -> FilterChoices:
    """What the filter form offers, archived things included (old entries use them): every
    client, viewable project (see _viewable_projects) and tag, the members for admins, and the
    tasks of the chosen `projects` plus the chosen `tasks` (filter_task_choices). Four queries,
    five when projects or tasks are chosen, whatever the workspace's size.

    Plain (id, label) pairs read with `values_list`, not model instances: a workspace with
    2,000 projects and 6,000 tasks spent 100 ms building models only to print two fields."""
    ws = membership.workspace_id
    project_ids = [p for p in projects if is_object_id(p)]
    return FilterChoices(
        members=member_choices(membership=membership),
        clients=tuple(
            Choice(pk, name)
            for pk, name in Client.objects.filter(workspace_id=ws)
            .order_by("name")
            .values_list("pk", "name")
        ),
        projects=project_choices(membership=membership),
        tasks=filter_task_choices(membership=membership, projects=project_ids, tasks=tasks),
        tags=tuple(
            Choice(pk, name)
            for pk, name in Tag.objects.filter(workspace_id=ws)
            .order_by("name")
            .values_list("pk", "name")
        ),
        projects_chosen=bool(project_ids),
    )


# A report row as plain values, for the pages, the Reports API and the CSV export: building the
# five model instances of a row (entry, user, project, client, task) and its tags cost more
# Python than the query took (a page of 50 rows: 250 instances).
ROW_FIELDS = (
    "id",
    "start",
    "end",
    "description",
    "duration_seconds",
    "billable",
    "hourly_rate_cents",
    "currency",
    "is_locked",
    "user_id",
    "user__full_name",
    "user__email",
    "project_id",
    "project__name",
    "project__client_id",
    "project__client__name",
    "task_id",
    "task__name",
    "report_seconds",
    "report_amount_cents",
)


def detailed_rows(
    *, membership: Membership, filters: DetailedFilters, sort: Sort | None = None
) -> QuerySet[TimeEntry, dict[str, Any]]:
    """The rows of `detailed_entries` (same entries, order and annotations) as dicts of
    ROW_FIELDS; `with_tags` adds their tags to a page of them."""
    entries = apply_filters(
        visible_entries(membership=membership), membership=membership, filters=filters
    )
    return (
        entries.annotate(**report_annotations(_rounding_of(membership)))
        .order_by(*(sort or Sort()).order_by())
        .values(*ROW_FIELDS)
    )


def with_tags(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows` of `detailed_rows`, each given `tags`: its (id, name) pairs in name order. One
    query for all of them (none for no rows)."""
    tags: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        row["tags"] = tags[row["id"]] = []
    if rows:
        pairs = (
            TimeEntryTag.objects.filter(time_entry_id__in=list(tags))
            .order_by("tag__name", "tag_id")
            .values_list("time_entry_id", "tag_id", "tag__name")
        )
        for entry_id, tag_id, name in pairs:
            tags[entry_id].append((tag_id, name))
    return rows


def detailed_row(*, membership: Membership, entry_id: str) -> dict[str, Any]:
    """One row of `detailed_rows` with its tags, or NotFound for an entry the membership may
    not see in reports (another's for a member, another workspace's, a running timer)."""
    if not is_object_id(entry_id):
        raise NotFound("Time entry not found.")
    row = (
        visible_entries(membership=membership)
        .filter(pk=entry_id)
        .annotate(**report_annotations(_rounding_of(membership)))
        .values(*ROW_FIELDS)
        .first()
    )
    if row is None:
        raise NotFound("Time entry not found.")
    return with_tags([row])[0]


# --- saved reports ----------------------------------------------------------------------------


def saved_reports(*, membership: Membership) -> QuerySet[SavedReport]:
    """The reports the membership may open: their own, and for the owner and admins those the
    workspace's other members shared with admins; by name, the owner loaded."""
    condition = Q(owner_id=membership.user_id)
    if membership.is_admin:
        condition |= Q(shared=True)
    return (
        SavedReport.objects.filter(condition, workspace_id=membership.workspace_id)
        .select_related("owner")
        .order_by("name", "pk")
    )


def saved_report_get(*, membership: Membership, report_id: str) -> SavedReport:
    """One of `saved_reports`, or NotFound (another's private one, another workspace's)."""
    report = (
        saved_reports(membership=membership).filter(pk=report_id).first()
        if is_object_id(report_id)
        else None
    )
    if report is None:
        raise NotFound("Saved report not found.")
    return report


def drop_missing_filter_ids(
    *, membership: Membership, params: dict[str, list[str]]
) -> dict[str, int]:
    """Per filter parameter (member, client, project, task, tag), how many of the ids in
    `params` no longer name anything in the workspace (a deleted project, a removed member):
    a saved report drops them and still opens. One query per parameter holding ids."""
    missing: dict[str, int] = {}
    for name in FILTER_ID_ROWS:
        ids = [v for v in params.get(name, []) if is_object_id(v)]
        if ids:
            found = filter_ids_found(membership=membership, param=name, ids=ids)
            gone = [i for i in ids if i not in found]
            if gone:
                missing[name] = len(gone)
                params[name] = [v for v in params[name] if v not in gone]
    return missing
