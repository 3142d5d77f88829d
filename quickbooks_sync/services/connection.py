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
from django.db.models import Q
from django.utils import timezone

from quickbooks_sync.crypto import DecryptionFailed
from quickbooks_sync.models import CustomerLink
from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import ProjectBilling
from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import TaskBilling
from quickbooks_sync.qbo.errors import QBOAuthError
from quickbooks_sync.qbo.errors import QBOError
from quickbooks_sync.qbo.errors import QBOInvalidGrant
from quickbooks_sync.qbo.limiter import RateLimitTimeout
from quickbooks_sync.qbo.oauth import QBOAuth
from quickbooks_sync.qbo.session import QBOSession
from quickbooks_sync.qbo.types import CompanyInfo
from quickbooks_sync.qbo.types import QBOConfig
from quickbooks_sync.qbo.types import TokenSet
from quickbooks_sync.selectors.connection import NotReady
from quickbooks_sync.selectors.connection import connection_not_ready
from workspaces.access import require_role
from workspaces.errors import ApplicationError
from workspaces.errors import PermissionDenied
from workspaces.models import Membership
from workspaces.models import Workspace
from workspaces.services import audit_log_record

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Refresh when the access token (1 hour) has less than this left, so a call never starts with a
# token that expires in the middle of a long sync.
REFRESH_MARGIN = timedelta(minutes=5)
# The periodic keep-alive refreshes a connection whose refresh token expires within this window.
KEEP_ALIVE_WINDOW = timedelta(days=30)

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
# Disconnect could not revoke the authorization at Intuit (kept on the row as its `problem`,
# shown on the Integrations page and in the API, and written to the audit log).
NOT_REVOKED = (
    "Disconnected here, but the authorization could not be revoked at Intuit ({reason}), so "
    "QuickBooks still lists this app as connected. To revoke it from QuickBooks' side: sign in "
    "to QuickBooks Online as an admin of “{company}”, open Apps > My apps (or Settings > Manage "
    "apps), find this app and choose Disconnect."
)
NOT_REVOKED_UNREADABLE = "the stored tokens cannot be decrypted with FIELD_ENCRYPTION_KEY"
NOT_REVOKED_REFUSED = "Intuit did not accept the revocation; the reason is in the server log"


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


def _refresh_token_due(connection: QBOConnection) -> bool:
    expires = connection.refresh_token_expires_at
    return expires is None or expires - KEEP_ALIVE_WINDOW <= timezone.now()


def _refresh(workspace_id: str, *, rejected_token: str | None, keep_alive: bool = False) -> _Access:
    """Refresh under the row lock unless another worker already did; commit before returning.

    `rejected_token` is the access token QBO just refused (401): refresh even if the row says it
    is still valid, unless the row already holds a different (newer) one."""
    try:
        return _refresh_locked(workspace_id, rejected_token=rejected_token, keep_alive=keep_alive)
    except DecryptionFailed:
        # The lock's transaction is rolled back by now; mark the row in a new one.
        raise _mark_unreadable(workspace_id) from None


