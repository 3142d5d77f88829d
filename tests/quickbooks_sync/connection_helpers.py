"""Connected workspaces against the QBO emulator, for any QuickBooks test.

    sandbox = qbo_sandbox_process(tmp_path_factory)          # in a module/session fixture
    point_settings_at(settings, sandbox)                     # QBO_* -> that emulator
    connection = connect_workspace(workspace, sandbox, realm, user=owner)

`connect_workspace` goes through the emulator's real consent form and code exchange (no token is
made up), then stores the connection as the callback does. `emulator_marks` is the pytestmark of
a module that talks to the emulator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from quickbooks_sync.models import QBOConnection
from quickbooks_sync.qbo.oauth import QBOAuth
from quickbooks_sync.qbo.session import QBOSession
from quickbooks_sync.services.connection import qbo_config
from tests.sandbox_process import SandboxProcess

# Every refresh hands out a new refresh token and the old one dies at once (grace 0): the
# strictest behaviour Intuit is reported to have.
STRICT_SETTINGS: dict[str, Any] = {"rate_per_second": 1000, "refresh_rotation": 0}


def emulator_marks(
    *, browser: bool = False, transaction: bool = False, **sandbox_settings: Any
) -> list[pytest.MarkDecorator]:
    """A module's `pytestmark` for tests against the emulator (conftest's `sandbox`, with
    `sandbox_settings` as the emulator's, and `qbo_settings`); `transaction=True` where a worker
    process or another thread must see what the test writes; `browser=True` for Playwright."""
    marks = [pytest.mark.sandbox(**sandbox_settings), pytest.mark.usefixtures("qbo_settings")]
    if transaction:
        marks.append(pytest.mark.django_db(transaction=True))
    if browser:
        marks.insert(0, pytest.mark.browser)
    return marks


def qbo_sandbox_process(data_dir: Path, **settings: Any) -> SandboxProcess:
    """A started emulator (stop it at teardown: use it as a context manager)."""
    return SandboxProcess(data_dir / "qbo.sqlite3", settings={**STRICT_SETTINGS, **settings})


def point_settings_at(
    settings: Any, sandbox: SandboxProcess, *, site_url: str = "http://127.0.0.1:8000"
) -> None:
    """Point the QBO_* settings (a pytest-django `settings` fixture) at `sandbox`."""
    settings.QBO_ENVIRONMENT = sandbox.discovery_url
    settings.QBO_API_BASE_URL = sandbox.base_url
    settings.QBO_CLIENT_ID = "sandbox-client-id"
    settings.QBO_CLIENT_SECRET = "sandbox-client-secret"  # the emulator's built-in app
    settings.QBO_REDIRECT_URI = site_url.rstrip("/") + "/quickbooks/callback/"
    settings.QBO_TIMEOUT_SECONDS = 10.0
    settings.QBO_SANDBOX_URL = sandbox.base_url


def stored_connection(workspace: Any, *, realm_id: str = "R1", **fields: Any) -> QBOConnection:
    """A connected row for tests that never reach QuickBooks: enough to show the QuickBooks pages
    and to start (not run) jobs; the tokens are placeholders."""
    fields = {"company_name": "Books", "access_token": "a", "refresh_token": "r", **fields}
    return QBOConnection.objects.create(workspace=workspace, realm_id=realm_id, **fields)


def connect_workspace(
    workspace: Any, sandbox: SandboxProcess, realm_id: str, *, user: Any = None
) -> QBOConnection:
    """Consent + code exchange at the emulator, stored like the callback stores it."""
    config = qbo_config()
    auth = QBOAuth(config)
    location = sandbox.approve(auth.authorization_url("test-state"), realm_id)
    code = parse_qs(urlsplit(location).query)["code"][0]
    tokens = auth.exchange_code(code)
    info = QBOSession(config, realm_id=realm_id, access_token=tokens.access_token).company_info()
    connection, _ = QBOConnection.objects.update_or_create(
        workspace=workspace,
        defaults={
            "status": QBOConnection.Status.CONNECTED,
            "realm_id": realm_id,
            "company_name": info.company_name,
            "company_plan": info.offering_sku,
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "access_token_expires_at": tokens.access_token_expires_at,
            "refresh_token_expires_at": tokens.refresh_token_expires_at,
            "problem": "",
            "connected_by": user,
            "connected_at": timezone.now(),
            "disconnected_at": None,
        },
    )
    return connection
