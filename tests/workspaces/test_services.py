"""Services of workspaces and people: sign-up, settings, roles, statuses, deletion."""

from __future__ import annotations

from typing import cast

import pytest

from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.factories import membership_of
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from tracking.models import Client
from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Tag
from tracking.models import Task
from tracking.models import TimeEntry
from tracking.models import TimeEntryTag
from workspaces import services
from workspaces.errors import ApplicationError
from workspaces.errors import PermissionDenied
from workspaces.models import AuditLog
from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


# --- Sign-up ---------------------------------------------------------------------------------


def test_signup_creates_the_first_workspace_owned_by_the_user():
    user = services.user_signup(
        email="  Jane.Doe@Example.COM ", password="a-long-pass-phrase", full_name="Jane  Doe"
    )
    assert user.email == "jane.doe@example.com"
    assert user.full_name == "Jane Doe"
    assert user.check_password("a-long-pass-phrase")
    m = Membership.objects.get(user=user)
    assert m.role == Membership.Role.OWNER
    assert m.status == Membership.Status.ACTIVE
    assert m.workspace.name == "Jane Doe's workspace"
    assert User.objects.get(pk=user.pk).active_workspace_id == m.workspace_id


@pytest.mark.parametrize(
    ("email", "password", "full_name", "field"),
    [
        ("not-an-email", "a-long-pass-phrase", "Jane Doe", "email"),
        ("jane@example.com", "short", "Jane Doe", "password"),
        ("jane@example.com", "12345678901", "Jane Doe", "password"),
        ("jane@example.com", "password", "Jane Doe", "password"),
        ("jane@example.com", "a-long-pass-phrase", "   ", "full_name"),
        ("jane@example.com", "a-long-pass-phrase", "x" * 101, "full_name"),
    ],
)
def test_signup_rejects_bad_input_and_saves_nothing(email, password, full_name, field):
    with pytest.raises(ApplicationError) as exc:
        services.user_signup(email=email, password=password, full_name=full_name)
    assert exc.value.field == field
    assert User.objects.count() == 0
    assert Workspace.objects.count() == 0


def test_signup_refuses_an_email_in_use_whatever_its_case(owner):
    with pytest.raises(ApplicationError, match="already exists") as exc:
        services.user_signup(
            email="OWNER@example.com", password="a-long-pass-phrase", full_name="Copy Cat"
        )
    assert exc.value.field == "email"
    assert User.objects.filter(full_name="Copy Cat").count() == 0


# --- Profile ---------------------------------------------------------------------------------


def update_profile(user, **changes):
    """`services.profile_update` of `user` with their email and the default settings, but for
    `changes`."""
    values = {
        "email": user.email,
        "time_zone": "UTC",
        "week_start": 0,
        "date_format": "Y-m-d",
        "time_format": "H:i",
    } | changes
    services.profile_update(user=user, **values)


def test_profile_update_needs_the_password_to_change_the_email(owner, password):
    berlin = {"time_zone": "Europe/Berlin", "week_start": 6, "date_format": "d.m.Y"}
    with pytest.raises(ApplicationError) as exc:
        update_profile(owner, email="new@example.com", current_password="wrong", **berlin)
    assert exc.value.field == "current_password"
    owner.refresh_from_db()
    assert owner.email == "owner@example.com"
    assert owner.time_zone == "UTC"

    update_profile(
        owner, email="New@Example.com", time_format="g:i A", current_password=password, **berlin
    )
    owner.refresh_from_db()
    assert owner.email == "new@example.com"
    assert (owner.time_zone, owner.week_start) == ("Europe/Berlin", 6)
    assert (owner.date_format, owner.time_format) == ("d.m.Y", "g:i A")


