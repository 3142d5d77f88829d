"""connection_call against the QBO emulator as a real process: fresh tokens, refresh before
expiry and after a 401 (rotated refresh token saved), invalid_grant -> needs reconnecting."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from quickbooks_sync.models import QBOConnection
from quickbooks_sync.qbo.errors import QBOTransientError
from quickbooks_sync.qbo.oauth import QBOAuth
from quickbooks_sync.services.connection import ConnectionUnavailable
from quickbooks_sync.services.connection import connection_call
from quickbooks_sync.services.connection import qbo_config
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.sync_support import arm_fault
from tests.sandbox_process import SandboxProcess
from workspaces.models import AuditLog

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("qbo_settings")]


@pytest.fixture
def connection(workspace, owner, sandbox: SandboxProcess, realm: str) -> QBOConnection:
    return connect_workspace(workspace, sandbox, realm, user=owner)


def company_name(workspace) -> str:
    return connection_call(
        workspace_id=workspace.id, operation=lambda q: q.company_info().company_name
    )


def test_a_fresh_token_is_used_as_stored(workspace, connection: QBOConnection) -> None:
    before = (connection.access_token, connection.refresh_token)
    assert company_name(workspace) == connection.company_name
    connection.refresh_from_db()
    assert (connection.access_token, connection.refresh_token) == before


def test_a_token_expiring_within_five_minutes_is_refreshed_first_and_the_new_one_saved(
    workspace, connection: QBOConnection
) -> None:
    old_refresh = connection.refresh_token
    connection.access_token_expires_at = timezone.now() + timedelta(minutes=4)
    connection.save()
    assert company_name(workspace) == connection.company_name
    connection.refresh_from_db()
    assert connection.refresh_token != old_refresh  # rotated (emulator: refresh_rotation 0)
    assert connection.access_token_expires_at > timezone.now() + timedelta(minutes=55)
    # The stored refresh token is the live one: it refreshes again.
    assert QBOAuth(qbo_config()).refresh(connection.refresh_token).access_token


def test_a_401_refreshes_once_and_retries(
    workspace, connection: QBOConnection, sandbox: SandboxProcess, realm: str, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox.control("POST", f"/companies/{realm}/expire-tokens")  # the row still says "fresh"
    old_access = connection.access_token
    calls: list[str] = []

    def operation(qbo):
        calls.append(qbo.realm_id)
        return qbo.company_info().company_name

    assert (
        connection_call(workspace_id=workspace.id, operation=operation) == connection.company_name
    )
    assert len(calls) == 2
    connection.refresh_from_db()
    assert connection.access_token != old_access
    for secret in (old_access, connection.access_token, connection.refresh_token):
        assert secret not in caplog.text


def test_invalid_grant_marks_the_connection_needs_reconnect(
    workspace, connection: QBOConnection, realm: str
) -> None:
    QBOAuth(qbo_config()).revoke(connection.refresh_token)
    connection.access_token_expires_at = timezone.now() - timedelta(seconds=1)
    connection.save()
    with pytest.raises(ConnectionUnavailable) as excinfo:
        company_name(workspace)
    assert "connect to QuickBooks again" in excinfo.value.message
    assert excinfo.value.status == 409
    connection.refresh_from_db()
    assert connection.status == QBOConnection.Status.NEEDS_RECONNECT
    assert "connect to QuickBooks again" in connection.problem
    assert connection.access_token == ""
    entry = AuditLog.objects.get(workspace=workspace, event="quickbooks.needs_reconnect")
    assert entry.actor is None and entry.details == {"realm_id": realm, "reason": "invalid_grant"}
    # Further calls refuse without asking QBO.
    with pytest.raises(ConnectionUnavailable):
        company_name(workspace)


def test_other_qbo_errors_propagate(
    workspace, connection: QBOConnection, sandbox: SandboxProcess, realm: str
) -> None:
    arm_fault(sandbox, realm, "500")
    try:
        with pytest.raises(QBOTransientError):
            company_name(workspace)
    finally:
        sandbox.control("DELETE", "/faults")
    connection.refresh_from_db()
    assert connection.status == QBOConnection.Status.CONNECTED


def test_without_a_connection_it_refuses_with_a_message(workspace, other_workspace) -> None:
    with pytest.raises(ConnectionUnavailable) as excinfo:
        company_name(workspace)
    assert "not connected" in excinfo.value.message


def test_tokens_unreadable_with_the_configured_key_need_reconnecting(
    workspace, connection: QBOConnection, settings
) -> None:
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()  # replaced, not rotated
    with pytest.raises(ConnectionUnavailable) as excinfo:
        company_name(workspace)
    assert "FIELD_ENCRYPTION_KEY" in excinfo.value.message
    row = QBOConnection.objects.defer("access_token", "refresh_token").get(pk=connection.pk)
    assert row.status == QBOConnection.Status.NEEDS_RECONNECT
    assert "FIELD_ENCRYPTION_KEY" in row.problem


def test_keep_alive_refreshes_only_connections_whose_refresh_token_nears_expiry(
    workspace, other_workspace, owner, sandbox: SandboxProcess, realm: str
) -> None:
    from quickbooks_sync.tasks.connection import connections_keep_alive

    due = connect_workspace(workspace, sandbox, realm, user=owner)
    due.refresh_token_expires_at = timezone.now() + timedelta(days=10)
    due.save()
    idle = connect_workspace(other_workspace, sandbox, realm, user=None)
    idle_tokens = (idle.refresh_token, idle.refresh_token_expires_at)
    old_refresh = due.refresh_token

    assert connections_keep_alive.apply().get() == 1  # the task, run in process
    due.refresh_from_db()
    idle.refresh_from_db()
    assert due.refresh_token != old_refresh
    assert due.refresh_token_expires_at > timezone.now() + timedelta(days=90)
    assert QBOAuth(qbo_config()).refresh(due.refresh_token).access_token  # the stored one lives
    assert (idle.refresh_token, idle.refresh_token_expires_at) == idle_tokens
    assert connections_keep_alive.apply().get() == 0  # nothing due any more
