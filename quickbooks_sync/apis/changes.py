"""REST API of "what changed in QuickBooks" (admins and the owner; members 403, another
workspace 404): the last check's result, and "Check now" (202; a worker makes the one
ChangeDataCapture call). Not connected or never synced: 400; a plan without QuickBooks: 403.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from quickbooks_sync.apis.sync import ERROR
from quickbooks_sync.apis.sync import TAGS
from quickbooks_sync.models import ChangeCheck
from quickbooks_sync.selectors.changes import ChangePanel
from quickbooks_sync.selectors.changes import change_panel
from quickbooks_sync.services.changes import change_check_press
from workspaces.rest.base import WorkspaceApiView
from workspaces.rest.permissions import IsWorkspaceAdmin


class ChangeOut(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(choices=["new", "renamed", "deactivated", "unlinked"])
    entity = serializers.ChoiceField(
        choices=["Employee", "Vendor", "Customer"],
        help_text="Vendor: a contractor's (linked to a contractor, or one a sync would link).",
    )
    qboId = serializers.CharField()
    name = serializers.CharField(help_text="The name in QuickBooks (a customer's full name).")
    oldName = serializers.CharField(required=False, help_text="renamed: the name linked here.")
    linkedTo = serializers.ListField(child=serializers.CharField(), required=False)
    matches = serializers.CharField(required=False, help_text="What a sync would link it to.")


class ChangesOut(serializers.Serializer[dict[str, Any]]):
    pending = serializers.BooleanField(help_text="A check is queued or running.")
    checkedAt = serializers.DateTimeField(allow_null=True)
    checkedBecause = serializers.ChoiceField(
        choices=ChangeCheck.Source.values, allow_null=True, help_text="What started that check."
    )
    changedSince = serializers.DateTimeField(allow_null=True)
    syncedSince = serializers.BooleanField(help_text="A sync ran after the last check.")
    complete = serializers.BooleanField(help_text="False: QuickBooks cut its answer at 1,000.")
    windowCapped = serializers.BooleanField(help_text="The last sync is past QBO's 30 days.")
    counts = serializers.DictField(child=serializers.IntegerField())
    changes = ChangeOut(many=True)
    error = serializers.CharField(help_text="Why the last attempt got no answer; empty if none.")


def changes_data(panel: ChangePanel) -> dict[str, Any]:
    check = panel.check
    return {
        "pending": panel.pending,
        "checkedAt": check.checked_at if check else None,
        "checkedBecause": (check.checked_source or None) if check else None,
        "changedSince": check.changed_since if check else None,
        "syncedSince": panel.synced_since,
        "complete": check.complete if check else True,
        "windowCapped": check.window_capped if check else False,
        "counts": check.counts if check else {},
        "changes": check.changes if check else [],
        "error": check.error if check else "",
    }


class ChangesApi(WorkspaceApiView):
    permission_classes = [IsWorkspaceAdmin]

    @extend_schema(
        operation_id="quickbooks_changes",
        responses={200: ChangesOut},
        tags=TAGS,
        description="What changed in QuickBooks since the last sync, as the last check found: "
        "new, renamed and deactivated employees, vendors (contractors) and customers. "
        "Nothing changes here until a sync.",
    )
    def get(self, request: Request, ws: str) -> Response:
        return Response(ChangesOut(changes_data(change_panel(workspace_id=ws))).data)

    @extend_schema(
        operation_id="quickbooks_changes_check",
        request=None,
        responses={
            202: ChangesOut,
            400: OpenApiResponse(ERROR, description="Not connected, or never synced."),
            403: OpenApiResponse(ERROR, description="Not an admin, or a plan without QuickBooks."),
        },
        tags=TAGS,
        description="Check QuickBooks for changes now (one ChangeDataCapture call, made by a "
        "worker; a check already waiting is not doubled). Poll GET for the result.",
    )
    def post(self, request: Request, ws: str) -> Response:
        change_check_press(membership=self.membership)
        panel = change_panel(workspace_id=ws)
        return Response(ChangesOut(changes_data(panel)).data, status=status.HTTP_202_ACCEPTED)
