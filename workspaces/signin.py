"""Sign-in protection beyond django-axes' per-account lockout.

- The client's address (`client_ip`): REMOTE_ADDR, unless `TRUSTED_PROXY_COUNT` reverse proxies
  stand in front, each appending the address it saw to X-Forwarded-For; then the address the
  outermost of them saw. Addresses a client writes into the header itself sit to the left of
  those and are never read, so nobody can pose as another address (and lock its sign-ins). Axes
  reads it through `AXES_CLIENT_IP_CALLABLE`, and so does everything here: one definition.
- Axes locks an e-mail and address pair after `AXES_FAILURE_LIMIT` failures. Trying many
  accounts from one address ("spraying") never trips that, so failed sign-ins are also counted
  per address, across accounts, in the cache (Redis in production): past
  `LOGIN_IP_FAILURE_LIMIT` in the axes cool-off window, every sign-in from that address is
  refused (`IpLoginThrottleBackend`, first of the authentication backends, so the admin's
  log-in is covered too; the log-in page says so with a 429). Axes has one limit for all its
  lockout parameters, and a per-address limit must be far higher than a per-account one (an
  office behind one NAT address), hence this counter of its own.
- Password-reset e-mails: at most `PASSWORD_RESET_LIMIT_PER_ADDRESS` an hour to one e-mail
  address (more are silently not sent, so the page tells nothing about who has an account)
  and `PASSWORD_RESET_LIMIT_PER_IP` requests an hour from one client address (more get a 429).
- A cache that cannot be reached never blocks a sign-in or a reset: the counters fail open
  with a logged warning.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RESET_WINDOW_SECONDS = 3600
KEY_PREFIX = "signin"  # the tests give each test its own, as the counters outlive a test


def client_ip(request: HttpRequest) -> str:
    """The client's address as the outermost trusted proxy saw it (see the module's doc)."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
        if part.strip()
    ]
    # The nearest proxy is REMOTE_ADDR; the other proxies' own addresses are the last
    # `proxies - 1` entries; the entry before them is the client as the outermost proxy saw it.
    if len(forwarded) < proxies:
        return remote  # not through every proxy: only the direct peer is known
    return forwarded[-proxies]


def _window_seconds() -> int:
    return max(1, int(float(settings.AXES_COOLOFF_TIME) * 3600))


def _key(kind: str, value: str) -> str:
    return f"{KEY_PREFIX}:{kind}:" + hashlib.sha256(value.encode()).hexdigest()[:32]


def _count(key: str, timeout: int) -> int | None:
    """Add one to a fixed-window counter; None when the cache cannot be reached."""
    try:
        if cache.add(key, 1, timeout=timeout):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr: a fresh window
            cache.add(key, 1, timeout=timeout)
            return 1
    except (RedisError, OSError) as exc:
        logger.warning("Sign-in throttling skipped: the cache is unreachable (%s)", exc)
        return None


def _read(key: str) -> int:
    try:
        return int(cache.get(key) or 0)
    except (RedisError, OSError) as exc:
        logger.warning("Sign-in throttling skipped: the cache is unreachable (%s)", exc)
        return 0


# --- Failed sign-ins per address -------------------------------------------------------------


def login_ip_blocked(request: HttpRequest) -> bool:
    limit = int(settings.LOGIN_IP_FAILURE_LIMIT)
    return limit > 0 and _read(_key("login-ip", client_ip(request))) >= limit


@receiver(user_login_failed)
def _count_failed_login(
    sender: Any, credentials: Any, request: HttpRequest | None = None, **kw: Any
) -> None:
    if request is not None and int(settings.LOGIN_IP_FAILURE_LIMIT) > 0:
        _count(_key("login-ip", client_ip(request)), _window_seconds())


class IpLoginThrottleBackend:
    """Refuses every sign-in from an address past its failures (before axes and the password
    check run): Django's `authenticate` stops at PermissionDenied. No `get_user`: it never
    signs anyone in, so sessions (and `force_login`) never name it."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if request is not None and login_ip_blocked(request):
            raise PermissionDenied("Too many failed sign-ins from this address.")
        return None


# --- Password-reset e-mails ------------------------------------------------------------------


def password_reset_ip_allowed(request: HttpRequest) -> bool:
    """Count a reset request from this address; False past the hourly limit."""
    limit = int(settings.PASSWORD_RESET_LIMIT_PER_IP)
    if limit <= 0:
        return True
    count = _count(_key("reset-ip", client_ip(request)), RESET_WINDOW_SECONDS)
    return count is None or count <= limit


def password_reset_address_allowed(email: str) -> bool:
    """Count a reset e-mail to this address (known or not); False past the hourly limit."""
    limit = int(settings.PASSWORD_RESET_LIMIT_PER_ADDRESS)
    if limit <= 0:
        return True
    count = _count(_key("reset-address", email.strip().lower()), RESET_WINDOW_SECONDS)
    return count is None or count <= limit
