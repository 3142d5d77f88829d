"""The Accounting API operations of the emulator, as plain calls the HTTP server makes.

Every method answers the JSON body QBO would send (with its `time`) or raises `QBOFault`;
the server turns a fault into `{"Fault": exc.fault(), "time": ...}` with `exc.http_status`.
"""

from __future__ import annotations

from typing import Any

from qbo_sandbox import rules
from qbo_sandbox.faults import QBOFault
from qbo_sandbox.query import check_fields
from qbo_sandbox.query import execute_query
from qbo_sandbox.query import parse_query
from qbo_sandbox.store import Store
from qbo_sandbox.store import response_time

MAX_BATCH_ITEMS = 30
MAX_BID_LENGTH_WITH_REQUESTID = 10

OFFERING_SKUS = {
    "Simple Start": "QuickBooks Online Simple Start",
    "Essentials": "QuickBooks Online Essentials",
    "Plus": "QuickBooks Online Plus",
    "Advanced": "QuickBooks Online Advanced",
}

# Entities QBO has that the sandbox keeps none of: a query on them finds nothing (as in a
# company that has none), where an unknown name is a query fault.
_OTHER_QBO_ENTITIES = frozenset(
    {
        "Account",
        "Attachable",
        "Bill",
        "BillPayment",
        "Budget",
        "CompanyCurrency",
        "CreditMemo",
        "Department",
        "Deposit",
        "Estimate",
        "Invoice",
        "JournalEntry",
        "Payment",
        "PaymentMethod",
        "Purchase",
        "PurchaseOrder",
        "RefundReceipt",
        "SalesReceipt",
        "TaxCode",
        "TaxRate",
        "Term",
        "Transfer",
        "VendorCredit",
    }
)


def batch_too_large(count: int) -> QBOFault:
    # Unverified: Intuit documents the limit of 30 items, not the exact fault it answers.
    return rules.business_validation(
        f"The maximum number of items in a batch request is {MAX_BATCH_ITEMS}. "
        f"The request has {count}."
    )


def check_batch_bids_for_requestid(body: dict[str, Any]) -> None:
    """For the server: with a `requestid`, every bId is at most 10 characters (qbo-facts §3).

    Raises the fault for the whole request when one is longer.
    """
    items = body.get("BatchItemRequest") if isinstance(body, dict) else None
    for item in items if isinstance(items, list) else []:
        bid = str(item.get("bId", "")) if isinstance(item, dict) else ""
        if len(bid) > MAX_BID_LENGTH_WITH_REQUESTID:
            raise rules.business_validation(
                f"With a requestid, a bId may have at most {MAX_BID_LENGTH_WITH_REQUESTID} "
                f"characters; bId {bid} has {len(bid)}.",
                "bId",
            )


def _one_per_company(company: dict[str, Any]) -> dict[str, Any]:
    """The envelope of an entity a company has exactly one of (CompanyInfo, Preferences): Id 1,
    never updated here, so SyncToken 0 and both times the company's creation."""
    return {
        "domain": "QBO",
        "sparse": False,
        "Id": "1",
        "SyncToken": "0",
        "MetaData": {
            "CreateTime": company["created_at"],
            "LastUpdatedTime": company["created_at"],
        },
    }


