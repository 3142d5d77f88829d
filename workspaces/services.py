"""Writes for workspaces and people: sign-up, profile, workspace settings, team, invitations,
the audit log.

Role policy (the issue left part of it open; decided here and shown on the Team page):
- The owner (exactly one per workspace) does everything, and alone changes the plan, deletes
  the workspace, grants or revokes the Admin role and hands ownership over.
- Admins do everything else: invite members, change members' rates, deactivate, reactivate and
  remove members. They cannot act on the owner or on other admins (only the owner can).
- Hourly rates of a person (the member's rate, their rate on a project) follow the same rule:
  admins set members' rates; only the owner sets an admin's, and the owner sets their own (nobody
  else may). Rates flow into invoices and QuickBooks' HourlyRate, so every rate change (a
  person's, a project's, a task's, the workspace default) is in the audit log with the old and
  new value (`rate_change_record`).
- Nobody changes their own role or status, and the owner's role only changes by handing
  ownership to someone else, so a workspace never loses its owner.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError
from django.db import models
from django.db import transaction
from django.db.models import ProtectedError
from django.db.models import RestrictedError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from workspaces.access import require_role
from workspaces.access import require_same_workspace
from workspaces.currencies import is_currency_code
from workspaces.errors import ApplicationError
from workspaces.errors import PermissionDenied
from workspaces.events import EVENT_FOR_STATUS
from workspaces.events import MembershipEvent
from workspaces.events import membership_change_record
from workspaces.models import TIME_ZONE_CHOICES
from workspaces.models import AuditLog
from workspaces.models import Invitation
from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace
from workspaces.selectors import invitation_token_hash
from workspaces.validation import hourly_rate_clean
from workspaces.validation import name_clean

_TIME_ZONES = {tz for tz, _ in TIME_ZONE_CHOICES}


# --- Audit log -------------------------------------------------------------------------------


def audit_log_record(
    *,
    workspace: Workspace,
    actor: User | None,
    event: str,
    target: str = "",
    details: dict[str, Any] | None = None,
) -> AuditLog:
    return AuditLog.objects.create(
        workspace=workspace, actor=actor, event=event, target=target[:255], details=details or {}
    )


def _rate_text(cents: int | None) -> str:
    return "not set" if cents is None else f"{cents // 100}.{cents % 100:02d}"


def rate_change_record(
    *,
    actor: Membership,
    event: str,
    target: str,
    old_cents: int | None,
    new_cents: int | None,
    details: dict[str, Any] | None = None,
) -> AuditLog | None:
    """Record a rate change (nothing when the rate stays the same): the old and new rates as
    decimal text in the workspace's currency, "not set" when the rate falls through to the
    next in the hierarchy."""
    if old_cents == new_cents:
        return None
    return audit_log_record(
        workspace=actor.workspace,
        actor=actor.user,
        event=event,
        target=target,
        details={
            "from": _rate_text(old_cents),
            "to": _rate_text(new_cents),
            "currency": actor.workspace.currency,
            **(details or {}),
        },
    )


# --- Validation helpers ----------------------------------------------------------------------


def _clean_email(email: str, *, field: str = "email") -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ApplicationError("Enter a valid e-mail address.", field=field) from exc
    return email


def _clean_full_name(full_name: str) -> str:
    return name_clean(full_name, field="full_name", label="name", missing="Enter your full name.")


def _clean_workspace_name(name: str) -> str:
    return name_clean(name, field="name", label="workspace name", missing="Enter a workspace name.")


def _clean_currency(currency: str) -> str:
    currency = (currency or "").strip().upper()
    if not is_currency_code(currency):
        raise ApplicationError(
            "Enter a three-letter ISO 4217 currency code, such as USD or EUR.", field="currency"
        )
    return currency


def _clean_time_zone(time_zone: str) -> str:
    if time_zone not in _TIME_ZONES:
        raise ApplicationError("Choose a time zone from the list.", field="time_zone")
    return time_zone


def _clean_rate(cents: int | None, *, field: str = "hourly_rate") -> int | None:
    return hourly_rate_clean(cents, field=field)


def _email_taken(email: str, *, exclude: User | None = None) -> bool:
    users = User.objects.filter(email__iexact=email)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users.exists()


# --- Sign-up and profile ---------------------------------------------------------------------


def user_signup(
    *, email: str, password: str, full_name: str, invitation: Invitation | None = None
) -> User:
    """Create an account. Without an invitation it gets its own first workspace, owned by it;
    signing up from an invitation joins the inviting workspace instead."""
    email = _clean_email(email)
    full_name = _clean_full_name(full_name)
    if _email_taken(email):
        raise ApplicationError(
            "An account with this e-mail address already exists. Log in instead.", field="email"
        )
    if invitation is not None:
        invitation_check_usable(invitation)
        if invitation.email != email:
            raise ApplicationError(
                f"This invitation is for {invitation.email}: sign up with that address.",
                field="email",
            )
    candidate = User(email=email, full_name=full_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), field="password") from exc

    with transaction.atomic():
        try:
            user = User.objects.create_user(email, password, full_name=full_name)
        except IntegrityError as exc:  # a concurrent sign-up with the same address
            raise ApplicationError(
                "An account with this e-mail address already exists.", field="email"
            ) from exc
        if invitation is not None:
            invitation_accept(invitation=invitation, user=user)
        else:
            workspace_create(user=user, name=f"{full_name}'s workspace")
    return user


def profile_update(
    *,
    user: User,
    email: str,
    time_zone: str,
    week_start: int,
    date_format: str,
    time_format: str,
    current_password: str = "",
) -> User:
    """Update the profile; changing the e-mail (the login) needs the current password."""
    email = _clean_email(email)
    time_zone = _clean_time_zone(time_zone)
    if week_start not in User.WeekStart.values:
        raise ApplicationError("Choose a week start from the list.", field="week_start")
    if date_format not in User.DateFormat.values:
        raise ApplicationError("Choose a date format from the list.", field="date_format")
    if time_format not in User.TimeFormat.values:
        raise ApplicationError("Choose a time format from the list.", field="time_format")
    if email != user.email:
        if not current_password or not user.check_password(current_password):
            raise ApplicationError(
                "Enter your current password to change your e-mail address.",
                field="current_password",
            )
        if _email_taken(email, exclude=user):
            raise ApplicationError(
                "Another account already uses this e-mail address.", field="email"
            )
    user.email = email
    user.time_zone = time_zone
    user.week_start = week_start
    user.date_format = date_format
    user.time_format = time_format
    user.save(update_fields=["email", "time_zone", "week_start", "date_format", "time_format"])
    return user


def profile_name_change(*, user: User, full_name: str) -> User:
    """Change the full name: QuickBooks matching compares it with the employee's display name,
    so it is edited on its own, deliberately."""
    full_name = _clean_full_name(full_name)
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    return user


# --- Workspaces ------------------------------------------------------------------------------


def workspace_create(
    *, user: User, name: str, currency: str = "USD", time_zone: str = "UTC"
) -> Workspace:
    name = _clean_workspace_name(name)
    currency = _clean_currency(currency)
    time_zone = _clean_time_zone(time_zone)
    with transaction.atomic():
        workspace = Workspace.objects.create(name=name, currency=currency, time_zone=time_zone)
        Membership.objects.create(workspace=workspace, user=user, role=Membership.Role.OWNER)
        User.objects.filter(pk=user.pk).update(active_workspace=workspace)
    user.active_workspace = workspace
    return workspace


def workspace_update(
    *,
    actor: Membership,
    name: str,
    currency: str,
    time_zone: str,
    hourly_rate_cents: int,
) -> Workspace:
    require_role(actor, Membership.Role.ADMIN)
    workspace = actor.workspace
    name = _clean_workspace_name(name)
    currency = _clean_currency(currency)
    time_zone = _clean_time_zone(time_zone)
    rate = _clean_rate(hourly_rate_cents)
    if rate is None:
        raise ApplicationError("Enter the default hourly rate.", field="hourly_rate")
    old_rate = workspace.hourly_rate_cents
    with transaction.atomic():
        workspace.name = name
        workspace.currency = currency
        workspace.time_zone = time_zone
        workspace.hourly_rate_cents = rate
        workspace.save(update_fields=["name", "currency", "time_zone", "hourly_rate_cents"])
        rate_change_record(
            actor=actor,
            event="workspace.rate_changed",
            target=name,
            old_cents=old_rate,
            new_cents=rate,
        )
    return workspace


def _workspace_settings_change(
    actor: Membership, new: dict[str, Any], *, event: str | None = None
) -> Workspace:
    """Set a group of the workspace's settings (field name -> value) and, when `event` is
    given, audit the change with the old and new values. Nothing is written when every value
    stays the same."""
    workspace = actor.workspace
    old = {name: getattr(workspace, name) for name in new}
    if old == new:
        return workspace
    with transaction.atomic():
        for name, value in new.items():
            setattr(workspace, name, value)
        workspace.save(update_fields=list(new))
        if event is not None:
            audit_log_record(
                workspace=workspace,
                actor=actor.user,
                event=event,
                target=workspace.name,
                details={"from": old, "to": new},
            )
    return workspace


def workspace_rounding_update(
    *, actor: Membership, enabled: bool, mode: str, minutes: int
) -> Workspace:
    require_role(actor, Membership.Role.ADMIN)
    if mode not in Workspace.RoundingMode.values:
        raise ApplicationError("Choose up, down or to nearest.", field="rounding_mode")
    if minutes not in Workspace.ROUNDING_MINUTES:
        allowed = ", ".join(str(m) for m in Workspace.ROUNDING_MINUTES)
        raise ApplicationError(f"Round to {allowed} minutes.", field="rounding_minutes")
    return _workspace_settings_change(
        actor,
        {"rounding_enabled": enabled, "rounding_mode": mode, "rounding_minutes": minutes},
    )


MAX_ENTRY_HOURS = 999  # the database's limit (tracking's time_entry_at_most_999_hours)


def workspace_time_rules_update(
    *, actor: Membership, max_entry_hours: int, allow_future: bool, long_timer_hours: int
) -> Workspace:
    """The workspace's settings of the rule for valid time (tracking/time_rules.py)."""
    require_role(actor, Membership.Role.ADMIN)
    hours = {"max_entry_hours": max_entry_hours, "long_timer_hours": long_timer_hours}
    for name, value in hours.items():
        if not 1 <= int(value) <= MAX_ENTRY_HOURS:
            raise ApplicationError(f"Give 1 to {MAX_ENTRY_HOURS} hours.", field=name)
    return _workspace_settings_change(
        actor,
        {
            "max_entry_seconds": int(max_entry_hours) * 3600,
            "allow_future_entries": bool(allow_future),
            "long_timer_seconds": int(long_timer_hours) * 3600,
        },
        event="workspace.time_rules_changed",
    )


