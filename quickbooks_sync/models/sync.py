"""What a sync leaves behind: the links between workspace members/clients/projects and QBO
employees/customers (by QBO Id, so they survive renames), and the sync jobs that Celery runs (a
row with state and progress).

Links carry the realm id of the company they point into: reconnecting the same company keeps them,
connecting a different company drops them (services decide; the rows say which company).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tracking.models import Client
from tracking.models import Project
from workspaces.ids import ObjectIdField
from workspaces.models import Membership
from workspaces.models import Workspace


class EmployeeLink(models.Model):
    """A workspace member linked to a QBO Employee, or a contractor to a QBO Vendor (`name_of`,
    QBO's TimeActivity `NameOf`); `qbo_employee_id` is that Employee's or Vendor's Id. Kept when
    the member is inactive/removed. A link whose kind no longer matches the member's contractor
    flag counts as no link: the send refuses the member's time, the next sync replaces it."""

    class NameOf(models.TextChoices):
        EMPLOYEE = "Employee", "Employee"
        VENDOR = "Vendor", "Vendor"

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="qbo_employee_link"
    )
    realm_id = models.CharField(max_length=32)
    qbo_employee_id = models.CharField(max_length=32)
    qbo_display_name = models.CharField(max_length=255)
    name_of = models.CharField(max_length=8, choices=NameOf.choices, default=NameOf.EMPLOYEE)
    # Linked by hand on a sync result (names differ); syncs keep it, an admin can undo it.
    manual = models.BooleanField(default=False)
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "realm_id", "name_of", "qbo_employee_id"],
                name="qbo_employee_link_one_member_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} = {self.name_of} {self.qbo_employee_id}"


class CustomerLink(models.Model):
    """A client or a project linked to a QBO Customer (customer, sub-customer or QBO project).

    A QBO customer that has sub-customers and a parent maps to both a Client and a Project of the
    same name: that is two rows, one of each kind."""

    class Kind(models.TextChoices):
        CLIENT = "CLIENT", "Client"
        PROJECT = "PROJECT", "Project"

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="qbo_customer_link"
    )
    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="qbo_customer_link"
    )
    realm_id = models.CharField(max_length=32)
    qbo_customer_id = models.CharField(max_length=32)
    qbo_display_name = models.CharField(max_length=255)
    qbo_fully_qualified_name = models.CharField(max_length=1100, blank=True)
    qbo_is_project = models.BooleanField(default=False)
    # Linked by hand on a sync result (names differ); syncs keep it, an admin can undo it.
    manual = models.BooleanField(default=False)
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "realm_id", "kind", "qbo_customer_id"],
                name="qbo_customer_link_one_per_kind",
            ),
            models.CheckConstraint(
                condition=(Q(kind="CLIENT", client__isnull=False, project__isnull=True))
                | Q(kind="PROJECT", client__isnull=True, project__isnull=False),
                name="qbo_customer_link_kind_matches_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.client_id or self.project_id} = Customer {self.qbo_customer_id}"


class SyncJob(models.Model):
    """A background job against QBO that a page or API client follows (state + progress).

    At most one job per workspace is queued or running at a time (a partial unique constraint), so
    two admins pressing Sync at once start one job."""

    class Kind(models.TextChoices):
        SYNC = "SYNC", "Sync users and customers"
        CREATE_EMPLOYEES = "CREATE_EMPLOYEES", "Create missing users"
        CREATE_CUSTOMERS = "CREATE_CUSTOMERS", "Create missing customers and projects"

    class State(models.TextChoices):
        QUEUED = "QUEUED", "Queued"
        RUNNING = "RUNNING", "Running"
        SUCCEEDED = "SUCCEEDED", "Finished"
        FAILED = "FAILED", "Failed"

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    stage = models.CharField(max_length=200, blank=True)  # what it is doing now, for people
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=1000, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"],
                condition=Q(state__in=("QUEUED", "RUNNING")),
                name="qbo_sync_job_one_active_per_workspace",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.state} ({self.progress_done}/{self.progress_total})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def percent(self) -> int:
        if self.state == self.State.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)