def test_profile_update_refuses_another_accounts_email(owner, admin, password):
    with pytest.raises(ApplicationError, match="Another account") as exc:
        update_profile(owner, email="admin@example.com", current_password=password)
    assert exc.value.field == "email"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"week_start": 3}, "week_start"),
        ({"date_format": "Y"}, "date_format"),
        ({"time_format": "H"}, "time_format"),
    ],
)
def test_profile_update_rejects_values_off_the_lists(owner, changes, field):
    with pytest.raises(ApplicationError) as exc:
        update_profile(owner, **changes)
    assert exc.value.field == field


def test_name_change_normalises_spaces_and_refuses_blank(owner):
    services.profile_name_change(user=owner, full_name="  Olivia   Q. Owner ")
    owner.refresh_from_db()
    assert owner.full_name == "Olivia Q. Owner"
    with pytest.raises(ApplicationError):
        services.profile_name_change(user=owner, full_name="  ")
    owner.refresh_from_db()
    assert owner.full_name == "Olivia Q. Owner"


# --- Workspace settings ----------------------------------------------------------------------


def test_workspace_create_makes_the_creator_owner(member):
    ws = services.workspace_create(
        user=member, name="Side project", currency="eur", time_zone="Europe/Paris"
    )
    assert (ws.currency, ws.time_zone) == ("EUR", "Europe/Paris")
    assert membership_of(ws, member).role == Membership.Role.OWNER


def update_workspace(workspace, user, **changes):
    """`services.workspace_update` of `workspace` by `user`, with valid settings but for
    `changes`."""
    values = {"name": "Renamed", "currency": "GBP", "time_zone": "UTC", "hourly_rate_cents": 1}
    services.workspace_update(actor=membership_of(workspace, user), **(values | changes))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"currency": "XXX"}, "currency"),
        ({"currency": "US"}, "currency"),
        ({"time_zone": "Nowhere/Town"}, "time_zone"),
        ({"hourly_rate_cents": -1}, "hourly_rate"),
        ({"hourly_rate_cents": 100_000_001}, "hourly_rate"),
    ],
)
def test_workspace_update_rejects_bad_input_and_saves_nothing(workspace, owner, changes, field):
    with pytest.raises(ApplicationError) as exc:
        update_workspace(workspace, owner, **changes)
    assert exc.value.field == field
    workspace.refresh_from_db()
    assert (workspace.name, workspace.currency) == ("Acme Consulting", "USD")


def test_workspace_update_is_for_admins(workspace, member, admin):
    with pytest.raises(PermissionDenied):
        update_workspace(workspace, member, name="Mine now")
    update_workspace(
        workspace,
        admin,
        name="Acme Ltd",
        currency="gbp",
        time_zone="Europe/London",
        hourly_rate_cents=7550,
    )
    workspace.refresh_from_db()
    assert (workspace.name, workspace.currency, workspace.hourly_rate_cents) == (
        "Acme Ltd",
        "GBP",
        7550,
    )


def test_rounding_accepts_only_the_offered_steps(workspace, admin):
    actor = membership_of(workspace, admin)
    with pytest.raises(ApplicationError) as exc:
        services.workspace_rounding_update(actor=actor, enabled=True, mode="UP", minutes=7)
    assert exc.value.field == "rounding_minutes"
    with pytest.raises(ApplicationError):
        services.workspace_rounding_update(actor=actor, enabled=True, mode="SIDEWAYS", minutes=6)
    workspace.refresh_from_db()
    assert workspace.rounding_enabled is False
    services.workspace_rounding_update(actor=actor, enabled=True, mode="UP", minutes=6)
    workspace.refresh_from_db()
    assert (workspace.rounding_enabled, workspace.rounding_mode, workspace.rounding_minutes) == (
        True,
        "UP",
        6,
    )


