"""REST API of "Send to QuickBooks" (the owner and admins; a member 403, another workspace 404),
in Clockify's dialect (camelCase, `page`/`page-size` paging with a `Last-Page` header):

    POST .../quickbooks/sends/preview               what a send would do with the filters
    POST .../quickbooks/sends                       start one (202 + the job)
    GET  .../quickbooks/sends/{jobId}               state, progress, counters
    GET  .../quickbooks/sends/{jobId}/entries       per-entry outcomes (paged; ?state=)
    POST .../quickbooks/sends/{jobId}/retry-failed  send the refused ones again (202 + the job)
    GET  .../quickbooks/sent-entries                the ledger (paged)

The body of preview and start is the Detailed report's (`POST /reports/v1/.../reports/detailed`),
parsed by reports' own code so both select the same entries; its paging, sort and exportType are
ignored (a send takes every page). Durations are seconds, as the report counts them (rounded when
the workspace rounds). A workspace that is not connected answers 400.
"""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef
from django.db.models import Subquery
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from quickbooks_sync.models import SendItem
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SentEntry
from quickbooks_sync.selectors.send import not_sent_rows
from quickbooks_sync.selectors.send import send_job_items
from quickbooks_sync.selectors.send import send_job_left
from quickbooks_sync.selectors.send import sent_entries
from quickbooks_sync.services.send import SendPreview
from quickbooks_sync.services.send import send_job_get
from quickbooks_sync.services.send import send_preview
from quickbooks_sync.services.send import send_retry_failed
from quickbooks_sync.services.send import send_start
from reports.bodies import DetailedReportIn
from reports.filters import DetailedFilters
from reports.filters import detailed_filters_from_body
from workspaces.errors import ApplicationError
from workspaces.rest.base import WorkspaceApiView
from workspaces.rest.base import validated
from workspaces.rest.fields import format_datetime
from workspaces.rest.pagination import page_parameters
from workspaces.rest.pagination import paginate
from workspaces.rest.pagination import paginated_response
from workspaces.rest.permissions import IsWorkspaceAdmin

TAGS = ["quickbooks"]


class NotSentOut(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(help_text="e.g. member_not_linked, already_sent, qbo_6210")
    name = serializers.CharField(help_text="The reason in a few words.")
    message = serializers.CharField(help_text="What to do about it.")
    entries = serializers.IntegerField()
    duration = serializers.IntegerField(help_text="Seconds.")


class GroupOut(serializers.Serializer[dict[str, Any]]):
    employee = serializers.CharField(
        help_text="The QuickBooks employee's name (a contractor's: the vendor's)."
    )
    nameOf = serializers.ChoiceField(
        choices=["Employee", "Vendor"], help_text="The TimeActivity's NameOf."
    )
    customer = serializers.CharField(help_text='The customer\'s full name ("" for none).')
    item = serializers.CharField(help_text='The service item ("" for none).')
    entries = serializers.IntegerField()
    duration = serializers.IntegerField()


# "class" is a Python keyword, so the field is declared after the class body.
GroupOut._declared_fields["class"] = serializers.CharField(help_text='The class ("" for none).')


class PreviewOut(serializers.Serializer[dict[str, Any]]):
    entries = serializers.IntegerField(help_text="Entries that would be sent.")
    duration = serializers.IntegerField(
        help_text="Their time in seconds as QuickBooks gets it: whole minutes per entry."
    )
    reportDuration = serializers.IntegerField(
        help_text="Their time as the report counts it (differs when the workspace does not "
        "round: the report keeps seconds)."
    )
    notSent = NotSentOut(many=True)
    groups = GroupOut(many=True, help_text="The entries that go, by what they carry.")


class CountOut(serializers.Serializer[dict[str, Any]]):
    entries = serializers.IntegerField()
    duration = serializers.IntegerField()


class SendProgressOut(serializers.Serializer[dict[str, Any]]):
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()


class SendJobOut(serializers.Serializer[dict[str, Any]]):
    id = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=SendJob.Kind.values,
        help_text="SEND, or UPDATE / DELETE: corrections of sent TimeActivities started from "
        "the QuickBooks view's sent entries.",
    )
    state = serializers.ChoiceField(choices=SendJob.State.values)
    progress = SendProgressOut()
    selected = CountOut(help_text="Entries the job sends.")
    sent = CountOut()
    failed = serializers.IntegerField(help_text="Refused by QuickBooks, or left when it stopped.")
    waiting = serializers.IntegerField(
        help_text="A stopped send's entries QuickBooks never answered for: retry-failed asks "
        "again with the same request id."
    )
    canRetry = serializers.BooleanField(help_text="Whether retry-failed has anything to do.")
    notSent = NotSentOut(many=True, help_text="Entries within the filters it does not send.")
    error = serializers.CharField(help_text="Why the job stopped; empty otherwise.")
    filters = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The Detailed report's query parameters, dates pinned.",
    )
    requestedBy = serializers.CharField(
        allow_null=True, help_text="The admin who pressed Send; null when the schedule did."
    )
    scheduled = serializers.BooleanField(
        help_text="Started by the workspace's schedule of approved time (Settings > Integrations)."
    )
    createdAt = serializers.CharField()
    startedAt = serializers.CharField(allow_null=True)
    finishedAt = serializers.CharField(allow_null=True)