def workspace_approval_reminders_update(
    *, actor: Membership, remind_members: bool, remind_approvers: bool, weekday: int
) -> Workspace:
    """Turn the approval reminders on or off and choose their day (audited)."""
    require_role(actor, Membership.Role.ADMIN)
    if weekday not in range(7):
        raise ApplicationError("Choose a day of the week.", field="reminder_weekday")
    return _workspace_settings_change(
        actor,
        {
            "remind_members_to_submit": remind_members,
            "remind_approvers": remind_approvers,
            "reminder_weekday": weekday,
        },
        event="workspace.approval_reminders_changed",
    )


def workspace_plan_change(*, actor: Membership, plan: str) -> Workspace:
    require_role(actor, Membership.Role.OWNER)
    if plan not in Workspace.Plan.values:
        raise ApplicationError("Choose a plan from the list.", field="plan")
    workspace = actor.workspace
    if workspace.plan == plan:
        return workspace
    with transaction.atomic():
        old = workspace.plan
        workspace.plan = plan
        workspace.save(update_fields=["plan"])
        audit_log_record(
            workspace=workspace,
            actor=actor.user,
            event="workspace.plan_changed",
            target=workspace.name,
            details={"from": old, "to": plan},
        )
    return workspace


def _tenant_models() -> list[type[models.Model]]:
    """Models whose rows die with their workspace: a CASCADE foreign key named `workspace`."""
    found = []
    for model in apps.get_models():
        if model in (Workspace, AuditLog):
            continue
        field = next((f for f in model._meta.get_fields() if f.name == "workspace"), None)
        if (
            isinstance(field, models.ForeignKey)
            and field.related_model is Workspace
            and field.remote_field.on_delete is models.CASCADE
        ):
            found.append(model)
    return found


