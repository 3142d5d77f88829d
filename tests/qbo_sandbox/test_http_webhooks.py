"""The emulator's outgoing webhooks, from a real emulator process to a real HTTP receiver:
Intuit's payloads (CloudEvents and the legacy format), the `intuit-signature` HMAC, only for
companies connected to the app, and retries of a failed delivery."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.qbo_sandbox.conftest import connect
from tests.sandbox_process import SandboxProcess

TOKEN = "verifier-token-for-tests"


class Receiver:
    """A local endpoint that records every POST (headers and raw body) and answers `status`."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count: int, timeout: float = 15.0) -> list[tuple[dict[str, str], bytes]]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.requests) >= count, self.requests
        return self.requests


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def hooked(tmp_path: Path) -> Iterator[SandboxProcess]:
    settings = {"webhook_delay": 0.2, "webhook_retry_seconds": 0.2, "rate_per_second": 1000}
    with SandboxProcess(tmp_path / "qbo.sqlite3", settings=settings) as process:
        yield process


def _signature(body: bytes) -> str:
    return base64.b64encode(hmac.new(TOKEN.encode(), body, hashlib.sha256).digest()).decode()


def _seed(sandbox: SandboxProcess, realm: str, entity: str, **fields: Any) -> dict[str, Any]:
    created: dict[str, Any] = sandbox.control(
        "POST", f"/companies/{realm}/entities/{entity}", fields, expect=201
    )
    return created


def _connected_and_hooked(sandbox: SandboxProcess, url: str, **webhook: Any) -> str:
    """A new company connected to the built-in app, whose webhook goes to `url`."""
    realm = sandbox.create_company(name="Hooked")
    connect(sandbox, realm)
    sandbox.control("PUT", "/webhooks", {"url": url, "verifier_token": TOKEN, **webhook})
    return realm