def test_only_the_owner_changes_the_plan_and_it_is_audited(workspace, owner, admin):
    with pytest.raises(PermissionDenied):
        services.workspace_plan_change(actor=membership_of(workspace, admin), plan="PRO")
    services.workspace_plan_change(actor=membership_of(workspace, owner), plan="FREE")
    workspace.refresh_from_db()
    assert workspace.plan == "FREE"
    assert not workspace.has_quickbooks
    log = AuditLog.objects.get(workspace=workspace, event="workspace.plan_changed")
    assert log.actor == owner
    assert log.details == {"from": "STANDARD", "to": "FREE"}


# --- Roles and statuses ----------------------------------------------------------------------


def test_owner_grants_and_revokes_admin_with_an_audit_entry(workspace, owner, member):
    target = membership_of(workspace, member)
    services.membership_role_change(
        actor=membership_of(workspace, owner), membership=target, role="ADMIN"
    )
    assert membership_of(workspace, member).role == "ADMIN"
    log = AuditLog.objects.get(event="member.role_changed")
    assert (log.target, log.details) == ("member@example.com", {"from": "MEMBER", "to": "ADMIN"})


def test_admins_cannot_change_roles_or_touch_the_owner_or_other_admins(
    workspace, owner, admin, member
):
    actor = membership_of(workspace, admin)
    with pytest.raises(PermissionDenied):
        services.membership_role_change(
            actor=actor, membership=membership_of(workspace, member), role="ADMIN"
        )
    with pytest.raises(PermissionDenied):
        services.membership_deactivate(actor=actor, membership=membership_of(workspace, owner))
    other_admin = UserFactory()
    MembershipFactory(workspace=workspace, user=other_admin, role="ADMIN")
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=actor, membership=membership_of(workspace, other_admin))
    assert membership_of(workspace, member).role == "MEMBER"
    assert membership_of(workspace, owner).status == "ACTIVE"
    assert not AuditLog.objects.exists()


def test_nobody_changes_the_owner_role_or_their_own(workspace, owner, admin):
    with pytest.raises(ApplicationError):
        services.membership_role_change(
            actor=membership_of(workspace, owner),
            membership=membership_of(workspace, owner),
            role="MEMBER",
        )
    with pytest.raises(PermissionDenied):
        services.membership_deactivate(
            actor=membership_of(workspace, admin), membership=membership_of(workspace, admin)
        )
    with pytest.raises(ApplicationError):
        services.membership_role_change(
            actor=membership_of(workspace, owner),
            membership=membership_of(workspace, admin),
            role="OWNER",
        )
    assert membership_of(workspace, owner).role == "OWNER"


def test_ownership_transfer_keeps_exactly_one_owner(workspace, owner, member):
    services.membership_transfer_ownership(
        actor=membership_of(workspace, owner), membership=membership_of(workspace, member)
    )
    assert membership_of(workspace, member).role == "OWNER"
    assert membership_of(workspace, owner).role == "ADMIN"
    assert Membership.objects.filter(workspace=workspace, role="OWNER").count() == 1
    assert AuditLog.objects.filter(event="workspace.ownership_transferred").count() == 1


def test_member_lifecycle_keeps_entries_and_attribution(workspace, owner, member):
    entry = cast(TimeEntry, TimeEntryFactory(workspace=workspace, user=member))
    actor = membership_of(workspace, owner)
    services.membership_deactivate(actor=actor, membership=membership_of(workspace, member))
    assert membership_of(workspace, member).status == "INACTIVE"
    with pytest.raises(ApplicationError, match="inactive"):
        services.membership_deactivate(actor=actor, membership=membership_of(workspace, member))
    services.membership_reactivate(actor=actor, membership=membership_of(workspace, member))
    assert membership_of(workspace, member).status == "ACTIVE"
    services.membership_remove(actor=actor, membership=membership_of(workspace, member))
    assert membership_of(workspace, member).status == "REMOVED"
    with pytest.raises(ApplicationError):
        services.membership_reactivate(actor=actor, membership=membership_of(workspace, member))
    assert TimeEntry.objects.get(pk=entry.pk).user_id == member.pk
    events = list(
        AuditLog.objects.filter(workspace=workspace)
        .order_by("created_at")
        .values_list("event", flat=True)
    )
    assert events == ["member.deactivated", "member.reactivated", "member.removed"]


