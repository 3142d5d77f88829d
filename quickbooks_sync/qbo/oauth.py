"""OAuth 2.0 with Intuit through the unmodified `intuitlib` (intuit-oauth 1.2.6): the
authorization URL, the code exchange, refresh and revocation, each with a timeout and every
failure turned into a `QBOError`.

Intuit's reference: https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError

from quickbooks_sync.qbo.errors import QBOError
from quickbooks_sync.qbo.errors import QBOInvalidGrant
from quickbooks_sync.qbo.errors import QBOThrottled
from quickbooks_sync.qbo.errors import QBOTransientError
from quickbooks_sync.qbo.errors import QBOValidationError
from quickbooks_sync.qbo.errors import from_transport_exception
from quickbooks_sync.qbo.errors import log_failure
from quickbooks_sync.qbo.http import allow_http_for_loopback
from quickbooks_sync.qbo.types import QBOConfig
from quickbooks_sync.qbo.types import TokenSet


def _from_auth_client_error(exc: AuthClientError) -> QBOError:
    status = int(exc.status_code)
    error = ""
    try:
        body = json.loads(exc.content or b"{}")
        if isinstance(body, dict):
            error = str(body.get("error") or "")
    except ValueError:
        pass
    tid = exc.intuit_tid
    if status == 400 and error == "invalid_grant":
        return QBOInvalidGrant(
            code="invalid_grant", message=error, http_status=status, intuit_tid=tid
        )
    if status == 401 or error == "invalid_client":
        return QBOValidationError(
            code="invalid_client", message=error, http_status=status, intuit_tid=tid
        )
    if status == 429:
        return QBOThrottled(code="3001", message=error, http_status=status, intuit_tid=tid)
    if status >= 500:
        return QBOTransientError(
            code=str(status), message=error, http_status=status, intuit_tid=tid
        )
    return QBOValidationError(
        code=error or str(status), message=error, http_status=status, intuit_tid=tid
    )


class _TimedAuthClient(AuthClient):
    """intuitlib's AuthClient is a requests.Session that never passes a timeout; this one adds
    ours to every request, including the discovery GET in its constructor."""

    def __init__(self, *args: Any, timeout: float, **kwargs: Any) -> None:
        self._timeout = timeout
        super().__init__(*args, **kwargs)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self._timeout)
        response: requests.Response = super().request(method, url, *args, **kwargs)
        return response


class QBOAuth:
    """Authorization URL, code exchange, refresh and revocation through intuitlib."""

    def __init__(self, config: QBOConfig) -> None:
        self.config = config
        allow_http_for_loopback(config)

    def _client(self) -> AuthClient:
        # A fresh client per operation: intuitlib keeps tokens as attributes of the client,
        # so sharing one between threads would mix them up. Its constructor GETs the discovery
        # document ("sandbox"/"production" pick Intuit's; any other string is its URL).
        try:
            return _TimedAuthClient(
                self.config.client_id,
                self.config.client_secret,
                self.config.redirect_uri,
                self.config.environment,
                timeout=self.config.timeout,
            )
        except AuthClientError as exc:
            raise self._failed("discovery", _from_auth_client_error(exc)) from exc
        except requests.RequestException as exc:
            raise self._failed("discovery", from_transport_exception(exc)) from exc
        except (ValueError, KeyError) as exc:
            error = QBOTransientError(code="discovery", message=type(exc).__name__)
            raise self._failed("discovery", error) from exc

    @staticmethod
    def _failed(operation: str, error: QBOError) -> QBOError:
        log_failure(operation, error)
        return error

    def _call(self, operation: str, client: AuthClient, method: str, *args: Any) -> None:
        try:
            getattr(client, method)(*args)
        except AuthClientError as exc:
            raise self._failed(operation, _from_auth_client_error(exc)) from exc
        except requests.RequestException as exc:
            raise self._failed(operation, from_transport_exception(exc)) from exc

    def authorization_url(self, state: str) -> str:
        """Where to send the admin for consent; Intuit redirects back with code, state, realmId."""
        client = self._client()
        # The discovery document's authorization_endpoint, scope com.intuit.quickbooks.accounting
        # and our state; Intuit answers the redirect URI with code, state and realmId.
        url: str = client.get_authorization_url([Scopes.ACCOUNTING], state_token=state)
        return url

    def exchange_code(self, code: str) -> TokenSet:
        """Trade the callback's code for tokens. A code works once: a second exchange fails
        (invalid_grant) and revokes what the first issued (RFC 6749 §4.1.2)."""
        client = self._client()
        # POST to the token endpoint, grant_type=authorization_code (same reference).
        self._call("code exchange", client, "get_bearer_token", code)
        return self._tokens(client)

    def refresh(self, refresh_token: str) -> TokenSet:
        """New tokens. The refresh token in the answer may be a NEW value (Intuit rotates it
        about daily and the old one may stop working at once): store it before using it."""
        client = self._client()
        # POST to the token endpoint, grant_type=refresh_token (Intuit's "Refresh the token").
        self._call("refresh", client, "refresh", refresh_token)
        return self._tokens(client)

    def revoke(self, token: str) -> None:
        """End the grant (the access or the refresh token ends both)."""
        client = self._client()
        # POST to the revocation endpoint (Intuit's "Revoke the token"): either token ends both.
        self._call("revoke", client, "revoke", token)

    @staticmethod
    def _tokens(client: AuthClient) -> TokenSet:
        now = datetime.now(UTC)
        try:
            access = str(client.access_token)
            refresh = str(client.refresh_token)
            expires_in = int(client.expires_in)
            refresh_expires_in = int(client.x_refresh_token_expires_in)
        except (TypeError, ValueError) as exc:
            error = QBOTransientError(code="token_response", message="incomplete token response")
            log_failure("token response", error)
            raise error from exc
        if not client.access_token or not client.refresh_token:
            raise QBOTransientError(code="token_response", message="incomplete token response")
        return TokenSet(
            access_token=access,
            refresh_token=refresh,
            access_token_expires_at=now + timedelta(seconds=expires_in),
            refresh_token_expires_at=now + timedelta(seconds=refresh_expires_in),
        )
