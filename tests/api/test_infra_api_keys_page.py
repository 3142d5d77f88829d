"""The API keys page: create (shown once), list with last use, revoke; only one's own keys."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import api_key_for
from workspaces.models import ApiKey

pytestmark = pytest.mark.django_db

PAGE = "/profile/api-keys/"


def test_profile_links_to_the_page(owner_client):
    assert PAGE in owner_client.get("/profile/").content.decode()


def form_nonce(web_client) -> str:
    """The one-time nonce of the create form, as a browser gets it by opening the page."""
    match = re.search(r'name="nonce" value="([^"]+)"', web_client.get(PAGE).content.decode())
    assert match
    return match.group(1)


def create(web_client, name: str, nonce: str | None = None):
    nonce = form_nonce(web_client) if nonce is None else nonce
    return web_client.post(PAGE, {"name": name, "nonce": nonce})


def test_create_shows_the_key_once_and_it_works(owner_client, owner):
    response = create(owner_client, "Export script")
    assert response.status_code == 201
    html = response.content.decode()
    match = re.search(r'value="([^"]+)" aria-label="New API key"', html)
    assert match
    plain = match.group(1)
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=plain)
    assert client.get("/api/v1/user").json()["id"] == owner.pk
    # Listed by name and prefix afterwards; the key itself is never shown again.
    page = owner_client.get(PAGE).content.decode()
    assert "Export script" in page
    assert plain[:8] in page
    assert plain not in page
    assert "Never" not in page  # its last use is shown


def test_create_without_a_name_is_refused(owner_client):
    response = create(owner_client, "  ")
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_resubmitting_the_form_creates_no_second_key(owner_client, owner):
    nonce = form_nonce(owner_client)
    first = owner_client.post(PAGE, {"name": "Export script", "nonce": nonce})
    assert first.status_code == 201
    # The browser's reload of the 201 page sends the same form again.
    again = owner_client.post(PAGE, {"name": "Export script", "nonce": nonce})
    assert again.status_code == 409
    html = again.content.decode()
    assert "already submitted" in html
    assert "New API key" not in html
    assert ApiKey.objects.filter(user=owner).count() == 1
    # The page it answers with carries a fresh form that works.
    fresh = re.search(r'name="nonce" value="([^"]+)"', html)
    assert fresh and fresh.group(1) != nonce
    assert create(owner_client, "Second script", fresh.group(1)).status_code == 201
    assert ApiKey.objects.filter(user=owner).count() == 2


def test_a_form_without_a_nonce_this_session_was_given_creates_nothing(owner_client, member_client):
    assert owner_client.post(PAGE, {"name": "Forged"}).status_code == 409
    # Another user's nonce is not this session's.
    assert create(owner_client, "Borrowed", form_nonce(member_client)).status_code == 409
    assert not ApiKey.objects.exists()


def test_a_refused_name_keeps_the_form_usable(owner_client, owner):
    nonce = form_nonce(owner_client)
    assert owner_client.post(PAGE, {"name": " ", "nonce": nonce}).status_code == 400
    assert owner_client.post(PAGE, {"name": "Fixed", "nonce": nonce}).status_code == 201
    assert ApiKey.objects.filter(user=owner, name="Fixed").count() == 1


def test_two_open_tabs_each_create_one_key(owner_client, owner):
    tab_one, tab_two = form_nonce(owner_client), form_nonce(owner_client)
    assert owner_client.post(PAGE, {"name": "One", "nonce": tab_one}).status_code == 201
    assert owner_client.post(PAGE, {"name": "Two", "nonce": tab_two}).status_code == 201
    assert ApiKey.objects.filter(user=owner).count() == 2


def test_revoke(owner_client, owner):
    plain = api_key_for(owner, "Old tool")
    key = ApiKey.objects.get(user=owner)
    response = owner_client.post(f"{PAGE}{key.pk}/revoke/", follow=True)
    assert response.status_code == 200
    assert "was revoked" in response.content.decode()
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=plain)
    assert client.get("/api/v1/user").status_code == 401


def test_someone_elses_key_is_404_and_not_listed(member_client, owner):
    api_key_for(owner, "Owner's secret tool")
    key = ApiKey.objects.get(user=owner)
    assert "Owner's secret tool" not in member_client.get(PAGE).content.decode()
    assert member_client.post(f"{PAGE}{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_page_needs_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
