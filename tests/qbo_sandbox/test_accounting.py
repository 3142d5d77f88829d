"""The emulator's Accounting operations: envelopes, updates, delete, queries, batches, company."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from qbo_sandbox import rules
from qbo_sandbox.accounting import Accounting
from qbo_sandbox.accounting import check_batch_bids_for_requestid
from qbo_sandbox.demo import DEMO_COMPANY
from qbo_sandbox.demo import seed_demo
from qbo_sandbox.faults import QBOFault
from qbo_sandbox.store import Store
from tests.qbo_sandbox.accounting_support import fault_of


@pytest.fixture
def realm(store: Store) -> str:
    return str(store.company_create(name="Books Ltd")["realmId"])


def test_created_entity_has_qbos_envelope(api: Accounting, realm: str) -> None:
    response = api.save(realm, "customer", {"Customer": {"DisplayName": "Acme"}})
    customer = response["Customer"]

    assert customer["Id"] == "1"
    assert customer["SyncToken"] == "0"
    assert customer["domain"] == "QBO"
    assert customer["sparse"] is False
    created = datetime.fromisoformat(customer["MetaData"]["CreateTime"])
    assert created.utcoffset() is not None
    assert customer["MetaData"]["LastUpdatedTime"] == customer["MetaData"]["CreateTime"]
    assert datetime.fromisoformat(response["time"]).utcoffset() is not None
    assert api.read(realm, "customer", "1")["Customer"] == customer


def test_ids_increase_per_company_and_names_share_a_sequence(
    api: Accounting, store: Store, realm: str
) -> None:
    other = store.company_create(name="Other")["realmId"]

    ids = [
        api.save(realm, "customer", {"DisplayName": "A"})["Customer"]["Id"],
        api.save(realm, "employee", {"DisplayName": "B"})["Employee"]["Id"],
        api.save(realm, "vendor", {"DisplayName": "C"})["Vendor"]["Id"],
        api.save(other, "customer", {"DisplayName": "A"})["Customer"]["Id"],
    ]

    assert ids == ["1", "2", "3", "1"]
    # Another company's entity is not found in this one.
    assert fault_of(lambda: api.read(other, "employee", "2")).code == "610"


def test_full_update_replaces_and_sparse_update_merges(api: Accounting, realm: str) -> None:
    created = api.save(
        realm,
        "employee",
        {"DisplayName": "Dana Whitfield", "GivenName": "Dana", "EmployeeNumber": "E-7"},
    )["Employee"]

    sparse = api.save(
        realm,
        "employee",
        {"Id": created["Id"], "SyncToken": "0", "sparse": True, "FamilyName": "Whitfield"},
    )["Employee"]
    assert (sparse["GivenName"], sparse["FamilyName"], sparse["EmployeeNumber"]) == (
        "Dana",
        "Whitfield",
        "E-7",
    )
    assert sparse["SyncToken"] == "1"
    assert sparse["sparse"] is False
    assert sparse["MetaData"]["CreateTime"] == created["MetaData"]["CreateTime"]

    full = api.save(
        realm,
        "employee",
        {"Id": created["Id"], "SyncToken": "1", "DisplayName": "Dana W.", "GivenName": "Dana"},
    )["Employee"]
    assert full["DisplayName"] == "Dana W."
    assert "FamilyName" not in full and "EmployeeNumber" not in full
    assert full["SyncToken"] == "2"


def test_deactivating_through_active_false_hides_from_default_queries(
    api: Accounting, realm: str
) -> None:
    kept = api.save(realm, "customer", {"DisplayName": "Kept"})["Customer"]
    gone = api.save(realm, "customer", {"DisplayName": "Gone"})["Customer"]
    api.save(realm, "customer", {**gone, "Active": False})

    default = api.query(realm, "SELECT * FROM Customer")["QueryResponse"]
    everything = api.query(realm, "select * from Customer where Active IN (true, false)")[
        "QueryResponse"
    ]
    inactive = api.query(realm, "SELECT * FROM Customer WHERE Active = false")["QueryResponse"]

    assert [c["Id"] for c in default["Customer"]] == [kept["Id"]]
    assert [c["Id"] for c in everything["Customer"]] == [kept["Id"], gone["Id"]]
    assert [c["DisplayName"] for c in inactive["Customer"]] == ["Gone"]
    assert api.read(realm, "customer", gone["Id"])["Customer"]["Active"] is False


def test_queries_page_count_and_filter(api: Accounting, realm: str) -> None:
    for n in range(1, 8):
        api.save(realm, "customer", {"DisplayName": f"Customer {n}"})

    page = api.query(realm, "SELECT * FROM Customer ORDER BY Id STARTPOSITION 3 MAXRESULTS 2")
    count = api.query(realm, "SELECT COUNT(*) FROM Customer ")
    named = api.query(realm, "SELECT * FROM Customer WHERE DisplayName = 'Customer 5'")
    nothing = api.query(realm, "SELECT * FROM Customer WHERE DisplayName LIKE 'Nobody%'")

    assert [c["DisplayName"] for c in page["QueryResponse"]["Customer"]] == [
        "Customer 3",
        "Customer 4",
    ]
    assert page["QueryResponse"]["startPosition"] == 3
    assert count["QueryResponse"] == {"totalCount": 7}
    assert [c["Id"] for c in named["QueryResponse"]["Customer"]] == ["5"]
    assert nothing["QueryResponse"] == {}


def test_query_faults(api: Accounting, realm: str) -> None:
    assert fault_of(lambda: api.query(realm, "SELECT FROM")).code == "4000"
    assert fault_of(lambda: api.query(realm, "SELECT * FROM Gizmo")).code == "4000"
    # An entity QBO has but the sandbox keeps none of: an empty answer, as in such a company.
    assert api.query(realm, "SELECT * FROM Invoice")["QueryResponse"] == {}


def test_company_info_and_preferences_are_queryable(api: Accounting, realm: str) -> None:
    info = api.query(realm, "SELECT * FROM CompanyInfo")["QueryResponse"]["CompanyInfo"]
    prefs = api.query(realm, "SELECT * FROM Preferences")["QueryResponse"]["Preferences"]

    assert info[0]["CompanyName"] == "Books Ltd"
    assert "TimeTrackingPrefs" in prefs[0]


def test_delete_time_activity_and_refuse_delete_of_name_lists(api: Accounting, realm: str) -> None:
    employee = api.save(realm, "employee", {"DisplayName": "Marcus Chen"})["Employee"]
    entry = api.save(
        realm,
        "timeactivity",
        {
            "NameOf": "Employee",
            "EmployeeRef": {"value": employee["Id"]},
            "TxnDate": "2026-02-03",
            "Hours": 1,
            "Minutes": 0,
        },
    )["TimeActivity"]

    stale = fault_of(
        lambda: api.delete(realm, "timeactivity", {"Id": entry["Id"], "SyncToken": "7"})
    )
    assert stale.code == "5010"

    deleted = api.delete(realm, "timeactivity", {"Id": entry["Id"], "SyncToken": "0"})

    assert deleted["TimeActivity"] == {"status": "Deleted", "Id": entry["Id"], "domain": "QBO"}
    assert fault_of(lambda: api.read(realm, "timeactivity", entry["Id"])).code == "610"
    again = fault_of(
        lambda: api.delete(realm, "timeactivity", {"Id": entry["Id"], "SyncToken": "0"})
    )
    assert again.code == "610"
    refused = fault_of(lambda: api.delete(realm, "employee", employee))
    assert (refused.code, refused.message) == ("500", "Unsupported Operation")
    assert api.read(realm, "employee", employee["Id"])["Employee"]["Active"] is True


# -- batch -----------------------------------------------------------------------------------


def test_batch_of_mixed_successes_and_faults(api: Accounting, realm: str) -> None:
    employee = api.save(realm, "employee", {"DisplayName": "Priya Raman"})["Employee"]
    old = api.save(
        realm,
        "timeactivity",
        {"NameOf": "Employee", "EmployeeRef": {"value": employee["Id"]}, "Hours": 1, "Minutes": 0},
    )["TimeActivity"]
    entry = {"NameOf": "Employee", "EmployeeRef": {"value": employee["Id"]}, "Hours": 3}

    response = api.batch(
        realm,
        {
            "BatchItemRequest": [
                {"bId": "ok", "operation": "create", "TimeActivity": entry},
                {
                    "bId": "bad-ref",
                    "operation": "create",
                    "TimeActivity": {**entry, "EmployeeRef": {"value": "404"}},
                },
                {"bId": "dup", "operation": "create", "Customer": {"DisplayName": "Priya Raman"}},
                {
                    "bId": "upd",
                    "operation": "update",
                    "Employee": {
                        "Id": employee["Id"],
                        "SyncToken": "0",
                        "sparse": True,
                        "FamilyName": "R",
                    },
                },
                {
                    "bId": "stale",
                    "operation": "update",
                    "Employee": {
                        "Id": employee["Id"],
                        "SyncToken": "0",
                        "sparse": True,
                        "FamilyName": "X",
                    },
                },
                {
                    "bId": "del",
                    "operation": "delete",
                    "TimeActivity": {"Id": old["Id"], "SyncToken": "0"},
                },
                {"bId": "q", "Query": "SELECT COUNT(*) FROM TimeActivity"},
                {"bId": "badq", "Query": "SELECT nonsense"},
            ]
        },
    )

    by_bid = {item["bId"]: item for item in response["BatchItemResponse"]}
    assert list(by_bid) == ["ok", "bad-ref", "dup", "upd", "stale", "del", "q", "badq"]
    assert by_bid["ok"]["TimeActivity"]["Hours"] == 3
    assert by_bid["bad-ref"]["Fault"]["Error"][0]["code"] == "2500"
    assert by_bid["dup"]["Fault"]["Error"][0]["code"] == "6240"
    assert by_bid["dup"]["Fault"]["type"] == "ValidationFault"
    assert by_bid["upd"]["Employee"]["SyncToken"] == "1"
    assert by_bid["stale"]["Fault"]["Error"][0]["code"] == "5010"
    assert by_bid["del"]["TimeActivity"]["status"] == "Deleted"
    assert by_bid["q"]["QueryResponse"] == {"totalCount": 1}
    assert by_bid["badq"]["Fault"]["Error"][0]["code"] == "4000"
    assert "time" in response
    # Faulted items saved nothing; the others did.
    assert api.query(realm, "SELECT COUNT(*) FROM Customer")["QueryResponse"]["totalCount"] == 0
    assert api.read(realm, "employee", employee["Id"])["Employee"]["FamilyName"] == "R"


def test_batch_of_30_passes_and_31_is_refused_whole(api: Accounting, realm: str) -> None:
    def items(count: int, prefix: str) -> list[dict[str, Any]]:
        return [
            {"bId": str(n), "operation": "create", "Customer": {"DisplayName": f"{prefix} {n}"}}
            for n in range(count)
        ]

    thirty = api.batch(realm, {"BatchItemRequest": items(30, "A")})
    fault = fault_of(lambda: api.batch(realm, {"BatchItemRequest": items(31, "B")}))

    assert all("Customer" in item for item in thirty["BatchItemResponse"])
    assert fault.http_status == 400
    assert "30" in fault.detail
    assert api.query(realm, "SELECT COUNT(*) FROM Customer")["QueryResponse"]["totalCount"] == 30


def test_batch_needs_distinct_bids_and_known_operations(api: Accounting, realm: str) -> None:
    duplicate = fault_of(
        lambda: api.batch(
            realm,
            {"BatchItemRequest": [{"bId": "1", "Query": "SELECT * FROM Item"}] * 2},
        )
    )
    assert duplicate.code == "6000"

    response = api.batch(
        realm,
        {
            "BatchItemRequest": [
                {"bId": "1", "operation": "merge", "Customer": {"DisplayName": "X"}},
                {"bId": "2", "operation": "create", "Gizmo": {"Name": "X"}},
            ]
        },
    )
    codes = [item["Fault"]["Error"][0]["code"] for item in response["BatchItemResponse"]]
    assert codes == ["2170", "500"]


def test_bid_length_rule_with_a_requestid() -> None:
    check_batch_bids_for_requestid({"BatchItemRequest": [{"bId": "0123456789"}]})

    with pytest.raises(QBOFault):
        check_batch_bids_for_requestid({"BatchItemRequest": [{"bId": "0123456789A"}]})


# -- company ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sku", "offering"),
    [
        ("Simple Start", "QuickBooks Online Simple Start"),
        ("Essentials", "QuickBooks Online Essentials"),
        ("Plus", "QuickBooks Online Plus"),
        ("Advanced", "QuickBooks Online Advanced"),
    ],
)
def test_company_info_name_values(api: Accounting, store: Store, sku: str, offering: str) -> None:
    realm = store.company_create(name="Skus", sku=sku, payroll=sku == "Advanced")["realmId"]
    store.company_update(realm, subscription_status="TRIAL")

    info = api.company_info(realm)["CompanyInfo"]

    values = {nv["Name"]: nv["Value"] for nv in info["NameValue"]}
    assert values["OfferingSku"] == offering
    assert values["PayrollFeature"] == ("true" if sku == "Advanced" else "false")
    assert values["SubscriptionStatus"] == "TRIAL"
    assert info["CompanyName"] == "Skus"
    assert info["Country"] == "US"


def test_preferences_book_close_date_and_time_tracking(api: Accounting, store: Store) -> None:
    realm = store.company_create(name="Prefs", book_close_date="2025-12-31")["realmId"]

    prefs = api.preferences(realm)["Preferences"]
    assert prefs["AccountingInfoPrefs"]["BookCloseDate"] == "2025-12-31"
    assert set(prefs["TimeTrackingPrefs"]) >= {
        "UseServices",
        "BillCustomers",
        "ShowBillRateToAll",
        "MarkTimeEntriesBillable",
        "WorkWeekStartDate",
    }

    store.company_update(realm, book_close_date=None)
    assert "BookCloseDate" not in api.preferences(realm)["Preferences"]["AccountingInfoPrefs"]


# -- demo ------------------------------------------------------------------------------------


def test_seed_demo_builds_the_demo_company_once(api: Accounting, store: Store) -> None:
    realm = seed_demo(store)

    assert seed_demo(store) == realm
    assert [c["name"] for c in store.company_list()] == [DEMO_COMPANY]
    company = store.company_get(realm)
    assert company is not None
    assert (company["sku"], company["payroll"], company["book_close_date"]) == ("Plus", False, None)
    employees = [e["DisplayName"] for e in rules.entity_list(store, realm, "Employee")]
    assert employees == [
        "Dana Whitfield",
        "Marcus Chen",
        "Priya Raman",
        "Tomás Alvarez",
        "Grace O'Neill",
        "Henry Ford-Smith",
    ]
    customers = {c["FullyQualifiedName"]: c for c in rules.entity_list(store, realm, "Customer")}
    assert len(customers) == 10
    assert (
        customers["Harbor Logistics:Harbor Logistics Website:Website Redesign:Checkout Flow"][
            "Level"
        ]
        == 3
    )
    # "Website Redesign" is both a parent and a child.
    redesign = customers["Harbor Logistics:Harbor Logistics Website:Website Redesign"]
    assert any(c.get("ParentRef", {}).get("value") == redesign["Id"] for c in customers.values())
    projects = sorted(n for n, c in customers.items() if c["IsProject"])
    assert projects == ["Harbor Logistics:Warehouse App", "Summit Dental:Brand Refresh"]
    assert customers["Greenleaf Bakery"]["Level"] == 0
    items = api.query(realm, "SELECT * FROM Item WHERE Name = 'Hours'")["QueryResponse"]["Item"]
    assert items[0]["Type"] == "Service"
    # Time can be sent to the demo company straight away.
    dana = api.query(realm, "SELECT * FROM Employee WHERE DisplayName = 'Dana Whitfield'")
    entry = api.save(
        realm,
        "timeactivity",
        {
            "NameOf": "Employee",
            "EmployeeRef": {"value": dana["QueryResponse"]["Employee"][0]["Id"]},
            "CustomerRef": {"value": customers["Harbor Logistics:Warehouse App"]["Id"]},
            "ItemRef": {"value": items[0]["Id"]},
            "Hours": 2,
            "Minutes": 30,
            "BillableStatus": "Billable",
            "HourlyRate": 130,
        },
    )
    assert entry["TimeActivity"]["CustomerRef"]["name"] == "Harbor Logistics:Warehouse App"