def test_a_rename_is_posted_as_a_signed_cloudevent(
    hooked: SandboxProcess, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    realm = hooked.create_company(name="Hooked Co")
    ann = _seed(hooked, realm, "Employee", DisplayName="Ann Lee")  # before any connection
    config = hooked.control(
        "PUT", "/webhooks", {"url": receiver.url, "verifier_token": TOKEN, "entities": ["Employee"]}
    )
    assert config["format"] == "cloudevents"
    time.sleep(0.5)
    assert receiver.requests == []  # not connected to the app: Intuit sends nothing

    connect(hooked, realm)
    hooked.control("PATCH", f"/companies/{realm}/entities/Employee/{ann['Id']}", {"GivenName": "A"})
    hooked.control(
        "PATCH", f"/companies/{realm}/entities/Employee/{ann['Id']}", {"DisplayName": "Ann Smith"}
    )
    _seed(hooked, realm, "Customer", DisplayName="Not Subscribed")  # Customer not chosen
    headers, body = receiver.wait(1)[0]
    time.sleep(0.5)
    assert len(receiver.requests) == 1  # two changes within webhook_delay: one notification
    assert headers["intuit-signature"] == _signature(body)
    assert headers["content-type"] == "application/json"
    events = json.loads(body)
    assert [(e["type"], e["intuitentityid"], e["intuitaccountid"]) for e in events] == [
        ("qbo.employee.updated.v1", ann["Id"], realm),
        ("qbo.employee.updated.v1", ann["Id"], realm),
    ]
    assert events[0]["specversion"] == "1.0" and events[0]["source"].startswith("intuit.")
    assert events[0]["id"] != events[1]["id"]
    deliveries = hooked.control("GET", "/webhooks/deliveries")["deliveries"]
    assert deliveries[0]["ok"] is True and deliveries[0]["events"] == 2


def test_the_legacy_format_and_deactivation_as_delete(
    hooked: SandboxProcess, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    realm = _connected_and_hooked(hooked, receiver.url, format="legacy")
    acme = _seed(hooked, realm, "Customer", DisplayName="Acme")
    receiver.wait(1)
    hooked.control("PATCH", f"/companies/{realm}/entities/Customer/{acme['Id']}", {"Active": False})
    headers, body = receiver.wait(2)[1]
    assert headers["intuit-signature"] == _signature(body)
    notification = json.loads(body)["eventNotifications"][0]
    assert notification["realmId"] == realm
    (entity,) = notification["dataChangeEvent"]["entities"]
    assert (entity["name"], entity["id"], entity["operation"]) == ("Customer", acme["Id"], "Delete")
    assert entity["lastUpdated"].endswith("Z")
    created = json.loads(receiver.requests[0][1])["eventNotifications"][0]["dataChangeEvent"]
    assert created["entities"][0]["operation"] == "Create"


@pytest.mark.parametrize("fmt", ["cloudevents", "legacy"])
def test_a_vendor_renamed_or_made_inactive_is_notified_in_both_formats(
    hooked: SandboxProcess, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    realm = _connected_and_hooked(hooked, receiver.url, format=fmt, entities=["Vendor"])
    vera = _seed(hooked, realm, "Vendor", DisplayName="Vera Vance")
    receiver.wait(1)
    path = f"/companies/{realm}/entities/Vendor/{vera['Id']}"
    hooked.control("PATCH", path, {"DisplayName": "Vera Vance-Ray"})
    receiver.wait(2)
    hooked.control("PATCH", path, {"Active": False})
    received = receiver.wait(3)
    for headers, body in received:
        assert headers["intuit-signature"] == _signature(body)
    events: list[tuple[str, str, str]] = []
    for _, body in received:
        if fmt == "cloudevents":
            events += [
                (e["type"], e["intuitentityid"], e["intuitaccountid"]) for e in json.loads(body)
            ]
        else:
            (notification,) = json.loads(body)["eventNotifications"]
            events += [
                (f"{e['name']}.{e['operation']}", e["id"], notification["realmId"])
                for e in notification["dataChangeEvent"]["entities"]
            ]
    expected = (
        ["qbo.vendor.created.v1", "qbo.vendor.updated.v1", "qbo.vendor.deleted.v1"]
        if fmt == "cloudevents"
        else ["Vendor.Create", "Vendor.Update", "Vendor.Delete"]
    )
    assert events == [(kind, vera["Id"], realm) for kind in expected]


def test_a_failed_delivery_is_tried_again_and_logged(
    hooked: SandboxProcess, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    realm = _connected_and_hooked(hooked, receiver.url)
    receiver.status = 500
    _seed(hooked, realm, "Employee", DisplayName="Bo Chen")
    receiver.wait(3)  # webhook_attempts=3
    time.sleep(0.6)
    assert len(receiver.requests) == 3
    bodies = {body for _, body in receiver.requests}
    assert len(bodies) == 1  # the same notification each time
    deliveries = hooked.control("GET", "/webhooks/deliveries")["deliveries"]
    assert [d["attempt"] for d in deliveries] == [3, 2, 1]
    assert {d["status"] for d in deliveries} == {500}


def test_the_control_api_checks_webhook_settings(hooked: SandboxProcess) -> None:
    for body, error in [
        ({"verifier_token": TOKEN}, "url"),
        ({"url": "ftp://x", "verifier_token": TOKEN}, "url"),
        ({"url": "http://127.0.0.1:1/"}, "verifier_token"),
        ({"url": "http://127.0.0.1:1/", "verifier_token": TOKEN, "format": "xml"}, "format"),
        ({"url": "http://127.0.0.1:1/", "verifier_token": TOKEN, "entities": ["Bill"]}, "entit"),
    ]:
        answer = hooked.control("PUT", "/webhooks", body, expect=400)
        assert error in answer["error"]
    assert hooked.control("GET", "/webhooks") == {"webhooks": []}
    hooked.control("PUT", "/webhooks", {"url": "http://127.0.0.1:1/", "verifier_token": TOKEN})
    assert hooked.control("DELETE", "/webhooks") == {"removed": True}


def test_webhook_settings_configure_the_built_in_app(tmp_path: Path) -> None:
    settings = {"webhook_url": "http://127.0.0.1:1/hook", "webhook_verifier_token": TOKEN}
    with SandboxProcess(tmp_path / "qbo.sqlite3", settings=settings) as sandbox:
        (config,) = sandbox.control("GET", "/webhooks")["webhooks"]
        assert config["client_id"] == "sandbox-client-id"
        assert config["url"] == "http://127.0.0.1:1/hook"
