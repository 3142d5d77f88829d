"""How many SQL queries a page makes, for the tests that a page's queries stay flat however
many rows it shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_of(client: Any, path: str) -> int:
    """How many queries a GET of `path` makes; the page must answer 200."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def assert_queries_flat(client: Any, path: str, add_rows: Callable[[], object]) -> int:
    """`path` makes as many queries after `add_rows()` as before; that count is returned.
    A first visit comes before the counting: it also records the active workspace."""
    client.get(path)
    few = queries_of(client, path)
    add_rows()
    assert queries_of(client, path) == few
    return few
