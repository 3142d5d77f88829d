"""REST API (Clockify v1 dialect) for the catalog: clients, projects (with members' hourly
rates), tasks and tags. Parsing and presenting only: every read goes through
tracking/selectors/catalog.py, every write through tracking/services/catalog.py (composed in
tracking/services/api_catalog.py where one request is several steps).

Decisions where the dialect is silent:
- Reads are open to every member (private projects only to their members); writes need an admin
  or the owner (403 before the body is even looked at), as on the pages.
- Rates are shown to admins and the owner only, as on the pages: for members `hourlyRate` is
  null and a project's `memberships` is empty.
- PUT changes the fields it is given and keeps the others (Clockify clients send partial
  bodies). `archived` in a PUT archives or restores.
- DELETE answers 200 with the deleted object, as Clockify does. Something in use (a client with
  projects, a project, task or tag with time) is refused with a 400 that says to archive it, or
  that it is already archived (then it stays so: its entries refer to it).
- List filters: `name` (contains, case-insensitive), `archived` (true|false; absent: both). The
  project list takes every filter Clockify documents that means something here (see
  `_project_api_filters`); the others are named in X-Ignored-Fields, like ignored body fields.
- `hydrated=true` on projects adds `tasks` and `customFields` (clockify-cli's model of a
  hydrated project) and `client` (read by public scripts as `.client.name`; not in a recorded
  answer, added because it costs nothing and breaks no reader).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.db.models import QuerySet
from django.db.models import prefetch_related_objects
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework import status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from tracking.models import Client
from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Tag
from tracking.models import Task
from tracking.selectors.catalog import PROJECT_SORT_COLUMNS
from tracking.selectors.catalog import CatalogFilters
from tracking.selectors.catalog import ProjectApiFilters
from tracking.selectors.catalog import client_list
from tracking.selectors.catalog import project_api_list
from tracking.selectors.catalog import project_get
from tracking.selectors.catalog import project_tasks
from tracking.selectors.catalog import tag_list
from tracking.selectors.catalog import tracked_seconds_by
from tracking.services import api_catalog
from tracking.services import catalog
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.ids import is_object_id
from workspaces.models import Membership
from workspaces.models import User
from workspaces.rest.base import WorkspaceApiView
from workspaces.rest.base import validated
from workspaces.rest.fields import BodySerializer
from workspaces.rest.fields import ClearableMoneyInputSerializer
from workspaces.rest.fields import IgnoredField
from workspaces.rest.fields import IsoDurationField
from workspaces.rest.fields import MoneyInputSerializer
from workspaces.rest.fields import MoneySerializer
from workspaces.rest.fields import ObjectIdStringField
from workspaces.rest.fields import OptionalTextField
from workspaces.rest.fields import StrictBooleanField
from workspaces.rest.fields import StrictCharField
from workspaces.rest.fields import format_duration
from workspaces.rest.fields import money
from workspaces.rest.fields import note_ignored
from workspaces.rest.pagination import page_parameters
from workspaces.rest.pagination import paginate
from workspaces.rest.pagination import paginated_response
from workspaces.rest.params import bool_param
from workspaces.rest.params import text_param
from workspaces.rest.permissions import IsWorkspaceAdmin

# --- shared helpers --------------------------------------------------------------------------


class CatalogApiView(WorkspaceApiView):
    """Reads for every member of the workspace, writes for admins and the owner."""

    def get_permissions(self) -> Any:
        if self.request.method not in SAFE_METHODS:
            return [IsWorkspaceAdmin()]
        return super().get_permissions()

    @property
    def shows_rates(self) -> bool:
        return self.membership.is_admin

    def rate(self, cents: int | None) -> dict[str, Any] | None:
        return money(cents, self.workspace.currency) if self.shows_rates else None


def _found(obj: Any, what: str) -> Any:
    if obj is None:
        raise NotFound(f"{what} not found.")
    return obj


def _by_id(qs: QuerySet[Any], pk: str, what: str) -> Any:
    return _found(qs.filter(pk=pk).first() if is_object_id(pk) else None, what)


def _archived_filter(request: Request) -> str:
    archived = bool_param(request, "archived")
    return "all" if archived is None else ("archived" if archived else "active")


def _rate_cents(data: dict[str, Any], key: str = "hourlyRate") -> int | None:
    value = data[key]
    return None if value is None else int(value["amount"])


NAME_PARAM = OpenApiParameter(
    "name", OpenApiTypes.STR, description="Part of the name (case-insensitive)."
)
ARCHIVED_PARAM = OpenApiParameter(
    "archived", OpenApiTypes.BOOL, description="true: archived only; false: active only."
)


def _rate_input(**kwargs: Any) -> MoneyInputSerializer:
    return MoneyInputSerializer(allow_null=True, **kwargs)


# --- clients ---------------------------------------------------------------------------------


class ClientOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    workspaceId = serializers.CharField()
    archived = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)
    currencyCode = serializers.CharField()


class ClientCreateIn(BodySerializer):
    name = StrictCharField(max_length=100, allow_blank=True)
    email = OptionalTextField(max_length=254, required=False, default="")
    address = OptionalTextField(max_length=3000, required=False, default="")
    note = OptionalTextField(max_length=3000, required=False, default="")


class ClientUpdateIn(BodySerializer):
    """null on any field keeps its value (Clockify clients send every field)."""

    name = StrictCharField(max_length=100, allow_blank=True, required=False)
    email = StrictCharField(max_length=254, allow_blank=True, required=False)
    address = StrictCharField(max_length=3000, allow_blank=True, required=False)
    note = StrictCharField(max_length=3000, allow_blank=True, required=False)
    archived = StrictBooleanField(required=False)
    currencyId = IgnoredField(help_text="Ignored: a client bills in the workspace's currency.")


def client_data(client: Client, currency: str) -> dict[str, Any]:
    return {
        "id": client.pk,
        "name": client.name,
        "email": client.email,
        "address": client.address,
        "workspaceId": client.workspace_id,
        "archived": client.archived,
        "note": client.note,
        "currencyCode": currency,
    }


class ClientListApi(CatalogApiView):
    @extend_schema(
        operation_id="clients_list",
        parameters=[NAME_PARAM, ARCHIVED_PARAM, *page_parameters()],
        responses=ClientOut(many=True),
        tags=["clients"],
    )
    def get(self, request: Request, ws: str) -> Response:
        filters = CatalogFilters(
            search=text_param(request, "name", max_length=100),
            archived=_archived_filter(request),
        )
        rows, last_page = paginate(
            client_list(membership=self.membership, filters=filters).order_by("name", "id"),
            request,
        )
        return paginated_response(
            ClientOut([client_data(c, self.workspace.currency) for c in rows], many=True).data,
            last_page=last_page,
        )

    @extend_schema(
        operation_id="clients_create",
        request=ClientCreateIn,
        responses={201: ClientOut},
        tags=["clients"],
    )
    def post(self, request: Request, ws: str) -> Response:
        data = validated(ClientCreateIn, request)
        client = catalog.client_create(actor=self.membership, **data)
        return Response(
            ClientOut(client_data(client, self.workspace.currency)).data,
            status=status.HTTP_201_CREATED,
        )


class ClientDetailApi(CatalogApiView):
    def _client(self, pk: str) -> Client:
        return _by_id(Client.objects.filter(workspace_id=self.workspace.pk), pk, "Client")

    @extend_schema(operation_id="clients_get", responses=ClientOut, tags=["clients"])
    def get(self, request: Request, ws: str, pk: str) -> Response:
        return Response(ClientOut(client_data(self._client(pk), self.workspace.currency)).data)

    @extend_schema(
        operation_id="clients_update", request=ClientUpdateIn, responses=ClientOut, tags=["clients"]
    )
    def put(self, request: Request, ws: str, pk: str) -> Response:
        client = self._client(pk)
        data = validated(ClientUpdateIn, request)
        client = api_catalog.client_change(actor=self.membership, client=client, **data)
        return Response(ClientOut(client_data(client, self.workspace.currency)).data)

    @extend_schema(operation_id="clients_delete", responses=ClientOut, tags=["clients"])
    def delete(self, request: Request, ws: str, pk: str) -> Response:
        client = self._client(pk)
        data = client_data(client, self.workspace.currency)
        catalog.client_delete(actor=self.membership, client=client)
        return Response(ClientOut(data).data)


# --- projects --------------------------------------------------------------------------------


class TaskOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    projectId = serializers.CharField()
    assigneeIds = serializers.ListField(child=serializers.CharField())
    assigneeId = serializers.CharField(
        allow_null=True, help_text="Clockify's legacy single assignee: always null."
    )
    userGroupIds = serializers.ListField(child=serializers.CharField())
    estimate = serializers.CharField(help_text='ISO 8601 duration; "PT0S" for none.')
    duration = serializers.CharField(help_text="Time tracked on the task, ISO 8601.")
    status = serializers.ChoiceField(choices=Task.Status.values)
    billable = serializers.BooleanField()
    hourlyRate = MoneySerializer(allow_null=True)
    costRate = serializers.JSONField(allow_null=True, help_text="Always null: no cost rates.")
    budgetEstimate = serializers.IntegerField(help_text="Always 0: no budgets.")


class ProjectMembershipOut(serializers.Serializer):
    userId = serializers.CharField()
    hourlyRate = MoneySerializer(allow_null=True)
    targetId = serializers.CharField()
    membershipType = serializers.CharField()
    membershipStatus = serializers.CharField()


class ProjectEstimateOut(serializers.Serializer):
    estimate = serializers.CharField()
    type = serializers.CharField()


class ProjectOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    clientId = serializers.CharField(allow_blank=True, help_text='"" for no client.')
    clientName = serializers.CharField(allow_blank=True)
    workspaceId = serializers.CharField()
    billable = serializers.BooleanField()
    public = serializers.BooleanField()
    color = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    archived = serializers.BooleanField()
    template = serializers.BooleanField()
    duration = serializers.CharField(help_text="Time tracked on the project, ISO 8601.")
    estimate = ProjectEstimateOut()
    hourlyRate = MoneySerializer(allow_null=True)
    costRate = serializers.JSONField(allow_null=True, help_text="Always null: no cost rates.")
    budgetEstimate = serializers.JSONField(allow_null=True, help_text="Always null.")
    memberships = ProjectMembershipOut(many=True)


class ProjectHydratedOut(ProjectOut):
    """A project; with `hydrated=true` also its tasks, its client and (always empty) custom
    fields, so these three are documented as optional."""

    tasks = TaskOut(many=True, required=False)
    client = ClientOut(allow_null=True, required=False, help_text="null for no client.")
    customFields = serializers.ListField(
        child=serializers.JSONField(), required=False, help_text="Always []: no custom fields."
    )


class ProjectMemberIn(BodySerializer):
    """Clockify clients send `membershipType`/`membershipStatus` too: accepted when they say
    what a project membership is here (PROJECT, ACTIVE)."""

    userId = ObjectIdStringField()
    hourlyRate = MoneyInputSerializer(allow_null=True, required=False, default=None)
    costRate = IgnoredField()
    membershipType = serializers.ChoiceField(choices=["PROJECT"], required=False)
    membershipStatus = serializers.ChoiceField(choices=["ACTIVE"], required=False)


class _ProjectFieldsIn(BodySerializer):
    """Clockify's create body says `isPublic`, its objects say `public`: both are accepted.
    null on any field is "not given" (a Clockify client's PUT sends every field, with null for
    those it leaves alone); `clientId: ""` takes the client away."""

    name = StrictCharField(max_length=100, allow_blank=True)
    clientId = StrictCharField(max_length=24, allow_blank=True, required=False)
    billable = StrictBooleanField(required=False)
    isPublic = StrictBooleanField(required=False)
    public = StrictBooleanField(required=False)
    color = StrictCharField(max_length=7, required=False)
    note = StrictCharField(max_length=3000, allow_blank=True, required=False)
    hourlyRate = MoneyInputSerializer(required=False)
    costRate = IgnoredField(help_text="Ignored: the product has no cost rates.")
    estimate = IgnoredField(help_text="Ignored: projects have no estimate here.")
    timeEstimate = IgnoredField(help_text="Ignored: projects have no estimate here.")
    budgetEstimate = IgnoredField(help_text="Ignored: projects have no budget here.")

    def validate_clientId(self, value: str) -> str:
        if value and not is_object_id(value.strip()):
            raise serializers.ValidationError(f"{value!r} is not a valid id (24 hex characters).")
        return value.strip()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "isPublic" in attrs and "public" in attrs and attrs["isPublic"] != attrs["public"]:
            raise serializers.ValidationError({"public": "isPublic and public disagree."})
        return attrs


class TaskCreateIn(BodySerializer):
    """`assigneeId` (Clockify's legacy single assignee) counts when `assigneeIds` is not given;
    null on any field is "not given"."""

    name = StrictCharField(max_length=100, allow_blank=True)
    assigneeIds = serializers.ListField(child=ObjectIdStringField(), required=False, max_length=500)
    assigneeId = ObjectIdStringField(required=False)
    billable = StrictBooleanField(required=False, help_text="Default: the project's.")
    estimate = IsoDurationField(required=False, help_text="ISO 8601, such as PT2H30M.")
    status = serializers.ChoiceField(choices=Task.Status.values, required=False, default="ACTIVE")
    hourlyRate = MoneyInputSerializer(required=False)
    id = IgnoredField()
    projectId = IgnoredField(help_text="Ignored: the project is the one in the path.")
    userGroupIds = IgnoredField(help_text="Ignored: the product has no user groups.")
    costRate = IgnoredField(help_text="Ignored: the product has no cost rates.")
    budgetEstimate = IgnoredField(help_text="Ignored: the product has no budgets.")


class ProjectCreateIn(_ProjectFieldsIn):
    memberships = ProjectMemberIn(many=True, required=False, max_length=500)  # type: ignore[call-arg]
    tasks = TaskCreateIn(many=True, required=False, max_length=500)  # type: ignore[call-arg]


class ProjectUpdateIn(_ProjectFieldsIn):
    name = StrictCharField(max_length=100, allow_blank=True, required=False)
    archived = StrictBooleanField(required=False)


class MemberRateIn(ClearableMoneyInputSerializer):
    """A project member's rate on the project (null clears it)."""


def _project_changes(data: dict[str, Any], actor: Membership) -> dict[str, Any]:
    """project_create/project_update keyword arguments from a validated body."""
    changes: dict[str, Any] = {}
    for source, target in (("name", "name"), ("billable", "billable"), ("note", "note")):
        if source in data:
            changes[target] = data[source]
    if "color" in data:
        changes["color"] = data["color"]
    for key in ("isPublic", "public"):
        if key in data:
            changes["is_public"] = data[key]
    if "clientId" in data:
        changes["client"] = api_catalog.client_for_id(
            actor=actor, client_id=data["clientId"] or None
        )
    if "hourlyRate" in data:
        changes["hourly_rate_cents"] = _rate_cents(data)
    return changes


def project_data(
    project: Project,
    members: list[ProjectMember],
    tracked_seconds: int,
    *,
    currency: str,
    shows_rates: bool,
) -> dict[str, Any]:
    """A project as the API (and its webhooks) show it; rates and memberships only when
    `shows_rates` (admins)."""
    return {
        "id": project.pk,
        "name": project.name,
        "clientId": project.client_id or "",
        "clientName": project.client.name if project.client else "",
        "workspaceId": project.workspace_id,
        "billable": project.billable,
        "public": project.is_public,
        "color": project.color,
        "note": project.note,
        "archived": project.archived,
        "template": False,
        "duration": format_duration(tracked_seconds),
        "estimate": {"estimate": "PT0S", "type": "AUTO"},
        "hourlyRate": money(project.hourly_rate_cents, currency) if shows_rates else None,
        "costRate": None,
        "budgetEstimate": None,
        "memberships": [
            {
                "userId": m.user_id,
                "hourlyRate": money(m.hourly_rate_cents, currency),
                "targetId": project.pk,
                "membershipType": "PROJECT",
                "membershipStatus": "ACTIVE",
            }
            for m in members
        ]
        if shows_rates
        else [],
    }


def _tasks_prefetch() -> Prefetch:
    """A project's tasks as the task list orders them, with their assignees."""
    return Prefetch(
        "tasks",
        queryset=Task.objects.order_by("status", "name", "id").prefetch_related("assignees"),
    )


class _ProjectView(CatalogApiView):
    def project_data(
        self, project: Project, members: list[ProjectMember], tracked_seconds: int
    ) -> dict[str, Any]:
        return project_data(
            project,
            members,
            tracked_seconds,
            currency=self.workspace.currency,
            shows_rates=self.shows_rates,
        )

    def one(self, project: Project, *, hydrated: bool = False) -> dict[str, Any]:
        members = list(ProjectMember.objects.filter(project=project).order_by("user_id"))
        tracked = tracked_seconds_by(
            membership=self.membership, field="project", ids=[project.pk]
        ).get(project.pk, 0)
        data = self.project_data(project, members, tracked)
        if not hydrated:
            return dict(ProjectOut(data).data)
        prefetch_related_objects([project], _tasks_prefetch())
        self.hydrate([project], [data])
        return dict(ProjectHydratedOut(data).data)

    def hydrate(self, projects: list[Project], data: list[dict[str, Any]]) -> None:
        """Add `tasks`, `client` and `customFields` to each project's data (its tasks
        prefetched with `_tasks_prefetch`): one query for all their tracked time."""
        tasks = {p.pk: list(p.tasks.all()) for p in projects}
        tracked = tracked_seconds_by(
            membership=self.membership,
            field="task",
            ids=[t.pk for ts in tasks.values() for t in ts],
        )
        currency = self.workspace.currency
        for project, row in zip(projects, data, strict=True):
            row["tasks"] = [
                task_data(t, tracked.get(t.pk, 0), currency=currency, shows_rates=self.shows_rates)
                for t in tasks[project.pk]
            ]
            row["client"] = client_data(project.client, currency) if project.client else None
            row["customFields"] = []

    def _project(self, pk: str) -> Project:
        project = project_get(membership=self.membership, pk=pk) if is_object_id(pk) else None
        return _found(project, "Project")


def _id_list_param(request: Request, name: str) -> tuple[str, ...]:
    """Ids given as `name=a,b` or `name=a&name=b` (Clockify's array parameters); a 400 naming
    the parameter when one is not an id."""
    raw = request.query_params.getlist(name)
    if sum(len(v) for v in raw) > 2500:
        raise ApplicationError(f"{name} can name at most 100 ids.", field=name)
    ids = tuple(dict.fromkeys(p.strip() for v in raw for p in v.split(",") if p.strip()))
    if not all(is_object_id(i) for i in ids) or len(ids) > 100:
        raise ApplicationError(f"{name} must be comma-separated ids.", field=name)
    return ids


def _choice_param(request: Request, name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (any case), or "" when absent; anything else is a 400."""
    value = text_param(request, name, max_length=40).upper()
    if value and value not in choices:
        raise ApplicationError(f"{name} must be one of {', '.join(choices)}.", field=name)
    return value


# Documented by Clockify for GET .../projects, with nothing here to apply them to: named in
# X-Ignored-Fields when given.
PROJECT_LIST_IGNORED = (
    "user-status",
    "userGroups",
    "contains-group",
    "expense-limit",
    "expense-date",
)
# Sort columns Clockify has and this product has no concept for (no budgets or estimates).
PROJECT_SORT_IGNORED = ("BUDGET", "PROGRESS")


def _project_api_filters(request: Request) -> ProjectApiFilters:
    contains_user = bool_param(request, "contains-user")
    if contains_user is None:
        contains_user = bool_param(request, "contains-users")  # older clients' spelling
    client_status = _choice_param(request, "client-status", ("ACTIVE", "ARCHIVED", "ALL"))
    sort_column = _choice_param(
        request, "sort-column", (*PROJECT_SORT_COLUMNS, *PROJECT_SORT_IGNORED)
    )
    ignored = [n for n in PROJECT_LIST_IGNORED if n in request.query_params]
    if sort_column in PROJECT_SORT_IGNORED:
        ignored.append("sort-column")
        sort_column = ""
    note_ignored(request, ignored)
    return ProjectApiFilters(
        name=text_param(request, "name", max_length=100),
        strict_name=bool(bool_param(request, "strict-name-search")),
        archived=_archived_filter(request),
        billable=bool_param(request, "billable"),
        clients=_id_list_param(request, "clients"),
        contains_client=bool_param(request, "contains-client") is not False,
        client_status="" if client_status == "ALL" else client_status,
        users=_id_list_param(request, "users"),
        contains_user=contains_user is not False,
        access=_choice_param(request, "access", ("PUBLIC", "PRIVATE")),
        is_template=bool_param(request, "is-template"),
        sort_column=sort_column or "NAME",
        descending=_choice_param(request, "sort-order", ("ASCENDING", "DESCENDING"))
        == "DESCENDING",
    )


def _bool_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.BOOL, description=description)


def _text_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, description=description)


HYDRATED_PARAM = _bool_parameter(
    "hydrated", "true: each project also carries `tasks`, `client` and `customFields` ([])."
)
PROJECT_LIST_PARAMETERS = [
    NAME_PARAM,
    _bool_parameter("strict-name-search", "true: `name` is the whole name (any case)."),
    ARCHIVED_PARAM,
    _bool_parameter("billable", "true: billable only; false: non-billable only."),
    _text_parameter("clients", "Client ids, comma-separated or repeated."),
    _bool_parameter(
        "contains-client",
        "true (default): projects of these clients; false: all projects but theirs.",
    ),
    _text_parameter(
        "client-status",
        "ACTIVE or ARCHIVED: projects whose client has that status (none without client); "
        "ALL: no filter.",
    ),
    _text_parameter("users", "User ids, comma-separated or repeated: project members."),
    _bool_parameter(
        "contains-user",
        "true (default): projects with one of these members; false: projects with none of "
        "them (`contains-users` is read too).",
    ),
    _text_parameter("access", "PUBLIC or PRIVATE."),
    _bool_parameter("is-template", "true: none (no project is a template here); false: all."),
    _text_parameter(
        "sort-column",
        "NAME (default), CLIENT_NAME, DURATION or ID; BUDGET and PROGRESS sort by name and "
        "are named in X-Ignored-Fields.",
    ),
    _text_parameter("sort-order", "ASCENDING (default) or DESCENDING."),
    HYDRATED_PARAM,
    *[
        _text_parameter(n, "Ignored: nothing here to apply it to (named in X-Ignored-Fields).")
        for n in PROJECT_LIST_IGNORED
    ],
    *page_parameters(),
]


class ProjectListApi(_ProjectView):
    @extend_schema(
        operation_id="projects_list",
        parameters=PROJECT_LIST_PARAMETERS,
        responses=ProjectHydratedOut(many=True),
        tags=["projects"],
    )
    def get(self, request: Request, ws: str) -> Response:
        filters = _project_api_filters(request)
        hydrated = bool(bool_param(request, "hydrated"))
        projects = project_api_list(membership=self.membership, filters=filters).prefetch_related(
            Prefetch("memberships", queryset=ProjectMember.objects.order_by("user_id"))
        )
        if hydrated:
            projects = projects.prefetch_related(_tasks_prefetch())
        rows, last_page = paginate(projects, request)
        data = [
            self.project_data(p, list(p.memberships.all()), p.tracked_seconds)  # type: ignore[attr-defined]
            for p in rows
        ]
        if hydrated:
            self.hydrate(rows, data)
        out = ProjectHydratedOut if hydrated else ProjectOut
        return paginated_response(out(data, many=True).data, last_page=last_page)

    @extend_schema(
        operation_id="projects_create",
        request=ProjectCreateIn,
        responses={201: ProjectOut},
        tags=["projects"],
    )
    def post(self, request: Request, ws: str) -> Response:
        data = validated(ProjectCreateIn, request, currency=self.workspace.currency)
        fields = _project_changes(data, self.membership)
        member_rows = data.get("memberships") or []
        users = api_catalog.workspace_users_by_id(
            actor=self.membership, user_ids=[m["userId"] for m in member_rows], field="memberships"
        )
        members = [(user, _rate_cents(row)) for user, row in zip(users, member_rows, strict=False)]
        if len({u.pk for u in users}) != len(member_rows):
            raise ApplicationError("A user appears twice in memberships.", field="memberships")
        tasks = [_task_fields(self.membership, row) for row in data.get("tasks") or []]
        project = api_catalog.project_create_with_members(
            actor=self.membership, members=members, tasks=tasks, **fields
        )
        return Response(self.one(project), status=status.HTTP_201_CREATED)


class ProjectDetailApi(_ProjectView):
    @extend_schema(
        operation_id="projects_get",
        parameters=[HYDRATED_PARAM],
        responses=ProjectHydratedOut,
        tags=["projects"],
    )
    def get(self, request: Request, ws: str, pk: str) -> Response:
        hydrated = bool(bool_param(request, "hydrated"))
        return Response(self.one(self._project(pk), hydrated=hydrated))

    @extend_schema(
        operation_id="projects_update",
        request=ProjectUpdateIn,
        responses=ProjectOut,
        tags=["projects"],
    )
    def put(self, request: Request, ws: str, pk: str) -> Response:
        project = self._project(pk)
        data = validated(ProjectUpdateIn, request, currency=self.workspace.currency)
        changes = _project_changes(data, self.membership)
        if "archived" in data:
            changes["archived"] = data["archived"]
        project = api_catalog.project_change(actor=self.membership, project=project, **changes)
        return Response(self.one(project))

    @extend_schema(operation_id="projects_delete", responses=ProjectOut, tags=["projects"])
    def delete(self, request: Request, ws: str, pk: str) -> Response:
        project = self._project(pk)
        data = self.one(project)
        catalog.project_delete(actor=self.membership, project=project)
        return Response(data)


class ProjectMemberRateApi(_ProjectView):
    @extend_schema(
        operation_id="projects_member_hourly_rate",
        request=MemberRateIn,
        responses=ProjectOut,
        tags=["projects"],
        description="Set a user's hourly rate on the project (amount null: the project's or "
        "workspace's rate applies). It applies to new entries.",
    )
    def put(self, request: Request, ws: str, pk: str, user_id: str) -> Response:
        project = self._project(pk)
        user = _by_id(
            User.objects.filter(
                memberships__workspace_id=self.workspace.pk,
                memberships__status=Membership.Status.ACTIVE,
            ),
            user_id,
            "User",
        )
        data = validated(MemberRateIn, request, currency=self.workspace.currency)
        api_catalog.project_member_rate_put(
            actor=self.membership, project=project, user=user, hourly_rate_cents=data["amount"]
        )
        return Response(self.one(project))


# --- tasks -----------------------------------------------------------------------------------


class TaskUpdateIn(TaskCreateIn):
    """Fields left out (or null) keep their values; `hourlyRate: {"amount": ...}` sets the
    task's own rate."""

    name = StrictCharField(max_length=100, allow_blank=True, required=False)
    status = serializers.ChoiceField(choices=Task.Status.values, required=False)


def _assignee_ids(data: dict[str, Any]) -> list[str] | None:
    """The assignees a task body names, or None when it names none."""
    if "assigneeIds" in data:
        return list(data["assigneeIds"])
    if "assigneeId" in data:
        return [data["assigneeId"]]
    return None


def _task_fields(actor: Membership, data: dict[str, Any]) -> dict[str, Any]:
    """task_create_full/task_change keyword arguments from a validated task body."""
    fields: dict[str, Any] = {}
    for source, target in (
        ("name", "name"),
        ("status", "status"),
        ("billable", "billable"),
        ("estimate", "estimate_seconds"),
    ):
        if source in data:
            fields[target] = data[source]
    if "hourlyRate" in data:
        fields["hourly_rate_cents"] = _rate_cents(data)
    ids = _assignee_ids(data)
    if ids is not None:
        fields["assignees"] = api_catalog.workspace_users_by_id(
            actor=actor, user_ids=ids, field="assigneeIds"
        )
    return fields


def task_data(
    task: Task, tracked_seconds: int, *, currency: str, shows_rates: bool
) -> dict[str, Any]:
    """A task as the API (and its webhooks) show it; its rate only when `shows_rates`."""
    return {
        "id": task.pk,
        "name": task.name,
        "projectId": task.project_id,
        "assigneeIds": sorted(u.pk for u in task.assignees.all()),
        "assigneeId": None,
        "userGroupIds": [],
        "estimate": format_duration(task.estimate_seconds),
        "duration": format_duration(tracked_seconds),
        "status": task.status,
        "billable": task.billable,
        "hourlyRate": money(task.hourly_rate_cents, currency) if shows_rates else None,
        "costRate": None,
        "budgetEstimate": 0,
    }


class _TaskView(_ProjectView):
    def task_data(self, task: Task, tracked_seconds: int) -> dict[str, Any]:
        return task_data(
            task, tracked_seconds, currency=self.workspace.currency, shows_rates=self.shows_rates
        )

    def tracked(self, tasks: list[Task]) -> dict[str, int]:
        return tracked_seconds_by(
            membership=self.membership, field="task", ids=[t.pk for t in tasks]
        )

    def one_task(self, task: Task) -> dict[str, Any]:
        return dict(TaskOut(self.task_data(task, self.tracked([task]).get(task.pk, 0))).data)

    def _task(self, project: Project, pk: str) -> Task:
        return _by_id(
            Task.objects.filter(workspace_id=self.workspace.pk, project=project), pk, "Task"
        )


class TaskListApi(_TaskView):
    @extend_schema(
        operation_id="tasks_list",
        parameters=[
            NAME_PARAM,
            OpenApiParameter(
                "is-active", OpenApiTypes.BOOL, description="true: ACTIVE only; false: DONE only."
            ),
            *page_parameters(),
        ],
        responses=TaskOut(many=True),
        tags=["tasks"],
    )
    def get(self, request: Request, ws: str, pk: str) -> Response:
        project = self._project(pk)
        tasks = project_tasks(project=project)
        if name := text_param(request, "name", max_length=100):
            tasks = tasks.filter(name__icontains=name)
        active = bool_param(request, "is-active")
        if active is not None:
            tasks = tasks.filter(status=Task.Status.ACTIVE if active else Task.Status.DONE)
        rows, last_page = paginate(tasks.order_by("status", "name", "id"), request)
        tracked = self.tracked(list(rows))
        data = [self.task_data(t, tracked.get(t.pk, 0)) for t in rows]
        return paginated_response(TaskOut(data, many=True).data, last_page=last_page)

    @extend_schema(
        operation_id="tasks_create", request=TaskCreateIn, responses={201: TaskOut}, tags=["tasks"]
    )
    def post(self, request: Request, ws: str, pk: str) -> Response:
        project = self._project(pk)
        data = validated(TaskCreateIn, request, currency=self.workspace.currency)
        task = api_catalog.task_create_full(
            actor=self.membership, project=project, **_task_fields(self.membership, data)
        )
        return Response(self.one_task(task), status=status.HTTP_201_CREATED)


class TaskDetailApi(_TaskView):
    @extend_schema(operation_id="tasks_get", responses=TaskOut, tags=["tasks"])
    def get(self, request: Request, ws: str, pk: str, task_id: str) -> Response:
        project = self._project(pk)
        return Response(self.one_task(self._task(project, task_id)))

    @extend_schema(
        operation_id="tasks_update", request=TaskUpdateIn, responses=TaskOut, tags=["tasks"]
    )
    def put(self, request: Request, ws: str, pk: str, task_id: str) -> Response:
        project = self._project(pk)
        task = self._task(project, task_id)
        data = validated(TaskUpdateIn, request, currency=self.workspace.currency)
        changes = _task_fields(self.membership, data)
        task = api_catalog.task_change(actor=self.membership, task=task, **changes)
        return Response(self.one_task(task))

    @extend_schema(operation_id="tasks_delete", responses=TaskOut, tags=["tasks"])
    def delete(self, request: Request, ws: str, pk: str, task_id: str) -> Response:
        project = self._project(pk)
        task = self._task(project, task_id)
        data = self.one_task(task)
        catalog.task_delete(actor=self.membership, task=task)
        return Response(data)


# --- tags ------------------------------------------------------------------------------------


class TagOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    workspaceId = serializers.CharField()
    archived = serializers.BooleanField()


class TagCreateIn(BodySerializer):
    name = StrictCharField(max_length=100, allow_blank=True)


class TagUpdateIn(BodySerializer):
    name = StrictCharField(max_length=100, allow_blank=True, required=False)
    archived = StrictBooleanField(required=False)


def tag_data(tag: Tag) -> dict[str, Any]:
    return {
        "id": tag.pk,
        "name": tag.name,
        "workspaceId": tag.workspace_id,
        "archived": tag.archived,
    }


class TagListApi(CatalogApiView):
    @extend_schema(
        operation_id="tags_list",
        parameters=[NAME_PARAM, ARCHIVED_PARAM, *page_parameters()],
        responses=TagOut(many=True),
        tags=["tags"],
    )
    def get(self, request: Request, ws: str) -> Response:
        filters = CatalogFilters(
            search=text_param(request, "name", max_length=100),
            archived=_archived_filter(request),
        )
        tags = tag_list(workspace_id=self.workspace.pk, filters=filters).order_by("name", "id")
        rows, last_page = paginate(tags, request)
        return paginated_response(
            TagOut([tag_data(t) for t in rows], many=True).data, last_page=last_page
        )

    @extend_schema(
        operation_id="tags_create", request=TagCreateIn, responses={201: TagOut}, tags=["tags"]
    )
    def post(self, request: Request, ws: str) -> Response:
        data = validated(TagCreateIn, request)
        tag = catalog.tag_create(actor=self.membership, name=data["name"])
        return Response(TagOut(tag_data(tag)).data, status=status.HTTP_201_CREATED)


class TagDetailApi(CatalogApiView):
    def _tag(self, pk: str) -> Tag:
        return _by_id(Tag.objects.filter(workspace_id=self.workspace.pk), pk, "Tag")

    @extend_schema(operation_id="tags_get", responses=TagOut, tags=["tags"])
    def get(self, request: Request, ws: str, pk: str) -> Response:
        return Response(TagOut(tag_data(self._tag(pk))).data)

    @extend_schema(operation_id="tags_update", request=TagUpdateIn, responses=TagOut, tags=["tags"])
    def put(self, request: Request, ws: str, pk: str) -> Response:
        tag = self._tag(pk)
        data = validated(TagUpdateIn, request)
        tag = api_catalog.tag_change(actor=self.membership, tag=tag, **data)
        return Response(TagOut(tag_data(tag)).data)

    @extend_schema(operation_id="tags_delete", responses=TagOut, tags=["tags"])
    def delete(self, request: Request, ws: str, pk: str) -> Response:
        tag = self._tag(pk)
        data = tag_data(tag)
        catalog.tag_delete(actor=self.membership, tag=tag)
        return Response(TagOut(data).data)
