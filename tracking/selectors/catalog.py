"""Reads of the catalog, scoped to one workspace and to what the viewer may see.

Admins and the owner see every project; members see public projects and the private ones they
belong to. Clients and tags are visible to every member of the workspace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import TypeVar

from django.db.models import Aggregate
from django.db.models import Count
from django.db.models import Exists
from django.db.models import F
from django.db.models import IntegerField
from django.db.models import Model
from django.db.models import OuterRef
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Subquery
from django.db.models import Sum
from django.db.models import Value
from django.db.models.functions import Coalesce

from tracking.models import Client
from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Tag
from tracking.models import Task
from tracking.models import TimeEntry
from tracking.models import TimeEntryTag
from workspaces.models import Membership
from workspaces.models import User

ARCHIVED_CHOICES = ("active", "archived", "all")
_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class CatalogFilters:
    """The list filters the pages offer: `archived` is active|archived|all."""

    search: str = ""
    archived: str = "active"
    client_id: str = ""  # a client id, "none" (projects without client) or "" (any)

    @classmethod
    def from_query(cls, data: Mapping[str, str]) -> CatalogFilters:
        """From a query string (request.GET); anything unknown falls back to the default."""
        archived = (data.get("archived") or "active").strip()
        return cls(
            search=(data.get("q") or "").strip()[:100],
            archived=archived if archived in ARCHIVED_CHOICES else "active",
            client_id=(data.get("client") or "").strip()[:24],
        )


def _apply_archived(qs: QuerySet[_M], archived: str) -> QuerySet[_M]:
    if archived == "active":
        return qs.filter(archived=False)
    if archived == "archived":
        return qs.filter(archived=True)
    return qs


def _per_row(rows: QuerySet[Any], by: str, aggregate: Aggregate) -> Coalesce:
    """`aggregate` over `rows` (filtered on `by` = OuterRef("pk")) for each row of the outer
    query, as a correlated subquery; 0 when it has none."""
    total = rows.order_by().values(by).annotate(total=aggregate).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def project_visibility_q(membership: Membership) -> Q:
    """What projects the member may see (all of them for admins)."""
    if membership.is_admin:
        return Q()
    is_member = ProjectMember.objects.filter(project=OuterRef("pk"), user_id=membership.user_id)
    return Q(is_public=True) | Q(Exists(is_member))


def projects_visible(*, membership: Membership) -> QuerySet[Project]:
    return Project.objects.filter(workspace_id=membership.workspace_id).filter(
        project_visibility_q(membership)
    )


def project_list(
    *, membership: Membership, filters: CatalogFilters | None = None
) -> QuerySet[Project]:
    """Projects for the Projects page, with client and `tracked_seconds` in the same query.

    Tracked time is the whole team's for admins and the viewer's own for members (members see
    only their own time).
    """
    filters = filters or CatalogFilters()
    qs = projects_visible(membership=membership).select_related("client")
    qs = _apply_archived(qs, filters.archived)
    if filters.search:
        qs = qs.filter(name__icontains=filters.search)
    if filters.client_id == "none":
        qs = qs.filter(client__isnull=True)
    elif filters.client_id:
        qs = qs.filter(client_id=filters.client_id)
    entries = TimeEntry.objects.filter(
        workspace_id=membership.workspace_id, project=OuterRef("pk"), duration_seconds__isnull=False
    )
    if not membership.is_admin:
        entries = entries.filter(user_id=membership.user_id)
    return qs.annotate(
        tracked_seconds=_per_row(entries, "project", Sum("duration_seconds"))
    ).order_by("name", "client__name")


PROJECT_SORT_COLUMNS = ("NAME", "CLIENT_NAME", "DURATION", "ID")


@dataclass(frozen=True)
class ProjectApiFilters:
    """The REST API's project list filters, as Clockify's `GET .../projects` names them.

    `clients`/`users` are ids; `contains_client`/`contains_user` say whether a project must
    have one of them (True) or none of them (False). `client_status` (ACTIVE|ARCHIVED) keeps
    projects whose client has that status. `access` is PUBLIC|PRIVATE. `strict_name` makes
    `name` an exact (case-insensitive) match instead of "contains". `sort_column` is one of
    PROJECT_SORT_COLUMNS, ties broken by name then id.
    """

    name: str = ""
    strict_name: bool = False
    archived: str = "all"
    billable: bool | None = None
    clients: tuple[str, ...] = ()
    contains_client: bool = True
    client_status: str = ""
    users: tuple[str, ...] = ()
    contains_user: bool = True
    access: str = ""
    is_template: bool | None = None
    sort_column: str = "NAME"
    descending: bool = False


def project_api_list(*, membership: Membership, filters: ProjectApiFilters) -> QuerySet[Project]:
    """Projects for the REST API's list: `project_list` (visibility, client and
    `tracked_seconds` in one query) narrowed and ordered by Clockify's query parameters."""
    qs = project_list(
        membership=membership,
        filters=CatalogFilters(
            search="" if filters.strict_name else filters.name, archived=filters.archived
        ),
    )
    if filters.strict_name and filters.name:
        qs = qs.filter(name__iexact=filters.name)
    if filters.billable is not None:
        qs = qs.filter(billable=filters.billable)
    if filters.clients:
        in_clients = Q(client_id__in=filters.clients)
        qs = qs.filter(in_clients if filters.contains_client else ~in_clients)
    if filters.client_status:
        qs = qs.filter(client__archived=filters.client_status == "ARCHIVED")
    if filters.users:
        has_user = Exists(
            ProjectMember.objects.filter(project=OuterRef("pk"), user_id__in=filters.users)
        )
        qs = qs.filter(has_user if filters.contains_user else ~has_user)
    if filters.access:
        qs = qs.filter(is_public=filters.access == "PUBLIC")
    if filters.is_template:
        qs = qs.none()  # no project is a template here
    return qs.order_by(*_project_order(filters.sort_column, filters.descending))


