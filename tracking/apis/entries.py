"""REST API v1 for time entries, in Clockify's dialect (see docs: rest-api-shape).

Every write goes through tracking/services/entries.py (the same functions the tracker page
calls) or tracking/services/api_support.py (an admin acting on another member's timer); every
read through tracking/selectors/entries.py. Tenancy comes from `membership_for`: a workspace the
key's user is not an active member of is a 404, and so is another workspace's entry.

Choices where Clockify's documentation is silent or loose:
- A body field this API does not know is ignored, as Clockify ignores it, and named in the
  X-Ignored-Fields answer header (so a typo can still be noticed); null is "not given".
- POST without `end` starts a timer (`start` defaults to now); with `end`, `start` is required.
- PUT replaces the entry's description, project, task and tags (absent ones are cleared, as in
  Clockify); `billable` and `start` absent keep their values; `end` absent or null keeps a
  running timer running and is refused for a finished entry.
- PATCH .../user/{u}/time-entries needs `end`; an end at or before the start is a 400.
- A member asking for another user's entries gets a 403; an admin asking for a user who is not
  a member of the workspace gets a 404.
- `in-progress=true` answers the running timer only and ignores the other filters (Clockify);
  `false` answers finished entries only.
- `tags` (repeated or comma-separated) matches entries that carry any of them.
- The in-progress list shows an admin every running timer, a member their own.
- `hourlyRate` is shown to admins and the owner; members get null (as the pages and the
  catalog API: rates are not shown to members).
- `hydrated=true` (on the list and on GET .../time-entries/{id}) embeds compact objects:
  project {id, name, clientId, clientName, workspaceId, billable, public, color, archived},
  task {id, name, projectId, status}, tags [{id, name, workspaceId, archived}]; the full ones
  (rates, members, assignees) are on their own endpoints.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tracking.models import MAX_DESCRIPTION_LENGTH
from tracking.models import Project
from tracking.models import Tag
from tracking.models import Task
from tracking.models import TimeEntry
from tracking.models import TimeEntryTag
from tracking.selectors.entries import time_entries_of
from tracking.selectors.entries import time_entry_get
from tracking.services import entries as entry_services
from tracking.services.api_support import member_for_path
from tracking.services.api_support import timer_start_for
from tracking.services.api_support import timer_stop_for
from workspaces.errors import ApplicationError
from workspaces.ids import is_object_id
from workspaces.models import Membership
from workspaces.rest.base import WorkspaceApiView
from workspaces.rest.base import validated
from workspaces.rest.fields import BodySerializer
from workspaces.rest.fields import IgnoredField
from workspaces.rest.fields import IsoDurationField
from workspaces.rest.fields import MoneySerializer
from workspaces.rest.fields import OptionalTextField
from workspaces.rest.fields import StrictBooleanField
from workspaces.rest.fields import StrictCharField
from workspaces.rest.fields import UtcDateTimeField
from workspaces.rest.fields import format_datetime
from workspaces.rest.fields import format_duration
from workspaces.rest.fields import money
from workspaces.rest.pagination import page_parameters
from workspaces.rest.pagination import paginate
from workspaces.rest.pagination import paginated_response

TAG = ["time-entries"]
# A client sending more tags than this on one entry is broken, not busy.
MAX_TAGS_PER_ENTRY = 100


# --- output ---------------------------------------------------------------------------------


class TimeIntervalOut(serializers.Serializer):
    start = UtcDateTimeField()
    end = UtcDateTimeField(allow_null=True)
    duration = IsoDurationField(allow_null=True, help_text="ISO 8601 duration; null while running.")


class TimeEntryOut(serializers.Serializer):
    id = serializers.CharField()
    description = serializers.CharField()
    userId = serializers.CharField(source="user_id")
    workspaceId = serializers.CharField(source="workspace_id")
    projectId = serializers.CharField(source="project_id", allow_null=True)
    taskId = serializers.CharField(source="task_id", allow_null=True)
    tagIds = serializers.SerializerMethodField()
    billable = serializers.BooleanField()
    isLocked = serializers.BooleanField(source="is_locked")
    hourlyRate = serializers.SerializerMethodField()
    costRate = serializers.SerializerMethodField()
    timeInterval = serializers.SerializerMethodField()
    type = serializers.SerializerMethodField()
    customFieldValues = serializers.SerializerMethodField()
    kioskId = serializers.SerializerMethodField()

    @extend_schema_field(
        {"type": "string", "enum": ["REGULAR"], "description": "Always REGULAR: no breaks."}
    )
    def get_type(self, entry: TimeEntry) -> str:
        return "REGULAR"

    @extend_schema_field({"type": "array", "items": {}, "maxItems": 0})
    def get_customFieldValues(self, entry: TimeEntry) -> list[Any]:
        return []

    @extend_schema_field({"type": "string", "nullable": True, "description": "Always null."})
    def get_kioskId(self, entry: TimeEntry) -> None:
        return None

    @extend_schema_field({"type": "object", "nullable": True, "description": "Always null."})
    def get_costRate(self, entry: TimeEntry) -> None:
        return None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tagIds(self, entry: TimeEntry) -> list[str]:
        return [t.pk for t in entry.tags.all()]

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_hourlyRate(self, entry: TimeEntry) -> Any:
        # Rates are for admins and the owner, as on the pages and the catalog API.
        if not self.context.get("shows_rates"):
            return None
        return money(entry.hourly_rate_cents, entry.currency)

    @extend_schema_field(TimeIntervalOut())
    def get_timeInterval(self, entry: TimeEntry) -> dict[str, Any]:
        # Built directly rather than through TimeIntervalOut(...).data: a serializer per row
        # was a third of a 50-entry page's time.
        return {
            "start": format_datetime(entry.start),
            "end": format_datetime(entry.end),
            "duration": format_duration(entry.duration_seconds),
        }


class EntryProjectOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    clientId = serializers.SerializerMethodField()
    clientName = serializers.SerializerMethodField()
    workspaceId = serializers.CharField(source="workspace_id")
    billable = serializers.BooleanField()
    public = serializers.BooleanField(source="is_public")
    color = serializers.CharField()
    archived = serializers.BooleanField()

    def get_clientId(self, project: Project) -> str:
        return project.client_id or ""  # "" for no client, as on the project itself

    def get_clientName(self, project: Project) -> str:
        return project.client.name if project.client else ""


class EntryTaskOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    projectId = serializers.CharField(source="project_id")
    status = serializers.ChoiceField(choices=Task.Status.choices)


class EntryTagOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    workspaceId = serializers.CharField(source="workspace_id")
    archived = serializers.BooleanField()


class TimeEntryHydratedOut(TimeEntryOut):
    """An entry; with `hydrated=true` also its project, task and tags as objects (so these three
    are documented as optional)."""

    project = EntryProjectOut(allow_null=True, required=False)
    task = EntryTaskOut(allow_null=True, required=False)
    tags = EntryTagOut(many=True, source="tags.all", required=False)


def _entry_out(membership: Membership, entry_id: str, *, hydrated: bool = False) -> dict[str, Any]:
    """An entry as the API shows it, read back with everything the output needs (its
    project, client, task and tags come in the same read, so hydrating costs no query)."""
    entry = time_entry_get(membership=membership, entry_id=entry_id)
    out = TimeEntryHydratedOut if hydrated else TimeEntryOut
    return dict(out(entry, context=_context(membership)).data)


def _context(membership: Membership) -> dict[str, Any]:
    return {"shows_rates": membership.is_admin}


# --- input ----------------------------------------------------------------------------------


class TimeEntryIn(BodySerializer):
    """Clockify's time entry body. `null` is "not given" on `start`, `billable` and
    `description`; on `projectId`, `taskId` and `tagIds` it means none."""

    start = UtcDateTimeField(required=False)
    end = UtcDateTimeField(required=False, allow_null=True)
    billable = StrictBooleanField(required=False)
    description = OptionalTextField(required=False, max_length=MAX_DESCRIPTION_LENGTH)
    projectId = StrictCharField(required=False, allow_null=True, allow_blank=True)
    taskId = StrictCharField(required=False, allow_null=True, allow_blank=True)
    tagIds = serializers.ListField(
        child=StrictCharField(),
        required=False,
        allow_null=True,
        max_length=MAX_TAGS_PER_ENTRY,
    )
    tags = IgnoredField(help_text="Clockify's legacy tag list: ignored; give tagIds.")
    type = IgnoredField(help_text="Ignored: every entry is a REGULAR one here.")
    customFields = IgnoredField(help_text="Ignored: the product has no custom fields.")
    customAttributes = IgnoredField(help_text="Ignored: the product has no custom attributes.")
    kioskId = IgnoredField(help_text="Ignored: the product has no kiosks.")


class TimeEntryUpdateIn(TimeEntryIn):
    """`start` left out (or null) keeps the entry's start."""


