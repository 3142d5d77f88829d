"""The error taxonomy of QuickBooks Online calls: one `QBOError` type per thing a caller can do
about it (refresh, wait, retry with the same requestid, or have an admin fix the cause), chosen by
QBO's error code and the HTTP status, never by a library's exception class (python-quickbooks
picks its classes by numeric code ranges that do not say whether a retry helps; qbo-facts §2).
Every error carries QBO's code and a sentence a person can act on (`human_message`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from typing import ClassVar

import requests

logger = logging.getLogger(__name__)

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


def fault_error(fault: Mapping[str, Any]) -> dict[str, Any]:
    """The first error of a fault, in either spelling QBO uses ("Fault"/"Error" or the 401's
    lower-case "fault"/"error")."""
    errors = fault.get("Error") or fault.get("error") or [{}]
    first = errors[0] if isinstance(errors, list) and errors else {}
    return first if isinstance(first, dict) else {}


def from_transport_exception(exc: requests.RequestException) -> QBOError:
    if isinstance(exc, requests.Timeout):
        return QBOTransientError(code="timeout", message=type(exc).__name__)
    # ConnectionError (incl. a connection closed without an answer: the lost-response case),
    # ChunkedEncodingError, ...: whether QBO executed is unknown, so retry with the requestid.
    return QBOTransientError(code="connection", message=type(exc).__name__)


def log_failure(operation: str, error: QBOError) -> None:
    # Codes, status and Intuit's transaction id only: never tokens, bodies or secrets.
    logger.warning(
        "QBO %s failed: %s code=%s status=%s intuit_tid=%s",
        operation,
        type(error).__name__,
        error.code,
        error.http_status,
        error.intuit_tid,
    )
