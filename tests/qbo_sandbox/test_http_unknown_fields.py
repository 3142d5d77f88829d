"""Unknown properties, over real HTTP with python-quickbooks, as QBO answers them.

A write naming a property the entity's schema lacks (or a known one with the wrong case) is
refused whole with 2010 "Request has invalid or unsupported property" and stores nothing; a
query naming one in WHERE or ORDERBY is refused with 4001 "Invalid query". What the unmodified
python-quickbooks objects send, defaults included, is accepted, as real QBO accepts it."""

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


def built(cls: type[Any], **attributes: Any) -> Any:
    """A python-quickbooks object with its defaults and `attributes` set."""
    instance = cls()
    for name, value in attributes.items():
        setattr(instance, name, value)
    return instance


def employee_ref(qb: QuickBooks) -> Ref:
    employee = built(Employee, GivenName="Tess", FamilyName=f"Timer {uuid.uuid4().hex[:8]}")
    ref: Ref = employee.save(qb=qb).to_ref()
    return ref


BUILDERS: dict[str, Callable[[QuickBooks], Any]] = {
    "Employee": lambda qb: built(Employee, GivenName="Ann", FamilyName="Smith"),
    "Vendor": lambda qb: built(Vendor, DisplayName="Vera Contractor"),
    "Customer": lambda qb: built(Customer, DisplayName="Cora Customer"),
    "Item": lambda qb: built(Item, Name="Consulting", Type="Service"),
    "Class": lambda qb: built(Class, Name="Design"),
    "TimeActivity": lambda qb: built(
        TimeActivity,
        NameOf="Employee",
        EmployeeRef=employee_ref(qb),
        TxnDate="2026-12-03",
        Hours=1,
        Minutes=15,
    ),
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


# -- queries -----------------------------------------------------------------------------------


def query_refused(qb: QuickBooks, text: str) -> tuple[int, str]:
    return refused(qb, lambda: qb.query(text))


@pytest.mark.parametrize(
    ("text", "field", "entity"),
    [
        ("SELECT * FROM Customer WHERE Nonexistent = '1'", "Nonexistent", "Customer"),
        ("SELECT * FROM Employee WHERE Active = true AND Nickname = 'A'", "Nickname", "Employee"),
        ("SELECT * FROM Vendor ORDERBY Nonexistent", "Nonexistent", "Vendor"),
        ("SELECT * FROM Item ORDER BY Name, Shelf DESC", "Shelf", "Item"),
        ("SELECT COUNT(*) FROM TimeActivity WHERE HourlyRte > '5'", "HourlyRte", "TimeActivity"),
        ("SELECT * FROM Class WHERE MetaData.Nonexistent > '2026-01-01'", None, "Class"),
        ("SELECT * FROM Customer WHERE ParentRef.value = '1'", None, "Customer"),
    ],
    ids=["where", "where-second", "orderby", "order-by-second", "count", "metadata", "ref-path"],
)
def test_a_query_naming_an_unknown_property_is_4001(
    client: QuickBooks, text: str, field: str | None, entity: str
) -> None:
    code, detail = query_refused(client, text)
    path = field or text.split("WHERE ")[1].split(" ")[0]
    assert (code, detail) == (
        4001,
        f"QueryValidationError: Property {path} not found for Entity {entity}",
    )


def test_queries_on_known_properties_still_answer(client: QuickBooks) -> None:
    customer = BUILDERS["Customer"](client).save(qb=client)
    queries = [
        "SELECT * FROM Customer WHERE DisplayName = 'Cora Customer'",
        "select * from Customer where displayname = 'cora customer'",  # any case but the entity
        "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime > '2020-01-01T00:00:00Z'",
        "SELECT * FROM Customer WHERE metadata.createtime >= '2020-01-01' ORDERBY DisplayName",
        f"SELECT * FROM Customer WHERE Id IN ('{customer.Id}') ORDERBY MetaData.LastUpdatedTime",
        "SELECT * FROM Customer WHERE Job = false AND ParentRef IN ('1') ORDERBY Id DESC",
    ]
    found = [len(client.query(text)["QueryResponse"].get("Customer", [])) for text in queries[:-1]]
    assert found == [1, 1, 1, 1, 1]
    assert client.query(queries[-1])["QueryResponse"] == {}
    assert [c.Id for c in Customer.filter(DisplayName="Cora Customer", qb=client)] == [customer.Id]


def test_every_query_the_product_makes_still_answers(client: QuickBooks) -> None:
    # The statements quickbooks_sync/qbo/session.py builds (_query_pages and its callers).
    for entity in ("Employee", "Vendor", "Customer", "Item", "Class"):
        BUILDERS[entity](client).save(qb=client)
    page = " ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000"
    statements = {
        "Employee": " WHERE Active IN (true, false)",
        "Vendor": " WHERE Active IN (true, false)",
        "Customer": " WHERE Active IN (true, false)",
        "Item": " WHERE Type = 'Service'",
        "Class": "",
    }
    for entity, where in statements.items():
        rows = client.query(f"SELECT * FROM {entity}{where}{page}")["QueryResponse"][entity]
        assert len(rows) == 1, entity
    by_name = " WHERE DisplayName = 'Ann Smith' AND Active IN (true, false)"
    rows = client.query(f"SELECT * FROM Employee{by_name}{page}")["QueryResponse"]["Employee"]
    assert [row["DisplayName"] for row in rows] == ["Ann Smith"]