def _refresh_locked(workspace_id: str, *, rejected_token: str | None, keep_alive: bool) -> _Access:
    refused: QBOInvalidGrant | None = None
    with transaction.atomic():
        connection = _load(workspace_id, lock=True)
        replaced = rejected_token is not None and connection.access_token != rejected_token
        if keep_alive:
            if not _refresh_token_due(connection):  # another run refreshed it meanwhile
                return _Access(connection.realm_id, connection.access_token)
        elif _fresh(connection) and (rejected_token is None or replaced):
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
            audit_log_record(
                workspace=connection.workspace,
                actor=None,
                event="quickbooks.needs_reconnect",
                target=connection.company_name or connection.realm_id,
                details={"realm_id": connection.realm_id, "reason": exc.code},
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


def connection_call(
    *,
    workspace_id: str,
    operation: Callable[[QBOSession], T],
    slot_timeout: float | None = None,
) -> T:
    """Run `operation` with a session holding a fresh access token.

    Every request the session makes takes a slot of the company's rate limiter first (the
    session is the one door to QuickBooks); `slot_timeout` real seconds without a slot raise
    RateLimitTimeout (None: wait as long as it takes).

    Refreshes first if the token expires within 5 minutes, and once more after a QBOAuthError
    (401), each refresh under SELECT ... FOR UPDATE on the connection row so concurrent workers
    refresh once and all use the new token (the new refresh token is committed before it is
    used). A refresh refused for good (QBOInvalidGrant) marks the connection NEEDS_RECONNECT
    with a problem text and raises ConnectionUnavailable. Other QBOErrors propagate unchanged.
    """
    config = qbo_config()

    def session(access: _Access) -> QBOSession:
        return QBOSession(
            config,
            realm_id=access.realm_id,
            access_token=access.access_token,
            slot_timeout=slot_timeout,
        )

    access = _current_access(workspace_id)
    try:
        return operation(session(access))
    except QBOAuthError:
        access = _refresh(workspace_id, rejected_token=access.access_token)
    return operation(session(access))


def connections_keep_alive() -> int:
    """Refresh every connection whose refresh token expires within KEEP_ALIVE_WINDOW, so a
    workspace that sends nothing for months stays connected (Intuit's refresh tokens expire
    after 100 days unused). Runs from the beat schedule; answers how many were refreshed. A
    refresh refused for good marks that connection "needs reconnecting" (as any refresh does);
    a QBO outage is logged and tried again at the next run."""
    due = QBOConnection.objects.filter(status=QBOConnection.Status.CONNECTED).filter(
        Q(refresh_token_expires_at__isnull=True)
        | Q(refresh_token_expires_at__lte=timezone.now() + KEEP_ALIVE_WINDOW)
    )
    refreshed = 0
    for workspace_id in due.values_list("workspace_id", flat=True):
        try:
            _refresh(workspace_id, rejected_token=None, keep_alive=True)
        except ConnectionUnavailable:
            continue
        except QBOError as exc:
            logger.warning(
                "QBO keep-alive refresh failed for workspace %s: %s", workspace_id, exc.code
            )
            continue
        refreshed += 1
    return refreshed


# -- connecting and disconnecting (the admin's side) ----------------------------------------------

PLAN_REQUIRED = (
    "The QuickBooks integration is a paid feature: it needs the Standard, Pro or Enterprise plan "
    "of this workspace. Change the plan on the Plan page first."
)
UNSUPPORTED_PLAN = (
    "“{company}” is on {sku}. The integration supports QuickBooks Online Essentials, Plus or "
    "Advanced; it doesn't work with QuickBooks Desktop or the QuickBooks Online Simple Start "
    "plan. Nothing was saved and the authorization was revoked."
)
PAYROLL_ENABLED = (
    "“{company}” has the Payroll feature enabled in QuickBooks, and the integration doesn't "
    "work with a payroll-enabled company. Nothing was saved and the authorization was revoked."
)
CODE_REFUSED = (
    "QuickBooks did not accept the authorization: it was already used or has expired. Nothing "
    "was saved. Start again with “Connect to QuickBooks”."
)
ALREADY_CONNECTED = (
    "This workspace is already connected to QuickBooks (“{company}”). Disconnect it first to "
    "connect another company."
)
CONNECTED_ELSEWHERE = (
    ALREADY_CONNECTED + " Nothing was saved and the authorization for “{other}” was revoked."
)


# The admin waits on the page: a company whose rate limits are in use (a send running) answers
# "try again" after this many seconds instead of keeping the browser waiting.
CONNECT_SLOT_SECONDS = 10.0


class ConnectionRefused(ApplicationError):
    """Connecting was refused (plan, company, authorization); nothing was saved."""

    status = 400


@dataclass(frozen=True)
class ConnectOutcome:
    connection: QBOConnection
    previous_company: str  # the other company whose links were dropped, or ""
    dropped_employee_links: int
    dropped_customer_links: int


def _require_admin(actor: Membership) -> None:
    require_role(actor, Membership.Role.ADMIN)


def require_quickbooks_plan(workspace_id: str) -> Workspace:
    """The workspace, if its plan (read fresh: it may have changed) includes QuickBooks; a
    PermissionDenied (403) saying which plans do otherwise. Connecting, syncing and sending
    check it; disconnecting does not (a downgraded workspace can always let go)."""
    workspace = Workspace.objects.get(pk=workspace_id)
    if not workspace.has_quickbooks:
        raise PermissionDenied(PLAN_REQUIRED)
    return workspace


@dataclass(frozen=True)
class NotReadyMessages:
    """What a refusal of `require_connection_ready` says; each caller words it for its action."""

    plan: str = PLAN_REQUIRED
    not_connected: str = NOT_CONNECTED
    needs_reconnect: str = NEEDS_RECONNECT


DEFAULT_NOT_READY = NotReadyMessages()


def require_connection_ready(
    *, workspace_id: str, messages: NotReadyMessages = DEFAULT_NOT_READY
) -> QBOConnection:
    """The workspace's connection (without its tokens: ones no key decrypts must not turn this
    into a 500) when its plan, read fresh, includes QuickBooks and it is connected. Otherwise
    a PermissionDenied (403, the plan) or an ApplicationError (400, the connection) with the
    caller's wording. Syncing and sending check it (selectors.connection_not_ready's rule)."""
    connection = (
        QBOConnection.objects.select_related("workspace")
        .defer("access_token", "refresh_token")
        .filter(workspace_id=workspace_id)
        .first()
    )
    workspace = (
        connection.workspace if connection is not None else Workspace.objects.get(pk=workspace_id)
    )
    why = connection_not_ready(
        workspace=workspace, status=connection.status if connection is not None else None
    )
    if why is NotReady.PLAN:
        raise PermissionDenied(messages.plan)
    if why is NotReady.NOT_CONNECTED:
        raise ApplicationError(messages.not_connected)
    if why is NotReady.NEEDS_RECONNECT or connection is None:
        raise ApplicationError(messages.needs_reconnect)
    return connection


def connection_connect_check(*, actor: Membership) -> None:
    """May `actor` start connecting their workspace now? (Before sending them to Intuit.)"""
    _require_admin(actor)
    require_quickbooks_plan(actor.workspace_id)
    # Not the tokens: ones no configured key decrypts must not stop the reconnect that cures it.
    current = (
        QBOConnection.objects.defer("access_token", "refresh_token")
        .filter(workspace_id=actor.workspace_id)
        .first()
    )
    if current is not None and current.is_connected:
        raise ConnectionRefused(
            ALREADY_CONNECTED.format(company=current.company_name or current.realm_id)
        )


def _revoke_quietly(auth: QBOAuth, token: str, *, workspace_id: str) -> bool:
    """Revoke at Intuit; a failure is logged (never the token) and not fatal."""
    if not token:
        return False
    try:
        auth.revoke(token)
    except QBOError as exc:
        logger.warning(
            "QBO revoke failed for workspace %s: %s code=%s",
            workspace_id,
            type(exc).__name__,
            exc.code,
        )
        return False
    return True


def _company_refusal(info: CompanyInfo) -> str | None:
    company = info.company_name or "This company"
    if info.is_simple_start or not info.plan_supported:
        return UNSUPPORTED_PLAN.format(company=company, sku=info.offering_sku or "an unknown plan")
    if info.payroll_enabled:
        return PAYROLL_ENABLED.format(company=company)
    return None


def _exchange(auth: QBOAuth, code: str) -> TokenSet:
    try:
        return auth.exchange_code(code)
    except QBOInvalidGrant:
        raise ConnectionRefused(CODE_REFUSED) from None
    except QBOError as exc:
        raise ConnectionRefused(
            f"QuickBooks could not complete the connection: {exc.human_message} "
            "Nothing was saved. Try again."
        ) from exc


def connection_complete(
    *, actor: Membership, workspace_id: str, code: str, realm_id: str
) -> ConnectOutcome:
    """The end of the OAuth round trip: exchange the code, check the company, store it.

    Refused (nothing saved, the new grant revoked at Intuit) for a plan without QuickBooks, a
    Simple Start (or other unsupported) company and a payroll-enabled one. Connecting a company
    other than the one the workspace had drops the links into the old one; the same company
    keeps them.

    While the workspace is CONNECTED (a second "Connect" pressed before the first came back),
    another company is refused like the rest (the old connection and its links stay); the same
    company takes the new tokens, and the grant they replace is revoked at Intuit, as is the
    old grant whenever stored tokens are replaced (a reconnect after "needs reconnecting")."""
    if actor.workspace_id != workspace_id:
        raise PermissionDenied("This connection request belongs to another workspace.")
    _require_admin(actor)
    workspace = require_quickbooks_plan(workspace_id)
    realm_id = (realm_id or "").strip()
    if not code or not realm_id or len(realm_id) > 32 or not realm_id.isalnum():
        raise ConnectionRefused(
            "QuickBooks answered without an authorization code or company id. Nothing was "
            "saved. Start again with “Connect to QuickBooks”."
        )
    config = qbo_config()
    auth = QBOAuth(config)
    tokens = _exchange(auth, code)
    try:
        info = QBOSession(
            config,
            realm_id=realm_id,
            access_token=tokens.access_token,
            slot_timeout=CONNECT_SLOT_SECONDS,
        ).company_info()
    except (QBOError, RateLimitTimeout) as exc:
        _revoke_quietly(auth, tokens.refresh_token, workspace_id=workspace_id)
        reason = exc.human_message if isinstance(exc, QBOError) else exc.message
        raise ConnectionRefused(
            f"QuickBooks did not answer with the company's details: {reason} "
            "Nothing was saved. Try again."
        ) from exc
    refusal = _company_refusal(info)
    if refusal is not None:
        _revoke_quietly(auth, tokens.refresh_token, workspace_id=workspace_id)
        raise ConnectionRefused(refusal)
    try:
        outcome, replaced_token = _store(
            workspace=workspace, actor=actor, realm_id=realm_id, info=info, tokens=tokens
        )
    except Exception:
        _revoke_quietly(auth, tokens.refresh_token, workspace_id=workspace_id)
        raise
    # After the commit: revoking first would leave dead tokens stored if saving had failed.
    if replaced_token and replaced_token != tokens.refresh_token:
        _revoke_quietly(auth, replaced_token, workspace_id=workspace_id)
    return outcome


def _stored_refresh_token(connection: QBOConnection) -> str:
    """The refresh token the row holds now ("" if none or unreadable: nothing to revoke)."""
    try:
        token = QBOConnection.objects.values_list("refresh_token", flat=True).get(pk=connection.pk)
    except DecryptionFailed:
        return ""
    return str(token or "")


def _store(
    *, workspace: Workspace, actor: Membership, realm_id: str, info: CompanyInfo, tokens: TokenSet
) -> tuple[ConnectOutcome, str]:
    """Save the connection; answers it and the refresh token it replaced (to revoke)."""
    now = timezone.now()
    with transaction.atomic():
        # The tokens are read apart: stored ones that no key decrypts must not stop a reconnect.
        connection = (
            QBOConnection.objects.select_for_update()
            .defer("access_token", "refresh_token")
            .filter(workspace=workspace)
            .first()
        )
        previous_company = ""
        replaced_token = ""
        dropped_employees = dropped_customers = 0
        if connection is None:
            connection = QBOConnection(workspace=workspace)
        elif connection.is_connected and connection.realm_id != realm_id:
            raise ConnectionRefused(
                CONNECTED_ELSEWHERE.format(
                    company=connection.company_name or connection.realm_id,
                    other=info.company_name or realm_id,
                )
            )
        else:
            replaced_token = _stored_refresh_token(connection)
        if connection.realm_id and connection.realm_id != realm_id:
            previous_company = connection.company_name or connection.realm_id
            connection.service_item_id = ""
            connection.service_item_name = ""
            connection.default_class_id = ""
            connection.default_class_name = ""
            connection.class_tracking = False
            connection.last_synced_at = None
            # Classes and items per project and task name the old company's records.
            ProjectBilling.objects.filter(workspace=workspace).delete()
            TaskBilling.objects.filter(workspace=workspace).delete()
        # Links always name their company: any into another company go (also leftovers).
        dropped_employees, _ = (
            EmployeeLink.objects.filter(workspace=workspace).exclude(realm_id=realm_id).delete()
        )
        dropped_customers, _ = (
            CustomerLink.objects.filter(workspace=workspace).exclude(realm_id=realm_id).delete()
        )
        connection.status = QBOConnection.Status.CONNECTED
        connection.realm_id = realm_id
        connection.company_name = info.company_name[:255]
        connection.company_plan = info.offering_sku[:64]
        connection.access_token = tokens.access_token
        connection.refresh_token = tokens.refresh_token
        connection.access_token_expires_at = tokens.access_token_expires_at
        connection.refresh_token_expires_at = tokens.refresh_token_expires_at
        connection.problem = ""
        connection.connected_by = actor.user
        connection.connected_at = now
        connection.disconnected_at = None
        connection.save()
        details: dict[str, object] = {
            "realm_id": realm_id,
            "company_name": connection.company_name,
            "company_plan": connection.company_plan,
        }
        if previous_company or dropped_employees or dropped_customers:
            details.update(
                previous_company=previous_company,
                dropped_employee_links=dropped_employees,
                dropped_customer_links=dropped_customers,
            )
        audit_log_record(
            workspace=workspace,
            actor=actor.user,
            event="quickbooks.connected",
            target=connection.company_name or realm_id,
            details=details,
        )
    logger.info("QBO connected: workspace %s realm %s", workspace.pk, realm_id)
    outcome = ConnectOutcome(connection, previous_company, dropped_employees, dropped_customers)
    return outcome, replaced_token


def connection_disconnect(*, actor: Membership) -> QBOConnection:
    """Revoke at Intuit (a failure is logged, not fatal), delete the tokens, mark the connection
    disconnected, audit it. Links and the record of what was sent stay."""
    _require_admin(actor)
    try:
        connection = QBOConnection.objects.get(workspace_id=actor.workspace_id)
        token = connection.refresh_token or connection.access_token
    except QBOConnection.DoesNotExist:
        raise ConnectionUnavailable(NOT_CONNECTED) from None
    except DecryptionFailed:
        connection = QBOConnection.objects.defer("access_token", "refresh_token").get(
            workspace_id=actor.workspace_id
        )
        token = ""
    if connection.status == QBOConnection.Status.DISCONNECTED:
        raise ConnectionUnavailable(NOT_CONNECTED)
    revoked = _revoke_quietly(QBOAuth(qbo_config()), token, workspace_id=actor.workspace_id)
    not_revoked = ""
    if not revoked:
        not_revoked = NOT_REVOKED.format(
            reason=NOT_REVOKED_REFUSED if token else NOT_REVOKED_UNREADABLE,
            company=connection.company_name or connection.realm_id,
        )
    with transaction.atomic():
        QBOConnection.objects.filter(pk=connection.pk).update(
            status=QBOConnection.Status.DISCONNECTED,
            access_token="",
            refresh_token="",
            access_token_expires_at=None,
            refresh_token_expires_at=None,
            problem=not_revoked,
            disconnected_at=timezone.now(),
            updated_at=timezone.now(),
        )
        details: dict[str, object] = {"realm_id": connection.realm_id, "revoked_at_intuit": revoked}
        if not_revoked:
            details["what_to_do"] = not_revoked
        audit_log_record(
            workspace=actor.workspace,
            actor=actor.user,
            event="quickbooks.disconnected",
            target=connection.company_name or connection.realm_id,
            details=details,
        )
    logger.info("QBO disconnected: workspace %s realm %s", actor.workspace_id, connection.realm_id)
    connection.refresh_from_db()
    return connection
