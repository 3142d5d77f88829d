"""The Accounting API of one QuickBooks Online company through `python-quickbooks` 0.9.12: reads
(company info, preferences, paged queries of employees, vendors, customers and items), creates,
and the TimeActivity batch that sending rests on. Every request has a timeout, every failure
becomes a `QBOError`, and everything returned is plain data (quickbooks_sync.qbo.types).

The comment on each call names its page of Intuit's Accounting API reference, under
https://developer.intuit.com/app/developer/qbo/docs/api/accounting/
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import date
from datetime import datetime
from typing import Any
from typing import TypeVar

import requests
from quickbooks import QuickBooks
from quickbooks.exceptions import QuickbooksException
from redis import RedisError
from requests_oauthlib import OAuth2Session

from quickbooks_sync.qbo.errors import QBOError
from quickbooks_sync.qbo.errors import QBOThrottled
from quickbooks_sync.qbo.errors import QBOTransientError
from quickbooks_sync.qbo.errors import classify_fault
from quickbooks_sync.qbo.errors import fault_error
from quickbooks_sync.qbo.errors import from_transport_exception
from quickbooks_sync.qbo.errors import log_failure
from quickbooks_sync.qbo.http import allow_http_for_loopback
from quickbooks_sync.qbo.limiter import CompanyLimiter
from quickbooks_sync.qbo.limiter import company_limiter
from quickbooks_sync.qbo.types import CDC_MAX_OBJECTS
from quickbooks_sync.qbo.types import MAX_BATCH_ID
from quickbooks_sync.qbo.types import MAX_BATCH_ITEMS
from quickbooks_sync.qbo.types import MAX_BATCH_REQUEST_ID
from quickbooks_sync.qbo.types import MAX_PAGE_SIZE
from quickbooks_sync.qbo.types import MINOR_VERSION
from quickbooks_sync.qbo.types import BatchItemResult
from quickbooks_sync.qbo.types import ChangedEntity
from quickbooks_sync.qbo.types import ChangeSet
from quickbooks_sync.qbo.types import CompanyInfo
from quickbooks_sync.qbo.types import Preferences
from quickbooks_sync.qbo.types import QBOClass
from quickbooks_sync.qbo.types import QBOConfig
from quickbooks_sync.qbo.types import QBOCustomer
from quickbooks_sync.qbo.types import QBOEmployee
from quickbooks_sync.qbo.types import QBOVendor
from quickbooks_sync.qbo.types import ServiceItem

logger = logging.getLogger(__name__)

_Person = TypeVar("_Person", bound=QBOEmployee)


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
            first = fault_error(body.get("fault") or body.get("Fault") or {})
            code = str(first.get("code") or code)
            message = str(first.get("message") or first.get("Message") or message)
        except (ValueError, AttributeError):
            pass
        detail = ""
    return classify_fault(code, message=message, detail=detail, http_status=http_status)


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


def _quote(value: str) -> str:
    """A string literal of QBO's query language (backslash-escaped quotes, as python-quickbooks)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() == "true"


def _employee(data: Mapping[str, Any]) -> QBOEmployee:
    return _person(data, QBOEmployee)


def _vendor(data: Mapping[str, Any]) -> QBOVendor:
    return _person(data, QBOVendor)


