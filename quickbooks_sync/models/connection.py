"""A workspace's connection to a QuickBooks Online company (tokens encrypted at rest)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from quickbooks_sync.crypto import EncryptedTextField
from workspaces.ids import ObjectIdField
from workspaces.models import Workspace


class QBOConnection(models.Model):
    """A workspace's connection to one QuickBooks Online company (at most one per workspace)."""

    class Status(models.TextChoices):
        CONNECTED = "CONNECTED", "Connected"
        NEEDS_RECONNECT = "NEEDS_RECONNECT", "Needs reconnecting"
        DISCONNECTED = "DISCONNECTED", "Disconnected"

    id = ObjectIdField()
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="qbo_connection"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONNECTED)
    realm_id = models.CharField(max_length=32)
    company_name = models.CharField(max_length=255, blank=True)
    company_plan = models.CharField(max_length=64, blank=True)  # CompanyInfo OfferingSku
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True)
    # Why the connection needs reconnecting (shown to admins); "" otherwise.
    problem = models.CharField(max_length=500, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    connected_at = models.DateTimeField(default=timezone.now)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    # The service item (ItemRef) sent with each TimeActivity; "" sends none.
    service_item_id = models.CharField(max_length=32, blank=True)
    service_item_name = models.CharField(max_length=255, blank=True)
    # Send only approved time (the reports' approval filter): off by default, as the seed
    # describes sending; the Integrations tab recommends it. Changes are audited.
    send_approved_only = models.BooleanField(default=False)
    # Whether the company tracks classes (Preferences, as last read) and the class sent when a
    # project has none; ClassRef goes only while class_tracking is on.
    class_tracking = models.BooleanField(default=False)
    default_class_id = models.CharField(max_length=32, blank=True)
    default_class_name = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.workspace} -> {self.company_name or self.realm_id} ({self.status})"

    @property
    def is_connected(self) -> bool:
        return self.status == self.Status.CONNECTED