class TimeEntryStopIn(BodySerializer):
    end = UtcDateTimeField()


def _refs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": data.get("description") or "",
        "project_id": data.get("projectId") or None,
        "task_id": data.get("taskId") or None,
        "tag_ids": data.get("tagIds") or [],
    }


def _create(membership: Membership, target: Membership, data: dict[str, Any]) -> TimeEntry:
    end: dt.datetime | None = data.get("end")
    if end is None:
        return timer_start_for(
            membership=membership,
            target=target,
            start=data.get("start"),
            billable=data.get("billable"),
            **_refs(data),
        )
    if data.get("start") is None:
        raise ApplicationError("Give the start of an entry that has an end.", field="start")
    return entry_services.time_entry_create(
        membership=membership,
        user=target.user,
        start=data["start"],
        end=end,
        billable=data.get("billable"),
        mode="flag",  # Clockify accepts long, future and overlapping entries: flag them
        **_refs(data),
    )


# --- list filters ---------------------------------------------------------------------------


class HydratedParam(serializers.Serializer):
    """`hydrated` of GET .../time-entries/{id}, read as the list reads it."""

    hydrated = serializers.BooleanField(required=False, default=False)

    @classmethod
    def from_query(cls, request: Request) -> bool:
        q = request.query_params
        params = cls(data={"hydrated": q["hydrated"]} if "hydrated" in q else {})
        params.is_valid(raise_exception=True)
        return bool(params.validated_data["hydrated"])


