"""24-character lowercase hexadecimal ids, shaped like MongoDB ObjectIds.

Clockify's API returns such ids and some of its clients reject any other form, so every entity
the product exposes uses one as its primary key: 4 bytes of creation time then 8 random bytes,
which keeps them unique, unguessable and roughly ordered by creation.
"""

from __future__ import annotations

import re
import secrets
import time

from django.db import models

OBJECT_ID_RE = re.compile(r"^[0-9a-f]{24}$")


def new_object_id() -> str:
    return f"{int(time.time()) & 0xFFFFFFFF:08x}{secrets.token_hex(8)}"


def is_object_id(value: object) -> bool:
    return isinstance(value, str) and bool(OBJECT_ID_RE.match(value))


class ObjectIdField(models.CharField):  # type: ignore[type-arg, unused-ignore]
    """A CharField primary key holding a new_object_id()."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("primary_key", True)
        kwargs.setdefault("default", new_object_id)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def deconstruct(self):  # type: ignore[no-untyped-def, unused-ignore]
        name, path, args, kwargs = super().deconstruct()
        for key in ("max_length", "primary_key", "default", "editable"):
            kwargs.pop(key, None)
        return name, path, args, kwargs
