"""Every business rule of issue 4 with its exact QBO code, over real HTTP with python-quickbooks,
and the read-only mode of a company whose subscription has lapsed."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from quickbooks import QuickBooks
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.customer import Customer
from quickbooks.objects.employee import Employee
from quickbooks.objects.item import Item
from quickbooks.objects.timeactivity import TimeActivity
from quickbooks.objects.vendor import Vendor

from tests.sandbox_process import SandboxProcess

pytestmark = pytest.mark.sandbox


def url(qb: QuickBooks, path: str) -> str:
    return f"{qb.api_url}/company/{qb.company_id}/{path}"


ENTITY_NAMES = {
    "customer": "Customer",
    "employee": "Employee",
    "vendor": "Vendor",
    "item": "Item",
    "timeactivity": "TimeActivity",
}


def post(qb: QuickBooks, entity: str, body: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = qb.post(url(qb, entity), json.dumps(body))[ENTITY_NAMES[entity]]
    return result


def refused(qb: QuickBooks, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST that must fail: QBO's first error as python-quickbooks saw it (code, message...)."""
    with pytest.raises(QuickbooksException) as excinfo:
        qb.post(url(qb, path), json.dumps(body))
    return {"code": int(excinfo.value.error_code), "detail": excinfo.value.detail}


def count(qb: QuickBooks, entity: str) -> int:
    where = "" if entity == "TimeActivity" else " WHERE Active IN (true, false)"
    total: int = qb.query(f"SELECT COUNT(*) FROM {entity}{where}")["QueryResponse"]["totalCount"]
    return total


@pytest.fixture
def people(qb: QuickBooks) -> dict[str, dict[str, Any]]:
    return {
        "employee": post(qb, "employee", {"DisplayName": "Ada Employee"}),
        "vendor": post(qb, "vendor", {"DisplayName": "Vera Vendor"}),
        "customer": post(qb, "customer", {"DisplayName": "Cora Customer"}),
    }