class Accounting:
    """Read, save, delete, query and batch over a `Store`, with QBO's rules."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- single operations --------------------------------------------------------------------

    def read(self, realm_id: str, entity: str, entity_id: str) -> dict[str, Any]:
        name = rules.canonical_entity(entity)
        rules.require_company(self.store, realm_id)
        record = self.store.entity_get(realm_id, name, str(entity_id).strip())
        if record is None:
            raise rules.object_not_found(name)
        return {name: record, "time": response_time()}

    def save(self, realm_id: str, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        name = rules.canonical_entity(entity)
        rules.require_writable(rules.require_company(self.store, realm_id))
        payload = self._payload(name, body)
        return {name: self._save(realm_id, name, payload), "time": response_time()}

    def delete(self, realm_id: str, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        name = rules.canonical_entity(entity)
        rules.require_writable(rules.require_company(self.store, realm_id))
        payload = self._payload(name, body)
        result = rules.entity_delete(self.store, realm_id, name, payload)
        return {name: result, "time": response_time()}

    def query(self, realm_id: str, text: str) -> dict[str, Any]:
        return {"QueryResponse": self._query(realm_id, text), "time": response_time()}

    # -- batch --------------------------------------------------------------------------------

    def batch(self, realm_id: str, body: dict[str, Any]) -> dict[str, Any]:
        rules.require_company(self.store, realm_id)
        items = body.get("BatchItemRequest") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise rules.required_missing("BatchItemRequest")
        if len(items) > MAX_BATCH_ITEMS:
            raise batch_too_large(len(items))
        bids = [item.get("bId") if isinstance(item, dict) else None for item in items]
        for bid in bids:
            if bid is None or str(bid) == "":
                raise rules.required_missing("bId")
            if isinstance(bid, bool) or not isinstance(bid, str | int):
                raise rules.invalid_property("bId", bid)
        if len({str(bid) for bid in bids}) != len(bids):
            raise rules.business_validation("Each bId in a batch request must be unique", "bId")
        responses = []
        for item in items:
            bid = str(item["bId"])
            try:
                responses.append({"bId": bid, **self._batch_item(realm_id, item)})
            except QBOFault as fault:
                responses.append({"bId": bid, "Fault": fault.fault()})
        return {"BatchItemResponse": responses, "time": response_time()}

    def _batch_item(self, realm_id: str, item: dict[str, Any]) -> dict[str, Any]:
        if "Query" in item:
            return {"QueryResponse": self._query(realm_id, str(item["Query"]))}
        entities = [key for key in item if key.lower() in rules.ENTITIES]
        if len(entities) != 1:
            unknown = [k for k in item if k not in ("bId", "operation", "optionsData")]
            if unknown:
                rules.canonical_entity(unknown[0])  # raises QBO's fault for an unknown entity
            raise rules.required_missing("entity")
        name = rules.canonical_entity(entities[0])
        payload = self._payload(name, item[entities[0]])
        operation = str(item.get("operation") or "").lower()
        if operation in ("create", "update", "delete"):
            # A read-only company refuses each write item; its queries still answer.
            rules.require_writable(rules.require_company(self.store, realm_id))
        if operation == "create":
            payload = {k: v for k, v in payload.items() if k not in ("Id", "SyncToken")}
            return {name: rules.entity_create(self.store, realm_id, name, payload)}
        if operation == "update":
            if not str(payload.get("Id") or "").strip():
                raise rules.required_missing("Id")
            return {name: rules.entity_update(self.store, realm_id, name, payload)}
        if operation == "delete":
            return {name: rules.entity_delete(self.store, realm_id, name, payload)}
        if not operation:
            raise rules.required_missing("operation")
        raise rules.invalid_enumeration("operation", item.get("operation"))

    # -- company ------------------------------------------------------------------------------

    def company_info(self, realm_id: str) -> dict[str, Any]:
        return {"CompanyInfo": self._company_info(realm_id), "time": response_time()}

    def preferences(self, realm_id: str) -> dict[str, Any]:
        return {"Preferences": self._preferences(realm_id), "time": response_time()}

    def _company_info(self, realm_id: str) -> dict[str, Any]:
        company = rules.require_company(self.store, realm_id)
        address = {
            "Id": "1",
            "Line1": "123 Sandbox Road",
            "City": "Mountain View",
            "CountrySubDivisionCode": "CA",
            "PostalCode": "94043",
            "Country": "US",
        }
        return {
            "CompanyName": company["name"],
            "LegalName": company["name"],
            "CompanyAddr": address,
            "CustomerCommunicationAddr": address,
            "LegalAddr": address,
            "PrimaryPhone": {},
            "CompanyStartDate": company["created_at"][:10],
            "FiscalYearStartMonth": "January",
            "Country": "US",
            "Email": {"Address": "sandbox@example.com"},
            "WebAddr": {},
            "SupportedLanguages": "en",
            "NameValue": [
                {"Name": "NeoEnabled", "Value": "true"},
                {"Name": "IndustryType", "Value": "Professional Services"},
                {"Name": "SubscriptionStatus", "Value": company["subscription_status"]},
                {"Name": "OfferingSku", "Value": OFFERING_SKUS[company["sku"]]},
                {"Name": "PayrollFeature", "Value": "true" if company["payroll"] else "false"},
                {"Name": "AccountantFeature", "Value": "false"},
                {"Name": "IsQbdtMigrated", "Value": "false"},
            ],
            **_one_per_company(company),
        }

    def _preferences(self, realm_id: str) -> dict[str, Any]:
        company = rules.require_company(self.store, realm_id)
        accounting: dict[str, Any] = {
            "TrackDepartments": False,
            # Track classes on: one class per transaction (a TimeActivity has one ClassRef).
            "ClassTrackingPerTxn": company["class_tracking"],
            "ClassTrackingPerTxnLine": False,
            "CustomerTerminology": "Customers",
        }
        if company["book_close_date"]:
            accounting["BookCloseDate"] = company["book_close_date"]
        # Simple Start has no billable time (it cannot bill time to customers).
        bills_time = company["sku"] != "Simple Start"
        return {
            "AccountingInfoPrefs": accounting,
            "TimeTrackingPrefs": {
                "UseServices": True,
                "BillCustomers": bills_time,
                "ShowBillRateToAll": False,
                "WorkWeekStartDate": "Monday",
                "MarkTimeEntriesBillable": bills_time,
            },
            "CurrencyPrefs": {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": "USD"}},
            **_one_per_company(company),
        }

    # -- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _payload(name: str, body: Any) -> dict[str, Any]:
        """The entity object of a request body: `{"Customer": {...}}` or the bare object. A
        wrapped body holds nothing beside the entity: another key is an unknown property (2010),
        as any key the entity's schema lacks (checked by the rules)."""
        if not isinstance(body, dict):
            raise rules.required_missing(name)
        inner = body.get(name)
        if not isinstance(inner, dict):
            return dict(body)
        for key in body:
            if key != name:
                raise rules.unrecognized_field(name, str(key))
        return dict(inner)

    def _save(self, realm_id: str, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        if str(payload.get("Id") or "").strip():
            return rules.entity_update(self.store, realm_id, name, payload)
        return rules.entity_create(self.store, realm_id, name, payload)

    def _query(self, realm_id: str, text: str) -> dict[str, Any]:
        rules.require_company(self.store, realm_id)
        query = parse_query(text)
        records: list[dict[str, Any]]
        if query.entity in rules.ENTITIES.values():
            check_fields(query, rules.KNOWN_FIELDS[query.entity], rules.QUERYABLE_PATHS)
            records = self.store.entity_all(realm_id, query.entity)
        elif query.entity == "CompanyInfo":
            records = [self._company_info(realm_id)]
        elif query.entity == "Preferences":
            records = [self._preferences(realm_id)]
        elif query.entity in _OTHER_QBO_ENTITIES:
            records = []
        else:
            raise QBOFault(
                "4000",
                "Error parsing query",
                f"QueryValidationError: Entity {query.entity} is not supported or does not exist",
            )
        return execute_query(query, records)
