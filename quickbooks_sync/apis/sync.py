"""REST API of the QuickBooks sync (admins and the owner; members 403, another workspace 404):
start a sync or a create-missing job (202 with the job), read a job's state, progress and
result; link by hand on the latest result, or undo such a link. A workspace that is not
connected answers 400; one whose plan lacks QuickBooks, 403;
another kind of job still running, 409.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import TypeVar

from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_view
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from quickbooks_sync.models import SyncJob
from quickbooks_sync.selectors.sync import sync_job_get
from quickbooks_sync.services.links import Side
from quickbooks_sync.services.links import link_manual
from quickbooks_sync.services.links import link_undo
from quickbooks_sync.services.sync import sync_start
from workspaces.rest.base import WorkspaceApiView
from workspaces.rest.permissions import IsWorkspaceAdmin

TAGS = ["quickbooks"]


class ProgressOut(serializers.Serializer[dict[str, Any]]):
    stage = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()


class SyncJobOut(serializers.Serializer[dict[str, Any]]):
    id = serializers.CharField()
    kind = serializers.ChoiceField(choices=SyncJob.Kind.values)
    state = serializers.ChoiceField(choices=SyncJob.State.values)
    progress = ProgressOut()
    error = serializers.CharField(help_text="Why the job failed; empty otherwise.")
    result = serializers.DictField(
        child=serializers.JSONField(),
        help_text=(
            "When finished: membersLinked, membersWithoutEmployee, employeesWithoutMember, "
            "contractorsLinked, contractorsWithoutVendor, vendorsWithoutContractor, "
            "clientsLinked, projectsLinked, customersWithoutProject, customersWithoutClient, "
            "projectsWithoutCustomer (each row with whatToDo), counts, and for the create jobs "
            "createdEmployees and createdVendors / createdCustomers, for a first sync "
            "firstSyncImport."
        ),
    )
    requestedBy = serializers.CharField(allow_null=True)
    createdAt = serializers.DateTimeField()
    startedAt = serializers.DateTimeField(allow_null=True)
    finishedAt = serializers.DateTimeField(allow_null=True)


def job_data(job: SyncJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "kind": job.kind,
        "state": job.state,
        "progress": {
            "stage": job.stage,
            "done": job.progress_done,
            "total": job.progress_total,
            "percent": job.percent,
        },
        "error": job.error,
        "result": job.result if job.state == SyncJob.State.SUCCEEDED else {},
        "requestedBy": job.requested_by_id,
        "createdAt": job.created_at,
        "startedAt": job.started_at,
        "finishedAt": job.finished_at,
    }


ERROR = inline_serializer(
    "QuickBooksJobError",
    fields={"message": serializers.CharField(), "code": serializers.IntegerField()},
)


A = TypeVar("A", bound=WorkspaceApiView)


def _start_schema(operation_id: str, description: str) -> Callable[[type[A]], type[A]]:
    """The schema of a job-starting endpoint's POST (the class decorator of each kind)."""
    post = extend_schema(
        operation_id=operation_id,
        request=None,
        responses={
            202: SyncJobOut,
            400: OpenApiResponse(ERROR, description="The workspace is not connected."),
            403: OpenApiResponse(
                ERROR,
                description="Not an admin, or the plan does not include QuickBooks "
                "(Standard, Pro or Enterprise).",
            ),
            409: OpenApiResponse(ERROR, description="Another kind of job is still running."),
        },
        tags=TAGS,
        description=description,
    )
    decorator: Callable[[type[A]], type[A]] = extend_schema_view(post=post)
    return decorator


class _StartJobApi(WorkspaceApiView):
    permission_classes = [IsWorkspaceAdmin]
    kind: str = SyncJob.Kind.SYNC

    def post(self, request: Request, ws: str) -> Response:
        job = sync_start(membership=self.membership, kind=self.kind)
        return Response(SyncJobOut(job_data(job)).data, status=status.HTTP_202_ACCEPTED)


@_start_schema(
    "quickbooks_sync_start",
    "Start syncing users and customers with QuickBooks (changes nothing in QuickBooks). "
    "While a sync runs, this answers the running job. Poll GET .../jobs/{jobId}.",
)
class SyncStartApi(_StartJobApi):
    kind = SyncJob.Kind.SYNC


@_start_schema(
    "quickbooks_create_missing_users",
    "Create a QuickBooks employee for each active member who has none (display name = "
    "the member's name). The job's result lists every member created or refused, with "
    "QuickBooks' reason.",
)
class CreateMissingUsersApi(_StartJobApi):
    kind = SyncJob.Kind.CREATE_EMPLOYEES


@_start_schema(
    "quickbooks_create_missing_customers",
    "Create here the clients and projects of QuickBooks customers that have none "
    "(nothing changes in QuickBooks).",
)
class CreateMissingCustomersApi(_StartJobApi):
    kind = SyncJob.Kind.CREATE_CUSTOMERS


class SyncJobApi(WorkspaceApiView):
    permission_classes = [IsWorkspaceAdmin]

    @extend_schema(
        operation_id="quickbooks_job_get",
        responses=SyncJobOut,
        tags=TAGS,
        description="A sync or create-missing job: state, progress and (when finished) result.",
    )
    def get(self, request: Request, ws: str, job_id: str) -> Response:
        job = sync_job_get(workspace_id=self.workspace.pk, job_id=job_id)
        return Response(SyncJobOut(job_data(job)).data)


class LinkIn(serializers.Serializer[dict[str, Any]]):
    side = serializers.ChoiceField(choices=[s.value for s in Side])
    localId = serializers.CharField(max_length=24)
    qboId = serializers.CharField(max_length=32)


class SyncLinksApi(WorkspaceApiView):
    """Link by hand on the latest sync result (names differ)."""

    permission_classes = [IsWorkspaceAdmin]

    @extend_schema(
        operation_id="quickbooks_link_manual",
        request=LinkIn,
        responses={
            201: OpenApiResponse(description="The linked row, as in the job's result."),
            400: OpenApiResponse(description="Not unlinked as of this sync, or bad input."),
            409: OpenApiResponse(description="Not the latest result, or a job is running."),
        },
        tags=TAGS,
        description=(
            "Link a member (side=member) to an employee, a contractor (side=contractor) to a "
            "vendor, or a project or client to a customer, "
            "both listed as unlinked by this job, the workspace's latest finished one. The link "
            "is marked manual, kept by later syncs, and changes nothing in QuickBooks."
        ),
    )
    def post(self, request: Request, ws: str, job_id: str) -> Response:
        body = LinkIn(data=request.data)
        body.is_valid(raise_exception=True)
        row = link_manual(
            actor=self.membership,
            job_id=job_id,
            side=body.validated_data["side"],
            local_id=body.validated_data["localId"],
            qbo_id=body.validated_data["qboId"],
        )
        return Response(row, status=status.HTTP_201_CREATED)


class SyncLinkApi(WorkspaceApiView):
    permission_classes = [IsWorkspaceAdmin]

    @extend_schema(
        operation_id="quickbooks_link_undo",
        responses={204: None},
        tags=TAGS,
        description="Undo a link made by hand (side: member, contractor, project or client).",
    )
    def delete(self, request: Request, ws: str, job_id: str, side: str, local_id: str) -> Response:
        link_undo(actor=self.membership, job_id=job_id, side=side, local_id=local_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
