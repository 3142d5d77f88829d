"""Per-key throttling like Clockify's: about 50 requests a second per API key.

A fixed one-second window counted in the Django cache (Redis in production and tests, so every
gunicorn worker shares the count): `add` then atomic `incr` per window. Past the limit the
request is a 429 with `Retry-After` (whole seconds, at least 1). Session callers are counted per
user, anonymous ones per client address. The rate is `API_THROTTLE_RATE_PER_SECOND`; 0 turns
throttling off.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from workspaces.models import ApiKey

DEFAULT_RATE_PER_SECOND = 50


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
        key = f"api-throttle:{self._ident(request)}:{window}"
        cache.add(key, 0, timeout=5)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: a fresh window
            cache.add(key, 1, timeout=5)
            count = 1
        return bool(count <= rate)

    def wait(self) -> float:
        return max(0.0, self.window_end - time.time())
