"""Every named API route follows one style (`api-<resource>[-<part>]`), so reverse() callers
never have to guess between `api-users` and `api_time_entry`."""

from __future__ import annotations

import re

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import reverse

from timetracker.api_urls import urlpatterns

NAME_STYLE = re.compile(r"^api(-[a-z]+)+$")


def _names(patterns: list[URLPattern | URLResolver]) -> list[str]:
    return [p.name for p in patterns if isinstance(p, URLPattern) and p.name]


def test_every_api_route_name_is_lowercase_hyphenated():
    names = _names(urlpatterns)
    assert len(names) >= 19
    assert [n for n in names if not NAME_STYLE.match(n)] == []
    assert len(set(names)) == len(names)


def test_time_entry_routes_reverse_by_their_names():
    ws, entry, user = "a" * 24, "b" * 24, "c" * 24
    assert reverse("api-time-entries", kwargs={"ws": ws}) == f"/api/v1/workspaces/{ws}/time-entries"
    assert reverse("api-time-entry", kwargs={"ws": ws, "entry_id": entry}).endswith(entry)
    assert reverse("api-user-time-entries", kwargs={"ws": ws, "user_id": user}).endswith(
        f"/user/{user}/time-entries"
    )
    assert reverse("api-time-entries-in-progress", kwargs={"ws": ws}).endswith(
        "/time-entries/status/in-progress"
    )
