"""Webhooks (Clockify's resource) and their outbox: a Delivery row per event and webhook,
written in the transaction of the change, and an Attempt row per HTTP request made for it."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from workspaces.ids import ObjectIdField
from workspaces.models import Workspace


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class Webhook(models.Model):
    class SourceType(models.TextChoices):
        WORKSPACE_ID = "WORKSPACE_ID", "The whole workspace"
        PROJECT_ID = "PROJECT_ID", "Projects"
        USER_ID = "USER_ID", "Users"
        TAG_ID = "TAG_ID", "Tags"
        TASK_ID = "TASK_ID", "Tasks"

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=2000)
    event = models.CharField(max_length=64)
    trigger_source_type = models.CharField(
        max_length=12, choices=SourceType.choices, default=SourceType.WORKSPACE_ID
    )
    trigger_source = models.JSONField(default=list)  # ids of the type above
    secret = models.CharField(max_length=64, default=new_webhook_secret)
    enabled = models.BooleanField(default=True)
    # Deliveries that failed for good in a row; reaching WEBHOOKS_DISABLE_AFTER_FAILURES
    # disables the webhook and tells the admins.
    failures_in_a_row = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "event", "enabled"])]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One event for one webhook: its id is the event id receivers de-duplicate on (the same
    in every attempt). Delivered at least once: a retry after a lost answer sends it again."""

    class State(models.TextChoices):
        PENDING = "PENDING", "Waiting"
        DELIVERED = "DELIVERED", "Delivered"
        FAILED = "FAILED", "Failed"

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=64)
    body = models.TextField()  # the JSON sent, fixed when the event happened
    state = models.CharField(max_length=9, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "webhook", "-created_at"]),
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_pending_due",
                condition=models.Q(state="PENDING"),
            ),
        ]


class Attempt(models.Model):
    """One HTTP request of a delivery: what the receiver answered and how long it took."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_rows")
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)  # None: no answer
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["workspace", "webhook", "-at"])]

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