def workspace_delete(*, actor: Membership, confirm_name: str) -> None:
    """Delete the workspace and everything in it. The owner confirms by typing its name.

    The tracking models PROTECT rows that other rows still use (a client with projects, a
    project with entries), so a single cascading delete refuses. This deletes each tenant
    model's rows of this workspace, retrying the protected ones once what protects them is
    gone, without this app importing the apps layered above it.
    """
    require_role(actor, Membership.Role.OWNER)
    workspace = actor.workspace
    if (confirm_name or "").strip() != workspace.name:
        raise ApplicationError(
            "Type the workspace's name exactly to confirm.", field="confirm_name"
        )
    with transaction.atomic():
        audit_log_record(
            workspace=workspace,
            actor=actor.user,
            event="workspace.deleted",
            target=workspace.name,
            details={"workspace_id": workspace.id, "name": workspace.name},
        )
        remaining = [m for m in _tenant_models() if m is not Membership and m is not Invitation]
        while remaining:
            still_protected = []
            for model in remaining:
                try:
                    model._base_manager.filter(**{"workspace": workspace}).delete()
                except (ProtectedError, RestrictedError):
                    still_protected.append(model)
            if len(still_protected) == len(remaining):
                names = ", ".join(str(m._meta.verbose_name_plural) for m in still_protected)
                raise ApplicationError(f"The workspace could not be deleted ({names} remain).")
            remaining = still_protected
        User.objects.filter(active_workspace=workspace).update(active_workspace=None)
        workspace.delete()


