"""The emulator as a real server process, and the unmodified clients pointed at it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from typing import Literal
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from quickbooks import QuickBooks

from qbo_sandbox.accounting import Accounting
from qbo_sandbox.store import Store
from tests.sandbox_process import SandboxProcess
from tests.sandbox_process import submit_consent

CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
REDIRECT_URI = "http://127.0.0.1:8000/quickbooks/callback"

pytestmark = pytest.mark.sandbox


@pytest.fixture(autouse=True)
def _insecure_transport_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    # requests-oauthlib refuses http:// otherwise; the emulator is on loopback. Set per test
    # (and undone after) so other test folders see the environment they expect.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def emulator(name: str, *, scope: Literal["session", "module"] = "module", **settings: Any) -> Any:
    """A fixture called `name`: the emulator as a server process started with `settings`, one
    per `scope` (`limited = emulator("limited", rate_per_minute=4)` in a test module)."""

    @pytest.fixture(scope=scope, name=name)
    def fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
        data = tmp_path_factory.mktemp(name) / "qbo.sqlite3"
        with SandboxProcess(data, settings=settings) as process:
            yield process

    return fixture


# A generous per-second limit so fast test loops are not throttled; throttles have their own
# server in test_http_limits.py.
sandbox = emulator("sandbox", scope="session", rate_per_second=1000)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """The emulator's store in a file of this test's own, for tests that call it in-process."""
    return Store(tmp_path / "sandbox.sqlite3")


@pytest.fixture
def api(store: Store) -> Accounting:
    return Accounting(store)


@pytest.fixture
def realm(sandbox: SandboxProcess) -> str:
    """A fresh company for each test (no test sees another's data)."""
    return sandbox.create_company(name=f"Test Co {uuid.uuid4().hex[:8]}")


def auth_client(sandbox: SandboxProcess, **kwargs: Any) -> AuthClient:
    options: dict[str, Any] = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": REDIRECT_URI,
        "environment": sandbox.discovery_url,
    }
    options.update(kwargs)
    return AuthClient(**options)


def callback_params(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def authorize(sandbox: SandboxProcess, realm: str, **kwargs: Any) -> tuple[AuthClient, str]:
    """The OAuth dance up to the callback: (client, code)."""
    client = auth_client(sandbox, **kwargs)
    url = client.get_authorization_url([Scopes.ACCOUNTING], state_token="state-123")
    params = callback_params(submit_consent(url, realm_id=realm))
    assert params["state"] == "state-123"
    assert params["realmId"] == realm
    return client, params["code"]


def connect(sandbox: SandboxProcess, realm: str, **kwargs: Any) -> AuthClient:
    client, code = authorize(sandbox, realm, **kwargs)
    client.get_bearer_token(code, realm_id=realm)
    return client


def quickbooks(sandbox: SandboxProcess, client: AuthClient, realm: str) -> QuickBooks:
    qb = QuickBooks(
        auth_client=client,
        refresh_token=client.refresh_token,
        company_id=realm,
        minorversion=75,
    )
    qb.api_url_v3 = sandbox.api_url_v3
    return qb


@pytest.fixture
def qb(sandbox: SandboxProcess, realm: str) -> QuickBooks:
    return quickbooks(sandbox, connect(sandbox, realm), realm)
