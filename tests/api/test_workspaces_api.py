"""Current user, workspaces and users endpoints."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.factories import MembershipFactory
from tests.factories import UserFactory
from workspaces.models import Invitation
from workspaces.models import Membership
from workspaces.services import invitation_create

pytestmark = pytest.mark.django_db


def test_current_user(owner_api, owner, workspace, other_workspace):
    owner.time_zone = "Europe/Berlin"
    owner.week_start = 6
    owner.time_format = "g:i A"
    owner.active_workspace = workspace
    owner.save()
    MembershipFactory(workspace=other_workspace, user=owner, status=Membership.Status.INACTIVE)
    body = owner_api.get("/api/v1/user").json()
    assert body["id"] == owner.pk
    assert body["email"] == "owner@example.com"
    assert body["name"] == "Olivia Owner"
    assert body["activeWorkspace"] == workspace.pk
    assert body["defaultWorkspace"] == workspace.pk
    assert body["status"] == "ACTIVE"
    assert body["settings"] == {
        "timeZone": "Europe/Berlin",
        "weekStart": "SUNDAY",
        "dateFormat": "YYYY-MM-DD",
        "timeFormat": "HOUR12",
    }
    by_ws = {m["targetId"]: m for m in body["memberships"]}
    assert by_ws[workspace.pk]["membershipStatus"] == "ACTIVE"
    assert by_ws[workspace.pk]["membershipType"] == "WORKSPACE"
    assert by_ws[workspace.pk]["role"] == "OWNER"
    assert by_ws[other_workspace.pk]["membershipStatus"] == "INACTIVE"


def test_active_workspace_never_points_outside_the_users_workspaces(
    owner_api, owner, other_workspace, workspace
):
    owner.active_workspace = other_workspace  # not a member there
    owner.save()
    body = owner_api.get("/api/v1/user").json()
    assert body["activeWorkspace"] == workspace.pk


def test_workspaces_list_only_mine(owner_api, workspace, other_workspace, admin, member):
    workspace.hourly_rate_cents = 10500
    workspace.rounding_enabled = True
    workspace.rounding_mode = "UP"
    workspace.rounding_minutes = 15
    workspace.save()
    body = owner_api.get("/api/v1/workspaces").json()
    assert [w["id"] for w in body] == [workspace.pk]
    ws = body[0]
    assert ws["name"] == "Acme Consulting"
    assert ws["hourlyRate"] == {"amount": 10500, "currency": "USD"}
    assert ws["workspaceSettings"]["timeRoundingInReports"] is True
    assert ws["workspaceSettings"]["round"] == {"round": "Round up", "minutes": "15"}
    assert {m["userId"] for m in ws["memberships"]} == {
        m.user_id for m in Membership.objects.filter(workspace=workspace)
    }
    assert owner_api.get(f"/api/v1/workspaces/{workspace.pk}").json() == ws


def test_member_sees_only_own_membership_and_no_rate(member_api, member, workspace, admin):
    """Rates are for admins and the owner: a member's own and the workspace's are null."""
    Membership.objects.filter(user=admin).update(hourly_rate_cents=9000)
    Membership.objects.filter(user=member).update(hourly_rate_cents=4000)
    ws = member_api.get(f"/api/v1/workspaces/{workspace.pk}").json()
    assert ws["hourlyRate"] is None
    assert ws["memberships"] == [
        {
            "userId": member.pk,
            "hourlyRate": None,
            "membershipType": "WORKSPACE",
            "membershipStatus": "ACTIVE",
            "targetId": workspace.pk,
            "role": "MEMBER",
            "contractor": False,
        }
    ]
    users = member_api.get(f"/api/v1/workspaces/{workspace.pk}/users").json()
    others = [u for u in users if u["id"] != member.pk]
    assert others and all(u["memberships"] == [] for u in others)


def test_workspaces_list_queries_flat(owner_api, owner, django_assert_max_num_queries):
    from tests.factories import WorkspaceFactory

    for _ in range(5):
        ws = WorkspaceFactory()
        MembershipFactory(workspace=ws, user=owner, role=Membership.Role.ADMIN)
        for _ in range(5):
            MembershipFactory(workspace=ws)
    with django_assert_max_num_queries(5):
        body = owner_api.get("/api/v1/workspaces").json()
    assert len(body) == 6
    assert all(len(w["memberships"]) >= 1 for w in body)


def test_removed_or_inactive_membership_is_404(member_api, member, workspace):
    Membership.objects.filter(user=member).update(status=Membership.Status.INACTIVE)
    assert member_api.get(f"/api/v1/workspaces/{workspace.pk}").status_code == 404
    assert member_api.get("/api/v1/workspaces").json() == []


def test_users_list_filters_and_pages(admin_api, workspace, owner, admin, member):
    gone = UserFactory(email="gone@example.com")
    MembershipFactory(workspace=workspace, user=gone, status=Membership.Status.REMOVED)
    idle = UserFactory(email="idle@example.com", full_name="Ian Idle")
    MembershipFactory(workspace=workspace, user=idle, status=Membership.Status.INACTIVE)
    base = f"/api/v1/workspaces/{workspace.pk}/users"
    emails = lambda q: [u["email"] for u in admin_api.get(base + q).json()]  # noqa: E731
    assert set(emails("")) == {
        "owner@example.com",
        "admin@example.com",
        "member@example.com",
        "idle@example.com",
    }
    assert emails("?status=INACTIVE") == ["idle@example.com"]
    assert "idle@example.com" not in emails("?status=ACTIVE")
    assert emails("?email=MEMBER@") == ["member@example.com"]
    assert emails("?name=ian") == ["idle@example.com"]
    assert len(emails("?page-size=2")) == 2
    assert len(emails("?page=2&page-size=3")) == 1
    row = next(u for u in admin_api.get(base).json() if u["email"] == "idle@example.com")
    assert row["status"] == "INACTIVE"
    assert row["memberships"][0]["membershipStatus"] == "INACTIVE"
    assert admin_api.get(base + "?status=WHATEVER").status_code == 400


def test_users_list_takes_every_clockify_status(admin_api, workspace, owner, admin, member):
    """PENDING and DECLINED are Clockify's too: nobody here (an invitation is no user until
    accepted), an empty list rather than a 400 a Clockify script does not expect."""
    invitation_create(
        actor=Membership.objects.get(user=admin, workspace=workspace), email="new@example.com"
    )
    base = f"/api/v1/workspaces/{workspace.pk}/users"
    for status in ("PENDING", "DECLINED", "pending"):
        response = admin_api.get(f"{base}?status={status}")
        assert (response.status_code, response.json()) == (200, [])
        assert response["Last-Page"] == "true"
    assert len(admin_api.get(f"{base}?status=ALL").json()) == 3
    assert len(admin_api.get(f"{base}?status=active").json()) == 3


def test_users_list_queries_flat(admin_api, workspace, admin, django_assert_max_num_queries):
    for _ in range(25):
        MembershipFactory(workspace=workspace)
    with django_assert_max_num_queries(6):
        small = admin_api.get(f"/api/v1/workspaces/{workspace.pk}/users?page-size=2")
    with django_assert_max_num_queries(6):
        large = admin_api.get(f"/api/v1/workspaces/{workspace.pk}/users?page-size=50")
    assert len(small.json()) == 2
    assert len(large.json()) >= 25


def test_invite_by_admin(admin_api, workspace):
    response = admin_api.post(
        f"/api/v1/workspaces/{workspace.pk}/users", {"email": "New@Example.com"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["id"] == workspace.pk
    invitation = Invitation.objects.get(workspace=workspace)
    assert invitation.email == "new@example.com"
    assert invitation.role == "MEMBER"
    assert mail.outbox and mail.outbox[0].to == ["new@example.com"]


def test_invite_refusals(admin_api, member_api, owner_api, workspace, member):
    base = f"/api/v1/workspaces/{workspace.pk}/users"
    assert member_api.post(base, {"email": "x@example.com"}, format="json").status_code == 403
    assert (
        admin_api.post(base, {"email": "x@example.com", "role": "ADMIN"}, format="json").status_code
        == 403
    )
    assert owner_api.post(base, {"email": "not an email"}, format="json").status_code == 400
    assert owner_api.post(base, {"email": "member@example.com"}, format="json").status_code == 400
    assert (
        owner_api.post(base, {"email": "x@example.com", "role": "OWNER"}, format="json").status_code
        == 400
    )
    assert (
        owner_api.post(base, {"email": "x@example", "extra": 1}, format="json").status_code == 400
    )
    assert not Invitation.objects.exists()
    assert (
        owner_api.post(base, {"email": "x@example.com", "role": "ADMIN"}, format="json").status_code
        == 201
    )