# --- Team ------------------------------------------------------------------------------------


def _check_can_manage(actor: Membership, membership: Membership) -> None:
    """Admins manage members; only the owner manages admins; nobody manages themselves here."""
    require_role(actor, Membership.Role.ADMIN)
    require_same_workspace(actor, membership, what="Member")
    if membership.user_id == actor.user_id:
        raise PermissionDenied("You cannot change your own role or status.")
    if membership.role == Membership.Role.OWNER:
        raise PermissionDenied("Nobody can change the owner's role or status.")
    if membership.role == Membership.Role.ADMIN and not actor.is_owner:
        raise PermissionDenied("Only the owner can change an admin.")


def membership_may_set_rate(*, actor: Membership, user_id: str, role: str) -> bool:
    """Whose hourly rates (in the workspace, on a project) `actor` may set: the owner anyone's,
    their own included (nobody else can); an admin the members' only, as with roles. The pages
    ask this to show a rate as a form or as text; `membership_check_can_set_rate` enforces it."""
    if actor.is_owner:
        return True
    return actor.is_admin and role == Membership.Role.MEMBER and user_id != actor.user_id


def membership_check_can_set_rate(*, actor: Membership, membership: Membership) -> None:
    require_role(actor, Membership.Role.ADMIN)
    require_same_workspace(actor, membership, what="Member")
    if membership_may_set_rate(actor=actor, user_id=membership.user_id, role=membership.role):
        return
    if membership.user_id == actor.user_id:
        raise PermissionDenied("You cannot set your own hourly rate: the owner sets admins' rates.")
    if membership.role == Membership.Role.OWNER:
        raise PermissionDenied("Only the owner can set the owner's hourly rate.")
    if membership.role == Membership.Role.ADMIN:
        raise PermissionDenied("Only the owner can set an admin's hourly rate.")