class SendItemOut(serializers.Serializer[dict[str, Any]]):
    timeEntryId = serializers.CharField()
    state = serializers.ChoiceField(choices=SendItem.State.values)
    reason = serializers.CharField()
    message = serializers.CharField()
    duration = serializers.IntegerField()
    timeActivityId = serializers.CharField(allow_null=True)


class SentEntryOut(serializers.Serializer[dict[str, Any]]):
    timeEntryId = serializers.CharField()
    entryDeleted = serializers.BooleanField()
    timeActivityId = serializers.CharField()
    syncToken = serializers.CharField()
    realmId = serializers.CharField()
    sentAt = serializers.CharField()
    changedSinceSent = serializers.BooleanField()
    jobId = serializers.CharField(allow_null=True)
    valuesSent = serializers.DictField(
        child=serializers.JSONField(),
        help_text="What QuickBooks holds as last confirmed: sent, updated, or read again after "
        "a stale update.",
    )
    version = serializers.IntegerField(help_text="How many versions the ledger keeps (1: sent).")
    updatedAt = serializers.CharField(
        allow_null=True, help_text="The last update QuickBooks confirmed."
    )
    deletedFromQuickBooksAt = serializers.CharField(allow_null=True)


ERROR = OpenApiResponse(description="`{message, code}`")


