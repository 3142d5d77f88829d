"""Sending time to QuickBooks: jobs, their per-entry items, the outbox of batches and the ledger
of what was sent.

Exactly once rests on three tables:

- `SendBatch` is the outbox: a batch of up to 30 items and its `request_id` is committed BEFORE
  its HTTP request leaves; a lost answer, a timeout or a dead worker leads to the same batch being
  sent again with the same request id, and QBO answers what it did the first time.
- `SentEntry` is the ledger: one row per entry QBO confirmed, written in the same transaction that
  closes the batch. Unique per entry (also once the entry is deleted): a second send is
  impossible in the database.
- `SendItem`'s partial unique constraint: an entry is PENDING in at most one job at a time, so
  two admins pressing Send on overlapping filters cannot both pick it up.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tracking.models import TimeEntry
from workspaces.ids import ObjectIdField
from workspaces.models import Workspace


class SendJob(models.Model):
    """One press of "Send to QuickBooks" (or of "Update in QuickBooks" / "Delete from
    QuickBooks", which correct what was sent through the same outbox): the entries it selected
    and how far it got."""

    class Kind(models.TextChoices):
        SEND = "SEND", "Send to QuickBooks"
        UPDATE = "UPDATE", "Update in QuickBooks"
        DELETE = "DELETE", "Delete from QuickBooks"

    class State(models.TextChoices):
        QUEUED = "QUEUED", "Queued"
        RUNNING = "RUNNING", "Sending"
        SUCCEEDED = "SUCCEEDED", "Finished"
        FAILED = "FAILED", "Stopped"

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    realm_id = models.CharField(max_length=32)
    # SEND creates TimeActivities; UPDATE and DELETE change or delete ones the ledger holds.
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.SEND)
    # The Detailed report's filter as query parameters, dates pinned (DetailedFilters.to_query).
    filters = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    # Selection (fixed when the job is created): what goes and, by reason, what does not.
    selected_count = models.PositiveIntegerField(default=0)
    selected_seconds = models.PositiveBigIntegerField(default=0)
    not_sent = models.JSONField(default=dict, blank=True)  # reason -> {"entries", "seconds"}
    # Progress, recounted from the items after every batch.
    sent_count = models.PositiveIntegerField(default=0)
    sent_seconds = models.PositiveBigIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    # Runs stopped by QBO failing transiently (5xx, timeouts) since the start or the last
    # "Retry failed": past a limit the job stops (FAILED) instead of trying forever.
    interruptions = models.PositiveIntegerField(default=0)
    # Why the job stopped (FAILED), in words a person can act on; on a QUEUED job, that its
    # message could not reach the workers yet (services.send.WORKERS_UNREACHABLE); "" otherwise.
    error = models.CharField(max_length=1000, blank=True)
    # The worker holding the job and when it last showed life; a stale heartbeat lets another
    # worker (the periodic resume task) take the job over. A job waiting for its task's retry
    # carries the retry's time here, so it is not resumed before.
    lease_owner = models.CharField(max_length=36, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at"]),
            models.Index(
                fields=["state", "heartbeat_at"],
                condition=Q(state__in=("QUEUED", "RUNNING")),
                name="qbo_send_job_active",
            ),
        ]

    def __str__(self) -> str:
        return f"Send {self.state} ({self.sent_count + self.failed_count}/{self.selected_count})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def done_count(self) -> int:
        return self.sent_count + self.failed_count

    @property
    def percent(self) -> int:
        if self.state == self.State.SUCCEEDED:
            return 100
        if not self.selected_count:
            return 0
        return min(100, self.done_count * 100 // self.selected_count)


class SendBatch(models.Model):
    """The outbox: one batch request to QBO, recorded (and committed) before it is sent."""

    class State(models.TextChoices):
        PENDING = "PENDING", "Waiting for QuickBooks' answer"
        DONE = "DONE", "Answered"

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(SendJob, on_delete=models.CASCADE, related_name="batches")
    realm_id = models.CharField(max_length=32)
    # QBO's requestid on /batch is at most 36 characters: a uuid4.
    request_id = models.CharField(max_length=36, unique=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["job", "state", "created_at"])]

    def __str__(self) -> str:
        return f"Batch {self.request_id} {self.state}"


class SendItem(models.Model):
    """One selected entry of a job and its outcome."""

    class State(models.TextChoices):
        PENDING = "PENDING", "Waiting"
        SENT = "SENT", "Sent"
        FAILED = "FAILED", "Refused by QuickBooks"
        SKIPPED = "SKIPPED", "Not sent"

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(SendJob, on_delete=models.CASCADE, related_name="items")
    # SET_NULL: an entry deleted while its job runs leaves the item (and its outcome) behind.
    time_entry = models.ForeignKey(
        TimeEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entry_key = models.CharField(max_length=24)  # the entry's id, kept after a deletion
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    # Why it was not sent: a product reason (quickbooks_sync.services.send.NOT_SENT_MESSAGES)
    # or "qbo_<code>" for a QBO refusal; `message` says it in words a person can act on.
    reason = models.CharField(max_length=40, blank=True)
    message = models.CharField(max_length=1000, blank=True)
    # The TimeActivity computed at selection (or at "Retry failed"): exactly what is sent. For
    # an update, the (sparse) update body with Id and SyncToken; for a delete, Id and SyncToken.
    payload = models.JSONField(default=dict, blank=True)
    # An update's whole TimeActivity as QBO holds it once the update is done (the ledger's next
    # version), and the changes the confirmation listed: [{"field", "label", "before", "after"}].
    values = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=list, blank=True)
    # What QBO holds, read again after it refused an update or delete as stale (5010).
    qbo_holds = models.JSONField(default=dict, blank=True)
    seconds = models.PositiveIntegerField(default=0)  # duration as the report counts it
    batch = models.ForeignKey(
        SendBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    bid = models.CharField(max_length=10, blank=True)  # the item's bId within its batch
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["time_entry"],
                condition=Q(state="PENDING"),
                name="qbo_send_item_one_pending_per_entry",
            ),
            # The same by the entry's id, which outlives the entry: a deleted entry's
            # TimeActivity is deleted by one job at a time.
            models.UniqueConstraint(
                fields=["entry_key"],
                condition=Q(state="PENDING"),
                name="qbo_send_item_one_pending_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["job", "state"]),
            models.Index(fields=["workspace", "time_entry"]),
        ]

    def __str__(self) -> str:
        return f"{self.entry_key} {self.state}"


class SentEntry(models.Model):
    """The ledger: an entry QBO confirmed as a TimeActivity, with what was sent.

    An entry is sent at most once, ever: `time_entry` is one-to-one and `entry_key` (its id) is
    unique, so the row keeps its meaning after the entry is deleted (SET_NULL: deleting a sent
    entry is allowed, with a warning, and the record of what QBO holds stays)."""

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    time_entry = models.OneToOneField(
        TimeEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qbo_sent",
    )
    entry_key = models.CharField(max_length=24, unique=True)
    realm_id = models.CharField(max_length=32)
    qbo_time_activity_id = models.CharField(max_length=32)
    # The TimeActivity's SyncToken and values as QBO last confirmed them (created, updated, or
    # read again after a stale update); every version is kept in SentVersion.
    sync_token = models.CharField(max_length=16)
    values_sent = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(null=True, blank=True)  # the last update QBO confirmed
    # Deleted from QuickBooks by "Delete from QuickBooks" (the row stays: still sent once).
    deleted_at = models.DateTimeField(null=True, blank=True)
    # The entry's updated_at when it was sent: a later one means "changed since sent".
    entry_updated_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    job = models.ForeignKey(
        SendJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    batch = models.ForeignKey(
        SendBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["workspace", "-sent_at"])]

    def __str__(self) -> str:
        return f"{self.entry_key} = TimeActivity {self.qbo_time_activity_id}"


class SentVersion(models.Model):
    """Every version of a sent TimeActivity the ledger learned: created, updated, read again
    after QBO refused a stale SyncToken (what someone changed in QuickBooks), deleted."""

    class Operation(models.TextChoices):
        CREATE = "create", "Sent"
        UPDATE = "update", "Updated"
        READ = "read", "Read from QuickBooks"
        DELETE = "delete", "Deleted"

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    sent_entry = models.ForeignKey(SentEntry, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    operation = models.CharField(max_length=8, choices=Operation.choices)
    values = models.JSONField(default=dict, blank=True)
    sync_token = models.CharField(max_length=16, blank=True)
    job = models.ForeignKey(
        SendJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sent_entry", "version"], name="qbo_sent_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sent_entry_id} v{self.version} {self.operation}"
