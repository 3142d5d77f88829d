"""Approved time sent on a schedule: a workspace's opt-in setting and the record of each run.

A run is recorded (`ScheduledSend`, unique per workspace and slot) in the transaction that starts
its send job, so two beats that find the same slot due never start two runs: the second insert
fails on the constraint. The slot is the local date of the run (the workspace's time zone), so
a clock change or a new hour never makes a second run on the same day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from quickbooks_sync.models.send import SendJob
from workspaces.ids import ObjectIdField
from workspaces.models import WEEKDAYS
from workspaces.models import Workspace


class SendSchedule(models.Model):
    """Send approved time automatically, daily or weekly at an hour of the workspace's time
    zone (off until an admin turns it on: that is the explicit action the seed requires)."""

    class Frequency(models.TextChoices):
        DAILY = "DAILY", "Every day"
        WEEKLY = "WEEKLY", "Every week"

    id = ObjectIdField()
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="qbo_send_schedule"
    )
    enabled = models.BooleanField(default=False)
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    weekday = models.PositiveSmallIntegerField(
        choices=[(i, d) for i, d in enumerate(WEEKDAYS)], default=0
    )  # 0 = Monday; weekly only
    hour = models.PositiveSmallIntegerField(default=6)  # 0-23, local
    # Slots before this instant are never run: turning the schedule on (or moving it) at 10:00
    # does not run the 06:00 that already passed.
    active_since = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(hour__lte=23), name="qbo_schedule_hour_valid"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="qbo_schedule_weekday_valid"),
        ]
        indexes = [models.Index(fields=["enabled"], name="qbo_schedule_enabled")]

    def __str__(self) -> str:
        return f"{self.workspace_id} {self.frequency} {self.hour:02d}:00 {self.enabled}"


class ScheduledSend(models.Model):
    """One run of a workspace's schedule: its slot, what it did, and its send job."""

    class Outcome(models.TextChoices):
        STARTED = "STARTED", "Send started"
        NOTHING = "NOTHING", "Nothing to send"
        BUSY = "BUSY", "Skipped: the previous run was still sending"
        NOT_CONNECTED = "NOT_CONNECTED", "Skipped: QuickBooks not connected"
        PLAN = "PLAN", "Skipped: the plan lacks QuickBooks"
        ERROR = "ERROR", "Could not start"

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    slot = models.DateField()  # the run's local date (the workspace's time zone)
    due_at = models.DateTimeField()  # the slot's instant
    ran_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    message = models.CharField(max_length=1000, blank=True)
    # What a run that started nothing left out, by reason (as SendJob.not_sent).
    not_sent = models.JSONField(default=dict, blank=True)
    job = models.OneToOneField(
        SendJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="scheduled_run"
    )
    # When the run's outcome was settled (a started job: once it finished) and whether the
    # owner and admins were e-mailed about it (only when something was refused or skipped).
    reported_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "slot"], name="qbo_scheduled_send_once"),
        ]
        indexes = [
            models.Index(fields=["workspace", "-due_at"], name="qbo_scheduled_send_recent"),
            models.Index(
                fields=["ran_at"],
                condition=Q(reported_at__isnull=True),
                name="qbo_scheduled_send_unreported",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workspace_id} {self.slot} {self.outcome}"
