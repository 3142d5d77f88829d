"""The only code that talks to QuickBooks Online (QBO).

It wraps the unmodified `intuitlib` (intuit-oauth 1.2.6) for OAuth 2.0 and `python-quickbooks`
0.9.12 for the Accounting API, adds a timeout to every HTTP call, and turns every failure into
one of this module's `QBOError`s, classified by QBO's error code and the HTTP status (never by
the library's exception class: python-quickbooks picks its classes by numeric code ranges that
do not say whether a retry helps, see ../shared/docs/qbo-facts.md §2).

Configuration comes in as a `QBOConfig`; Django settings are read by the caller. Everything
returned is plain data. Tokens and secrets are never logged and never part of a `repr`.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError
from quickbooks import QuickBooks
from quickbooks.exceptions import QuickbooksException
from requests_oauthlib import OAuth2Session

logger = logging.getLogger(__name__)


class _DropDebugRecords(logging.Filter):
    """requests-oauthlib logs the whole token and the Authorization header at DEBUG level
    ("Adding token ...", "Supplying headers ..."); drop its DEBUG records so tokens never
    reach a log, whatever the project's logging level."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


logging.getLogger("requests_oauthlib.oauth2_session").addFilter(_DropDebugRecords())

MINOR_VERSION = 75  # the oldest minorversion Intuit still accepts (since 2025-08)
MAX_BATCH_ITEMS = 30  # QBO: at most 30 items per batch request
MAX_BATCH_REQUEST_ID = 36  # QBO: requestid on /batch is at most 36 characters
MAX_BATCH_ID = 10  # QBO: with a requestid, each bId is at most 10 characters
MAX_PAGE_SIZE = 1000  # QBO: MAXRESULTS is at most 1000
DEFAULT_TIMEOUT = 30.0


# -- configuration and plain data -------------------------------------------------------------


@dataclass(frozen=True)
class QBOConfig:
    """Where QuickBooks is and who we are to it.

    `environment` is "sandbox", "production" or the URL of a discovery document (the local
    emulator's); `api_base_url` is the Accounting API's root without `/v3`
    (e.g. https://quickbooks.api.intuit.com). `timeout` (seconds) applies to every HTTP call.
    """

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    environment: str
    api_base_url: str
    timeout: float = DEFAULT_TIMEOUT

    @property
    def api_url_v3(self) -> str:
        base = self.api_base_url.rstrip("/")
        return base if base.endswith("/v3") else base + "/v3"


