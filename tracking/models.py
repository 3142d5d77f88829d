"""The time domain. Every table carries a non-null `workspace` and indexes that start with it.

Money is integer cents in the workspace currency; durations are integer seconds; datetimes are
aware UTC. Business rules live in tracking/services.py, not here.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models import Q
from django.utils import timezone

from workspaces.ids import ObjectIdField
from workspaces.models import Workspace

MAX_DESCRIPTION_LENGTH = 3000
MAX_ENTRY_SECONDS = 999 * 3600
# What reports total and group entries by, carried in the (workspace, start) index.
REPORT_COLUMNS = [
    "end",
    "user",
    "project",
    "task",
    "billable",
    "duration_seconds",
    "hourly_rate_cents",
    "currency",
]


class Client(models.Model):
    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(max_length=100)
    note = models.TextField(blank=True, default="")
    # Contact details, as Clockify's client has them (shown and set through the API).
    email = models.CharField(max_length=254, blank=True, default="")
    address = models.TextField(blank=True, default="")
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="client_unique_name"),
        ]
        indexes = [models.Index(fields=["workspace", "archived", "name"])]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="projects")
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField(max_length=100)
    color = models.CharField(max_length=7, default="#0b6bcb")
    billable = models.BooleanField(default=True)  # the default for new entries on the project
    hourly_rate_cents = models.PositiveIntegerField(null=True, blank=True)
    is_public = models.BooleanField(default=True)
    note = models.TextField(blank=True, default="")
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    members: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ProjectMember", related_name="+", blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "client", "name"], name="project_unique_name_per_client"
            ),
            models.UniqueConstraint(
                fields=["workspace", "name"],
                condition=Q(client__isnull=True),
                name="project_unique_name_without_client",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "archived", "name"])]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProjectMember(models.Model):
    """A member of a (private) project, with an optional rate on that project."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    hourly_rate_cents = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="project_member_unique"),
        ]
        indexes = [models.Index(fields=["workspace", "user"])]


class Task(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "Active"
        DONE = "DONE", "Done"

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.ACTIVE)
    hourly_rate_cents = models.PositiveIntegerField(null=True, blank=True)
    # Whether new entries on the task are billable (a new task takes its project's setting).
    billable = models.BooleanField(default=True)
    estimate_seconds = models.PositiveIntegerField(default=0)  # 0: no estimate
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="task_unique_name"),
        ]
        indexes = [models.Index(fields=["workspace", "project", "status"])]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=100)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="tag_unique")]
        indexes = [models.Index(fields=["workspace", "archived", "name"])]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TimeEntry(models.Model):
    """Tracked time. A running timer is an entry without an end."""

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries"
    )
    description = models.CharField(max_length=MAX_DESCRIPTION_LENGTH, blank=True, default="")
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="time_entries"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.PROTECT, related_name="time_entries"
    )
    tags: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        Tag, through="TimeEntryTag", related_name="+", blank=True
    )
    billable = models.BooleanField(default=False)
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    # end - start in whole seconds, kept by the services (None while the timer runs); stored so
    # reports can sum it without date arithmetic.
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Fixed from the rate hierarchy when the entry is saved (see services).
    hourly_rate_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="USD")
    is_locked = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user"],
                condition=Q(end__isnull=True),
                name="time_entry_one_running_timer",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=F("start")),
                name="time_entry_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(duration_seconds__isnull=True)
                | Q(duration_seconds__lte=MAX_ENTRY_SECONDS),
                name="time_entry_at_most_999_hours",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "user", "-start"], name="entry_ws_user_start"),
            # Covering: report totals and Summary groups over a date range read only this
            # index (an index-only scan), not the table's wide rows.
            models.Index(
                fields=["workspace", "-start"],
                include=REPORT_COLUMNS,
                name="entry_ws_start_covering",
            ),
            models.Index(fields=["workspace", "project", "-start"], name="entry_ws_project_start"),
        ]

    def __str__(self) -> str:
        return f"{self.description or '(no description)'} {self.start:%Y-%m-%d}"

    @property
    def is_running(self) -> bool:
        return self.end is None


class TimeEntryTag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    time_entry = models.ForeignKey(TimeEntry, on_delete=models.CASCADE, related_name="+")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["time_entry", "tag"], name="time_entry_tag_unique"),
        ]
        indexes = [models.Index(fields=["workspace", "tag"])]


class WeekApproval(models.Model):
    """A member's timesheet week submitted for approval.

    The week is the member's (their week start, their time zone) when they submit it; `since`
    and `until` pin it to UTC so reports can ask "is this entry in an approved week" without
    time-zone arithmetic. One row per member and week: resubmitting reuses it.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        APPROVED = "APPROVED", "Approved"
        REJECTED = "REJECTED", "Rejected"
        WITHDRAWN = "WITHDRAWN", "Withdrawn"

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()  # the first day of the week, in the member's calendar
    since = models.DateTimeField()  # [since, until) in UTC
    until = models.DateTimeField()
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    total_seconds = models.PositiveIntegerField(default=0)  # at submission
    note = models.TextField(blank=True, default="")  # the reviewer's (a rejection's reason)
    member_note = models.TextField(blank=True, default="")  # the member's, given on submitting
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "week_start"], name="week_approval_unique_week"
            ),
            models.CheckConstraint(
                condition=Q(until__gt=F("since")), name="week_approval_until_after_since"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "week_start"], name="approval_ws_status"),
            models.Index(fields=["workspace", "user", "since"], name="approval_ws_user_since"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.week_start} {self.status}"


class FavoriteEntry(models.Model):
    """A member's pinned entry: what to start again with one click (description, project, task,
    tags, billable). Tags are kept as ids; ones deleted or archived since are left out when
    started (the timer's own rules apply)."""

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    description = models.CharField(max_length=MAX_DESCRIPTION_LENGTH, blank=True, default="")
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    tag_ids = models.JSONField(default=list, blank=True)
    billable = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "user", "created_at"], name="favorite_ws_user")
        ]
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.description or "(no description)"


class ApprovalReminder(models.Model):
    """An e-mail reminder sent about a week (tracking/services/reminders.py): to a member who
    had not submitted it, or to an approver while weeks waited for them. One per person, week
    and kind, so the daily task sends each reminder once however often it runs."""

    class Kind(models.TextChoices):
        SUBMIT = "SUBMIT", "Submit your week"
        REVIEW = "REVIEW", "Weeks waiting for approval"

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()  # the week reminded about (for REVIEW: the week it was sent)
    kind = models.CharField(max_length=6, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "week_start", "kind"],
                name="approval_reminder_once",
            ),
        ]
