"""API fixtures: a personal API key and a key-authenticated APIClient for each of the cast.

Throttling is off in API tests by default (a test suite easily makes 50 requests a second with
one key); the throttling tests turn it on with `settings.API_THROTTLE_RATE_PER_SECOND`.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from workspaces.services_api_keys import api_key_create


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    settings.API_THROTTLE_RATE_PER_SECOND = 0


def api_key_for(user, name: str = "Test script") -> str:
    return api_key_create(user=user, name=name).key


def api_client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=api_key_for(user))
    return client


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


@pytest.fixture
def owner_api(owner) -> APIClient:
    return api_client_for(owner)


@pytest.fixture
def admin_api(admin) -> APIClient:
    return api_client_for(admin)


@pytest.fixture
def member_api(member) -> APIClient:
    return api_client_for(member)


@pytest.fixture
def outsider_api(outsider) -> APIClient:
    return api_client_for(outsider)