def _not_sent(not_sent: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """NotSentOut's rows: the selector's, in the API's words."""
    return [
        {
            "reason": r["reason"],
            "name": r["label"],
            "message": r["message"],
            "entries": r["entries"],
            "duration": r["seconds"],
        }
        for r in not_sent_rows(not_sent)
    ]


def preview_data(preview: SendPreview) -> dict[str, Any]:
    return {
        "entries": preview.entries,
        "duration": preview.seconds,
        "reportDuration": preview.report_seconds,
        "notSent": _not_sent(preview.not_sent_json()),
        "groups": [
            {
                "employee": employee,
                "nameOf": name_of,
                "customer": customer,
                "item": item,
                "class": klass,
                "entries": count.entries,
                "duration": count.seconds,
            }
            for (employee, customer, item, klass, name_of), count in preview.groups.items()
        ],
    }


def job_data(job: SendJob) -> dict[str, Any]:
    left = send_job_left(job)
    return {
        "id": job.pk,
        "kind": job.kind,
        "state": job.state,
        "progress": {"done": job.done_count, "total": job.selected_count, "percent": job.percent},
        "selected": {"entries": job.selected_count, "duration": job.selected_seconds},
        "sent": {"entries": job.sent_count, "duration": job.sent_seconds},
        "failed": job.failed_count,
        "waiting": left.waiting,
        "canRetry": left.can_retry,
        "notSent": _not_sent(job.not_sent),
        "error": job.error,
        "filters": [list(pair) for pair in job.filters],
        "requestedBy": job.requested_by_id,
        "scheduled": getattr(job, "scheduled_run", None) is not None,
        "createdAt": format_datetime(job.created_at),
        "startedAt": format_datetime(job.started_at),
        "finishedAt": format_datetime(job.finished_at),
    }


class _SendFiltersApi(WorkspaceApiView):
    """An endpoint that takes the Detailed report's filters as the Reports API does (its body)."""

    permission_classes = [IsWorkspaceAdmin]

    def filters(self, request: Request) -> DetailedFilters:
        body = validated(DetailedReportIn, request)
        return detailed_filters_from_body(body, membership=self.membership)


class SendPreviewApi(_SendFiltersApi):
    @extend_schema(
        operation_id="quickbooks_send_preview",
        request=DetailedReportIn,
        responses={200: PreviewOut, 400: ERROR},
        tags=TAGS,
        description="How many entries (and seconds) a send with these filters would send, over "
        "all pages, and how many it would not, by reason. Nothing is saved.",
    )
    def post(self, request: Request, ws: str) -> Response:
        preview = send_preview(membership=self.membership, filters=self.filters(request))
        return Response(PreviewOut(preview_data(preview)).data)


class SendStartApi(_SendFiltersApi):
    @extend_schema(
        operation_id="quickbooks_send_start",
        request=DetailedReportIn,
        responses={202: SendJobOut, 400: ERROR},
        tags=TAGS,
        description="Send every not-sent entry within the Detailed report's filters (all pages) "
        "as TimeActivities, exactly once. Poll GET .../sends/{jobId}. 400 when nothing can be "
        "sent or the workspace is not connected.",
    )
    def post(self, request: Request, ws: str) -> Response:
        job = send_start(membership=self.membership, filters=self.filters(request))
        return Response(SendJobOut(job_data(job)).data, status=status.HTTP_202_ACCEPTED)


class SendJobApi(WorkspaceApiView):
    permission_classes = [IsWorkspaceAdmin]

    @extend_schema(
        operation_id="quickbooks_send_get",
        responses={200: SendJobOut, 404: ERROR},
        tags=TAGS,
        description="A send: state, progress and counters.",
    )
    def get(self, request: Request, ws: str, job_id: str) -> Response:
        job = send_job_get(membership=self.membership, job_id=job_id)
        return Response(SendJobOut(job_data(job)).data)


class SendEntriesApi(WorkspaceApiView):
    permission_classes = [IsWorkspaceAdmin]

    @extend_schema(
        operation_id="quickbooks_send_entries",
        parameters=[
            OpenApiParameter(
                "state",
                str,
                enum=SendItem.State.values,
                description="Only entries with this outcome.",
            ),
            *page_parameters(),
        ],
        responses={200: SendItemOut(many=True), 400: ERROR, 404: ERROR},
        tags=TAGS,
        description="Per entry of a send: SENT (with its TimeActivity Id), FAILED (refused by "
        "QuickBooks, or left when the send stopped: `message` says why and what to do), "
        "SKIPPED (not sent, with the reason) or PENDING. Failures first.",
    )
    def get(self, request: Request, ws: str, job_id: str) -> Response:
        job = send_job_get(membership=self.membership, job_id=job_id)
        state = request.query_params.get("state") or None
        if state is not None and state not in SendItem.State.values:
            raise ApplicationError(
                f"state must be one of {', '.join(SendItem.State.values)}.", field="state"
            )
        items = send_job_items(job=job, state=state).annotate(
            time_activity_id=Subquery(
                SentEntry.objects.filter(entry_key=OuterRef("entry_key")).values(
                    "qbo_time_activity_id"
                )[:1]
            )
        )
        rows, last_page = paginate(items, request)
        data = [
            {
                "timeEntryId": item.entry_key,
                "state": item.state,
                "reason": item.reason,
                "message": item.message,
                "duration": item.seconds,
                "timeActivityId": (
                    item.time_activity_id  # type: ignore[attr-defined]
                    if item.state == SendItem.State.SENT
                    else None
                ),
            }
            for item in rows
        ]
        return paginated_response(data, last_page=last_page)


class SendRetryFailedApi(WorkspaceApiView):
    permission_classes = [IsWorkspaceAdmin]

    @extend_schema(
        operation_id="quickbooks_send_retry_failed",
        request=None,
        responses={202: SendJobOut, 400: ERROR, 404: ERROR},
        tags=TAGS,
        description="Send again what QuickBooks refused (after fixing the cause) and what a "
        "stopped send left. 400 while it runs or when nothing failed.",
    )
    def post(self, request: Request, ws: str, job_id: str) -> Response:
        job = send_retry_failed(membership=self.membership, job_id=job_id)
        return Response(SendJobOut(job_data(job)).data, status=status.HTTP_202_ACCEPTED)


class SentEntriesApi(WorkspaceApiView):
    permission_classes = [IsWorkspaceAdmin]

    @extend_schema(
        operation_id="quickbooks_sent_entries",
        parameters=page_parameters(),
        responses={200: SentEntryOut(many=True)},
        tags=TAGS,
        description="Entries sent to QuickBooks, newest first: the TimeActivity Id, when, the "
        "values sent, and whether the entry changed since (QuickBooks keeps the values sent). "
        "A deleted entry's record stays (entryDeleted).",
    )
    def get(self, request: Request, ws: str) -> Response:
        rows, last_page = paginate(sent_entries(workspace_id=self.workspace.pk), request)
        data = [
            {
                "timeEntryId": row.entry_key,
                "entryDeleted": row.time_entry_id is None,
                "timeActivityId": row.qbo_time_activity_id,
                "syncToken": row.sync_token,
                "realmId": row.realm_id,
                "sentAt": format_datetime(row.sent_at),
                "changedSinceSent": bool(row.changed_since_sent),  # type: ignore[attr-defined]
                "jobId": row.job_id,
                "valuesSent": row.values_sent,
                "version": row.version,
                "updatedAt": format_datetime(row.updated_at),
                "deletedFromQuickBooksAt": format_datetime(row.deleted_at),
            }
            for row in rows
        ]
        return paginated_response(data, last_page=last_page)
