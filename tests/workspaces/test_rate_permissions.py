"""Whose hourly rate may be set follows the roles' rule (workspaces/services.py): admins set
members' rates; only the owner sets an admin's rate and the owner's own. Pages (Team, project)
and the API enforce it. Every rate change (member, project, project member, task, workspace
default) is in the audit log with its old and new value."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api.conftest import api_client_for
from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.factories import membership_of
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import ProjectMemberFactory
from tracking.models import ProjectMember
from tracking.services import catalog
from workspaces import services
from workspaces.errors import PermissionDenied
from workspaces.models import AuditLog
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    settings.API_THROTTLE_RATE_PER_SECOND = 0


def _rate_url(workspace, membership):
    return reverse("workspaces:member_rate", kwargs={"ws": workspace.pk, "pk": membership.pk})


def test_an_admin_cannot_set_the_owners_another_admins_or_their_own_rate(
    workspace, owner, admin, member, admin_client_, owner_client
):
    second_admin = MembershipFactory(
        workspace=workspace,
        user=UserFactory(email="second@example.com", full_name="Sam Second"),
        role=Membership.Role.ADMIN,
    )
    for target in (membership_of(workspace, owner), membership_of(workspace, admin), second_admin):
        response = admin_client_.post(_rate_url(workspace, target), {"hourly_rate": "999"})
        assert response.status_code == 403, target.user.email
        target.refresh_from_db()
        assert target.hourly_rate_cents is None
    # Members' rates are the admin's to set; the owner sets anyone's, their own included.
    assert admin_client_.post(
        _rate_url(workspace, membership_of(workspace, member)), {"hourly_rate": "80"}
    ).status_code in (302, 303)
    for target, rate in (
        (membership_of(workspace, admin), "120"),
        (membership_of(workspace, owner), "150"),
    ):
        assert owner_client.post(
            _rate_url(workspace, target), {"hourly_rate": rate}
        ).status_code in (
            302,
            303,
        )
    rates = dict(
        Membership.objects.filter(workspace=workspace).values_list(
            "user__email", "hourly_rate_cents"
        )
    )
    assert rates["member@example.com"] == 8000
    assert rates["admin@example.com"] == 12000
    assert rates["owner@example.com"] == 15000
    assert rates["second@example.com"] is None


def test_the_team_page_shows_an_admin_forms_only_for_members_rates(
    workspace, owner, admin, member, admin_client_, owner_client
):
    html = admin_client_.get(reverse("workspaces:team", kwargs={"ws": workspace.pk})).content
    html = html.decode()
    assert _rate_url(workspace, membership_of(workspace, member)) in html
    assert _rate_url(workspace, membership_of(workspace, owner)) not in html
    assert _rate_url(workspace, membership_of(workspace, admin)) not in html
    html = owner_client.get(reverse("workspaces:team", kwargs={"ws": workspace.pk})).content
    for user in (owner, admin, member):
        assert _rate_url(workspace, membership_of(workspace, user)) in html.decode()


def test_project_rates_of_the_owner_and_admins_are_the_owners_to_set(
    workspace, owner, admin, member, admin_client_
):
    project = ProjectFactory(workspace=workspace)
    for user in (owner, admin, member):
        ProjectMemberFactory(project=project, workspace=workspace, user=user)
    actor = membership_of(workspace, admin)
    with pytest.raises(PermissionDenied):
        catalog.project_member_set_rate(
            actor=actor, project=project, user=owner, hourly_rate_cents=50_000
        )
    other = ProjectFactory(workspace=workspace)
    with pytest.raises(PermissionDenied):
        catalog.project_member_add(actor=actor, project=other, user=admin, hourly_rate_cents=1)
    assert not ProjectMember.objects.filter(project=other).exists()
    # The API says 403 too, and the project page offers no form for those rows.
    api = api_client_for(admin)
    base = f"/api/v1/workspaces/{workspace.pk}/projects/{project.pk}/users"
    assert (
        api.put(f"{base}/{owner.pk}/hourly-rate", {"amount": 1}, format="json").status_code == 403
    )
    assert (
        api.put(f"{base}/{admin.pk}/hourly-rate", {"amount": 1}, format="json").status_code == 403
    )
    ok = api.put(f"{base}/{member.pk}/hourly-rate", {"amount": 4200}, format="json")
    assert ok.status_code == 200, ok.json()
    rates = dict(
        ProjectMember.objects.filter(project=project).values_list("user_id", "hourly_rate_cents")
    )
    assert rates == {owner.pk: None, admin.pk: None, member.pk: 4200}
    page = admin_client_.get(
        reverse("tracking:project_detail", kwargs={"ws": workspace.pk, "pk": project.pk})
    ).content.decode()

    def rate_form(user):
        return reverse(
            "tracking:project_member_rate",
            kwargs={"ws": workspace.pk, "pk": project.pk, "user_id": user.pk},
        )

    assert rate_form(member) in page
    assert rate_form(owner) not in page and rate_form(admin) not in page


def _rate_events():
    return [
        (e.event, e.target, e.details["from"], e.details["to"])
        for e in AuditLog.objects.filter(event__endswith="rate_changed").order_by(
            "created_at", "id"
        )
    ]


def test_every_rate_change_is_audited_with_old_and_new_value(
    workspace, owner, admin, member, owner_client
):
    actor = membership_of(workspace, owner)
    services.membership_rate_update(
        actor=actor, membership=membership_of(workspace, member), hourly_rate_cents=5000
    )
    services.membership_rate_update(
        actor=actor, membership=membership_of(workspace, member), hourly_rate_cents=5000
    )
    services.membership_rate_update(
        actor=actor, membership=membership_of(workspace, member), hourly_rate_cents=None
    )
    project = catalog.project_create(actor=actor, name="Site", hourly_rate_cents=9000)
    catalog.project_update(
        actor=actor,
        project=project,
        name="Site",
        client=None,
        color=project.color,
        billable=True,
        hourly_rate_cents=9950,
        is_public=True,
        note="",
    )
    catalog.project_member_add(actor=actor, project=project, user=member, hourly_rate_cents=7000)
    catalog.project_member_set_rate(
        actor=actor, project=project, user=member, hourly_rate_cents=7100
    )
    task = catalog.task_create(actor=actor, project=project, name="Design", hourly_rate_cents=11000)
    catalog.task_update(
        actor=actor,
        task=task,
        name="Design",
        status=task.status,
        hourly_rate_cents=None,
        assignees=[],
    )
    services.workspace_update(
        actor=actor, name=workspace.name, currency="USD", time_zone="UTC", hourly_rate_cents=6000
    )
    assert _rate_events() == [
        ("member.rate_changed", "member@example.com", "not set", "50.00"),
        ("member.rate_changed", "member@example.com", "50.00", "not set"),
        ("project.rate_changed", "Site", "not set", "90.00"),
        ("project.rate_changed", "Site", "90.00", "99.50"),
        ("project_member.rate_changed", "member@example.com", "not set", "70.00"),
        ("project_member.rate_changed", "member@example.com", "70.00", "71.00"),
        ("task.rate_changed", "Design (Site)", "not set", "110.00"),
        ("task.rate_changed", "Design (Site)", "110.00", "not set"),
        ("workspace.rate_changed", "Acme Consulting", "50.00", "60.00"),
    ]
    assert all(
        e.actor_id == owner.pk and e.details["currency"] == "USD"
        for e in AuditLog.objects.filter(event__endswith="rate_changed")
    )
    page = owner_client.get(reverse("workspaces:audit_log", kwargs={"ws": workspace.pk}))
    assert "Member&#x27;s rate changed" in page.content.decode()
    assert "Task rate changed" in page.content.decode()
