"""REST API: the workspace's QuickBooks connection (status) and disconnecting it. Admins only:
the connection names the company and its state, which members have no use for."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from quickbooks_sync.models import QBOConnection
from quickbooks_sync.selectors.connection import connection_get
from quickbooks_sync.services.connection import connection_disconnect
from workspaces.rest.base import WorkspaceApiView
from workspaces.rest.fields import UtcDateTimeField
from workspaces.rest.permissions import IsWorkspaceAdmin


class ConnectionOut(serializers.Serializer[dict[str, Any]]):
    connected = serializers.BooleanField(help_text="True when time can be sent and synced now.")
    status = serializers.ChoiceField(
        choices=["NOT_CONNECTED", *QBOConnection.Status.values],
        help_text="NOT_CONNECTED (never connected), CONNECTED, NEEDS_RECONNECT or DISCONNECTED.",
    )
    realmId = serializers.CharField(allow_null=True)
    companyName = serializers.CharField(allow_null=True)
    companyPlan = serializers.CharField(allow_null=True, help_text="QuickBooks' OfferingSku.")
    problem = serializers.CharField(
        allow_null=True, help_text="Why it needs reconnecting, for people."
    )
    connectedBy = serializers.CharField(allow_null=True, help_text="The user id.")
    connectedAt = UtcDateTimeField(allow_null=True)
    disconnectedAt = UtcDateTimeField(allow_null=True)
    lastSyncedAt = UtcDateTimeField(allow_null=True)


def connection_data(connection: QBOConnection | None) -> dict[str, Any]:
    if connection is None:
        return {
            "connected": False,
            "status": "NOT_CONNECTED",
            **dict.fromkeys(
                (
                    "realmId",
                    "companyName",
                    "companyPlan",
                    "problem",
                    "connectedBy",
                    "connectedAt",
                    "disconnectedAt",
                    "lastSyncedAt",
                )
            ),
        }
    return {
        "connected": connection.is_connected,
        "status": connection.status,
        "realmId": connection.realm_id,
        "companyName": connection.company_name,
        "companyPlan": connection.company_plan,
        "problem": connection.problem or None,
        "connectedBy": connection.connected_by_id,
        "connectedAt": connection.connected_at,
        "disconnectedAt": connection.disconnected_at,
        "lastSyncedAt": connection.last_synced_at,
    }


class QuickBooksConnectionApi(WorkspaceApiView):
    permission_classes = [IsWorkspaceAdmin]

    @extend_schema(
        operation_id="quickbooks_connection_get",
        responses=ConnectionOut,
        tags=["quickbooks"],
        description="The workspace's QuickBooks Online connection (admins). Connecting goes "
        "through the browser (OAuth consent at Intuit): Settings > Integrations.",
    )
    def get(self, request: Request, ws: str) -> Response:
        connection = connection_get(workspace_id=self.workspace.id)
        return Response(ConnectionOut(connection_data(connection)).data)

    @extend_schema(
        operation_id="quickbooks_connection_disconnect",
        request=None,
        responses={200: ConnectionOut, 409: None},
        tags=["quickbooks"],
        description="Disconnect (admins): revoke the authorization at Intuit, delete the "
        "tokens. Links to QuickBooks employees and customers and the record of sent time stay. "
        "409 when the workspace is not connected.",
    )
    def delete(self, request: Request, ws: str) -> Response:
        connection_disconnect(actor=self.membership)
        refreshed = connection_get(workspace_id=self.workspace.id)
        return Response(ConnectionOut(connection_data(refreshed)).data)