@dataclass(frozen=True)
class TokenSet:
    """Realm-independent token data after an exchange or refresh (expiry instants in UTC)."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_token_expires_at: datetime
    refresh_token_expires_at: datetime


@dataclass(frozen=True)
class CompanyInfo:
    company_name: str
    offering_sku: str  # e.g. "QuickBooks Online Plus"
    payroll_enabled: bool
    subscription_status: str  # SUBSCRIBED, TRIAL, SUSPENDED, ...

    SUPPORTED_SKUS: ClassVar[frozenset[str]] = frozenset(
        {
            "QuickBooks Online Essentials",
            "QuickBooks Online Plus",
            "QuickBooks Online Advanced",
        }
    )

    @property
    def is_simple_start(self) -> bool:
        return "simple start" in self.offering_sku.lower()

    @property
    def plan_supported(self) -> bool:
        """Essentials, Plus or Advanced (the seed: no Simple Start)."""
        return self.offering_sku in self.SUPPORTED_SKUS


@dataclass(frozen=True)
class Preferences:
    book_close_date: date | None


@dataclass(frozen=True)
class QBOEmployee:
    id: str
    display_name: str
    given_name: str
    family_name: str
    active: bool
    sync_token: str = "0"


@dataclass(frozen=True)
class QBOCustomer:
    """A customer, sub-customer (`parent_id` set) or QBO project (`is_project`)."""

    id: str
    display_name: str
    parent_id: str | None
    active: bool = True
    is_project: bool = False
    level: int = 0
    fully_qualified_name: str = ""
    sync_token: str = "0"


@dataclass(frozen=True)
class ServiceItem:
    id: str
    name: str
    active: bool


@dataclass(frozen=True)
class BatchItemResult:
    """One bId of a TimeActivity batch: the created TimeActivity, or why QBO refused it."""

    bid: str
    time_activity_id: str | None = None
    sync_token: str | None = None
    error: QBOError | None = None
    # False when QBO's batch answer left this bId out: whether it was created is unknown, so
    # only the same requestid may ask again (never a new one).
    answered: bool = True

    @property
    def ok(self) -> bool:
        return self.error is None


# -- errors ------------------------------------------------------------------------------------


# What a person can do about QBO's common codes (texts of QBO itself stay in .message/.detail).
# Codes: Intuit's "Fix common QuickBooks Online Accounting API errors" page and
# https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
HUMAN_MESSAGES: dict[str, str] = {
    "610": (
        "QuickBooks cannot find the customer, employee or item this refers to, or it is "
        "inactive there. Make it active in QuickBooks (or pick another), then sync again."
    ),
    "2010": "QuickBooks refused a value of the wrong kind.",
    "2020": "A value QuickBooks requires is missing.",
    "2040": "The name contains a character QuickBooks does not allow (a colon, tab or line break).",
    "2050": (
        "A value is too long for QuickBooks (names at most 100 characters, "
        "descriptions at most 4000)."
    ),
    "2170": "QuickBooks refused a value that is not one of its allowed choices.",
    "2500": (
        "QuickBooks does not know the customer, employee or item this refers to. "
        "Sync users and customers again."
    ),
    "3001": "QuickBooks' rate limit was reached; the request is retried after a pause.",
    "3100": (
        "QuickBooks refused the change: the company's subscription is read-only (cancelled, "
        "expired, suspended) or the app lacks permission. Check the subscription in QuickBooks."
    ),
    "3200": "QuickBooks did not accept the access token; it is refreshed and the call tried again.",
    "4000": "QuickBooks could not understand the query.",
    "5010": ("The record was changed in QuickBooks in the meantime. Sync again, then retry."),
    "6000": "QuickBooks refused it on one of its business rules.",
    "6150": "A sub-customer needs a parent customer in QuickBooks.",
    "6210": (
        'The books are closed for this date in QuickBooks. Check "Close the books" in '
        "QuickBooks (Account and settings > Advanced > Accounting) or change the closing date, "
        "then retry."
    ),
    "6240": (
        "A customer, employee or vendor with this name already exists in QuickBooks "
        "(names are unique across all three, ignoring case and spaces). Rename one of them."
    ),
    "10000": "QuickBooks had a temporary server error; the request is retried.",
    "invalid_grant": (
        "QuickBooks no longer accepts this connection (the authorization expired or was "
        "revoked). An admin needs to connect to QuickBooks again."
    ),
    "invalid_client": (
        "QuickBooks did not accept the app's client id or secret. Check QBO_CLIENT_ID and "
        "QBO_CLIENT_SECRET."
    ),
    "timeout": "QuickBooks did not answer in time; the request is retried.",
    "connection": (
        "The connection to QuickBooks failed or its answer was lost; the request is retried."
    ),
}


class QBOError(Exception):
    """A failure talking to QuickBooks: QBO's code, its message and detail, the HTTP status,
    whether retrying can help, and a sentence a person can act on (`human_message`)."""

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        *,
        code: str,
        message: str = "",
        detail: str = "",
        http_status: int | None = None,
        intuit_tid: str | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.detail = detail
        self.http_status = http_status
        self.intuit_tid = intuit_tid
        super().__init__(f"QBO {code} (HTTP {http_status}): {self.human_message}")

    @property
    def human_message(self) -> str:
        known = HUMAN_MESSAGES.get(self.code)
        if known is not None:
            if self.code in {"6000", "2010", "2020", "2170", "4000"} and self.detail:
                return f"{known} QuickBooks says: {self.detail}"
            return known
        text = self.detail or self.message
        return f"QuickBooks refused it: {text}" if text else "QuickBooks refused it."


class QBOAuthError(QBOError):
    """401: the access token is not accepted. Refresh once and retry; then give up."""

    retryable = True


class QBOThrottled(QBOError):
    """429 / 3001: past a rate limit (500 requests a minute, 10 a second, 10 at once, 40 batch
    requests a minute per company). Intuit's "API call limits and throttles": wait 60 s."""

    retryable = True
    retry_after_seconds: ClassVar[float] = 60.0


