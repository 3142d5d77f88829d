"""Two processes refresh the same expiring token at once: one refresh reaches QuickBooks, both
proceed with the new token. The emulator rotates the refresh token on every refresh and the old
one dies at once, so a second refresh with the old token would end in invalid_grant."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from quickbooks_sync.models import QBOConnection
from quickbooks_sync.qbo.session import QBOSession
from quickbooks_sync.services.connection import qbo_config
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.worker_process import WAIT_FOR_GO
from tests.quickbooks_sync.worker_process import DjangoScripts
from tests.quickbooks_sync.worker_process import process_env
from tests.sandbox_process import SandboxProcess

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("qbo_settings")]

TOKEN_PATH = "/oauth2/v1/tokens/bearer"

# Imports and the database connection are made before READY, so that after "go" both processes
# read the expiring token within milliseconds of each other.
SCRIPT = (
    """
from quickbooks_sync.qbo.oauth import QBOAuth
from quickbooks_sync.models import QBOConnection
from quickbooks_sync.services.connection import connection_call, qbo_config
QBOConnection.objects.exists()
"""
    + WAIT_FOR_GO
    + """
name = connection_call(
    workspace_id=os.environ["WORKSPACE_ID"], operation=lambda q: q.company_info().company_name
)
print("COMPANY", name, flush=True)
"""
)


def last_request_id(sandbox: SandboxProcess) -> int:
    rows = sandbox.control("GET", "/requests?limit=1")["requests"]
    return int(rows[0]["id"]) if rows else 0


def token_requests_since(sandbox: SandboxProcess, since: int) -> list[dict]:
    rows = sandbox.control("GET", "/requests?limit=500")["requests"]
    return [
        r
        for r in rows
        if r["id"] > since and r["path"].startswith(TOKEN_PATH) and r["method"] == "POST"
    ]


def test_two_processes_refresh_once_and_both_use_the_new_token(
    transactional_db, workspace, owner, sandbox: SandboxProcess, tmp_path
) -> None:
    realm = sandbox.create_company(name=f"Race Co {uuid.uuid4().hex[:6]}")
    connection = connect_workspace(workspace, sandbox, realm, user=owner)
    old_refresh = connection.refresh_token
    QBOConnection.objects.filter(pk=connection.pk).update(
        access_token_expires_at=timezone.now() + timedelta(minutes=1)  # inside the 5-minute margin
    )
    env = process_env(sandbox, WORKSPACE_ID=workspace.id)
    with DjangoScripts(SCRIPT, env, count=2, directory=tmp_path) as scripts:
        scripts.wait_ready()
        since = last_request_id(sandbox)
        scripts.go()
        outputs = scripts.results()

    for output in outputs:
        assert f"COMPANY {connection.company_name}" in output, output
    refreshes = token_requests_since(sandbox, since)
    assert len(refreshes) == 1, refreshes
    assert refreshes[0]["status"] == 200
    connection.refresh_from_db()
    assert connection.status == QBOConnection.Status.CONNECTED
    assert connection.refresh_token != old_refresh
    assert connection.access_token_expires_at > timezone.now() + timedelta(minutes=55)
    session = QBOSession(qbo_config(), realm_id=realm, access_token=connection.access_token)
    assert session.company_info().company_name == connection.company_name
