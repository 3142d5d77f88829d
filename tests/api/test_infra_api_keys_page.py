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


def test_create_shows_the_key_once_and_it_works(owner_client, owner):
    response = owner_client.post(PAGE, {"name": "Export script"})
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
    response = owner_client.post(PAGE, {"name": "  "})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


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