def _person(data: Mapping[str, Any], kind: type[_Person]) -> _Person:
    return kind(
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


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _changed(entity: str, data: Mapping[str, Any]) -> ChangedEntity:
    """One object of a ChangeDataCapture list: a record, or QBO's "Deleted" mark (Id and
    MetaData only). A record with Active false is a deactivation too."""
    deleted = str(data.get("status", "")).lower() == "deleted" or not _bool(
        data.get("Active", True)
    )
    return ChangedEntity(
        entity=entity,
        id=str(data["Id"]),
        display_name=str(data.get("DisplayName") or ""),
        deleted=deleted,
        fully_qualified_name=str(data.get("FullyQualifiedName") or data.get("DisplayName") or ""),
        created_at=_moment((data.get("MetaData") or {}).get("CreateTime")),
    )


class QBOSession:
    """The Accounting API for one company (realm) with one access token.

    The one door to QuickBooks: every request of every caller (sync's reads, employee, vendor
    and customer creation, the service-item lookup, the send's batches) goes through `_call`, which
    holds a slot of the company's rate limiter while the request is in flight (a batch takes a
    batch slot too) and pauses every worker of the company after a 429. On QBOAuthError the
    caller refreshes (under its lock) and opens a new session."""

    def __init__(
        self,
        config: QBOConfig,
        *,
        realm_id: str,
        access_token: str,
        limiter: CompanyLimiter | None = None,
        slot_timeout: float | None = None,
    ) -> None:
        allow_http_for_loopback(config)
        self.config = config
        self.realm_id = realm_id
        # Every call takes a slot of the company's limiter (shared by all workers through
        # Redis); `slot_timeout` real seconds without one raise RateLimitTimeout (None: wait).
        self._limiter = limiter if limiter is not None else company_limiter(realm_id)
        self.slot_timeout = slot_timeout
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

    def _call(
        self,
        operation: str,
        method: str,
        *args: Any,
        batch: bool = False,
        on_request: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Call python-quickbooks' `method` holding a slot of the company's limiter; `on_request`
        runs once the slot is granted, right before the request leaves."""
        qb = self._qb
        slot = self._limiter.batch_slot if batch else self._limiter.request_slot
        with slot(timeout=self.slot_timeout):
            if on_request is not None:
                on_request()
            try:
                result = getattr(qb, method)(*args, **kwargs)
            except QuickbooksException as exc:
                error = _from_library_exception(exc, qb.last_status)
                error.intuit_tid = qb.last_intuit_tid
                log_failure(operation, error)
                if isinstance(error, QBOThrottled):
                    # Intuit's "API call limits and throttles": wait 60 s. Every worker of
                    # this company waits, not only this one.
                    try:
                        self._limiter.penalize(QBOThrottled.retry_after_seconds)
                    except RedisError:
                        logger.warning("QBO: the rate limiter's Redis is away; pause not shared")
                raise error from exc
            except requests.RequestException as exc:
                error = from_transport_exception(exc)
                log_failure(operation, error)
                raise error from exc
        if not isinstance(result, dict):
            error = QBOTransientError(
                code="10000", message="unexpected response", http_status=qb.last_status
            )
            log_failure(operation, error)
            raise error
        return result

    # -- reads --

    def company_info(self) -> CompanyInfo:
        # GET /v3/company/<realm>/companyinfo/<realm> (reference: all-entities/companyinfo);
        # OfferingSku, PayrollFeature and SubscriptionStatus come as NameValue pairs.
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
        # GET /v3/company/<realm>/preferences (reference: all-entities/preferences):
        # AccountingInfoPrefs.BookCloseDate, before which QBO refuses transactions (6210).
        data = self._call("preferences", "get", f"{self._company_url}/preferences")
        prefs = data.get("Preferences") or {}
        accounting = prefs.get("AccountingInfoPrefs") or {}
        raw = accounting.get("BookCloseDate")
        return Preferences(
            book_close_date=date.fromisoformat(str(raw)[:10]) if raw else None,
            # Intuit: ClassTrackingPerTxn / PerTxnLine say how classes are assigned when
            # "Track classes" is on; a TimeActivity has one ClassRef, so either one means on.
            class_tracking=bool(
                _bool(accounting.get("ClassTrackingPerTxn", False))
                or _bool(accounting.get("ClassTrackingPerTxnLine", False))
            ),
        )

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
            # GET /v3/company/<realm>/query (reference: data-queries): at most 1000 rows a
            # page, STARTPOSITION 1-based; name lists answer active rows unless asked.
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

    def vendors(self, *, page_size: int = MAX_PAGE_SIZE) -> list[QBOVendor]:
        """ALL vendors, active and inactive (a contractor's time goes to one)."""
        where = " WHERE Active IN (true, false)"
        return [_vendor(row) for row in self._query_pages("Vendor", where, page_size)]

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

    def classes(self, *, page_size: int = MAX_PAGE_SIZE) -> list[QBOClass]:
        """Active classes (a name list: active rows unless asked)."""
        return [
            QBOClass(id=str(row["Id"]), name=str(row.get("FullyQualifiedName") or row["Name"]))
            for row in self._query_pages("Class", "", page_size)
        ]

    def changes_since(
        self, since: datetime, entities: Sequence[str] = ("Employee", "Vendor", "Customer")
    ) -> ChangeSet:
        """What changed since `since` (aware; at most 30 days back), in ONE request.

        GET /v3/company/<realm>/cdc?entities=...&changedSince=... (reference: "Change data
        capture operation"): the full records changed, a deleted (for a name list: inactive)
        one as `status: "Deleted"` with its Id; at most 1,000 objects a response, so an
        answer holding that many may be cut (`complete` False)."""
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        data = self._call(
            "change data capture",
            "change_data_capture",
            ",".join(entities),
            since.isoformat(timespec="seconds"),
        )
        found: list[ChangedEntity] = []
        cut = False
        for answer in data.get("CDCResponse") or []:
            for response in (answer or {}).get("QueryResponse") or []:
                if not isinstance(response, dict):
                    continue
                for entity in entities:
                    rows = response.get(entity)
                    if not isinstance(rows, list):
                        continue
                    found.extend(_changed(entity, row) for row in rows if isinstance(row, dict))
                    total = response.get("totalCount")
                    if isinstance(total, int) and total > len(rows):
                        cut = True
        return ChangeSet(tuple(found), complete=not cut and len(found) < CDC_MAX_OBJECTS)

    def employee_by_display_name(self, display_name: str) -> QBOEmployee | None:
        where = f" WHERE DisplayName = {_quote(display_name)} AND Active IN (true, false)"
        rows = list(self._query_pages("Employee", where, MAX_PAGE_SIZE))
        return _employee(rows[0]) if rows else None

    def time_activity(self, activity_id: str) -> dict[str, Any]:
        """One TimeActivity as QBO holds it now (with its SyncToken); QBOError 610 when QBO has
        none with this Id (deleted there)."""
        # GET /v3/company/<realm>/timeactivity/<id> (reference: all-entities/timeactivity).
        data = self._call(
            "read time activity", "get", f"{self._company_url}/timeactivity/{activity_id}"
        )
        activity = data.get("TimeActivity")
        if not isinstance(activity, dict):
            raise QBOTransientError(code="10000", message="unexpected response")
        return activity

    # -- writes --

    def create_employee(
        self,
        *,
        display_name: str,
        given_name: str,
        family_name: str = "",
        request_id: str | None = None,
    ) -> QBOEmployee:
        # POST /v3/company/<realm>/employee?requestid=...: the same requestid answers the first
        # result again; DisplayName is unique across customers, employees and vendors (6240)
        # (Accounting API reference: all-entities/employee).
        data = self._create_person("Employee", display_name, given_name, family_name, request_id)
        return _employee(data["Employee"])

    def create_vendor(
        self,
        *,
        display_name: str,
        given_name: str,
        family_name: str = "",
        request_id: str | None = None,
    ) -> QBOVendor:
        # POST /v3/company/<realm>/vendor?requestid=...: as an employee, with DisplayName unique
        # across customers, employees and vendors (Accounting API reference: all-entities/vendor).
        data = self._create_person("Vendor", display_name, given_name, family_name, request_id)
        return _vendor(data["Vendor"])

    def _create_person(
        self,
        entity: str,
        display_name: str,
        given_name: str,
        family_name: str,
        request_id: str | None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"DisplayName": display_name, "GivenName": given_name}
        if family_name:
            body["FamilyName"] = family_name
        return self._call(
            f"create {entity.lower()}",
            "create_object",
            entity,
            json.dumps(body),
            request_id=request_id,
        )

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
        # POST /v3/company/<realm>/customer?requestid=...: a sub-customer is Job=true with a
        # ParentRef (Accounting API reference: all-entities/customer).
        data = self._call(
            "create customer",
            "create_object",
            "Customer",
            json.dumps(body),
            request_id=request_id,
        )
        return _customer(data["Customer"])

    def send_time_activities(
        self,
        *,
        request_id: str,
        items: Sequence[tuple[str, Mapping[str, Any]]],
        on_request: Callable[[], None] | None = None,
    ) -> dict[str, BatchItemResult]:
        """One batch of up to 30 TimeActivity creates, as (bId, TimeActivity payload) pairs.

        The same `request_id` sent again makes QBO answer what it did the first time without
        doing it again (Intuit: "Idempotency using requestid"), so after a timeout or a lost
        answer, send the SAME batch with the SAME request_id. python-quickbooks' batch helpers
        use random bIds and no requestid, so the body is built here. One item's fault does not
        fail the others: the answer maps every bId to its TimeActivity or its error.
        `on_request` runs once the batch has its rate-limit slot, right before it leaves.
        """
        return self.batch_time_activities(
            request_id=request_id, operation="create", items=items, on_request=on_request
        )

    def batch_time_activities(
        self,
        *,
        request_id: str,
        operation: str,
        items: Sequence[tuple[str, Mapping[str, Any]]],
        on_request: Callable[[], None] | None = None,
    ) -> dict[str, BatchItemResult]:
        """One batch of up to 30 TimeActivity `operation`s ("create", "update": a sparse or full
        update carrying Id and SyncToken, "delete": Id and SyncToken), exactly once per
        `request_id` as `send_time_activities` says. A stale SyncToken fails its item with 5010,
        a date in closed books with 6210."""
        if operation not in ("create", "update", "delete"):
            raise ValueError(f"unknown batch operation {operation!r}")
        if not request_id or len(request_id) > MAX_BATCH_REQUEST_ID:
            raise ValueError(f"request_id must be 1..{MAX_BATCH_REQUEST_ID} characters")
        if not 1 <= len(items) <= MAX_BATCH_ITEMS:
            raise ValueError(f"a batch holds 1..{MAX_BATCH_ITEMS} items")
        bids = [bid for bid, _ in items]
        if len(set(bids)) != len(bids) or any(not b or len(b) > MAX_BATCH_ID for b in bids):
            raise ValueError(f"bIds must be unique and 1..{MAX_BATCH_ID} characters")
        body = {
            "BatchItemRequest": [
                {"bId": bid, "operation": operation, "TimeActivity": dict(payload)}
                for bid, payload in items
            ]
        }
        # POST /v3/company/<realm>/batch?requestid=... (reference: all-entities/batch, and
        # "Idempotency using requestid"): at most 30 items, each answered by its bId with the
        # entity or a Fault; it counts against the 40 batches a minute (batch slot).
        data = self._call(
            "send time activities" if operation == "create" else f"{operation} time activities",
            "make_request",
            "POST",
            f"{self._company_url}/batch",
            json.dumps(body),
            request_id=request_id,
            batch=True,
            on_request=on_request,
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
                first = fault_error(answer.get("Fault") or {})
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