def test_member_rate_is_validated_and_blank_means_workspace_default(workspace, admin, member):
    actor = membership_of(workspace, admin)
    target = membership_of(workspace, member)
    services.membership_rate_update(actor=actor, membership=target, hourly_rate_cents=9000)
    assert membership_of(workspace, member).hourly_rate_cents == 9000
    with pytest.raises(ApplicationError):
        services.membership_rate_update(actor=actor, membership=target, hourly_rate_cents=-5)
    assert membership_of(workspace, member).hourly_rate_cents == 9000
    services.membership_rate_update(actor=actor, membership=target, hourly_rate_cents=None)
    assert membership_of(workspace, member).hourly_rate_cents is None


def test_another_workspaces_member_is_not_found(workspace, owner, outsider, other_workspace):
    with pytest.raises(ApplicationError) as exc:
        services.membership_deactivate(
            actor=membership_of(workspace, owner),
            membership=membership_of(other_workspace, outsider),
        )
    assert exc.value.status == 404
    assert membership_of(other_workspace, outsider).status == "ACTIVE"


# --- Deleting a workspace --------------------------------------------------------------------


def _fill(workspace, user):
    client = ClientFactory(workspace=workspace)
    project = cast(Project, ProjectFactory(workspace=workspace, client=client))
    tag = cast(Tag, TagFactory(workspace=workspace))
    task = cast(Task, TaskFactory(project=project))
    task.assignees.add(user)
    ProjectMember.objects.create(workspace=workspace, project=project, user=user)
    entry = cast(
        TimeEntry,
        TimeEntryFactory(workspace=workspace, user=user, project=project, task=task),
    )
    TimeEntryTag.objects.create(workspace=workspace, time_entry=entry, tag=tag)


def test_workspace_delete_needs_the_exact_name_and_the_owner(workspace, owner, admin):
    _fill(workspace, owner)
    with pytest.raises(PermissionDenied):
        services.workspace_delete(
            actor=membership_of(workspace, admin), confirm_name="Acme Consulting"
        )
    with pytest.raises(ApplicationError) as exc:
        services.workspace_delete(
            actor=membership_of(workspace, owner), confirm_name="acme consulting"
        )
    assert exc.value.field == "confirm_name"
    assert Workspace.objects.filter(pk=workspace.pk).exists()
    assert TimeEntry.objects.filter(workspace=workspace).count() == 1


def test_workspace_delete_removes_its_data_only_and_keeps_the_audit_record(
    workspace, owner, member, other_workspace, outsider
):
    _fill(workspace, member)
    _fill(other_workspace, outsider)
    owner.active_workspace = workspace
    owner.save()
    services.workspace_delete(actor=membership_of(workspace, owner), confirm_name="Acme Consulting")
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    for model in (Client, Project, ProjectMember, Task, Tag, TimeEntry, TimeEntryTag, Membership):
        assert not model.objects.filter(workspace_id=workspace.pk).exists(), model
        assert model.objects.filter(workspace=other_workspace).exists(), model
    assert not Task.assignees.through.objects.filter(user=member).exists()
    assert Task.assignees.through.objects.filter(user=outsider).exists()
    owner.refresh_from_db()
    assert owner.active_workspace_id is None
    assert User.objects.filter(pk=member.pk).exists()
    log = AuditLog.objects.get(event="workspace.deleted")
    assert log.workspace is None
    assert log.details["name"] == "Acme Consulting"


def test_audit_log_record_stores_the_event(workspace, owner):
    log = services.audit_log_record(
        workspace=workspace, actor=owner, event="quickbooks.connected", target="Realm 1"
    )
    assert AuditLog.objects.get(pk=log.pk).details == {}
    assert log.workspace == workspace
