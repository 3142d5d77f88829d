"""The API documentation page in a real browser: Swagger UI loads from our own static files (no
request leaves the server), lists the endpoints, and "Try it out" works with the browser's
session, as the page promises a logged-in user."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser_session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_docs_page_renders_offline_and_tries_an_endpoint(live_server, page, owner):
    log_in(page, live_server, owner)
    own_host = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []
    failed: list[str] = []
    page.on(
        "request",
        lambda r: elsewhere.append(r.url) if urlsplit(r.url).netloc != own_host else None,
    )
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)

    page.goto(live_server.url + "/api/docs/")
    operation = page.locator(".opblock", has_text="/api/v1/user").first
    operation.wait_for()
    assert page.locator(".opblock", has_text="/time-entries/status/in-progress").count() == 1
    assert elsewhere == []
    assert failed == []

    operation.locator(".opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    body = page.locator(".live-responses-table .response-col_description pre").first
    body.wait_for()
    assert owner.email in body.inner_text()
    assert (
        page.locator(".live-responses-table tbody .response-col_status").first.inner_text() == "200"
    )
