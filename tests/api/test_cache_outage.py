"""The REST API with its cache (Redis) gone: it keeps answering, counts per process meanwhile,
says so in the log, and counts in Redis again by itself once Redis is back. The Redis is the
test's own (tests/redis_process.py), stopped and started inside the test."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.api.conftest import api_key_for
from tests.redis_process import PrivateRedis

pytestmark = pytest.mark.django_db


def test_api_answers_with_the_cache_down_and_recovers_by_itself(
    owner, workspace, settings, tmp_path, caplog
):
    with PrivateRedis(tmp_path) as redis_server:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_server.url(0),
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
        settings.API_THROTTLE_RATE_PER_SECOND = 3
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=api_key_for(owner))
        second = dt.datetime(2026, 11, 2, 9, 0, 0, tzinfo=dt.UTC)

        with time_machine.travel(second, tick=False):
            assert client.get("/api/v1/user").status_code == 200
            assert cache.get_many([]) == {}  # the cache is the private Redis, and up

        redis_server.stop()
        caplog.set_level(logging.WARNING, logger="workspaces.rest.throttling")
        with time_machine.travel(second + dt.timedelta(seconds=1), tick=False):
            user = client.get("/api/v1/user")
            assert user.status_code == 200, user.content
            assert user.json()["email"] == owner.email
            tags = client.get(f"/api/v1/workspaces/{workspace.pk}/tags")
            assert tags.status_code == 200
            # Still limited, per process: the third request of the second is the last.
            statuses = [client.get("/api/v1/user").status_code for _ in range(2)]
            assert statuses == [200, 429]
        warnings = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
        assert len(warnings) == 1  # once, not per request

        redis_server.start()  # the same port, empty
        with time_machine.travel(second + dt.timedelta(seconds=2), tick=False):
            statuses = [client.get("/api/v1/user").status_code for _ in range(4)]
            assert statuses == [200, 200, 200, 429]
            keys = [k for k in cache._cache.get_client().keys("*") if b"api-throttle" in k]
            assert keys, "counting in Redis again"
