"""The one rule for a name and the one rule for an hourly rate, for every service that stores
one (workspaces, people, clients, projects, tasks, tags, API keys; a workspace's, a member's, a
project's, a project member's and a task's rate).

A name is one line: the whitespace around it goes, and each run of whitespace inside it (spaces,
tabs, line breaks) becomes one space; it is refused when nothing is left, when it is longer than
100 characters, and when it holds another control character (workspaces.text).

An hourly rate is whole cents, not negative, at most 1,000,000.00 an hour (a typo guard, not a
business limit; the same bound as the forms' and the API's rate fields). None means "not set":
the rate falls through to the next one in the hierarchy.
"""

from __future__ import annotations

from workspaces.errors import ApplicationError
from workspaces.text import text_refuse_controls

NAME_MAX_LENGTH = 100
MAX_HOURLY_RATE_CENTS = 100_000_000  # 1,000,000.00 an hour


def name_clean(
    name: str | None, *, field: str, label: str, missing: str, max_length: int = NAME_MAX_LENGTH
) -> str:
    """`name` as it is stored, or an ApplicationError on `field`: `missing` when it is empty,
    and naming it `label` when it holds a control character."""
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError(missing, field=field)
    if len(name) > max_length:
        raise ApplicationError(
            f"The name can be at most {max_length} characters (it has {len(name)}).", field=field
        )
    return text_refuse_controls(name, field=field, label=label)


def hourly_rate_clean(cents: int | None, *, field: str = "hourly_rate") -> int | None:
    """`cents` if it is a rate that can be stored (None: not set), else an ApplicationError."""
    if cents is None:
        return None
    if cents < 0:
        raise ApplicationError("The hourly rate cannot be negative.", field=field)
    if cents > MAX_HOURLY_RATE_CENTS:
        raise ApplicationError("The hourly rate can be at most 1,000,000.00.", field=field)
    return cents
