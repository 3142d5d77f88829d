"""The QuickBooks connection: configuration, and calls with a fresh access token.

`connection_call` is how every other part (sync, send) talks to a workspace's company:

    info = connection_call(workspace_id=ws.id, operation=lambda qbo: qbo.company_info())

It refreshes the access token when it is about to expire (and once after a 401), under a row lock
on the connection so that concurrent workers refresh once and all use the new token. Intuit
rotates refresh tokens and the previous one may stop working at once, so the new tokens are saved
and committed before they are used. Call it outside any transaction (Celery tasks, views running
in autocommit): inside an outer `atomic` the saved tokens would only be committed with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from quickbooks_sync.client import QBOAuth, QBOAuthError, QBOConfig, QBOInvalidGrant, QBOSession
from quickbooks_sync.crypto import DecryptionFailed
from quickbooks_sync.models import QBOConnection
from workspaces.errors import ApplicationError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Refresh when the access token (1 hour) has less than this left, so a call never starts with a
# token that expires in the middle of a long sync.
REFRESH_MARGIN = timedelta(minutes=5)

NOT_CONNECTED = (
    "This workspace is not connected to QuickBooks Online. "
    "An admin can connect it in Settings > Integrations."
)
NEEDS_RECONNECT = (
    "The QuickBooks connection needs reconnecting: an admin needs to connect to QuickBooks "
    "again in Settings > Integrations."
)
UNREADABLE_TOKENS = (
    "The stored QuickBooks tokens cannot be decrypted with the configured FIELD_ENCRYPTION_KEY "
    "(was the key replaced instead of rotated?). An admin needs to connect to QuickBooks again."
)


class ConnectionUnavailable(ApplicationError):
    """The workspace has no usable connection (never connected, disconnected, or it needs
    reconnecting); `message` says what an admin can do."""

    status = 409


def qbo_config() -> QBOConfig:
    """The app's QuickBooks configuration from the QBO_* settings."""
    return QBOConfig(
        client_id=settings.QBO_CLIENT_ID,
        client_secret=settings.QBO_CLIENT_SECRET,
        redirect_uri=settings.QBO_REDIRECT_URI,
        environment=settings.QBO_ENVIRONMENT,
        api_base_url=settings.QBO_API_BASE_URL,
        timeout=settings.QBO_TIMEOUT_SECONDS,
    )


@dataclass(frozen=True)
class _Access:
    realm_id: str
    access_token: str


def _unavailable(connection: QBOConnection) -> ConnectionUnavailable:
    if connection.status == QBOConnection.Status.NEEDS_RECONNECT:
        message = NEEDS_RECONNECT
        if connection.problem:
            message = f"{NEEDS_RECONNECT} ({connection.problem})"
        return ConnectionUnavailable(message)
    return ConnectionUnavailable(NOT_CONNECTED)


def _mark_unreadable(workspace_id: str) -> ConnectionUnavailable:
    QBOConnection.objects.filter(
        workspace_id=workspace_id, status=QBOConnection.Status.CONNECTED
    ).update(
        status=QBOConnection.Status.NEEDS_RECONNECT,
        problem=UNREADABLE_TOKENS,
        updated_at=timezone.now(),
    )
    logger.error("QBO tokens of workspace %s cannot be decrypted", workspace_id)
    return ConnectionUnavailable(UNREADABLE_TOKENS)


def _load(workspace_id: str, *, lock: bool) -> QBOConnection:
    queryset = QBOConnection.objects.filter(workspace_id=workspace_id)
    if lock:
        queryset = queryset.select_for_update()
    try:
        connection = queryset.get()
    except QBOConnection.DoesNotExist:
        raise ConnectionUnavailable(NOT_CONNECTED) from None
    if not connection.is_connected or not connection.refresh_token:
        raise _unavailable(connection)
    return connection


def _fresh(connection: QBOConnection) -> bool:
    expires = connection.access_token_expires_at
    return bool(connection.access_token) and (
        expires is not None and expires - REFRESH_MARGIN > timezone.now()
    )


def _refresh(workspace_id: str, *, rejected_token: str | None) -> _Access:
    """Refresh under the row lock unless another worker already did; commit before returning.

    `rejected_token` is the access token QBO just refused (401): refresh even if the row says it
    is still valid, unless the row already holds a different (newer) one."""
    try:
        return _refresh_locked(workspace_id, rejected_token=rejected_token)
    except DecryptionFailed:
        # The lock's transaction is rolled back by now; mark the row in a new one.
        raise _mark_unreadable(workspace_id) from None


def _refresh_locked(workspace_id: str, *, rejected_token: str | None) -> _Access:
    refused: QBOInvalidGrant | None = None
    with transaction.atomic():
        connection = _load(workspace_id, lock=True)
        replaced = rejected_token is not None and connection.access_token != rejected_token
        if _fresh(connection) and (rejected_token is None or replaced):
            return _Access(connection.realm_id, connection.access_token)
        try:
            tokens = QBOAuth(qbo_config()).refresh(connection.refresh_token)
        except QBOInvalidGrant as exc:
            refused = exc
            connection.status = QBOConnection.Status.NEEDS_RECONNECT
            connection.problem = exc.human_message[:500]
            connection.access_token = ""
            connection.access_token_expires_at = None
            connection.save(
                update_fields=[
                    "status",
                    "problem",
                    "access_token",
                    "access_token_expires_at",
                    "updated_at",
                ]
            )
        else:
            connection.access_token = tokens.access_token
            connection.refresh_token = tokens.refresh_token
            connection.access_token_expires_at = tokens.access_token_expires_at
            connection.refresh_token_expires_at = tokens.refresh_token_expires_at
            connection.save(
                update_fields=[
                    "access_token",
                    "refresh_token",
                    "access_token_expires_at",
                    "refresh_token_expires_at",
                    "updated_at",
                ]
            )
    # Outside the atomic block: the new state is committed (also when QBO refused for good).
    if refused is not None:
        logger.warning(
            "QBO refresh refused for good for workspace %s: needs reconnecting", workspace_id
        )
        raise ConnectionUnavailable(f"{NEEDS_RECONNECT} ({refused.human_message})") from refused
    logger.info("QBO access token refreshed for workspace %s", workspace_id)
    return _Access(connection.realm_id, connection.access_token)


def _current_access(workspace_id: str) -> _Access:
    try:
        connection = _load(workspace_id, lock=False)
    except DecryptionFailed:
        raise _mark_unreadable(workspace_id) from None
    if _fresh(connection):
        return _Access(connection.realm_id, connection.access_token)
    return _refresh(workspace_id, rejected_token=None)


def connection_call(*, workspace_id: str, operation: Callable[[QBOSession], T]) -> T:
    """Run `operation` with a session holding a fresh access token.

    Refreshes first if the token expires within 5 minutes, and once more after a QBOAuthError
    (401), each refresh under SELECT ... FOR UPDATE on the connection row so concurrent workers
    refresh once and all use the new token (the new refresh token is committed before it is
    used). A refresh refused for good (QBOInvalidGrant) marks the connection NEEDS_RECONNECT
    with a problem text and raises ConnectionUnavailable. Other QBOErrors propagate unchanged.
    """
    config = qbo_config()
    access = _current_access(workspace_id)
    try:
        return operation(
            QBOSession(config, realm_id=access.realm_id, access_token=access.access_token)
        )
    except QBOAuthError:
        access = _refresh(workspace_id, rejected_token=access.access_token)
    return operation(QBOSession(config, realm_id=access.realm_id, access_token=access.access_token))
