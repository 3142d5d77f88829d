"""Clockify's webhooks resource: GET/POST /api/v1/workspaces/{ws}/webhooks, GET/PUT/DELETE
.../webhooks/{id}, PATCH .../webhooks/{id}/token (a new secret). Admins and the owner only
(a member gets 403, another workspace 404). Logic in webhooks/services.py."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from webhooks import services
from webhooks.models import Webhook
from webhooks.selectors import webhook_list
from workspaces.errors import NotFound
from workspaces.ids import is_object_id
from workspaces.rest.base import WorkspaceApiView
from workspaces.rest.base import validated
from workspaces.rest.fields import BodySerializer
from workspaces.rest.fields import StrictBooleanField
from workspaces.rest.fields import StrictCharField
from workspaces.rest.fields import format_datetime
from workspaces.rest.permissions import IsWorkspaceAdmin

TAG = ["webhooks"]


class WebhookOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField()
    webhookEvent = serializers.ChoiceField(choices=list(services.EVENTS))
    triggerSourceType = serializers.ChoiceField(choices=Webhook.SourceType.values)
    triggerSource = serializers.ListField(child=serializers.CharField())
    enabled = serializers.BooleanField()
    authToken = serializers.CharField(
        help_text="The secret sent in the Clockify-Signature header of every delivery."
    )
    userId = serializers.CharField()
    workspaceId = serializers.CharField()
    webhookCreatedAt = serializers.CharField()
    disabledReason = serializers.CharField(allow_blank=True)


class WebhookListOut(serializers.Serializer):
    """Clockify's answer to the list: an object, not the plain array of other lists."""

    workspaceWebhookCount = serializers.IntegerField(
        help_text="How many webhooks the workspace has (all of them are listed)."
    )
    webhooks = WebhookOut(many=True)


class WebhookIn(BodySerializer):
    name = StrictCharField(max_length=100, allow_blank=True)
    url = StrictCharField(max_length=2000)
    webhookEvent = serializers.ChoiceField(choices=list(services.EVENTS))
    triggerSourceType = serializers.ChoiceField(
        choices=Webhook.SourceType.values, required=False, default="WORKSPACE_ID"
    )
    triggerSource = serializers.ListField(
        child=StrictCharField(max_length=24), required=False, default=list, max_length=100
    )


class WebhookUpdateIn(WebhookIn):
    """Fields left out (or null) keep their values; `enabled: true` turns a disabled webhook
    back on."""

    name = StrictCharField(max_length=100, allow_blank=True, required=False)
    url = StrictCharField(max_length=2000, required=False)
    webhookEvent = serializers.ChoiceField(choices=list(services.EVENTS), required=False)
    triggerSourceType = serializers.ChoiceField(choices=Webhook.SourceType.values, required=False)
    triggerSource = serializers.ListField(
        child=StrictCharField(max_length=24), required=False, max_length=100
    )
    enabled = StrictBooleanField(required=False)


def webhook_data(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": webhook.pk,
        "name": webhook.name,
        "url": webhook.url,
        "webhookEvent": webhook.event,
        "triggerSourceType": webhook.trigger_source_type,
        "triggerSource": list(webhook.trigger_source),
        "enabled": webhook.enabled,
        "authToken": webhook.secret,
        "userId": webhook.created_by_id,
        "workspaceId": webhook.workspace_id,
        "webhookCreatedAt": format_datetime(webhook.created_at),
        "disabledReason": webhook.disabled_reason,
    }


class _WebhookView(WorkspaceApiView):
    permission_classes = [IsWorkspaceAdmin]

    def _webhook(self, pk: str) -> Webhook:
        webhook = (
            webhook_list(workspace=self.workspace).filter(pk=pk).first()
            if is_object_id(pk)
            else None
        )
        if webhook is None:
            raise NotFound("Webhook not found.")
        return webhook


class WebhookListApi(_WebhookView):
    @extend_schema(
        operation_id="webhooks_list",
        responses=WebhookListOut,
        tags=TAG,
        description="Every webhook of the workspace (at most "
        f"{services.MAX_WEBHOOKS_PER_WORKSPACE}), in Clockify's envelope "
        "`{workspaceWebhookCount, webhooks}`; not paged, as Clockify's is not.",
    )
    def get(self, request: Request, ws: str) -> Response:
        webhooks = [webhook_data(w) for w in webhook_list(workspace=self.workspace)]
        return Response(
            WebhookListOut({"workspaceWebhookCount": len(webhooks), "webhooks": webhooks}).data
        )

    @extend_schema(
        operation_id="webhooks_create", request=WebhookIn, responses={201: WebhookOut}, tags=TAG
    )
    def post(self, request: Request, ws: str) -> Response:
        data = validated(WebhookIn, request)
        webhook = services.webhook_create(
            actor=self.membership,
            name=data["name"],
            url=data["url"],
            event=data["webhookEvent"],
            source_type=data["triggerSourceType"],
            source_ids=data["triggerSource"],
        )
        return Response(WebhookOut(webhook_data(webhook)).data, status=status.HTTP_201_CREATED)


class WebhookDetailApi(_WebhookView):
    @extend_schema(operation_id="webhooks_get", responses=WebhookOut, tags=TAG)
    def get(self, request: Request, ws: str, pk: str) -> Response:
        return Response(WebhookOut(webhook_data(self._webhook(pk))).data)

    @extend_schema(
        operation_id="webhooks_update", request=WebhookUpdateIn, responses=WebhookOut, tags=TAG
    )
    def put(self, request: Request, ws: str, pk: str) -> Response:
        webhook = self._webhook(pk)
        data = validated(WebhookUpdateIn, request)
        source_type = data.get("triggerSourceType", webhook.trigger_source_type)
        webhook = services.webhook_update(
            actor=self.membership,
            webhook=webhook,
            name=data.get("name", webhook.name),
            url=data.get("url", webhook.url),
            event=data.get("webhookEvent", webhook.event),
            source_type=source_type,
            source_ids=data.get(
                "triggerSource",
                webhook.trigger_source if source_type == webhook.trigger_source_type else [],
            ),
            enabled=data.get("enabled"),
        )
        return Response(WebhookOut(webhook_data(webhook)).data)

    @extend_schema(operation_id="webhooks_delete", responses=WebhookOut, tags=TAG)
    def delete(self, request: Request, ws: str, pk: str) -> Response:
        webhook = self._webhook(pk)
        data = WebhookOut(webhook_data(webhook)).data
        services.webhook_delete(actor=self.membership, webhook=webhook)
        return Response(data)


class WebhookTokenApi(_WebhookView):
    @extend_schema(
        operation_id="webhooks_token_regenerate",
        request=None,
        responses=WebhookOut,
        tags=TAG,
        description="A new secret for the webhook; the old one stops at once.",
    )
    def patch(self, request: Request, ws: str, pk: str) -> Response:
        webhook = services.webhook_secret_regenerate(
            actor=self.membership, webhook=self._webhook(pk)
        )
        return Response(WebhookOut(webhook_data(webhook)).data)