def membership_role_change(*, actor: Membership, membership: Membership, role: str) -> Membership:
    if role not in (Membership.Role.MEMBER, Membership.Role.ADMIN):
        raise ApplicationError(
            "Choose Member or Admin (ownership is handed over separately).", field="role"
        )
    _check_can_manage(actor, membership)
    if not actor.is_owner:
        raise PermissionDenied("Only the owner can grant or revoke the Admin role.")
    if membership.role == role:
        return membership
    with transaction.atomic():
        old = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_log_record(
            workspace=actor.workspace,
            actor=actor.user,
            event="member.role_changed",
            target=membership.user.email,
            details={"from": old, "to": role},
        )
    return membership


def membership_transfer_ownership(*, actor: Membership, membership: Membership) -> Membership:
    """Hand ownership to another active member; the old owner becomes an admin."""
    require_role(actor, Membership.Role.OWNER)
    require_same_workspace(actor, membership, what="Member")
    if membership.pk == actor.pk:
        raise ApplicationError("You already own this workspace.")
    if membership.status != Membership.Status.ACTIVE:
        raise ApplicationError("Only an active member can become the owner.")
    with transaction.atomic():
        # Demote first: the database allows one owner per workspace at any moment.
        actor.role = Membership.Role.ADMIN
        actor.save(update_fields=["role"])
        old = membership.role
        membership.role = Membership.Role.OWNER
        membership.save(update_fields=["role"])
        audit_log_record(
            workspace=actor.workspace,
            actor=actor.user,
            event="workspace.ownership_transferred",
            target=membership.user.email,
            details={"from_owner": actor.user.email, "new_owner_previous_role": old},
        )
    return membership


def _membership_set_status(
    *, actor: Membership, membership: Membership, status: str, event: str, allowed_from: set[str]
) -> Membership:
    _check_can_manage(actor, membership)
    if membership.status not in allowed_from:
        raise ApplicationError(
            f"{membership.user.full_name} is {membership.get_status_display().lower()}."
        )
    with transaction.atomic():
        old = membership.status
        membership.status = status
        membership.save(update_fields=["status"])
        audit_log_record(
            workspace=actor.workspace,
            actor=actor.user,
            event=event,
            target=membership.user.email,
            details={"from": old, "to": status},
        )
        membership_change_record(
            event=EVENT_FOR_STATUS[Membership.Status(status)],
            actor_id=actor.user_id,
            membership=membership,
        )
    return membership


def membership_deactivate(*, actor: Membership, membership: Membership) -> Membership:
    """The member can no longer use the workspace; their time entries stay."""
    return _membership_set_status(
        actor=actor,
        membership=membership,
        status=Membership.Status.INACTIVE,
        event="member.deactivated",
        allowed_from={Membership.Status.ACTIVE},
    )


def membership_reactivate(*, actor: Membership, membership: Membership) -> Membership:
    return _membership_set_status(
        actor=actor,
        membership=membership,
        status=Membership.Status.ACTIVE,
        event="member.reactivated",
        allowed_from={Membership.Status.INACTIVE},
    )


def membership_remove(*, actor: Membership, membership: Membership) -> Membership:
    """Gone from the team; the membership row stays (status REMOVED) so entries stay
    attributed to the person. Inviting them again brings them back."""
    return _membership_set_status(
        actor=actor,
        membership=membership,
        status=Membership.Status.REMOVED,
        event="member.removed",
        allowed_from={Membership.Status.ACTIVE, Membership.Status.INACTIVE},
    )


def membership_rate_update(
    *, actor: Membership, membership: Membership, hourly_rate_cents: int | None
) -> Membership:
    """Set a member's hourly rate (None: the workspace's default). New entries use it;
    re-rating past entries is the separate `tracking:rates_reapply` action."""
    membership_check_can_set_rate(actor=actor, membership=membership)
    rate = _clean_rate(hourly_rate_cents)
    with transaction.atomic():
        rate_change_record(
            actor=actor,
            event="member.rate_changed",
            target=membership.user.email,
            old_cents=membership.hourly_rate_cents,
            new_cents=rate,
        )
        membership.hourly_rate_cents = rate
        membership.save(update_fields=["hourly_rate_cents"])
    return membership


