"""Sign-up, log-in (with lockout), log-out, password reset and where users land."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tracker_url_exists():
    """These tests follow redirects to the tracker page, which the entries area provides."""
    reverse("tracking:tracker", kwargs={"ws": "0" * 24})


def test_signup_page_creates_account_and_workspace_and_logs_in(client):
    response = client.post(
        reverse("workspaces:signup"),
        {"full_name": "Nora Newcomer", "email": "Nora@Example.com", "password": "tidy-kettle-42"},
    )
    user = User.objects.get(email="nora@example.com")
    ws = Workspace.objects.get(memberships__user=user)
    assert ws.name == "Nora Newcomer's workspace"
    assert response.status_code == 302
    assert response.url == reverse("workspaces:home")
    home = client.get(response.url)
    assert home.url == reverse("dashboard:home", kwargs={"ws": ws.id})


def test_signup_page_shows_errors_next_to_fields_and_saves_nothing(client, owner):
    response = client.post(
        reverse("workspaces:signup"),
        {"full_name": "", "email": "owner@example.com", "password": "123"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "full_name" in form.errors
    assert User.objects.count() == 1
    response = client.post(
        reverse("workspaces:signup"),
        {"full_name": "Copy", "email": "OWNER@example.com", "password": "tidy-kettle-42"},
    )
    assert "already exists" in response.context["form"].errors["email"][0]
    response = client.post(
        reverse("workspaces:signup"),
        {"full_name": "Weak", "email": "weak@example.com", "password": "12345678"},
    )
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(email="weak@example.com").exists()


def test_login_by_email_any_case_and_logout_by_post(client, owner, password):
    response = client.post(
        reverse("workspaces:login"), {"username": "Owner@Example.com", "password": password}
    )
    assert response.status_code == 302
    assert client.get(reverse("workspaces:profile")).status_code == 200
    assert client.get(reverse("workspaces:logout")).status_code == 405
    response = client.post(reverse("workspaces:logout"))
    assert response.status_code == 302
    assert client.get(reverse("workspaces:profile")).status_code == 302


def test_wrong_password_shows_an_error(client, owner):
    response = client.post(
        reverse("workspaces:login"), {"username": "owner@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert "correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_login_even_with_the_right_password(client, owner, password):
    url = reverse("workspaces:login")
    for _ in range(5):
        client.post(url, {"username": "owner@example.com", "password": "wrong"})
    response = client.post(url, {"username": "owner@example.com", "password": password})
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_mails_a_link_that_sets_a_new_password(client, owner):
    response = client.post(reverse("workspaces:password_reset"), {"email": "owner@example.com"})
    assert response.url == reverse("workspaces:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@example.com"]
    found = re.search(r"https?://[^/\s]+(/\S+)", str(message.body))
    assert found is not None, message.body
    link = found.group(1)
    response = client.get(link)  # Django swaps the token for a session and redirects
    assert response.status_code == 302
    response = client.post(
        response.url, {"new_password1": "brand-new-secret-9", "new_password2": "brand-new-secret-9"}
    )
    assert response.url == reverse("workspaces:password_reset_complete")
    assert User.objects.get(pk=owner.pk).check_password("brand-new-secret-9")
    # The link works once.
    again = client.get(link, follow=True)
    assert again.context["validlink"] is False


def test_password_reset_lifts_the_lockout(client, owner, password):
    url = reverse("workspaces:login")
    for _ in range(5):
        client.post(url, {"username": "Owner@example.com", "password": "wrong"})
    assert (
        client.post(url, {"username": "owner@example.com", "password": password}).status_code == 429
    )
    client.post(reverse("workspaces:password_reset"), {"email": "owner@example.com"})
    found = re.search(r"https?://[^/\s]+(/\S+)", str(mail.outbox[-1].body))
    assert found is not None
    response = client.get(found.group(1))
    client.post(
        response.url, {"new_password1": "fresh-start-77", "new_password2": "fresh-start-77"}
    )
    response = client.post(url, {"username": "owner@example.com", "password": "fresh-start-77"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == owner.pk


def test_password_reset_for_an_unknown_address_sends_nothing_but_looks_the_same(client):
    response = client.post(reverse("workspaces:password_reset"), {"email": "ghost@example.com"})
    assert response.url == reverse("workspaces:password_reset_done")
    assert mail.outbox == []


def test_user_without_an_active_workspace_lands_on_workspace_create(client, workspace, member):
    Membership.objects.filter(user=member).update(status=Membership.Status.INACTIVE)
    client.force_login(member)
    response = client.get(reverse("workspaces:home"))
    assert response.url == reverse("workspaces:workspace_create")
    page = client.get(response.url)
    assert "not an active member of any workspace" in page.content.decode()


def test_deactivated_member_cannot_use_the_workspace(client, workspace, member):
    Membership.objects.filter(user=member).update(status=Membership.Status.INACTIVE)
    client.force_login(member)
    assert client.get(reverse("tracking:tracker", kwargs={"ws": workspace.id})).status_code == 404


def test_create_another_workspace_and_switch(owner_client, owner, workspace):
    response = owner_client.post(
        reverse("workspaces:workspace_create"),
        {"name": "Second shop", "currency": "EUR", "time_zone": "Europe/Paris"},
    )
    ws = Workspace.objects.get(name="Second shop")
    assert response.url == reverse("tracking:tracker", kwargs={"ws": ws.id})
    assert Membership.objects.get(workspace=ws, user=owner).role == "OWNER"
    # Settings of the new workspace list both in the switcher.
    page = owner_client.get(reverse("workspaces:settings", kwargs={"ws": ws.id}))
    html = page.content.decode()
    assert reverse("tracking:tracker", kwargs={"ws": workspace.id}) in html
    # Visiting the first one makes it the active workspace again.
    owner_client.get(reverse("workspaces:settings", kwargs={"ws": workspace.id}))
    owner.refresh_from_db()
    assert owner.active_workspace_id == workspace.id
    assert owner_client.get(reverse("workspaces:home")).url == reverse(
        "dashboard:home", kwargs={"ws": workspace.id}
    )


def test_workspace_create_rejects_bad_currency(owner_client):
    response = owner_client.post(
        reverse("workspaces:workspace_create"),
        {"name": "Bad money", "currency": "ABC", "time_zone": "UTC"},
    )
    assert response.status_code == 200
    assert "ISO 4217" in response.context["form"].errors["currency"][0]
    assert not Workspace.objects.filter(name="Bad money").exists()


@pytest.mark.parametrize("page", ["login", "signup", "password_reset"])
def test_logged_out_pages_carry_the_product_header(client, page):
    html = client.get(reverse(f"workspaces:{page}")).content.decode()
    header = html.split('<header class="topbar">', 1)[1].split("</header>", 1)[0]
    assert "Timetracker" in header
    assert f'href="{reverse("workspaces:login")}"' in header
    assert f'href="{reverse("workspaces:signup")}"' in header
