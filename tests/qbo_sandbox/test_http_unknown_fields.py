"""Unknown properties, over real HTTP with python-quickbooks, as QBO answers them.

A write naming a property the entity's schema lacks (or a known one with the wrong case) is
refused whole with 2010 "Request has invalid or unsupported property" and stores nothing. What
the unmodified python-quickbooks objects send, defaults included, is accepted, as real QBO
accepts it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from quickbooks import QuickBooks
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.base import Ref
from quickbooks.objects.customer import Customer
from quickbooks.objects.employee import Employee
from quickbooks.objects.item import Item
from quickbooks.objects.timeactivity import TimeActivity
from quickbooks.objects.trackingclass import Class
from quickbooks.objects.vendor import Vendor

from tests.qbo_sandbox.conftest import connect
from tests.qbo_sandbox.conftest import quickbooks
from tests.sandbox_process import SandboxProcess

pytestmark = pytest.mark.sandbox


@pytest.fixture
def client(sandbox: SandboxProcess) -> QuickBooks:
    """A company with class tracking on (so every entity, Class included, can be written)."""
    realm = sandbox.create_company(name="Strict Co", class_tracking=True)
    return quickbooks(sandbox, connect(sandbox, realm), realm)


def url(qb: QuickBooks, path: str) -> str:
    return f"{qb.api_url}/company/{qb.company_id}/{path}"


def refused(qb: QuickBooks, call: Callable[[], Any]) -> tuple[int, str]:
    """The code and detail of the QBO fault `call` must raise."""
    with pytest.raises(QuickbooksException) as excinfo:
        call()
    return int(excinfo.value.error_code), str(excinfo.value.detail)


def post_refused(qb: QuickBooks, path: str, body: dict[str, Any]) -> tuple[int, str]:
    return refused(qb, lambda: qb.post(url(qb, path), json.dumps(body)))


def count(qb: QuickBooks, entity: str) -> int:
    where = "" if entity == "TimeActivity" else " WHERE Active IN (true, false)"
    total: int = qb.query(f"SELECT COUNT(*) FROM {entity}{where}")["QueryResponse"]["totalCount"]
    return total


def unrecognized(entity: str, field: str) -> str:
    return (
        f'Property Name:Unrecognized field "{field}" (class com.intuit.schema.finance.v3.'
        f"{entity}), not marked as ignorable specified is unsupported or invalid"
    )


def employee_ref(qb: QuickBooks) -> Ref:
    employee = Employee()
    employee.GivenName = "Tess"
    employee.FamilyName = f"Timer {uuid.uuid4().hex[:8]}"
    return employee.save(qb=qb).to_ref()


def new_employee(qb: QuickBooks) -> Employee:
    employee = Employee()
    employee.GivenName = "Ann"
    employee.FamilyName = "Smith"
    return employee


def new_vendor(qb: QuickBooks) -> Vendor:
    vendor = Vendor()
    vendor.DisplayName = "Vera Contractor"
    return vendor


def new_customer(qb: QuickBooks) -> Customer:
    customer = Customer()
    customer.DisplayName = "Cora Customer"
    return customer


def new_item(qb: QuickBooks) -> Item:
    item = Item()
    item.Name = "Consulting"
    item.Type = "Service"
    return item


def new_class(qb: QuickBooks) -> Class:
    klass = Class()
    klass.Name = "Design"
    return klass


def new_time_activity(qb: QuickBooks) -> TimeActivity:
    activity = TimeActivity()
    activity.NameOf = "Employee"
    activity.EmployeeRef = employee_ref(qb)
    activity.TxnDate = "2026-12-03"
    activity.Hours = 1
    activity.Minutes = 15
    return activity


BUILDERS: dict[str, Callable[[QuickBooks], Any]] = {
    "Employee": new_employee,
    "Vendor": new_vendor,
    "Customer": new_customer,
    "Item": new_item,
    "Class": new_class,
    "TimeActivity": new_time_activity,
}


@pytest.mark.parametrize("entity", list(BUILDERS))
def test_python_quickbooks_objects_with_their_defaults_are_created_and_updated(
    client: QuickBooks, entity: str
) -> None:
    built = BUILDERS[entity](client)
    # What the library sends: its defaults ("", False, 0) along with what was set.
    assert len(json.loads(built.to_json())) > 4
    created = built.save(qb=client)
    assert created.Id and created.SyncToken == "0"
    # Save the object read back (every property the emulator answers goes out again).
    read = type(built).get(created.Id, qb=client)
    updated = read.save(qb=client)
    assert (updated.Id, updated.SyncToken) == (created.Id, "1")


@pytest.mark.parametrize("entity", list(BUILDERS))
def test_an_unknown_or_wrongly_cased_property_is_2010_naming_it(
    client: QuickBooks, entity: str
) -> None:
    body = json.loads(BUILDERS[entity](client).to_json())
    before = count(client, entity)
    for field in ("Foo", "displayname" if entity != "TimeActivity" else "customerref"):
        code, detail = post_refused(client, entity.lower(), {**body, field: {"Bar": 1}})
        assert (code, detail) == (2010, unrecognized(entity, field))
    assert count(client, entity) == before

    # An update is checked the same way, and changes nothing.
    saved = BUILDERS[entity](client).save(qb=client)
    update = {**json.loads(saved.to_json()), "Foo": 1}
    assert post_refused(client, entity.lower(), update) == (2010, unrecognized(entity, "Foo"))
    assert type(saved).get(saved.Id, qb=client).SyncToken == "0"


def test_the_audited_time_activity_is_refused_and_not_stored(client: QuickBooks) -> None:
    employee = employee_ref(client)
    body = {
        "NameOf": "Employee",
        "EmployeeRef": {"value": employee.value},
        "TxnDate": "2026-12-03",
        "Hours": 1,
        "HourlyRte": 55,
        "customerref": {"value": "999"},
        "Foo": {"Bar": 1},
    }
    code, detail = post_refused(client, "timeactivity", body)
    assert (code, detail) == (2010, unrecognized("TimeActivity", "HourlyRte"))
    assert count(client, "TimeActivity") == 0


def test_read_only_properties_are_accepted_in_a_write(client: QuickBooks) -> None:
    # Id, SyncToken, MetaData, domain, sparse, FullyQualifiedName... are the schema's: a client
    # may send them back (QBO ignores what it computes itself).
    customer = client.post(
        url(client, "customer"),
        json.dumps(
            {
                "DisplayName": "Read Only",
                "FullyQualifiedName": "Something Else",
                "Level": 3,
                "Balance": 12,
                "domain": "QBO",
                "sparse": False,
                "MetaData": {"CreateTime": "2020-01-01T00:00:00-08:00"},
            }
        ),
    )["Customer"]
    assert (customer["FullyQualifiedName"], customer["Level"], customer["Balance"]) == (
        "Read Only",
        0,
        0,
    )


def test_a_wrapped_body_with_a_sibling_key_is_refused(client: QuickBooks) -> None:
    wrapped = {"Customer": {"DisplayName": "Wrapped"}, "Extra": 1}
    assert post_refused(client, "customer", wrapped) == (2010, unrecognized("Customer", "Extra"))
    assert count(client, "Customer") == 0
    plain = client.post(url(client, "customer"), json.dumps({"Customer": {"DisplayName": "W"}}))
    assert plain["Customer"]["DisplayName"] == "W"


def test_a_batch_item_with_an_unknown_property_gets_its_own_fault(client: QuickBooks) -> None:
    employee = employee_ref(client)

    def item(bid: str, **extra: Any) -> dict[str, Any]:
        activity = {"NameOf": "Employee", "EmployeeRef": {"value": employee.value}, "Hours": 2}
        return {"bId": bid, "operation": "create", "TimeActivity": {**activity, **extra}}

    body = {"BatchItemRequest": [item("1"), item("2", HourlyRte=55), item("3")]}
    answer = client.post(url(client, "batch"), json.dumps(body))["BatchItemResponse"]
    by_bid = {response["bId"]: response for response in answer}
    assert by_bid["1"]["TimeActivity"]["Hours"] == 2
    assert by_bid["3"]["TimeActivity"]["Hours"] == 2
    error = by_bid["2"]["Fault"]["Error"][0]
    assert (error["code"], error["Detail"]) == ("2010", unrecognized("TimeActivity", "HourlyRte"))
    assert error["element"] == "HourlyRte"
    assert count(client, "TimeActivity") == 2
