"""Query-string parameters of list endpoints, checked so bad values are a clear 400."""

from __future__ import annotations

from rest_framework.request import Request

from workspaces.errors import ApplicationError

MAX_TEXT_PARAM = 200


def text_param(request: Request, name: str, *, max_length: int = MAX_TEXT_PARAM) -> str:
    """A free-text filter, trimmed; "" when absent. NUL characters (which PostgreSQL cannot
    compare) and overly long values are refused."""
    value = (request.query_params.get(name) or "").strip()
    if "\x00" in value:
        raise ApplicationError(f"{name} cannot contain NUL characters.", field=name)
    if len(value) > max_length:
        raise ApplicationError(f"{name} can be at most {max_length} characters.", field=name)
    return value


def bool_param(request: Request, name: str) -> bool | None:
    """true/false (any case); None when absent or empty; anything else is a 400."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise ApplicationError(f"{name} must be true or false.", field=name)