def membership_contractor_set(
    *, actor: Membership, membership: Membership, contractor: bool
) -> Membership:
    """Mark a member as a contractor in this workspace (or not): QuickBooks then gets their time
    as a vendor's. Who may change it is who may set the member's hourly rate (the owner anyone's;
    an admin the members'); the same value again changes nothing. Audited."""
    require_role(actor, Membership.Role.ADMIN)
    require_same_workspace(actor, membership, what="Member")
    if not membership_may_set_rate(actor=actor, user_id=membership.user_id, role=membership.role):
        raise PermissionDenied(
            "Only the owner marks the owner, an admin or themselves as a contractor."
        )
    if not isinstance(contractor, bool):
        raise ApplicationError("Say whether the member is a contractor: true or false.")
    if membership.contractor == contractor:
        return membership
    with transaction.atomic():
        membership.contractor = contractor
        membership.save(update_fields=["contractor"])
        audit_log_record(
            workspace=actor.workspace,
            actor=actor.user,
            event="member.contractor_changed",
            target=membership.user.email,
            details={"from": not contractor, "to": contractor},
        )
    return membership


# --- Invitations -----------------------------------------------------------------------------


def _issue_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash = invitation_token_hash(token)
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=Invitation.VALID_DAYS)
    return token


def invitation_url(token: str) -> str:
    site_url: str = settings.SITE_URL
    return site_url.rstrip("/") + reverse("workspaces:invitation_accept", kwargs={"token": token})


