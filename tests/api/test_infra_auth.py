"""Authentication of the REST API: X-Api-Key, sessions with CSRF, revoked keys, the error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.conftest import api_key_for
from workspaces.models import ApiKey
from workspaces.services_api_keys import api_key_revoke

pytestmark = pytest.mark.django_db


def test_api_key_authenticates_as_its_user(owner):
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=api_key_for(owner))
    response = client.get("/api/v1/user")
    assert response.status_code == 200
    assert response.json()["email"] == "owner@example.com"


def test_no_key_is_401_with_error_shape(anon_api):
    response = anon_api.get("/api/v1/user")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == 401
    assert "X-Api-Key" in body["message"]
    assert response["WWW-Authenticate"] == "X-Api-Key"


def test_wrong_key_is_401(anon_api, owner):
    api_key_for(owner)
    anon_api.credentials(HTTP_X_API_KEY="not-a-real-key")
    response = anon_api.get("/api/v1/user")
    assert response.status_code == 401
    assert response.json() == {"message": "The API key is not valid or was revoked.", "code": 401}


def test_revoked_key_stops_working(owner):
    key = api_key_for(owner)
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    assert client.get("/api/v1/user").status_code == 200
    api_key_revoke(user=owner, api_key_id=ApiKey.objects.get(user=owner).pk)
    assert client.get("/api/v1/user").status_code == 401


def test_key_of_deactivated_account_is_401(owner):
    key = api_key_for(owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    assert client.get("/api/v1/user").status_code == 401


def test_a_bad_key_is_not_rescued_by_a_session(owner):
    client = APIClient()
    client.force_login(owner)
    client.credentials(HTTP_X_API_KEY="wrong")
    assert client.get("/api/v1/user").status_code == 401


def test_key_is_stored_hashed_and_last_use_recorded(owner):
    key = api_key_for(owner)
    stored = ApiKey.objects.get(user=owner)
    assert key not in (stored.key_hash, stored.prefix)
    assert stored.prefix == key[:8]
    assert stored.last_used_at is None
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    client.get("/api/v1/user")
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    assert timezone.now() - stored.last_used_at < timedelta(seconds=30)


def test_session_works_for_reads_and_needs_csrf_for_writes(owner, workspace):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.get("/api/v1/user").status_code == 200
    response = client.post(
        f"/api/v1/workspaces/{workspace.pk}/tags", {"name": "Urgent"}, format="json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    # With the token a page of the product gives the browser, the same write goes through.
    client.get("/profile/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/api/v1/workspaces/{workspace.pk}/tags",
        {"name": "Urgent"},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201, response.json()


def test_management_command_prints_a_working_key(owner, capsys):
    call_command("api_key", "create", "--email", "OWNER@example.com")
    key = capsys.readouterr().out.strip()
    assert len(key) >= 40
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    assert client.get("/api/v1/user").json()["id"] == owner.pk


def test_management_command_refuses_unknown_email(db):
    with pytest.raises(CommandError, match="No user"):
        call_command("api_key", "create", "--email", "nobody@example.com")
    assert not ApiKey.objects.exists()


def test_active_keys_are_limited_per_user(owner):
    from workspaces.errors import ApplicationError
    from workspaces.services_api_keys import MAX_ACTIVE_KEYS_PER_USER
    from workspaces.services_api_keys import api_key_create

    for i in range(MAX_ACTIVE_KEYS_PER_USER):
        api_key_create(user=owner, name=f"Key {i}")
    with pytest.raises(ApplicationError, match="revoke one"):
        api_key_create(user=owner, name="One too many")
    assert ApiKey.objects.filter(user=owner).count() == MAX_ACTIVE_KEYS_PER_USER
    # Revoking one makes room again.
    api_key_revoke(user=owner, api_key_id=ApiKey.objects.filter(user=owner).first().pk)
    api_key_create(user=owner, name="Replacement")