class QBOTransientError(QBOError):
    """5xx, timeouts, connection errors, lost responses: retry (with the same requestid)."""

    retryable = True


class QBOValidationError(QBOError):
    """QBO refused the content (6210, 6240, 610, 2020, 2500, 5010, ...): not retryable as is;
    an admin fixes the cause first."""

    retryable = False


class QBOInvalidGrant(QBOError):
    """The refresh token is dead (expired, revoked, superseded): the admin must reconnect."""

    retryable = False


def classify_fault(
    code: str,
    *,
    message: str = "",
    detail: str = "",
    http_status: int | None = None,
    intuit_tid: str | None = None,
) -> QBOError:
    """The error type for a QBO fault code and HTTP status (None inside a batch item)."""
    kwargs: dict[str, Any] = {
        "code": code,
        "message": message,
        "detail": detail,
        "http_status": http_status,
        "intuit_tid": intuit_tid,
    }
    if http_status == 401 or code == "3200":
        return QBOAuthError(**kwargs)
    if http_status == 429 or code == "3001":
        return QBOThrottled(**kwargs)
    if http_status is not None and http_status >= 500:
        return QBOTransientError(**kwargs)
    if code == "10000" and (http_status is None or http_status < 400):
        # python-quickbooks reports an unreadable body as 10000: a garbled or cut-off answer.
        return QBOTransientError(**kwargs)
    return QBOValidationError(**kwargs)


def _fault_error(fault: Mapping[str, Any]) -> dict[str, Any]:
    """The first error of a fault, in either spelling QBO uses ("Fault"/"Error" or the 401's
    lower-case "fault"/"error")."""
    errors = fault.get("Error") or fault.get("error") or [{}]
    first = errors[0] if isinstance(errors, list) and errors else {}
    return first if isinstance(first, dict) else {}


def _from_library_exception(exc: QuickbooksException, http_status: int | None) -> QBOError:
    code = str(exc.error_code)
    message = str(exc.message or "")
    detail = str(exc.detail or "")
    if http_status == 401:
        # python-quickbooks raises before reading the body and puts the HTTP status in
        # error_code; QBO's own code (3200) is in the body it passes as detail.
        code = "3200"
        try:
            body = json.loads(detail)
            first = _fault_error(body.get("fault") or body.get("Fault") or {})
            code = str(first.get("code") or code)
            message = str(first.get("message") or first.get("Message") or message)
        except (ValueError, AttributeError):
            pass
        detail = ""
    return classify_fault(code, message=message, detail=detail, http_status=http_status)


def _from_transport_exception(exc: requests.RequestException) -> QBOError:
    if isinstance(exc, requests.Timeout):
        return QBOTransientError(code="timeout", message=type(exc).__name__)
    # ConnectionError (incl. a connection closed without an answer: the lost-response case),
    # ChunkedEncodingError, ...: whether QBO executed is unknown, so retry with the requestid.
    return QBOTransientError(code="connection", message=type(exc).__name__)


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


def _log_failure(operation: str, error: QBOError) -> None:
    # Codes, status and Intuit's transaction id only: never tokens, bodies or secrets.
    logger.warning(
        "QBO %s failed: %s code=%s status=%s intuit_tid=%s",
        operation,
        type(error).__name__,
        error.code,
        error.http_status,
        error.intuit_tid,
    )


# -- transport with timeouts ---------------------------------------------------------------------