def activity(people: dict[str, dict[str, Any]], **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "NameOf": "Employee",
        "EmployeeRef": {"value": people["employee"]["Id"]},
        "CustomerRef": {"value": people["customer"]["Id"]},
        "TxnDate": "2026-11-02",
        "Hours": 1,
        "Minutes": 30,
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


# -- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", ["customer", "employee", "vendor"])
def test_display_names_are_unique_across_customers_employees_and_vendors(
    qb: QuickBooks, people: dict[str, dict[str, Any]], entity: str
) -> None:
    for taken in ("Ada Employee", "vera vendor", "Cora  Customer"):
        assert refused(qb, entity, {"DisplayName": taken})["code"] == 6240
    assert count(qb, "Customer") + count(qb, "Employee") + count(qb, "Vendor") == 3


@pytest.mark.parametrize(
    ("name", "code"),
    [("A" * 101, 2050), ("Bad:Name", 2040), ("Tab\tName", 2040), ("New\nLine", 2040)],
    ids=["101-characters", "colon", "tab", "newline"],
)
def test_name_length_and_forbidden_characters(qb: QuickBooks, name: str, code: int) -> None:
    for entity in ("customer", "employee", "vendor"):
        assert refused(qb, entity, {"DisplayName": name})["code"] == code
    assert count(qb, "Customer") == 0
    assert post(qb, "customer", {"DisplayName": "A" * 100})["DisplayName"] == "A" * 100


def test_required_fields_are_2020(qb: QuickBooks) -> None:
    assert refused(qb, "customer", {"CompanyName": "No display name"})["code"] == 2020
    assert refused(qb, "item", {"Type": "Service"})["code"] == 2020
    assert refused(qb, "item", {"Name": "No type"})["code"] == 2020
    assert count(qb, "Customer") == 0 and count(qb, "Item") == 0


def test_customer_tree_at_most_four_levels_below_the_top(qb: QuickBooks) -> None:
    parent = post(qb, "customer", {"DisplayName": "Level 0"})
    for level in range(1, 5):
        parent = post(
            qb,
            "customer",
            {"DisplayName": f"Level {level}", "Job": True, "ParentRef": {"value": parent["Id"]}},
        )
        assert parent["Level"] == level
    assert parent["FullyQualifiedName"] == "Level 0:Level 1:Level 2:Level 3:Level 4"
    too_deep = {"DisplayName": "Level 5", "Job": True, "ParentRef": {"value": parent["Id"]}}
    assert refused(qb, "customer", too_deep)["code"] == 6000
    assert count(qb, "Customer") == 5


# -- references --------------------------------------------------------------------------------


def test_unknown_reference_is_2500_and_inactive_one_610(
    qb: QuickBooks, people: dict[str, dict[str, Any]]
) -> None:
    unknown = activity(people, EmployeeRef={"value": "999"})
    assert refused(qb, "timeactivity", unknown)["code"] == 2500
    unknown_customer = activity(people, CustomerRef={"value": "998"})
    assert refused(qb, "timeactivity", unknown_customer)["code"] == 2500

    customer = people["customer"]
    post(
        qb,
        "customer",
        {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True, "Active": False},
    )
    assert refused(qb, "timeactivity", activity(people))["code"] == 610
    assert count(qb, "TimeActivity") == 0


# -- TimeActivity ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"NameOf": None}, 2020),
        ({"NameOf": "Robot"}, 2170),
        ({"EmployeeRef": None}, 2020),
        ({"NameOf": "Vendor"}, 6000),  # NameOf Vendor with an EmployeeRef
        ({"Minutes": 60}, 6000),
        ({"Hours": 8761}, 6000),
        ({"Hours": -1}, 2010),
        ({"Hours": None, "Minutes": None}, 2020),
        ({"StartTime": "2026-11-02T09:00:00-08:00", "EndTime": "2026-11-02T10:00:00-08:00"}, 6000),
        (
            {
                "Hours": None,
                "Minutes": None,
                "StartTime": "2026-11-02T11:00:00-08:00",
                "EndTime": "2026-11-02T10:00:00-08:00",
            },
            6000,
        ),
        ({"BillableStatus": "Billable", "HourlyRate": None}, 2020),
        ({"BillableStatus": "Billable", "HourlyRate": 90, "CustomerRef": None}, 2020),
        ({"BillableStatus": "Maybe"}, 2170),
        ({"Description": "d" * 4001}, 2050),
    ],
    ids=[
        "no-NameOf",
        "bad-NameOf",
        "no-EmployeeRef",
        "NameOf-Vendor-with-EmployeeRef",
        "60-minutes",
        "8761-hours",
        "negative-hours",
        "no-duration",
        "hours-and-start-end",
        "end-before-start",
        "billable-without-rate",
        "billable-without-customer",
        "bad-billable-status",
        "description-4001",
    ],
)
def test_time_activity_rules(
    qb: QuickBooks, people: dict[str, dict[str, Any]], fields: dict[str, Any], code: int
) -> None:
    body = activity(people)
    body.update(fields)
    body = {k: v for k, v in body.items() if v is not None}
    assert refused(qb, "timeactivity", body)["code"] == code
    assert count(qb, "TimeActivity") == 0


def test_time_activity_shapes_that_are_allowed(
    qb: QuickBooks, people: dict[str, dict[str, Any]]
) -> None:
    vendor_time = activity(people, NameOf="Vendor", EmployeeRef=None)
    vendor_time["VendorRef"] = {"value": people["vendor"]["Id"]}
    assert post(qb, "timeactivity", vendor_time)["VendorRef"]["name"] == "Vera Vendor"
    ranged = activity(
        people,
        Hours=None,
        Minutes=None,
        StartTime="2026-11-02T09:00:00-08:00",
        EndTime="2026-11-02T17:00:00-08:00",
    )
    assert post(qb, "timeactivity", ranged)["StartTime"] == "2026-11-02T09:00:00-08:00"
    billable = activity(people, BillableStatus="Billable", HourlyRate=95.5, Hours=8760, Minutes=59)
    saved = post(qb, "timeactivity", billable)
    assert (saved["BillableStatus"], saved["HourlyRate"], saved["Hours"]) == (
        "Billable",
        95.5,
        8760,
    )
    assert post(qb, "timeactivity", activity(people, Description="d" * 4000))["Id"]
    assert count(qb, "TimeActivity") == 4