def _project_order(column: str, descending: bool) -> list[Any]:
    def by(field: str) -> Any:
        # A project without client sorts as Clockify's "" client name: first when ascending.
        expr = F(field)
        return expr.desc(nulls_last=True) if descending else expr.asc(nulls_first=True)

    keys = {
        "NAME": ["name", "client__name"],
        "CLIENT_NAME": ["client__name", "name"],
        "DURATION": ["tracked_seconds", "name"],
        "ID": ["id"],
    }[column]
    return [by(k) for k in keys] + ([] if column == "ID" else [by("id")])


def tracked_seconds_by(*, membership: Membership, field: str, ids: list[str]) -> dict[str, int]:
    """Finished time per project (`field="project"`) or task (`"task"`) among `ids`, in one
    query: the whole team's for admins, the viewer's own for members (as `project_list`)."""
    if field not in ("project", "task"):
        raise ValueError(field)
    if not ids:
        return {}
    entries = TimeEntry.objects.filter(
        workspace_id=membership.workspace_id,
        **{f"{field}_id__in": ids},
        duration_seconds__isnull=False,
    )
    if not membership.is_admin:
        entries = entries.filter(user_id=membership.user_id)
    rows = entries.order_by().values_list(field).annotate(s=Sum("duration_seconds"))
    return {pk: int(total or 0) for pk, total in rows}


def project_get(*, membership: Membership, pk: str) -> Project | None:
    """One project the member may see, or None (which the views turn into a 404)."""
    return projects_visible(membership=membership).select_related("client").filter(pk=pk).first()


def project_members(*, project: Project) -> QuerySet[ProjectMember]:
    """The project's members with their workspace role (`workspace_role`: whose rate an admin
    may set depends on it)."""
    role = Membership.objects.filter(
        workspace_id=OuterRef("workspace_id"), user_id=OuterRef("user_id")
    ).values("role")[:1]
    return (
        ProjectMember.objects.filter(workspace_id=project.workspace_id, project=project)
        .select_related("user")
        .annotate(workspace_role=Subquery(role))
        .order_by("user__full_name")
    )


def project_tasks(*, project: Project) -> QuerySet[Task]:
    return (
        Task.objects.filter(workspace_id=project.workspace_id, project=project)
        .prefetch_related(Prefetch("assignees", queryset=User.objects.order_by("full_name")))
        .order_by("status", "name")
    )


def workspace_member_users(*, workspace_id: str) -> QuerySet[User]:
    """Active members of the workspace, for member and assignee pickers."""
    return User.objects.filter(
        memberships__workspace_id=workspace_id,
        memberships__status=Membership.Status.ACTIVE,
    ).order_by("full_name")


def assignable_users(*, project: Project) -> QuerySet[User]:
    """Who may be assigned to the project's tasks: active members of the workspace, and of the
    project too when it is private."""
    users = workspace_member_users(workspace_id=project.workspace_id)
    if not project.is_public:
        users = users.filter(pk__in=ProjectMember.objects.filter(project=project).values("user_id"))
    return users


def client_list(
    *, membership: Membership, filters: CatalogFilters | None = None
) -> QuerySet[Client]:
    """Clients with the number of their projects the viewer can see (one query)."""
    workspace_id = membership.workspace_id
    filters = filters or CatalogFilters()
    qs = _apply_archived(Client.objects.filter(workspace_id=workspace_id), filters.archived)
    if filters.search:
        qs = qs.filter(name__icontains=filters.search)
    projects = projects_visible(membership=membership).filter(client=OuterRef("pk"))
    return qs.annotate(project_count=_per_row(projects, "client", Count("pk"))).order_by("name")


def client_choices(*, workspace_id: str, include: str | None = None) -> QuerySet[Client]:
    """Clients a project may be given: the active ones (plus `include`, its current one)."""
    q = Q(archived=False)
    if include:
        q |= Q(pk=include)
    return Client.objects.filter(q, workspace_id=workspace_id).order_by("name")


def tag_list(*, workspace_id: str, filters: CatalogFilters | None = None) -> QuerySet[Tag]:
    """Tags with how many time entries use them (one query)."""
    filters = filters or CatalogFilters()
    qs = _apply_archived(Tag.objects.filter(workspace_id=workspace_id), filters.archived)
    if filters.search:
        qs = qs.filter(name__icontains=filters.search)
    uses = TimeEntryTag.objects.filter(workspace_id=workspace_id, tag=OuterRef("pk"))
    return qs.annotate(entry_count=_per_row(uses, "tag", Count("pk"))).order_by("name")