class TimeEntryFilters(serializers.Serializer):
    start = UtcDateTimeField(required=False)
    end = UtcDateTimeField(required=False)
    description = StrictCharField(required=False, allow_blank=True, max_length=3000)
    project = serializers.CharField(required=False)
    task = serializers.CharField(required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    in_progress = serializers.BooleanField(required=False, allow_null=True, default=None)
    hydrated = serializers.BooleanField(required=False, default=False)

    def validate_project(self, value: str) -> str:
        return _object_id(value, "project")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "start" in attrs and "end" in attrs and attrs["end"] <= attrs["start"]:
            # An empty answer would read as "no entries" when the range itself is backwards.
            raise serializers.ValidationError({"end": "Give an end after the start."})
        return attrs

    def validate_task(self, value: str) -> str:
        return _object_id(value, "task")

    def validate_tags(self, value: list[str]) -> list[str]:
        ids = [part.strip() for item in value for part in item.split(",") if part.strip()]
        return [_object_id(i, "tags") for i in ids]

    @classmethod
    def from_query(cls, request: Request) -> dict[str, Any]:
        q = request.query_params
        data: dict[str, Any] = {
            k: q[k]
            for k in ("start", "end", "description", "project", "task", "hydrated")
            if k in q
        }
        if "in-progress" in q:
            data["in_progress"] = q["in-progress"]
        if "tags" in q:
            data["tags"] = q.getlist("tags")
        filters = cls(data=data)
        filters.is_valid(raise_exception=True)
        return dict(filters.validated_data)


def _object_id(value: str, name: str) -> str:
    if not is_object_id(value):
        raise serializers.ValidationError(f"“{value[:40]}” is not an id (24 hexadecimal digits).")
    return value


HYDRATED_PARAMETER = OpenApiParameter(
    "hydrated", bool, description="Embed project, task and tags objects."
)
LIST_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATETIME, description="Entries starting at or after."),
    OpenApiParameter("end", OpenApiTypes.DATETIME, description="Entries starting before."),
    OpenApiParameter("description", str, description="Description contains (any case)."),
    OpenApiParameter("project", str, description="Project id."),
    OpenApiParameter("task", str, description="Task id."),
    OpenApiParameter(
        "tags", {"type": "array", "items": {"type": "string"}}, description="Any of these tag ids."
    ),
    OpenApiParameter(
        "in-progress",
        bool,
        description="true: the running timer only (other filters ignored); false: finished only.",
    ),
    HYDRATED_PARAMETER,
    *page_parameters(),
]


