from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.models import BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from workspaces.ids import ObjectIdField

TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class WeekStart(models.IntegerChoices):
        MONDAY = 0, "Monday"
        SUNDAY = 6, "Sunday"
        SATURDAY = 5, "Saturday"

    class DateFormat(models.TextChoices):
        ISO = "Y-m-d", "2026-11-28"
        US = "m/d/Y", "11/28/2026"
        EU = "d.m.Y", "28.11.2026"
        UK = "d/m/Y", "28/11/2026"

    class TimeFormat(models.TextChoices):
        H24 = "H:i", "24-hour (14:30)"
        H12 = "g:i A", "12-hour (2:30 PM)"

    id = ObjectIdField()
    email = models.EmailField(unique=True)
    # The name QuickBooks matching uses: it must equal the employee's DisplayName exactly.
    full_name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    week_start = models.IntegerField(choices=WeekStart.choices, default=WeekStart.MONDAY)
    date_format = models.CharField(max_length=8, choices=DateFormat.choices, default=DateFormat.ISO)
    time_format = models.CharField(max_length=8, choices=TimeFormat.choices, default=TimeFormat.H24)
    active_workspace = models.ForeignKey(
        "workspaces.Workspace", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Workspace(models.Model):
    class Plan(models.TextChoices):
        FREE = "FREE", "Free"
        BASIC = "BASIC", "Basic"
        STANDARD = "STANDARD", "Standard"
        PRO = "PRO", "Pro"
        ENTERPRISE = "ENTERPRISE", "Enterprise"

    class RoundingMode(models.TextChoices):
        UP = "UP", "Round up"
        DOWN = "DOWN", "Round down"
        NEAREST = "NEAREST", "Round to nearest"

    ROUNDING_MINUTES = (1, 5, 6, 10, 12, 15, 30, 60)
    # Plans that include the QuickBooks integration (Clockify: Standard, Pro or Enterprise).
    QUICKBOOKS_PLANS = (Plan.STANDARD, Plan.PRO, Plan.ENTERPRISE)

    id = ObjectIdField()
    name = models.CharField(max_length=100)
    currency = models.CharField(max_length=3, default="USD")
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    plan = models.CharField(max_length=16, choices=Plan.choices, default=Plan.FREE)
    hourly_rate_cents = models.PositiveIntegerField(default=0)
    rounding_enabled = models.BooleanField(default=False)
    rounding_mode = models.CharField(
        max_length=8, choices=RoundingMode.choices, default=RoundingMode.NEAREST
    )
    rounding_minutes = models.PositiveSmallIntegerField(
        choices=[(m, f"{m} min") for m in ROUNDING_MINUTES], default=15
    )
    # The rule for valid time (tracking/time_rules.py): the longest entry, whether entries may
    # lie in the future, and when a running timer warns that it may have been forgotten.
    max_entry_seconds = models.PositiveIntegerField(default=24 * 3600)
    allow_future_entries = models.BooleanField(default=False)
    long_timer_seconds = models.PositiveIntegerField(default=10 * 3600)
    # Approval reminders by e-mail (tracking/services/reminders.py), on this day of the week
    # (0 = Monday) in the workspace's time zone: to members who have not submitted the week
    # before, and to the owner and admins while weeks wait for approval.
    remind_members_to_submit = models.BooleanField(default=True)
    remind_approvers = models.BooleanField(default=True)
    reminder_weekday = models.PositiveSmallIntegerField(
        choices=[(i, d) for i, d in enumerate(WEEKDAYS)], default=0
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder_weekday__lte=6), name="workspace_reminder_weekday_valid"
            ),
            models.CheckConstraint(
                condition=Q(max_entry_seconds__gte=3600, max_entry_seconds__lte=999 * 3600),
                name="workspace_max_entry_valid",
            ),
            models.CheckConstraint(
                condition=Q(long_timer_seconds__gte=3600, long_timer_seconds__lte=999 * 3600),
                name="workspace_long_timer_valid",
            ),
            models.CheckConstraint(
                condition=Q(rounding_minutes__in=(1, 5, 6, 10, 12, 15, 30, 60)),
                name="workspace_rounding_minutes_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_quickbooks(self) -> bool:
        return self.plan in self.QUICKBOOKS_PLANS


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "OWNER", "Owner"
        ADMIN = "ADMIN", "Admin"
        MEMBER = "MEMBER", "Member"

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "Active"
        INACTIVE = "INACTIVE", "Inactive"
        REMOVED = "REMOVED", "Removed"

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    # None: the workspace's default rate applies.
    hourly_rate_cents = models.PositiveIntegerField(null=True, blank=True)
    # A contractor in this workspace: QuickBooks gets their time as a Vendor's, not an
    # Employee's (per workspace: the same person may be staff in another one).
    contractor = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user"),
            models.UniqueConstraint(
                fields=["workspace"], condition=Q(role="OWNER"), name="membership_one_owner"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "status"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER

    @property
    def is_admin(self) -> bool:
        """Owner or admin: may manage everything but the plan and deleting the workspace."""
        return self.role in (self.Role.OWNER, self.Role.ADMIN)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Invitation(models.Model):
    """An invitation to join a workspace, sent by e-mail as a link carrying a random token.

    Only the token's SHA-256 is stored: a database leak does not leak usable links. Resending
    issues a new token (the old link stops working) and a new 7-day expiry.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        ACCEPTED = "ACCEPTED", "Accepted"
        CANCELLED = "CANCELLED", "Cancelled"

    VALID_DAYS = 7

    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=8,
        choices=[(Membership.Role.MEMBER, "Member"), (Membership.Role.ADMIN, "Admin")],
        default=Membership.Role.MEMBER,
    )
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "email"],
                condition=Q(status="PENDING"),
                name="invitation_one_pending_per_email",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.workspace_id} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.PENDING and not self.is_expired


class AuditLog(models.Model):
    """A security-relevant event in a workspace (role changes, invitations, removals, plan...).

    The workspace link is nullable (SET NULL) on purpose: the record of a workspace's deletion
    must outlive the workspace; `details` keeps its name.
    """

    id = ObjectIdField()
    workspace = models.ForeignKey(
        Workspace, null=True, on_delete=models.SET_NULL, related_name="audit_logs"
    )
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    event = models.CharField(max_length=64)
    target = models.CharField(max_length=255, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.event} {self.target}"


class ApiKey(models.Model):
    """A personal key for the REST API (header `X-Api-Key`); it acts as its user everywhere.

    Only the key's SHA-256 is stored (the key is shown once, at creation): the key is 256 random
    bits, so a fast hash is enough and lets every request find its key with one indexed lookup.
    `prefix` (the first characters) tells keys apart in the list without revealing them.
    """

    id = ObjectIdField()
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