def test_closed_books_refuse_creating_changing_and_deleting_old_time(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks, people: dict[str, dict[str, Any]]
) -> None:
    old = post(qb, "timeactivity", activity(people, TxnDate="2025-12-30"))
    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": "2025-12-31"})
    for txn_date in ("2025-12-31", "2025-06-01"):
        error = refused(qb, "timeactivity", activity(people, TxnDate=txn_date))
        assert error["code"] == 6210
    change = {"Id": old["Id"], "SyncToken": old["SyncToken"], "sparse": True, "Hours": 3}
    assert refused(qb, "timeactivity", change)["code"] == 6210
    with pytest.raises(QuickbooksException) as excinfo:
        qb.post(
            url(qb, "timeactivity") + "?operation=delete",
            json.dumps({"Id": old["Id"], "SyncToken": old["SyncToken"]}),
        )
    assert int(excinfo.value.error_code) == 6210
    assert post(qb, "timeactivity", activity(people, TxnDate="2026-01-01"))["Id"]
    assert count(qb, "TimeActivity") == 2


def test_a_stale_sync_token_is_5010_for_every_entity(
    qb: QuickBooks, people: dict[str, dict[str, Any]]
) -> None:
    for entity, record in people.items():
        post(
            qb, entity, {"Id": record["Id"], "SyncToken": "0", "sparse": True, "CompanyName": "v1"}
        )
        stale = {"Id": record["Id"], "SyncToken": "0", "sparse": True, "CompanyName": "v2"}
        assert refused(qb, entity, stale)["code"] == 5010
    saved = post(qb, "timeactivity", activity(people))
    post(qb, "timeactivity", {**saved, "Hours": 2})
    assert refused(qb, "timeactivity", {**saved, "Hours": 3})["code"] == 5010


# -- the one list of name-list entities ---------------------------------------------------------


def test_every_name_list_the_emulator_keeps_hides_inactive_records(qb: QuickBooks) -> None:
    kinds: list[tuple[type[Any], str, dict[str, Any]]] = [
        (Customer, "customer", {"DisplayName": "Gone Customer"}),
        (Employee, "employee", {"DisplayName": "Gone Employee"}),
        (Vendor, "vendor", {"DisplayName": "Gone Vendor"}),
        (Item, "item", {"Name": "Gone Item", "Type": "Service"}),
    ]
    for cls, entity, body in kinds:
        kept = post(qb, entity, {**body, **{k: v.replace("Gone", "Kept") for k, v in body.items()}})
        gone = post(qb, entity, body)
        post(qb, entity, {"Id": gone["Id"], "SyncToken": "0", "sparse": True, "Active": False})
        assert [r.Id for r in cls.all(qb=qb)] == [kept["Id"]], entity
        assert cls.count("Active IN (true, false)", qb=qb) == 2, entity
    activity_count = TimeActivity.count(qb=qb)  # not a name list: no Active filter added
    assert activity_count == 0


# -- a lapsed subscription ---------------------------------------------------------------------