def _filtered(qs: QuerySet[TimeEntry], filters: dict[str, Any]) -> QuerySet[TimeEntry]:
    in_progress = filters.get("in_progress")
    if in_progress:
        return qs.filter(end__isnull=True)
    if in_progress is False:
        qs = qs.filter(end__isnull=False)
    if "start" in filters:
        qs = qs.filter(start__gte=filters["start"])
    if "end" in filters:
        qs = qs.filter(start__lt=filters["end"])
    if filters.get("description"):
        qs = qs.filter(description__icontains=filters["description"])
    if "project" in filters:
        qs = qs.filter(project_id=filters["project"])
    if "task" in filters:
        qs = qs.filter(task_id=filters["task"])
    if filters.get("tags"):
        tagged = TimeEntryTag.objects.filter(tag_id__in=filters["tags"]).values("time_entry_id")
        qs = qs.filter(pk__in=tagged)
    return qs


# --- views ----------------------------------------------------------------------------------


class TimeEntryCreateApi(WorkspaceApiView):
    """POST /workspaces/{ws}/time-entries: a finished entry, or a timer when `end` is absent."""

    @extend_schema(
        tags=TAG,
        operation_id="time_entry_create",
        request=TimeEntryIn,
        responses={201: TimeEntryOut},
    )
    def post(self, request: Request, ws: str) -> Response:
        membership = self.membership
        entry = _create(membership, membership, validated(TimeEntryIn, request))
        return Response(_entry_out(membership, entry.pk), status=status.HTTP_201_CREATED)


