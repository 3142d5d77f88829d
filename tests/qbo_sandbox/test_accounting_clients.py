"""What python-quickbooks 0.9.12 serialises is accepted, and what the emulator answers loads
back into its objects and round-trips through a full update (no HTTP: the bodies only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from quickbooks.objects.base import Ref
from quickbooks.objects.customer import Customer
from quickbooks.objects.employee import Employee
from quickbooks.objects.timeactivity import TimeActivity

from qbo_sandbox.accounting import Accounting
from qbo_sandbox.store import Store


@pytest.fixture
def api(tmp_path: Path) -> Accounting:
    return Accounting(Store(tmp_path / "sandbox.sqlite3"))


@pytest.fixture
def realm(api: Accounting) -> str:
    return str(api.store.company_create(name="Clients")["realmId"])


def body(obj: Any) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(obj.to_json())
    return result


def ref(value: str, kind: str = "") -> Ref:
    reference = Ref()
    reference.value = value
    reference.type = kind
    return reference


def test_customer_tree_from_python_quickbooks_objects(api: Accounting, realm: str) -> None:
    parent = Customer()
    parent.DisplayName = "Harbor Logistics"
    saved_parent = Customer.from_json(api.save(realm, "customer", body(parent))["Customer"])

    child = Customer()
    child.DisplayName = "Warehouse"
    child.Job = True
    child.ParentRef = saved_parent.to_ref()
    saved_child = Customer.from_json(api.save(realm, "customer", body(child))["Customer"])

    assert saved_child.Level == 1
    assert saved_child.FullyQualifiedName == "Harbor Logistics:Warehouse"
    assert saved_child.ParentRef.value == saved_parent.Id

    # A full update of the loaded object, as `customer.save(qb=...)` sends it.
    saved_child.CompanyName = "Harbor Logistics LLC"
    updated = api.save(realm, "customer", body(saved_child))["Customer"]
    assert updated["SyncToken"] == "1"
    assert updated["CompanyName"] == "Harbor Logistics LLC"
    assert updated["FullyQualifiedName"] == "Harbor Logistics:Warehouse"
    assert updated["Level"] == 1


def test_employee_and_time_activity_from_python_quickbooks_objects(
    api: Accounting, realm: str
) -> None:
    employee = Employee()
    employee.GivenName = "Tomás"
    employee.FamilyName = "Alvarez"
    saved = Employee.from_json(api.save(realm, "employee", body(employee))["Employee"])
    assert saved.DisplayName == "Tomás Alvarez"

    activity = TimeActivity()
    activity.NameOf = "Employee"
    activity.EmployeeRef = ref(saved.Id, "Employee")
    activity.TxnDate = "2026-04-01"
    activity.Hours = 7
    activity.Minutes = 45
    activity.Description = "Implement login flow"
    created = TimeActivity.from_json(
        api.save(realm, "timeactivity", body(activity))["TimeActivity"]
    )

    assert created.Id
    assert created.EmployeeRef.name == "Tomás Alvarez"
    assert (created.Hours, created.Minutes) == (7, 45)
    assert created.BillableStatus == "NotBillable"

    found = api.query(realm, "SELECT * FROM TimeActivity WHERE TxnDate = '2026-04-01'")
    assert [t["Id"] for t in found["QueryResponse"]["TimeActivity"]] == [created.Id]
