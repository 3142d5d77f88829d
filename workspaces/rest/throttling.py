"""Per-key throttling like Clockify's: about 50 requests a second per API key.

A fixed one-second window counted in the Django cache (Redis in production and tests, so every
gunicorn worker shares the count): `add` then atomic `incr` per window. Past the limit the
request is a 429 with `Retry-After` (whole seconds, at least 1). Session callers are counted per
user, anonymous ones per client address. The rate is `API_THROTTLE_RATE_PER_SECOND`; 0 turns
throttling off.

When the cache cannot be reached (Redis down or unreachable) the API keeps answering: each
process counts in its own memory with the same limit (so N gunicorn workers let through up to N
times the rate) and logs a warning at most once a minute; the next request after Redis returns
counts in Redis again.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from workspaces.models import ApiKey

logger = logging.getLogger(__name__)

DEFAULT_RATE_PER_SECOND = 50
WARN_EVERY_SECONDS = 60.0
CACHE_ERRORS = (redis.RedisError, OSError)


class _LocalWindows:
    """The fallback while the shared cache is away: per-process counts of the current second."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._window = -1
        self._counts: dict[str, int] = {}
        self._warned_at = float("-inf")

    def incr(self, ident: str, window: int) -> int:
        with self._lock:
            if window != self._window:
                self._window, self._counts = window, {}
            self._counts[ident] = self._counts.get(ident, 0) + 1
            return self._counts[ident]

    def warn(self, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._warned_at < WARN_EVERY_SECONDS:
                return
            self._warned_at = now
        logger.warning(
            "API throttling: the cache (REDIS_URL) cannot be reached (%s); counting per process "
            "until it is back.",
            error,
        )


_local = _LocalWindows()


def _rate() -> int:
    return int(getattr(settings, "API_THROTTLE_RATE_PER_SECOND", DEFAULT_RATE_PER_SECOND))


class PerKeyRateThrottle(BaseThrottle):
    window_end: float = 0.0

    def _ident(self, request: Request) -> str:
        if isinstance(request.auth, ApiKey):
            return f"key:{request.auth.pk}"
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return f"ip:{self.get_ident(request)}"

    def allow_request(self, request: Request, view: Any) -> bool:
        rate = _rate()
        if rate <= 0:
            return True
        now = time.time()
        window = int(now)
        self.window_end = window + 1
        ident = self._ident(request)
        try:
            count = self._shared_count(f"api-throttle:{ident}:{window}")
        except CACHE_ERRORS as exc:
            _local.warn(exc)
            count = _local.incr(ident, window)
        return bool(count <= rate)

    @staticmethod
    def _shared_count(key: str) -> int:
        cache.add(key, 0, timeout=5)
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr: a fresh window
            cache.add(key, 1, timeout=5)
            return 1

    def wait(self) -> float:
        return max(0.0, self.window_end - time.time())
