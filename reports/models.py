"""Saved reports: a report's filters and grouping under a name (the read side keeps no other
state). Tenant-owned like every table: a non-null workspace and indexes that start with it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from workspaces.ids import ObjectIdField
from workspaces.models import Workspace

MAX_SAVED_QUERY_LENGTH = 8000  # far above any form's query, far below a row that hurts


class SavedReport(models.Model):
    """A report's query string (its filters, grouping and sort, as its link carries them) saved
    by a member under a name: private to them, or shared with the workspace's admins. Its own
    link (/reports/saved/<id>/) opens the report with the query saved now, so it keeps working
    when the filters are changed and saved again."""

    class Kind(models.TextChoices):
        DETAILED = "detailed", "Detailed"
        SUMMARY = "summary", "Summary"
        WEEKLY = "weekly", "Weekly"

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    query = models.TextField(blank=True, default="")
    shared = models.BooleanField(default=False)  # with the workspace's owner and admins
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The unique constraint's index serves a member's own list (workspace, owner, name).
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "owner", "name"], name="saved_report_unique_name"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "shared", "name"], name="saved_report_ws_shared"),
        ]

    def __str__(self) -> str:
        return self.name
