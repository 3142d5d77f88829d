"""The emulator's pages in a real browser (headless Chromium): the consent page a person uses
to connect the product, and the company page a demo audience watches."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from tests.sandbox_process import SandboxProcess
from tests.sandbox_process import free_port

pytestmark = pytest.mark.sandbox


class _Callback(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<p>callback</p>")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def callback() -> Iterator[str]:
    """The app's redirect URI: a tiny server, so the browser lands somewhere real (a route
    handler would not see a navigation that comes from a redirect)."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Callback)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/quickbooks/callback"
    server.shutdown()


def consent_url(callback: str, state: str) -> str:
    return (
        "/connect/oauth2?client_id=sandbox-client-id&response_type=code"
        f"&scope=com.intuit.quickbooks.accounting&redirect_uri={callback}&state={state}"
    )


def callback_params(page: Page, callback: str) -> dict[str, str]:
    assert page.url.startswith(callback), page.url
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def test_the_consent_page_works_from_the_keyboard_alone(
    sandbox: SandboxProcess, page: Page, callback: str
) -> None:
    first = sandbox.create_company(name=f"First {uuid.uuid4().hex[:6]}")
    second = sandbox.create_company(name=f"Second {uuid.uuid4().hex[:6]}")
    page.goto(sandbox.base_url + consent_url(callback, "kb-state"))

    company = page.get_by_label("Company")  # the select has a real label
    assert company.evaluate("e => e.tagName") == "SELECT"
    company.focus()
    company.select_option(second)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Connect"
    page.keyboard.press("Enter")
    page.wait_for_url(callback + "*")
    params = callback_params(page, callback)
    assert params["realmId"] == second != first
    assert params["state"] == "kb-state" and params["code"]


def test_cancel_from_the_keyboard_denies_access(
    sandbox: SandboxProcess, page: Page, callback: str
) -> None:
    sandbox.create_company(name=f"Cancel Co {uuid.uuid4().hex[:6]}")
    page.goto(sandbox.base_url + consent_url(callback, "no-thanks"))
    page.get_by_label("Company").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Cancel"
    page.keyboard.press("Enter")
    page.wait_for_url(callback + "*")
    assert callback_params(page, callback) == {"error": "access_denied", "state": "no-thanks"}


@pytest.mark.parametrize("width", [375, 1280])
def test_pages_fit_a_phone_and_a_desktop(
    sandbox: SandboxProcess, page: Page, callback: str, width: int
) -> None:
    realm = sandbox.create_company(name="A company with a rather long name, for the narrow screen")
    employee = sandbox.control(
        "POST", f"/companies/{realm}/entities/Employee", {"DisplayName": "Wide Table Person"}
    )
    activity: dict[str, Any] = {
        "NameOf": "Employee",
        "EmployeeRef": {"value": employee["Id"]},
        "TxnDate": "2026-11-02",
        "Hours": 2,
        "Minutes": 15,
        "Description": "A description long enough to make the table wider than a phone",
    }
    sandbox.control("POST", f"/companies/{realm}/entities/TimeActivity", activity)
    page.set_viewport_size({"width": width, "height": 800})
    for path in (consent_url(callback, "w"), f"/companies/{realm}", "/"):
        page.goto(sandbox.base_url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    page.goto(f"{sandbox.base_url}/companies/{realm}")
    row = page.get_by_role("row", name=re.compile("2026-11-02"))
    assert "2:15" in row.inner_text() and "2026-11-02" in row.inner_text()