class UserTimeEntriesApi(WorkspaceApiView):
    """/workspaces/{ws}/user/{u}/time-entries: list, create for, and stop the timer of a user."""

    @extend_schema(
        tags=TAG,
        operation_id="user_time_entries_list",
        parameters=LIST_PARAMETERS,
        responses={200: TimeEntryHydratedOut(many=True)},
        description="A user's entries, newest first. Plain entries unless `hydrated=true`, "
        "which adds `project`, `task` and `tags` objects.",
    )
    def get(self, request: Request, ws: str, user_id: str) -> Response:
        membership = self.membership
        target = member_for_path(membership=membership, user_id=user_id, for_write=False)
        filters = TimeEntryFilters.from_query(request)
        qs = time_entries_of(workspace_id=membership.workspace_id, user=target.user)
        if not filters["hydrated"]:
            qs = qs.select_related(None)  # plain entries show ids only: no joins needed
        rows, last_page = paginate(_filtered(qs, filters).order_by("-start", "-id"), request)
        out = TimeEntryHydratedOut if filters["hydrated"] else TimeEntryOut
        data = out(rows, many=True, context=_context(membership)).data
        return paginated_response(data, last_page=last_page)

    @extend_schema(
        tags=TAG,
        operation_id="user_time_entry_create",
        request=TimeEntryIn,
        responses={201: TimeEntryOut},
        description="Like POST /time-entries, for the user in the path (admins: any active "
        "member).",
    )
    def post(self, request: Request, ws: str, user_id: str) -> Response:
        membership = self.membership
        target = member_for_path(membership=membership, user_id=user_id, for_write=True)
        entry = _create(membership, target, validated(TimeEntryIn, request))
        return Response(_entry_out(membership, entry.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAG,
        operation_id="user_timer_stop",
        request=TimeEntryStopIn,
        responses={200: TimeEntryOut},
        description="Stop the user's running timer at `end`; 404 when none runs.",
    )
    def patch(self, request: Request, ws: str, user_id: str) -> Response:
        membership = self.membership
        target = member_for_path(membership=membership, user_id=user_id, for_write=True)
        end = validated(TimeEntryStopIn, request)["end"]
        entry = timer_stop_for(membership=membership, target=target, end=end)
        return Response(_entry_out(membership, entry.pk))


class TimeEntryDetailApi(WorkspaceApiView):
    """/workspaces/{ws}/time-entries/{id}: one entry (own, or anyone's for admins)."""

    @extend_schema(
        tags=TAG,
        operation_id="time_entry_get",
        parameters=[HYDRATED_PARAMETER],
        responses={200: TimeEntryHydratedOut},
        description="One entry; `hydrated=true` adds `project`, `task` and `tags` objects, "
        "as the list does.",
    )
    def get(self, request: Request, ws: str, entry_id: str) -> Response:
        membership = self.membership
        hydrated = HydratedParam.from_query(request)
        return Response(_entry_out(membership, entry_id, hydrated=hydrated))

    @extend_schema(
        tags=TAG,
        operation_id="time_entry_update",
        request=TimeEntryUpdateIn,
        responses={200: TimeEntryOut},
        description="Replace the entry's description, project, task and tags (absent ones are "
        "cleared); `billable` and `start` absent keep their values.",
    )
    def put(self, request: Request, ws: str, entry_id: str) -> Response:
        membership = self.membership
        entry = time_entry_get(membership=membership, entry_id=entry_id)
        data = validated(TimeEntryUpdateIn, request)
        entry_services.time_entry_update(
            membership=membership,
            entry=entry,
            **_refs(data),
            start=data.get("start", entry.start),
            end=data.get("end"),  # absent or null: running stays running, finished is refused
            **({"billable": data["billable"]} if "billable" in data else {}),
            mode="flag",
        )
        return Response(_entry_out(membership, entry.pk))

    @extend_schema(tags=TAG, operation_id="time_entry_delete", responses={204: None})
    def delete(self, request: Request, ws: str, entry_id: str) -> Response:
        membership = self.membership
        entry = time_entry_get(membership=membership, entry_id=entry_id)
        entry_services.time_entry_delete(membership=membership, entry=entry)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InProgressApi(WorkspaceApiView):
    """GET /workspaces/{ws}/time-entries/status/in-progress: running timers."""

    @extend_schema(
        tags=TAG,
        operation_id="time_entries_in_progress",
        parameters=LIST_PARAMETERS[-2:],
        responses={200: TimeEntryOut(many=True)},
        description="Running timers of the workspace (admins), or the caller's own (members).",
    )
    def get(self, request: Request, ws: str) -> Response:
        membership = self.membership
        qs = (
            TimeEntry.objects.filter(workspace_id=membership.workspace_id, end__isnull=True)
            .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
            .order_by("-start", "-id")
        )
        if not membership.is_admin:
            qs = qs.filter(user_id=membership.user_id)
        rows, last_page = paginate(qs, request)
        data = TimeEntryOut(rows, many=True, context=_context(membership)).data
        return paginated_response(data, last_page=last_page)