def _is_loopback_http(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _allow_http_for_loopback(config: QBOConfig) -> None:
    """requests-oauthlib refuses http:// unless OAUTHLIB_INSECURE_TRANSPORT is set; set it only
    for a loopback emulator, never for a remote QuickBooks (facts §2)."""
    if _is_loopback_http(config.api_url_v3):
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


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


class _TimedOAuth2Session(OAuth2Session):
    """The OAuth2Session python-quickbooks sends through, with a timeout on every request."""

    def __init__(self, *args: Any, timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._timeout = timeout

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self._timeout)
        response: requests.Response = super().request(method, url, *args, **kwargs)
        return response


class _QuickBooks(QuickBooks):
    """python-quickbooks, remembering the HTTP status and intuit_tid of the last answer (its
    exceptions drop them, and the status decides whether a retry can help)."""

    last_status: int | None = None
    last_intuit_tid: str | None = None

    def process_request(
        self, request_type: str, url: str, headers: Any = "", params: Any = "", data: Any = ""
    ) -> requests.Response:
        self.last_status = None
        self.last_intuit_tid = None
        response: requests.Response = super().process_request(
            request_type, url, headers=headers, params=params, data=data
        )
        self.last_status = response.status_code
        self.last_intuit_tid = response.headers.get("intuit_tid")
        return response


# -- OAuth 2.0 -----------------------------------------------------------------------------------


class QBOAuth:
    """Authorization URL, code exchange, refresh and revocation through intuitlib."""

    def __init__(self, config: QBOConfig) -> None:
        self.config = config
        _allow_http_for_loopback(config)

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
            raise self._failed("discovery", _from_transport_exception(exc)) from exc
        except (ValueError, KeyError) as exc:
            error = QBOTransientError(code="discovery", message=type(exc).__name__)
            raise self._failed("discovery", error) from exc

    @staticmethod
    def _failed(operation: str, error: QBOError) -> QBOError:
        _log_failure(operation, error)
        return error

    def _call(self, operation: str, client: AuthClient, method: str, *args: Any) -> None:
        try:
            getattr(client, method)(*args)
        except AuthClientError as exc:
            raise self._failed(operation, _from_auth_client_error(exc)) from exc
        except requests.RequestException as exc:
            raise self._failed(operation, _from_transport_exception(exc)) from exc

    def authorization_url(self, state: str) -> str:
        """Where to send the admin for consent; Intuit redirects back with code, state, realmId."""
        client = self._client()
        url: str = client.get_authorization_url([Scopes.ACCOUNTING], state_token=state)
        return url

    def exchange_code(self, code: str) -> TokenSet:
        """Trade the callback's code for tokens. A code works once: a second exchange fails
        (invalid_grant) and revokes what the first issued (RFC 6749 §4.1.2)."""
        client = self._client()
        self._call("code exchange", client, "get_bearer_token", code)
        return self._tokens(client)

    def refresh(self, refresh_token: str) -> TokenSet:
        """New tokens. The refresh token in the answer may be a NEW value (Intuit rotates it
        about daily and the old one may stop working at once): store it before using it."""
        client = self._client()
        self._call("refresh", client, "refresh", refresh_token)
        return self._tokens(client)

    def revoke(self, token: str) -> None:
        """End the grant (the access or the refresh token ends both)."""
        client = self._client()
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
            _log_failure("token response", error)
            raise error from exc
        if not client.access_token or not client.refresh_token:
            raise QBOTransientError(code="token_response", message="incomplete token response")
        return TokenSet(
            access_token=access,
            refresh_token=refresh,
            access_token_expires_at=now + timedelta(seconds=expires_in),
            refresh_token_expires_at=now + timedelta(seconds=refresh_expires_in),
        )


# -- the Accounting API --------------------------------------------------------------------------


def _quote(value: str) -> str:
    """A string literal of QBO's query language (backslash-escaped quotes, as python-quickbooks)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() == "true"


def _employee(data: Mapping[str, Any]) -> QBOEmployee:
    return QBOEmployee(
        id=str(data["Id"]),
        display_name=str(data.get("DisplayName") or ""),
        given_name=str(data.get("GivenName") or ""),
        family_name=str(data.get("FamilyName") or ""),
        active=_bool(data.get("Active", True)),
        sync_token=str(data.get("SyncToken", "0")),
    )


def _customer(data: Mapping[str, Any]) -> QBOCustomer:
    parent = data.get("ParentRef")
    parent_id = str(parent["value"]) if isinstance(parent, dict) and parent.get("value") else None
    return QBOCustomer(
        id=str(data["Id"]),
        display_name=str(data.get("DisplayName") or ""),
        parent_id=parent_id,
        active=_bool(data.get("Active", True)),
        is_project=_bool(data.get("IsProject", False)),
        level=int(data.get("Level") or 0),
        fully_qualified_name=str(data.get("FullyQualifiedName") or ""),
        sync_token=str(data.get("SyncToken", "0")),
    )


class QBOSession:
    """The Accounting API for one company (realm) with one access token.

    On QBOAuthError the caller refreshes (under its lock) and opens a new session."""

    def __init__(self, config: QBOConfig, *, realm_id: str, access_token: str) -> None:
        _allow_http_for_loopback(config)
        self.config = config
        self.realm_id = realm_id
        # No auth_client: python-quickbooks would refresh in its constructor when it has no
        # access token; refreshing is the caller's job (it stores the new refresh token first).
        qb = _QuickBooks(company_id=realm_id, minorversion=MINOR_VERSION)
        qb.session = _TimedOAuth2Session(
            config.client_id,
            token={"access_token": access_token, "token_type": "Bearer"},
            timeout=config.timeout,
        )
        # Per-instance base URL instead of Intuit's class attribute (facts §2): no patching.
        qb.api_url_v3 = config.api_url_v3
        qb.sandbox = False
        self._qb = qb

    def __repr__(self) -> str:
        return f"QBOSession(realm_id={self.realm_id!r})"

    @property
    def _company_url(self) -> str:
        return f"{self.config.api_url_v3}/company/{self.realm_id}"

    def _call(self, operation: str, method: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        qb = self._qb
        try:
            result = getattr(qb, method)(*args, **kwargs)
        except QuickbooksException as exc:
            error = _from_library_exception(exc, qb.last_status)
            error.intuit_tid = qb.last_intuit_tid
            _log_failure(operation, error)
            raise error from exc
        except requests.RequestException as exc:
            error = _from_transport_exception(exc)
            _log_failure(operation, error)
            raise error from exc
        if not isinstance(result, dict):
            error = QBOTransientError(
                code="10000", message="unexpected response", http_status=qb.last_status
            )
            _log_failure(operation, error)
            raise error
        return result

    # -- reads --

    def company_info(self) -> CompanyInfo:
        data = self._call("company info", "get", f"{self._company_url}/companyinfo/{self.realm_id}")
        info = data.get("CompanyInfo") or {}
        values = {
            str(item.get("Name")): str(item.get("Value"))
            for item in info.get("NameValue") or []
            if isinstance(item, dict)
        }
        return CompanyInfo(
            company_name=str(info.get("CompanyName") or ""),
            offering_sku=values.get("OfferingSku", ""),
            payroll_enabled=values.get("PayrollFeature", "false").lower() == "true",
            subscription_status=values.get("SubscriptionStatus", ""),
        )

    def preferences(self) -> Preferences:
        data = self._call("preferences", "get", f"{self._company_url}/preferences")
        prefs = data.get("Preferences") or {}
        raw = (prefs.get("AccountingInfoPrefs") or {}).get("BookCloseDate")
        return Preferences(book_close_date=date.fromisoformat(str(raw)[:10]) if raw else None)

    def _query_pages(self, entity: str, where: str, page_size: int) -> Iterator[dict[str, Any]]:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
        start = 1  # STARTPOSITION is 1-based
        while True:
            # QBO's query language, not SQL on a database; `entity` and `where` are built here
            # and string values in them go through _quote.
            sql = (
                f"SELECT * FROM {entity}{where} ORDERBY Id "  # noqa: S608
                f"STARTPOSITION {start} MAXRESULTS {page_size}"
            )
            data = self._call(f"query {entity}", "query", sql)
            rows = (data.get("QueryResponse") or {}).get(entity) or []
            yield from rows
            if len(rows) < page_size:
                return
            start += page_size

    def employees(self, *, page_size: int = MAX_PAGE_SIZE) -> list[QBOEmployee]:
        """ALL employees, active and inactive (name lists answer active ones unless asked)."""
        where = " WHERE Active IN (true, false)"
        return [_employee(row) for row in self._query_pages("Employee", where, page_size)]

    def customers(self, *, page_size: int = MAX_PAGE_SIZE) -> list[QBOCustomer]:
        """ALL customers, sub-customers and projects, active and inactive."""
        where = " WHERE Active IN (true, false)"
        return [_customer(row) for row in self._query_pages("Customer", where, page_size)]

    def service_items(self, *, page_size: int = MAX_PAGE_SIZE) -> list[ServiceItem]:
        """Active Service items: the ones a TimeActivity's ItemRef may name."""
        where = " WHERE Type = 'Service'"
        return [
            ServiceItem(
                id=str(row["Id"]),
                name=str(row.get("Name") or ""),
                active=_bool(row.get("Active", True)),
            )
            for row in self._query_pages("Item", where, page_size)
        ]

    def employee_by_display_name(self, display_name: str) -> QBOEmployee | None:
        where = f" WHERE DisplayName = {_quote(display_name)} AND Active IN (true, false)"
        rows = list(self._query_pages("Employee", where, MAX_PAGE_SIZE))
        return _employee(rows[0]) if rows else None

    # -- writes --

    def create_employee(
        self,
        *,
        display_name: str,
        given_name: str,
        family_name: str = "",
        request_id: str | None = None,
    ) -> QBOEmployee:
        body: dict[str, Any] = {"DisplayName": display_name, "GivenName": given_name}
        if family_name:
            body["FamilyName"] = family_name
        data = self._call(
            "create employee",
            "create_object",
            "Employee",
            json.dumps(body),
            request_id=request_id,
        )
        return _employee(data["Employee"])

    def create_customer(
        self,
        *,
        display_name: str,
        parent_id: str | None = None,
        request_id: str | None = None,
    ) -> QBOCustomer:
        body: dict[str, Any] = {"DisplayName": display_name}
        if parent_id is not None:
            body.update({"Job": True, "ParentRef": {"value": parent_id}})
        data = self._call(
            "create customer",
            "create_object",
            "Customer",
            json.dumps(body),
            request_id=request_id,
        )
        return _customer(data["Customer"])

    def send_time_activities(
        self, *, request_id: str, items: Sequence[tuple[str, Mapping[str, Any]]]
    ) -> dict[str, BatchItemResult]:
        """One batch of up to 30 TimeActivity creates, as (bId, TimeActivity payload) pairs.

        The same `request_id` sent again makes QBO answer what it did the first time without
        doing it again (Intuit: "Idempotency using requestid"), so after a timeout or a lost
        answer, send the SAME batch with the SAME request_id. python-quickbooks' batch helpers
        use random bIds and no requestid, so the body is built here. One item's fault does not
        fail the others: the answer maps every bId to its TimeActivity or its error.
        """
        if not request_id or len(request_id) > MAX_BATCH_REQUEST_ID:
            raise ValueError(f"request_id must be 1..{MAX_BATCH_REQUEST_ID} characters")
        if not 1 <= len(items) <= MAX_BATCH_ITEMS:
            raise ValueError(f"a batch holds 1..{MAX_BATCH_ITEMS} items")
        bids = [bid for bid, _ in items]
        if len(set(bids)) != len(bids) or any(not b or len(b) > MAX_BATCH_ID for b in bids):
            raise ValueError(f"bIds must be unique and 1..{MAX_BATCH_ID} characters")
        body = {
            "BatchItemRequest": [
                {"bId": bid, "operation": "create", "TimeActivity": dict(payload)}
                for bid, payload in items
            ]
        }
        data = self._call(
            "send time activities",
            "make_request",
            "POST",
            f"{self._company_url}/batch",
            json.dumps(body),
            request_id=request_id,
        )
        results: dict[str, BatchItemResult] = {}
        for answer in data.get("BatchItemResponse") or []:
            if not isinstance(answer, dict):
                continue
            bid = str(answer.get("bId"))
            if bid not in bids:
                continue
            if isinstance(answer.get("TimeActivity"), dict):
                activity = answer["TimeActivity"]
                results[bid] = BatchItemResult(
                    bid=bid,
                    time_activity_id=str(activity["Id"]),
                    sync_token=str(activity.get("SyncToken", "0")),
                )
            else:
                first = _fault_error(answer.get("Fault") or {})
                results[bid] = BatchItemResult(
                    bid=bid,
                    error=classify_fault(
                        str(first.get("code") or ""),
                        message=str(first.get("Message") or ""),
                        detail=str(first.get("Detail") or ""),
                    ),
                )
        for bid in bids:
            if bid not in results:
                # QBO answered without this item: whether it was created is unknown, so the
                # whole batch is retried with its requestid.
                results[bid] = BatchItemResult(
                    bid=bid,
                    error=QBOTransientError(code="connection", message="no answer for this item"),
                    answered=False,
                )
        return results
