"""API keys: create (the key is shown once), list, revoke, and find the key of a request.

Kept apart from `services.py` so the REST API's keys can evolve on their own. Only the key's
SHA-256 is stored; `last_used_at` is written at most once a minute per key so a busy script
does not turn every read into a write.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.models import ApiKey
from workspaces.models import User
from workspaces.validation import name_clean

KEY_PREFIX_LENGTH = 8
MAX_ACTIVE_KEYS_PER_USER = 20
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedApiKey:
    api_key: ApiKey
    key: str  # the plain key: shown once, never stored


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_create(*, user: User, name: str) -> CreatedApiKey:
    name = name_clean(
        name,
        field="name",
        label="key's name",
        missing="Name the key after the script or tool that will use it.",
    )
    if not user.is_active:
        raise ApplicationError("This account is deactivated.")
    if ApiKey.objects.filter(user=user, revoked_at=None).count() >= MAX_ACTIVE_KEYS_PER_USER:
        raise ApplicationError(
            f"You already have {MAX_ACTIVE_KEYS_PER_USER} active keys: "
            "revoke one you no longer use."
        )
    key = secrets.token_urlsafe(36)  # 288 random bits, 48 URL-safe characters
    api_key = ApiKey.objects.create(
        user=user, name=name, prefix=key[:KEY_PREFIX_LENGTH], key_hash=api_key_hash(key)
    )
    return CreatedApiKey(api_key=api_key, key=key)


def api_key_list(*, user: User) -> QuerySet[ApiKey]:
    """The user's keys, active ones first, newest first."""
    return ApiKey.objects.filter(user=user).order_by("-revoked_at", "-created_at")


def api_key_revoke(*, user: User, api_key_id: str) -> ApiKey:
    """Revoke one of the user's own keys (another user's key does not exist for them)."""
    api_key = ApiKey.objects.filter(user=user, pk=api_key_id).first()
    if api_key is None:
        raise NotFound("API key not found.")
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_authenticate(*, key: str) -> ApiKey | None:
    """The active key with this value and its active user, or None. Marks it used."""
    if not key or len(key) > 200:
        return None
    api_key = (
        ApiKey.objects.select_related("user")
        .filter(key_hash=api_key_hash(key), revoked_at=None, user__is_active=True)
        .first()
    )
    if api_key is None:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
