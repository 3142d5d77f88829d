"""What changed in QuickBooks since the last sync: one row per workspace with the last check's
result (read with QBO's ChangeDataCapture; nothing in the workspace changes until Sync) and
whether a check is waiting (a webhook or "Check now" asked for one)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from workspaces.ids import ObjectIdField
from workspaces.models import Workspace


class ChangeCheck(models.Model):
    """The last "what changed in QuickBooks" check of a workspace, and the next one asked for.

    `requested_at` set means a check is queued: more requests (a burst of webhook
    notifications) add nothing until the worker starts it and clears the mark. `changes` lists
    dicts: kind (new, renamed, deactivated, unlinked), entity (Employee, Vendor, Customer),
    qboId, name, oldName, linkedTo (names here), matches (the name here a sync would link it
    to)."""

    class Source(models.TextChoices):
        BUTTON = "BUTTON", "Check now"
        WEBHOOK = "WEBHOOK", "a QuickBooks notification"

    id = ObjectIdField()
    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(null=True, blank=True)
    requested_source = models.CharField(max_length=8, choices=Source.choices, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The last check that got an answer: when it asked, from when, and what it found.
    realm_id = models.CharField(max_length=32, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_source = models.CharField(max_length=8, choices=Source.choices, blank=True)
    changed_since = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=list, blank=True)
    complete = models.BooleanField(default=True)  # False: QBO cut its answer at 1,000
    window_capped = models.BooleanField(default=False)  # the last sync is past QBO's 30 days
    # Why the last attempt got no answer ("" when it did), shown beside the last result.
    error = models.CharField(max_length=1000, blank=True)

    def __str__(self) -> str:
        return f"changes of {self.workspace_id} at {self.checked_at}"