def _send_invitation(invitation: Invitation, token: str, inviter: User) -> None:
    context = {
        "invitation": invitation,
        "workspace": invitation.workspace,
        "inviter": inviter,
        "url": invitation_url(token),
        "valid_days": Invitation.VALID_DAYS,
    }
    subject = f"{inviter.full_name} invited you to {invitation.workspace.name} on Timetracker"
    try:
        send_mail(
            subject=subject,
            message=render_to_string("workspaces/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
    except OSError as exc:  # smtplib's errors are OSErrors; the caller's transaction rolls back
        raise ApplicationError(
            "The invitation e-mail could not be sent, so nothing was saved. Try again later.",
            field="email",
        ) from exc


def _check_can_invite(actor: Membership, role: str) -> None:
    require_role(actor, Membership.Role.ADMIN)
    if role not in (Membership.Role.MEMBER, Membership.Role.ADMIN):
        raise ApplicationError("Invite as Member or Admin.", field="role")
    if role == Membership.Role.ADMIN and not actor.is_owner:
        raise PermissionDenied("Only the owner can invite admins.")


def invitation_create(
    *, actor: Membership, email: str, role: str = Membership.Role.MEMBER
) -> Invitation:
    """Invite an e-mail address; the link is mailed and valid for 7 days."""
    email = _clean_email(email)
    _check_can_invite(actor, role)
    workspace = actor.workspace
    existing = (
        Membership.objects.filter(workspace=workspace, user__email__iexact=email)
        .exclude(status=Membership.Status.REMOVED)
        .first()
    )
    if existing is not None:
        if existing.status == Membership.Status.INACTIVE:
            raise ApplicationError(
                f"{email} is a deactivated member of this workspace: reactivate them instead.",
                field="email",
            )
        raise ApplicationError(f"{email} is already a member of this workspace.", field="email")
    if Invitation.objects.filter(
        workspace=workspace, email=email, status=Invitation.Status.PENDING
    ).exists():
        raise ApplicationError(
            f"{email} already has a pending invitation: resend it from the list below.",
            field="email",
        )
    invitation = Invitation(workspace=workspace, email=email, role=role, invited_by=actor.user)
    token = _issue_token(invitation)
    with transaction.atomic():
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError as exc:  # a concurrent invitation of the same address
            raise ApplicationError(
                f"{email} already has a pending invitation.", field="email"
            ) from exc
        audit_log_record(
            workspace=workspace,
            actor=actor.user,
            event="invitation.sent",
            target=email,
            details={"role": role},
        )
        _send_invitation(invitation, token, actor.user)
    return invitation


def _pending_invitation(actor: Membership, invitation: Invitation) -> None:
    require_role(actor, Membership.Role.ADMIN)
    require_same_workspace(actor, invitation, what="Invitation")
    if invitation.status != Invitation.Status.PENDING:
        raise ApplicationError(
            f"This invitation was already {invitation.get_status_display().lower()}."
        )
    if invitation.role == Membership.Role.ADMIN and not actor.is_owner:
        raise PermissionDenied("Only the owner can manage invitations of admins.")


def invitation_resend(*, actor: Membership, invitation: Invitation) -> Invitation:
    """Mail a new link (the previous one stops working) valid for another 7 days."""
    _pending_invitation(actor, invitation)
    token = _issue_token(invitation)
    with transaction.atomic():
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
        audit_log_record(
            workspace=actor.workspace,
            actor=actor.user,
            event="invitation.resent",
            target=invitation.email,
        )
        _send_invitation(invitation, token, actor.user)
    return invitation


def invitation_cancel(*, actor: Membership, invitation: Invitation) -> Invitation:
    _pending_invitation(actor, invitation)
    with transaction.atomic():
        invitation.status = Invitation.Status.CANCELLED
        invitation.save(update_fields=["status"])
        audit_log_record(
            workspace=actor.workspace,
            actor=actor.user,
            event="invitation.cancelled",
            target=invitation.email,
        )
    return invitation


def invitation_check_usable(invitation: Invitation) -> None:
    if invitation.status == Invitation.Status.ACCEPTED:
        raise ApplicationError("This invitation has already been accepted.")
    if invitation.status == Invitation.Status.CANCELLED:
        raise ApplicationError("This invitation was cancelled.")
    if invitation.is_expired:
        raise ApplicationError(
            "This invitation has expired. Ask the workspace's admin to send it again."
        )


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the workspace as the invited user (same e-mail address, case-insensitively)."""
    invitation_check_usable(invitation)
    if user.email.lower() != invitation.email:
        raise ApplicationError(
            f"This invitation is for {invitation.email}, but you are logged in as "
            f"{user.email}. Log out and log in or sign up with {invitation.email}."
        )
    with transaction.atomic():
        # Lock the invitation so two concurrent accepts cannot both succeed.
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status != Invitation.Status.PENDING:
            raise ApplicationError("This invitation is no longer valid.")
        membership = Membership.objects.filter(workspace=invitation.workspace, user=user).first()
        if membership is not None and membership.status == Membership.Status.ACTIVE:
            raise ApplicationError("You are already a member of this workspace.")
        if membership is not None and membership.status == Membership.Status.INACTIVE:
            raise ApplicationError(
                "Your membership of this workspace is deactivated: ask an admin to reactivate it."
            )
        if membership is None:
            membership = Membership.objects.create(
                workspace=invitation.workspace, user=user, role=invitation.role
            )
        else:  # removed earlier: the same membership comes back, with its entries
            membership.status = Membership.Status.ACTIVE
            membership.role = invitation.role
            membership.save(update_fields=["status", "role"])
        invitation.status = locked.status = Invitation.Status.ACCEPTED
        invitation.accepted_by = user
        invitation.save(update_fields=["status", "accepted_by"])
        User.objects.filter(pk=user.pk).update(active_workspace=invitation.workspace)
        user.active_workspace = invitation.workspace
        audit_log_record(
            workspace=invitation.workspace,
            actor=user,
            event="invitation.accepted",
            target=invitation.email,
            details={"role": invitation.role},
        )
        membership_change_record(
            event=MembershipEvent.USER_JOINED_WORKSPACE, actor_id=user.pk, membership=membership
        )
    return membership
