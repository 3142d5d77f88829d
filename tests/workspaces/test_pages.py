"""Every page and action of workspaces and people, for the owner, an admin, a member and an
outsider; the forms' bad input; query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory
from tests.factories import UserFactory
from workspaces.models import AuditLog
from workspaces.models import Invitation
from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

# (url name, role needed for GET or None when the page is POST-only)
ADMIN_PAGES = [
    "workspaces:settings",
    "workspaces:settings_rounding",
    "workspaces:settings_plan",
    "quickbooks:integrations",
    "workspaces:team",
    "workspaces:audit_log",
]


@pytest.fixture
def clients(owner_client, admin_client_, member_client, outsider_client):
    return {
        "owner": owner_client,
        "admin": admin_client_,
        "member": member_client,
        "outsider": outsider_client,
    }


@pytest.mark.parametrize("name", ADMIN_PAGES)
@pytest.mark.parametrize(
    ("who", "status"), [("owner", 200), ("admin", 200), ("member", 403), ("outsider", 404)]
)
def test_admin_pages(clients, workspace, name, who, status):
    response = clients[who].get(reverse(name, kwargs={"ws": workspace.id}))
    assert response.status_code == status


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_send_anonymous_visitors_to_log_in(client, workspace, name):
    response = client.get(reverse(name, kwargs={"ws": workspace.id}))
    assert response.status_code == 302
    assert response.url.startswith(reverse("workspaces:login"))


def test_unknown_or_malformed_workspace_is_404(owner_client):
    assert owner_client.get(reverse("workspaces:team", kwargs={"ws": "f" * 24})).status_code == 404
    assert owner_client.get(reverse("workspaces:team", kwargs={"ws": "nope"})).status_code == 404


@pytest.fixture
def target(workspace, owner):
    """A second plain member to act on."""
    user = UserFactory(full_name="Tess Target", email="tess@example.com")
    return MembershipFactory(workspace=workspace, user=user, role=Membership.Role.MEMBER)


def _actions(workspace, target, invitation):
    ws = workspace.id
    return [
        (
            "workspaces:settings",
            {"ws": ws},
            {"name": "X", "currency": "USD", "time_zone": "UTC", "hourly_rate": "1"},
        ),
        (
            "workspaces:settings_rounding",
            {"ws": ws},
            {"rounding_enabled": "on", "rounding_mode": "UP", "rounding_minutes": "5"},
        ),
        ("workspaces:team_invite", {"ws": ws}, {"email": "z@example.com", "role": "MEMBER"}),
        ("workspaces:invitation_resend", {"ws": ws, "pk": invitation.pk}, {}),
        ("workspaces:invitation_cancel", {"ws": ws, "pk": invitation.pk}, {}),
        ("workspaces:member_status", {"ws": ws, "pk": target.pk}, {"action": "deactivate"}),
        ("workspaces:member_rate", {"ws": ws, "pk": target.pk}, {"hourly_rate": "10"}),
    ]


def _snapshot(workspace, target, invitation):
    workspace.refresh_from_db()
    target.refresh_from_db()
    invitation.refresh_from_db()
    return (
        workspace.name,
        workspace.rounding_enabled,
        target.status,
        target.hourly_rate_cents,
        invitation.status,
        invitation.token_hash,
        Invitation.objects.count(),
    )


@pytest.fixture
def invitation(workspace, owner):
    from workspaces import services

    return services.invitation_create(
        actor=Membership.objects.get(user=owner, workspace=workspace), email="inv@example.com"
    )


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_members_and_outsiders_cannot_do_admin_actions(clients, workspace, target, invitation, who):
    before = _snapshot(workspace, target, invitation)
    for name, kwargs, data in _actions(workspace, target, invitation):
        response = clients[who].post(reverse(name, kwargs=kwargs), data)
        assert response.status_code == (403 if who == "member" else 404), name
    assert _snapshot(workspace, target, invitation) == before


@pytest.mark.parametrize("who", ["admin", "member", "outsider"])
def test_only_the_owner_changes_plan_roles_ownership_or_deletes(clients, workspace, target, who):
    ws = workspace.id
    expected = 404 if who == "outsider" else 403
    posts = [
        ("workspaces:settings_plan", {"ws": ws}, {"plan": "FREE"}),
        ("workspaces:workspace_delete", {"ws": ws}, {"confirm_name": "Acme Consulting"}),
        ("workspaces:member_make_owner", {"ws": ws, "pk": target.pk}, {}),
    ]
    for name, kwargs, data in posts:
        assert clients[who].post(reverse(name, kwargs=kwargs), data).status_code == expected, name
    role_url = reverse("workspaces:member_role", kwargs={"ws": ws, "pk": target.pk})
    assert clients[who].post(role_url, {"role": "ADMIN"}).status_code == expected
    workspace.refresh_from_db()
    target.refresh_from_db()
    assert (workspace.plan, target.role) == ("STANDARD", "MEMBER")
    assert Workspace.objects.filter(pk=ws).exists()


def test_another_workspaces_member_is_404_for_an_admin(
    admin_client_, workspace, outsider, other_workspace
):
    foreign = Membership.objects.get(user=outsider, workspace=other_workspace)
    for name, data in [
        ("workspaces:member_status", {"action": "remove"}),
        ("workspaces:member_rate", {"hourly_rate": "1"}),
        ("workspaces:member_role", {"role": "ADMIN"}),
    ]:
        url = reverse(name, kwargs={"ws": workspace.id, "pk": foreign.pk})
        assert admin_client_.post(url, data).status_code == 404
    foreign.refresh_from_db()
    assert (foreign.status, foreign.role, foreign.hourly_rate_cents) == ("ACTIVE", "OWNER", None)


# --- Settings forms --------------------------------------------------------------------------


def test_general_settings_save_and_reject_bad_input(admin_client_, workspace):
    url = reverse("workspaces:settings", kwargs={"ws": workspace.id})
    ok = {
        "name": "Acme Ltd",
        "currency": "eur",
        "time_zone": "Europe/Dublin",
        "hourly_rate": "62.50",
    }
    assert admin_client_.post(url, ok).status_code == 302
    workspace.refresh_from_db()
    assert (workspace.name, workspace.currency, workspace.hourly_rate_cents) == (
        "Acme Ltd",
        "EUR",
        6250,
    )
    for field, bad in [
        ("name", ""),
        ("currency", "EURO"),
        ("currency", "QQQ"),
        ("time_zone", "Atlantis"),
        ("hourly_rate", "-1"),
        ("hourly_rate", "12.345"),
        ("hourly_rate", "lots"),
        ("hourly_rate", "2000000"),
    ]:
        response = admin_client_.post(url, ok | {"name": "Changed"} | {field: bad})
        assert response.status_code == 200, (field, bad)
        assert response.context["form"].errors[field], (field, bad)
        workspace.refresh_from_db()
        assert workspace.name == "Acme Ltd", (field, bad)


def test_general_page_offers_reapplying_the_rate_to_past_entries(admin_client_, workspace):
    html = admin_client_.get(reverse("workspaces:settings", kwargs={"ws": workspace.id})).content
    html = html.decode()
    assert reverse("tracking:rates_reapply", kwargs={"ws": workspace.id}) in html
    assert 'name="scope" value="workspace"' in html


def test_rounding_rejects_off_list_minutes(admin_client_, workspace):
    url = reverse("workspaces:settings_rounding", kwargs={"ws": workspace.id})
    response = admin_client_.post(
        url, {"rounding_enabled": "on", "rounding_mode": "UP", "rounding_minutes": "7"}
    )
    assert response.context["form"].errors["rounding_minutes"]
    workspace.refresh_from_db()
    assert workspace.rounding_enabled is False
    admin_client_.post(
        url, {"rounding_enabled": "on", "rounding_mode": "DOWN", "rounding_minutes": "12"}
    )
    workspace.refresh_from_db()
    assert (workspace.rounding_enabled, workspace.rounding_mode, workspace.rounding_minutes) == (
        True,
        "DOWN",
        12,
    )


def test_plan_page_owner_changes_plan_admin_only_sees_it(owner_client, admin_client_, workspace):
    url = reverse("workspaces:settings_plan", kwargs={"ws": workspace.id})
    admin_html = admin_client_.get(url).content.decode()
    assert "Only the workspace owner can change the plan" in admin_html
    assert "Standard, Pro or Enterprise" in admin_html
    assert owner_client.post(url, {"plan": "GOLD"}).context["form"].errors["plan"]
    assert owner_client.post(url, {"plan": "BASIC"}).status_code == 302
    workspace.refresh_from_db()
    assert workspace.plan == "BASIC"
    integrations = owner_client.get(
        reverse("workspaces:settings_integrations", kwargs={"ws": workspace.id}), follow=True
    ).content.decode()
    assert "QuickBooks Online" in integrations
    assert "Not included in your Basic plan" in integrations


def test_integrations_page_says_when_the_plan_includes_quickbooks(admin_client_, workspace):
    html = admin_client_.get(
        reverse("workspaces:settings_integrations", kwargs={"ws": workspace.id}), follow=True
    ).content.decode()
    assert "Connect to QuickBooks</button>" in html
    assert "Not included in your" not in html


def test_delete_workspace_with_wrong_name_keeps_it(owner_client, workspace):
    url = reverse("workspaces:workspace_delete", kwargs={"ws": workspace.id})
    response = owner_client.post(url, {"confirm_name": "Acme"})
    assert response.status_code == 400
    assert response.context["delete_form"].errors["confirm_name"]
    assert Workspace.objects.filter(pk=workspace.pk).exists()
    response = owner_client.post(url, {"confirm_name": "Acme Consulting"})
    assert response.url == reverse("workspaces:home")
    assert not Workspace.objects.filter(pk=workspace.pk).exists()


# --- Profile ---------------------------------------------------------------------------------


def test_profile_shows_the_name_prominently_with_the_quickbooks_note(member_client):
    html = member_client.get(reverse("workspaces:profile")).content.decode()
    assert "<strong>Mia Member</strong>" in html
    assert "display name" in html


def test_name_change_needs_the_confirmation(member_client, member):
    url = reverse("workspaces:profile")
    response = member_client.post(url, {"form": "name", "full_name": "Mia M. Member"})
    assert response.context["name_form"].errors["confirm"]
    member.refresh_from_db()
    assert member.full_name == "Mia Member"
    member_client.post(url, {"form": "name", "full_name": "Mia M. Member", "confirm": "on"})
    member.refresh_from_db()
    assert member.full_name == "Mia M. Member"


def test_profile_details_save_and_bad_input_saves_nothing(member_client, member, password):
    url = reverse("workspaces:profile")
    data = {
        "form": "details",
        "email": "member@example.com",
        "time_zone": "America/Chicago",
        "week_start": "6",
        "date_format": "m/d/Y",
        "time_format": "g:i A",
    }
    assert member_client.post(url, data).status_code == 302
    member.refresh_from_db()
    assert (member.time_zone, member.week_start, member.date_format) == (
        "America/Chicago",
        6,
        "m/d/Y",
    )
    response = member_client.post(url, data | {"email": "new@example.com", "time_zone": "UTC"})
    assert response.context["details_form"].errors["current_password"]
    response = member_client.post(url, data | {"week_start": "2"})
    assert response.context["details_form"].errors["week_start"]
    member.refresh_from_db()
    assert (member.email, member.time_zone) == ("member@example.com", "America/Chicago")
    member_client.post(url, data | {"email": "mia@example.com", "current_password": password})
    member.refresh_from_db()
    assert member.email == "mia@example.com"


# --- Team ------------------------------------------------------------------------------------


def test_team_page_lists_members_with_role_status_and_rate(admin_client_, workspace, member):
    Membership.objects.filter(user=member).update(hourly_rate_cents=4200, status="INACTIVE")
    html = admin_client_.get(reverse("workspaces:team", kwargs={"ws": workspace.id})).content
    html = html.decode()
    for text in ("Olivia Owner", "Adam Admin", "Mia Member", "Inactive", 'value="42.00"'):
        assert text in html
    assert 'name="scope" value="member"' in html


def test_member_rate_form(admin_client_, workspace, member):
    m = Membership.objects.get(user=member)
    url = reverse("workspaces:member_rate", kwargs={"ws": workspace.id, "pk": m.pk})
    assert admin_client_.post(url, {"hourly_rate": "55.5"}).status_code == 302
    m.refresh_from_db()
    assert m.hourly_rate_cents == 5550
    response = admin_client_.post(url, {"hourly_rate": "-3"})
    assert response.status_code == 400
    assert "greater than or equal to 0" in response.content.decode()
    m.refresh_from_db()
    assert m.hourly_rate_cents == 5550
    admin_client_.post(url, {"hourly_rate": ""})
    m.refresh_from_db()
    assert m.hourly_rate_cents is None


def test_admin_deactivates_and_removes_a_member_who_then_loses_access(
    admin_client_, member_client, workspace, member
):
    m = Membership.objects.get(user=member)
    url = reverse("workspaces:member_status", kwargs={"ws": workspace.id, "pk": m.pk})
    admin_client_.post(url, {"action": "deactivate"})
    assert (
        member_client.get(reverse("workspaces:profile")).status_code == 200
    )  # still has an account
    assert (
        member_client.get(reverse("tracking:tracker", kwargs={"ws": workspace.id})).status_code
        == 404
    )
    admin_client_.post(url, {"action": "remove"})
    m.refresh_from_db()
    assert m.status == "REMOVED"
    team = admin_client_.get(reverse("workspaces:team", kwargs={"ws": workspace.id}))
    assert member.full_name not in [x.user.full_name for x in team.context["members"]]


def test_nobody_deactivates_themselves(owner_client, workspace, owner):
    own = Membership.objects.get(user=owner)
    url = reverse("workspaces:member_status", kwargs={"ws": workspace.id, "pk": own.pk})
    assert owner_client.post(url, {"action": "deactivate"}).status_code == 403
    own.refresh_from_db()
    assert own.status == "ACTIVE"


def test_refused_status_change_shows_a_message(admin_client_, workspace, member):
    m = Membership.objects.get(user=member)
    url = reverse("workspaces:member_status", kwargs={"ws": workspace.id, "pk": m.pk})
    response = admin_client_.post(url, {"action": "reactivate"}, follow=True)
    assert "Mia Member is active." in response.content.decode()


def test_owner_makes_admin_and_hands_over_ownership(owner_client, workspace, owner, member):
    m = Membership.objects.get(user=member)
    owner_client.post(
        reverse("workspaces:member_role", kwargs={"ws": workspace.id, "pk": m.pk}),
        {"role": "ADMIN"},
    )
    m.refresh_from_db()
    assert m.role == "ADMIN"
    owner_client.post(
        reverse("workspaces:member_make_owner", kwargs={"ws": workspace.id, "pk": m.pk})
    )
    m.refresh_from_db()
    assert m.role == "OWNER"
    assert Membership.objects.get(user=owner).role == "ADMIN"


def test_team_page_query_count_does_not_grow_with_members(
    admin_client_, workspace, owner, django_assert_max_num_queries
):
    from workspaces import services

    actor = Membership.objects.get(user=owner)
    url = reverse("workspaces:team", kwargs={"ws": workspace.id})
    for i in range(3):
        MembershipFactory(workspace=workspace, user=UserFactory())
        services.invitation_create(actor=actor, email=f"few{i}@example.com")
    with django_assert_max_num_queries(12) as few:
        admin_client_.get(url)
    for i in range(40):
        MembershipFactory(workspace=workspace, user=UserFactory(), hourly_rate_cents=i * 100)
        services.invitation_create(actor=actor, email=f"many{i}@example.com")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client_.get(url)
    assert len(response.context["members"]) == 45


# --- Audit log -------------------------------------------------------------------------------


def test_audit_log_is_newest_first_paginated_and_per_workspace(
    admin_client_, workspace, owner, other_workspace
):
    from workspaces import services

    for i in range(55):
        services.audit_log_record(
            workspace=workspace,
            actor=owner,
            event="member.removed",
            target=f"person{i:02d}@example.com",
        )
    services.audit_log_record(
        workspace=other_workspace, actor=None, event="member.removed", target="secret@other.example"
    )
    url = reverse("workspaces:audit_log", kwargs={"ws": workspace.id})
    first = admin_client_.get(url)
    entries = list(first.context["page"].object_list)
    assert len(entries) == 50
    assert entries[0].target == "person54@example.com"
    assert "Member removed" in first.content.decode()
    second = admin_client_.get(url + "?page=2")
    assert [e.target for e in second.context["page"].object_list][-1] == "person00@example.com"
    assert "secret@other.example" not in first.content.decode() + second.content.decode()
    assert AuditLog.objects.filter(workspace=workspace).count() == 55


def test_audit_log_query_count_does_not_grow_with_entries(
    admin_client_, workspace, owner, admin, django_assert_max_num_queries
):
    from workspaces import services

    url = reverse("workspaces:audit_log", kwargs={"ws": workspace.id})
    for actor in (owner, admin):
        services.audit_log_record(workspace=workspace, actor=actor, event="member.removed")
    with django_assert_max_num_queries(12) as few:
        admin_client_.get(url)
    for i in range(40):
        UserFactory(email=f"actor{i}@example.com")
        actor = User.objects.get(email=f"actor{i}@example.com")
        services.audit_log_record(workspace=workspace, actor=actor, event="invitation.sent")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client_.get(url)
    assert len(response.context["page"].object_list) == 42


def test_password_change_needs_the_old_password_and_keeps_the_session(
    member_client, member, password
):
    url = reverse("workspaces:password_change")
    new = {"new_password1": "another-secret-31", "new_password2": "another-secret-31"}
    response = member_client.post(url, {"old_password": "wrong"} | new)
    assert response.context["form"].errors["old_password"]
    member.refresh_from_db()
    assert member.check_password(password)
    response = member_client.post(url, {"old_password": password} | new)
    assert response.url == reverse("workspaces:profile")
    member.refresh_from_db()
    assert member.check_password("another-secret-31")
    assert member_client.get(reverse("workspaces:profile")).status_code == 200


def test_audit_log_and_invitations_show_times_in_the_viewers_zone_and_formats(
    admin_client_, admin, workspace
):
    import datetime as dt

    from workspaces import services

    admin.time_zone = "America/New_York"
    admin.date_format = User.DateFormat.US
    admin.time_format = User.TimeFormat.H12
    admin.save()
    entry = services.audit_log_record(
        workspace=workspace, actor=admin, event="member.removed", target="x@example.com"
    )
    AuditLog.objects.filter(pk=entry.pk).update(
        created_at=dt.datetime(2026, 3, 2, 3, 30, tzinfo=dt.UTC)
    )
    html = admin_client_.get(reverse("workspaces:audit_log", kwargs={"ws": workspace.id}))
    # 03:30 UTC on 2 March is 10:30 PM on 1 March in New York.
    assert "03/01/2026 10:30 PM" in html.content.decode()
    assert "When (America/New_York)" in html.content.decode()

    services.invitation_create(
        actor=Membership.objects.get(user=admin), email="new@example.com", role="MEMBER"
    )
    Invitation.objects.update(
        sent_at=dt.datetime(2026, 3, 2, 3, 30, tzinfo=dt.UTC),
        expires_at=dt.datetime(2099, 3, 9, 3, 30, tzinfo=dt.UTC),
    )
    team = admin_client_.get(reverse("workspaces:team", kwargs={"ws": workspace.id}))
    assert "03/01/2026 10:30 PM" in team.content.decode()
    assert "Expires 03/08/2099" in team.content.decode()


def test_refusals_are_pages_that_say_why_and_lead_back(member_client, outsider_client, workspace):
    forbidden = member_client.get(reverse("workspaces:team", kwargs={"ws": workspace.id}))
    assert forbidden.status_code == 403
    body = forbidden.content.decode()
    assert "<h1>Not allowed</h1>" in body and "Only a workspace admin or owner can do this." in body
    assert f'href="{reverse("workspaces:home")}"' in body
    missing = outsider_client.get(reverse("tracking:tracker", kwargs={"ws": workspace.id}))
    assert missing.status_code == 404
    body = missing.content.decode()
    assert "<h1>Not found</h1>" in body and workspace.name not in body