@pytest.mark.parametrize("status", ["SUSPENDED", "CANCELLED", "EXPIRED", "RESTRICTED"])
def test_a_lapsed_subscription_leaves_the_app_read_only(
    sandbox: SandboxProcess,
    realm: str,
    qb: QuickBooks,
    people: dict[str, dict[str, Any]],
    status: str,
) -> None:
    saved = post(qb, "timeactivity", activity(people))
    sandbox.control("PATCH", f"/companies/{realm}", {"subscription_status": status})

    info = qb.get(url(qb, f"companyinfo/{realm}"))["CompanyInfo"]
    values = {pair["Name"]: pair["Value"] for pair in info["NameValue"]}
    assert values["SubscriptionStatus"] == status
    assert qb.get(url(qb, "preferences"))["Preferences"]
    assert Customer.get(people["customer"]["Id"], qb=qb).DisplayName == "Cora Customer"
    assert TimeActivity.count(qb=qb) == 1

    writes = [
        ("customer", {"DisplayName": "Blocked Co"}),
        ("customer", {**people["customer"], "CompanyName": "Changed"}),
        ("timeactivity", activity(people)),
    ]
    for path, body in writes:
        with pytest.raises(QuickbooksException) as excinfo:
            qb.post(url(qb, path), json.dumps(body))
        assert int(excinfo.value.error_code) == 3100
    response = qb.session.request(
        "POST",
        url(qb, "timeactivity") + "?operation=delete&minorversion=75",
        data=json.dumps({"Id": saved["Id"], "SyncToken": saved["SyncToken"]}),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    assert response.status_code == 403
    assert response.json()["Fault"]["type"] == "AuthorizationFault"
    assert response.json()["Fault"]["Error"][0]["code"] == "3100"

    batch = {
        "BatchItemRequest": [
            {"bId": "q", "Query": "SELECT * FROM Customer"},
            {"bId": "c", "operation": "create", "Customer": {"DisplayName": "Batch Blocked"}},
        ]
    }
    answers = {
        a["bId"]: a for a in qb.post(url(qb, "batch"), json.dumps(batch))["BatchItemResponse"]
    }
    assert answers["q"]["QueryResponse"]["Customer"][0]["DisplayName"] == "Cora Customer"
    assert answers["c"]["Fault"]["Error"][0]["code"] == "3100"
    assert count(qb, "Customer") == 1 and count(qb, "TimeActivity") == 1


def test_a_write_refused_while_suspended_runs_when_retried_after_resubscribing(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks
) -> None:
    request_id = str(uuid.uuid4())
    body = json.dumps({"DisplayName": "Retried Co"})
    sandbox.control("PATCH", f"/companies/{realm}", {"subscription_status": "SUSPENDED"})
    with pytest.raises(QuickbooksException) as excinfo:
        qb.post(url(qb, "customer"), body, request_id=request_id)
    assert int(excinfo.value.error_code) == 3100
    for status in ("SUBSCRIBED", "TRIAL", "TRIALOPTIN", "PAID"):
        sandbox.control("PATCH", f"/companies/{realm}", {"subscription_status": status})
        created = qb.post(url(qb, "customer"), body, request_id=request_id)["Customer"]
        assert created["DisplayName"] == "Retried Co"
    assert count(qb, "Customer") == 1  # the retries after the first success were replays

    batch_id = str(uuid.uuid4())
    batch = json.dumps(
        {
            "BatchItemRequest": [
                {"bId": "1", "operation": "create", "Customer": {"DisplayName": "B"}}
            ]
        }
    )
    sandbox.control("PATCH", f"/companies/{realm}", {"subscription_status": "EXPIRED"})
    refused_item = qb.post(url(qb, "batch"), batch, request_id=batch_id)["BatchItemResponse"][0]
    assert refused_item["Fault"]["Error"][0]["code"] == "3100"
    sandbox.control("PATCH", f"/companies/{realm}", {"subscription_status": "SUBSCRIBED"})
    done = qb.post(url(qb, "batch"), batch, request_id=batch_id)["BatchItemResponse"][0]
    assert done["Customer"]["DisplayName"] == "B"
    assert count(qb, "Customer") == 2


# -- deleting ----------------------------------------------------------------------------------


def test_name_lists_cannot_be_deleted_only_deactivated(
    qb: QuickBooks, people: dict[str, dict[str, Any]]
) -> None:
    item = post(qb, "item", {"Name": "Hours", "Type": "Service"})
    for entity, record in [*people.items(), ("item", item)]:
        with pytest.raises(QuickbooksException) as excinfo:
            qb.post(
                url(qb, entity) + "?operation=delete",
                json.dumps({"Id": record["Id"], "SyncToken": record["SyncToken"]}),
            )
        assert int(excinfo.value.error_code) == 500, entity
    assert count(qb, "Customer") == count(qb, "Employee") == count(qb, "Vendor") == 1
    assert count(qb, "Item") == 1


def test_deleting_a_time_activity_needs_its_current_sync_token(
    qb: QuickBooks, people: dict[str, dict[str, Any]]
) -> None:
    saved = post(qb, "timeactivity", activity(people))
    post(qb, "timeactivity", {**saved, "Hours": 2})
    stale = {"Id": saved["Id"], "SyncToken": "0"}
    with pytest.raises(QuickbooksException) as excinfo:
        qb.post(url(qb, "timeactivity") + "?operation=delete", json.dumps(stale))
    assert int(excinfo.value.error_code) == 5010
    current = {"Id": saved["Id"], "SyncToken": "1"}
    deleted = qb.post(url(qb, "timeactivity") + "?operation=delete", json.dumps(current))
    assert deleted["TimeActivity"] == {"status": "Deleted", "Id": saved["Id"], "domain": "QBO"}
    assert count(qb, "TimeActivity") == 0
