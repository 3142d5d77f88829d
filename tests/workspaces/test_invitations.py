"""The invitation lifecycle: sent, resent, cancelled, expired, accepted by signing up or
logging in; and the refusals along the way."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from workspaces.models import AuditLog
from workspaces.models import Invitation
from workspaces.models import Membership
from workspaces.models import User

pytestmark = pytest.mark.django_db


def invite(client, workspace, email, role="MEMBER"):
    return client.post(
        reverse("workspaces:team_invite", kwargs={"ws": workspace.id}),
        {"email": email, "role": role},
    )


def link_in_last_mail() -> str:
    body = str(mail.outbox[-1].body)
    found = re.search(r"https?://[^/\s]+(/invitations/\S+/)", body)
    assert found is not None, body
    return found.group(1)


def events(workspace) -> list[str]:
    return list(
        AuditLog.objects.filter(workspace=workspace)
        .order_by("created_at", "id")
        .values_list("event", flat=True)
    )


def test_invite_mails_a_link_and_stores_only_a_hash(admin_client_, workspace, admin):
    response = invite(admin_client_, workspace, "New.Person@Example.com")
    assert response.status_code == 302
    invitation = Invitation.objects.get(workspace=workspace)
    assert invitation.email == "new.person@example.com"
    assert invitation.status == "PENDING"
    assert mail.outbox[-1].to == ["new.person@example.com"]
    link = link_in_last_mail()
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 40
    assert token not in invitation.token_hash
    assert abs(invitation.expires_at - timezone.now() - dt.timedelta(days=7)) < dt.timedelta(
        minutes=1
    )
    team = admin_client_.get(reverse("workspaces:team", kwargs={"ws": workspace.id}))
    assert "new.person@example.com" in team.content.decode()
    assert events(workspace) == ["invitation.sent"]


def test_newcomer_accepts_by_signing_up_and_joins_without_a_workspace_of_their_own(
    admin_client_, client, workspace
):
    invite(admin_client_, workspace, "newbie@example.com")
    link = link_in_last_mail()
    page = client.get(link)
    assert page.status_code == 200
    assert "Sign up and join" in page.content.decode()
    response = client.post(
        link,
        {"full_name": "Ned Newbie", "email": "newbie@example.com", "password": "tidy-kettle-42"},
    )
    assert response.url == reverse("tracking:tracker", kwargs={"ws": workspace.id})
    user = User.objects.get(email="newbie@example.com")
    assert list(Membership.objects.filter(user=user).values_list("workspace_id", "role")) == [
        (workspace.id, "MEMBER")
    ]
    assert Invitation.objects.get().status == "ACCEPTED"
    assert events(workspace) == ["invitation.sent", "invitation.accepted"]
    # The link is spent.
    assert client.get(link).status_code == 410


def test_signup_from_an_invitation_must_use_the_invited_address(admin_client_, client, workspace):
    invite(admin_client_, workspace, "newbie@example.com")
    response = client.post(
        link_in_last_mail(),
        {"full_name": "Sly", "email": "sly@example.com", "password": "tidy-kettle-42"},
    )
    assert response.status_code == 200
    assert "newbie@example.com" in response.context["form"].errors["email"][0]
    assert not User.objects.filter(email="sly@example.com").exists()
    assert Invitation.objects.get().status == "PENDING"


def test_existing_user_logs_in_then_accepts(admin_client_, client, workspace, outsider, password):
    invite(admin_client_, workspace, "outsider@example.com")
    link = link_in_last_mail()
    page = client.get(link)
    assert "Log in to accept" in page.content.decode()
    response = client.post(
        reverse("workspaces:login") + f"?next={link}",
        {"username": "outsider@example.com", "password": password, "next": link},
    )
    assert response.url == link
    assert "Join Acme Consulting" in client.get(link).content.decode()
    response = client.post(link)
    assert response.url == reverse("tracking:tracker", kwargs={"ws": workspace.id})
    assert Membership.objects.get(workspace=workspace, user=outsider).status == "ACTIVE"


def test_logged_in_with_another_address_cannot_accept(admin_client_, outsider_client, workspace):
    invite(admin_client_, workspace, "someone.else@example.com")
    link = link_in_last_mail()
    page = outsider_client.get(link)
    assert "This invitation is for someone.else@example.com" in page.content.decode()
    response = outsider_client.post(link)
    assert response.status_code == 400
    assert "Join Acme Consulting</button>" not in response.content.decode()
    assert Invitation.objects.get().status == "PENDING"
    assert not Membership.objects.filter(workspace=workspace, user__email="outsider@example.com")


def test_invitation_expires_after_seven_days(admin_client_, client, workspace):
    invite(admin_client_, workspace, "late@example.com")
    link = link_in_last_mail()
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        response = client.get(link)
        assert response.status_code == 410
        assert "expired" in response.content.decode()
        response = client.post(
            link, {"full_name": "Late", "email": "late@example.com", "password": "tidy-kettle-42"}
        )
        assert response.status_code == 410
        assert not User.objects.filter(email="late@example.com").exists()
        team = admin_client_.get(reverse("workspaces:team", kwargs={"ws": workspace.id}))
        assert "Expired" in team.content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(days=6, hours=23)):
        assert client.get(link).status_code == 200


def test_resend_replaces_the_link_and_extends_the_expiry(admin_client_, client, workspace):
    invite(admin_client_, workspace, "again@example.com")
    old_link = link_in_last_mail()
    invitation = Invitation.objects.get()
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        response = admin_client_.post(
            reverse(
                "workspaces:invitation_resend", kwargs={"ws": workspace.id, "pk": invitation.pk}
            )
        )
        assert response.status_code == 302
        new_link = link_in_last_mail()
        assert new_link != old_link
        assert len(mail.outbox) == 2
        assert client.get(old_link).status_code == 404
        assert client.get(new_link).status_code == 200
    assert events(workspace) == ["invitation.sent", "invitation.resent"]


def test_cancelled_invitation_link_stops_working(admin_client_, client, workspace):
    invite(admin_client_, workspace, "nope@example.com")
    link = link_in_last_mail()
    invitation = Invitation.objects.get()
    admin_client_.post(
        reverse("workspaces:invitation_cancel", kwargs={"ws": workspace.id, "pk": invitation.pk})
    )
    assert Invitation.objects.get().status == "CANCELLED"
    response = client.get(link)
    assert response.status_code == 410
    assert "cancelled" in response.content.decode()
    team = admin_client_.get(reverse("workspaces:team", kwargs={"ws": workspace.id}))
    assert team.context["invitations"] == []
    assert events(workspace) == ["invitation.sent", "invitation.cancelled"]


def test_invite_of_an_existing_member_is_refused(admin_client_, workspace, member):
    response = invite(admin_client_, workspace, "MEMBER@example.com")
    assert response.status_code == 400
    assert "already a member" in response.context["invite_form"].errors["email"][0]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_second_pending_invite_of_an_address_is_refused(admin_client_, workspace):
    invite(admin_client_, workspace, "twice@example.com")
    response = invite(admin_client_, workspace, "twice@example.com")
    assert response.status_code == 400
    assert "pending invitation" in response.context["invite_form"].errors["email"][0]
    assert Invitation.objects.count() == 1


def test_invite_with_a_malformed_email_saves_nothing(admin_client_, workspace):
    response = invite(admin_client_, workspace, "not an email")
    assert response.status_code == 400
    assert response.context["invite_form"].errors["email"]
    assert not Invitation.objects.exists()


def test_only_the_owner_invites_admins(admin_client_, owner_client, workspace):
    assert invite(admin_client_, workspace, "boss@example.com", role="ADMIN").status_code == 403
    assert not Invitation.objects.exists()
    assert invite(owner_client, workspace, "boss@example.com", role="ADMIN").status_code == 302
    assert Invitation.objects.get().role == "ADMIN"


def test_removed_member_comes_back_through_a_new_invitation_with_the_same_membership(
    admin_client_, client, workspace, member
):
    removed = Membership.objects.get(user=member, workspace=workspace)
    Membership.objects.filter(pk=removed.pk).update(status="REMOVED", hourly_rate_cents=4100)
    invite(admin_client_, workspace, "member@example.com")
    client.force_login(member)
    client.post(link_in_last_mail())
    m = Membership.objects.get(workspace=workspace, user=member)
    assert (m.pk, m.status, m.role, m.hourly_rate_cents) == (removed.pk, "ACTIVE", "MEMBER", 4100)


def test_invitation_of_another_workspace_cannot_be_managed(
    owner_client, outsider_client, workspace, other_workspace
):
    invite(owner_client, workspace, "x@example.com")
    invitation = Invitation.objects.get()
    url = reverse(
        "workspaces:invitation_cancel", kwargs={"ws": other_workspace.id, "pk": invitation.pk}
    )
    assert outsider_client.post(url).status_code == 404
    assert Invitation.objects.get().status == "PENDING"


def test_bogus_token_is_not_found(client, db):
    assert (
        client.get(reverse("workspaces:invitation_accept", kwargs={"token": "abc"})).status_code
        == 404
    )


def test_accepting_twice_is_refused(admin_client_, workspace):
    invite(admin_client_, workspace, "dup@example.com")
    link = link_in_last_mail()
    UserFactory(email="dup@example.com")
    user = User.objects.get(email="dup@example.com")
    c = Client()
    c.force_login(user)
    assert c.post(link).status_code == 302
    assert c.post(link).status_code == 410
    assert Membership.objects.filter(workspace=workspace, user=user).count() == 1


def test_mail_failure_saves_no_invitation(admin_client_, workspace, monkeypatch):
    def broken_send_mail(**kwargs: object) -> int:
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr("workspaces.services.send_mail", broken_send_mail)
    response = invite(admin_client_, workspace, "later@example.com")
    assert response.status_code == 400
    assert "could not be sent" in response.context["invite_form"].errors["email"][0]
    assert not Invitation.objects.exists()
    assert not AuditLog.objects.exists()
