"""Classes (issue 16), over real HTTP with python-quickbooks: the Class name list, the company's
"Track classes" setting in Preferences (Plus and Advanced only), and a TimeActivity's ClassRef
(kept with the class's name; unknown 2500, inactive 610, refused while tracking is off)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests
from quickbooks import QuickBooks
from quickbooks.exceptions import QuickbooksException

from tests.qbo_sandbox.conftest import connect
from tests.qbo_sandbox.conftest import quickbooks
from tests.sandbox_process import SandboxProcess

pytestmark = pytest.mark.sandbox


def url(qb: QuickBooks, path: str) -> str:
    return f"{qb.api_url}/company/{qb.company_id}/{path}"


def post(qb: QuickBooks, entity: str, body: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = qb.post(url(qb, entity.lower()), json.dumps(body))[entity]
    return answer


def refused(qb: QuickBooks, entity: str, body: dict[str, Any]) -> int:
    with pytest.raises(QuickbooksException) as excinfo:
        qb.post(url(qb, entity.lower()), json.dumps(body))
    return int(excinfo.value.error_code)


def activity(qb: QuickBooks, **fields: Any) -> dict[str, Any]:
    employee = post(qb, "Employee", {"DisplayName": f"Ada {uuid.uuid4().hex[:8]}"})
    return {
        "NameOf": "Employee",
        "EmployeeRef": {"value": employee["Id"]},
        "TxnDate": "2026-11-02",
        "Hours": 1,
        "Minutes": 0,
        **fields,
    }


@pytest.fixture
def tracking(sandbox: SandboxProcess) -> QuickBooks:
    realm = sandbox.create_company(name="Classes Co", class_tracking=True)
    return quickbooks(sandbox, connect(sandbox, realm), realm)


def test_classes_are_a_name_list_with_unique_names(tracking: QuickBooks) -> None:
    design = post(tracking, "Class", {"Name": "Design"})
    assert (design["Name"], design["FullyQualifiedName"], design["Active"]) == (
        "Design",
        "Design",
        True,
    )
    assert design["SubClass"] is False
    assert refused(tracking, "Class", {"Name": " design "}) == 6240  # case and spaces folded
    assert refused(tracking, "Class", {"Name": "A:B"}) == 2040
    assert refused(tracking, "Class", {}) == 2020
    assert refused(tracking, "Class", {"Name": "Sub", "SubClass": True}) == 6000
    post(tracking, "Class", {"Name": "Old", "Active": False})
    rows = tracking.query("SELECT * FROM Class")["QueryResponse"]["Class"]
    assert [row["Name"] for row in rows] == ["Design"]  # active ones by default
    every = tracking.query("SELECT * FROM Class WHERE Active IN (true, false)")
    assert len(every["QueryResponse"]["Class"]) == 2


def test_preferences_say_whether_classes_are_tracked(
    sandbox: SandboxProcess, tracking: QuickBooks, qb: QuickBooks
) -> None:
    def tracked(client: QuickBooks) -> bool:
        prefs = client.get(url(client, "preferences"))["Preferences"]
        return bool(prefs["AccountingInfoPrefs"]["ClassTrackingPerTxn"])

    assert tracked(tracking) is True
    assert tracked(qb) is False
    sandbox.control("PATCH", f"/companies/{qb.company_id}", {"class_tracking": True})
    assert tracked(qb) is True


def test_class_tracking_needs_plus_or_advanced(sandbox: SandboxProcess) -> None:
    response = requests.post(
        f"{sandbox.base_url}/_sandbox/companies",
        json={"name": "Essentials Co", "sku": "Essentials", "class_tracking": True},
        timeout=10,
    )
    assert response.status_code == 400 and "Plus or Advanced" in response.json()["error"]
    realm = sandbox.create_company(name="Plus Co", class_tracking=True)
    downgrade = requests.patch(
        f"{sandbox.base_url}/_sandbox/companies/{realm}", json={"sku": "Essentials"}, timeout=10
    )
    assert downgrade.status_code == 400


def test_a_time_activity_carries_its_class(tracking: QuickBooks) -> None:
    design = post(tracking, "Class", {"Name": "Design"})
    made = post(tracking, "TimeActivity", activity(tracking, ClassRef={"value": design["Id"]}))
    assert made["ClassRef"] == {"value": design["Id"], "name": "Design"}
    again = tracking.get(url(tracking, f"timeactivity/{made['Id']}"))["TimeActivity"]
    assert again["ClassRef"]["value"] == design["Id"]

    assert refused(tracking, "TimeActivity", activity(tracking, ClassRef={"value": "999"})) == 2500
    post(
        tracking,
        "Class",
        {"Id": design["Id"], "SyncToken": design["SyncToken"], "sparse": True, "Active": False},
    )
    inactive = activity(tracking, ClassRef={"value": design["Id"]})
    assert refused(tracking, "TimeActivity", inactive) == 610


def test_a_class_ref_is_refused_while_tracking_is_off(qb: QuickBooks, sandbox) -> None:
    sandbox.control("PATCH", f"/companies/{qb.company_id}", {"class_tracking": True})
    design = post(qb, "Class", {"Name": "Design"})
    sandbox.control("PATCH", f"/companies/{qb.company_id}", {"class_tracking": False})
    assert refused(qb, "TimeActivity", activity(qb, ClassRef={"value": design["Id"]})) == 6000
    assert post(qb, "TimeActivity", activity(qb))["Id"]  # without a class it goes
