"""Secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with key rotation.

`FIELD_ENCRYPTION_KEY` holds one or more Fernet keys, comma-separated, newest first: the first
encrypts, all of them decrypt (MultiFernet). To rotate, put a new key first, deploy, run
`manage.py rotate_field_encryption` (re-encrypts every stored secret with the new key), then drop
the old key. In development (no key set) a key is derived from SECRET_KEY so `make run` works.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from cryptography.fernet import MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class DecryptionFailed(Exception):
    """A stored secret could not be decrypted with any configured key."""


def _keys(setting: str, secret_key: str) -> list[bytes]:
    if not setting.strip():
        derived = hashlib.sha256(("field-encryption:" + secret_key).encode()).digest()
        return [base64.urlsafe_b64encode(derived)]
    return [k.strip().encode() for k in setting.split(",") if k.strip()]


@lru_cache(maxsize=4)
def _fernet(setting: str, secret_key: str) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in _keys(setting, secret_key)])
    except ValueError as exc:  # a key that is not 32 url-safe base64-encoded bytes
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY holds a key that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY, settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionFailed("no configured FIELD_ENCRYPTION_KEY decrypts this value") from exc


class EncryptedTextField(models.TextField):  # type: ignore[type-arg, unused-ignore]
    """A text column whose value is stored Fernet-encrypted; "" stays "" (no secret)."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value in (None, ""):
            return value
        return decrypt(value)
