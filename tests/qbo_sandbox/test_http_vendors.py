"""Vendors over real HTTP with python-quickbooks (issue 16, contractors as vendors): create, read
and query them as Intuit's Vendor entity, names unique with customers and employees, and a
TimeActivity with `NameOf: Vendor` whose `VendorRef` must name an existing, active vendor."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from quickbooks import QuickBooks
from quickbooks.objects.vendor import Vendor

from tests.qbo_sandbox.test_http_rules import activity
from tests.qbo_sandbox.test_http_rules import count
from tests.qbo_sandbox.test_http_rules import post
from tests.qbo_sandbox.test_http_rules import refused
from tests.qbo_sandbox.test_http_rules import url
from tests.sandbox_process import SandboxProcess

pytestmark = pytest.mark.sandbox


@pytest.fixture
def people(qb: QuickBooks) -> dict[str, dict[str, Any]]:
    return {
        "employee": post(qb, "employee", {"DisplayName": "Ada Employee"}),
        "vendor": post(
            qb, "vendor", {"GivenName": "Vera", "FamilyName": "Contractor", "Vendor1099": True}
        ),
        "customer": post(qb, "customer", {"DisplayName": "Cora Customer"}),
    }


def vendor_time(people: dict[str, dict[str, Any]], vendor_id: str) -> dict[str, Any]:
    return activity(people, NameOf="Vendor", EmployeeRef=None, VendorRef={"value": vendor_id})


def test_a_vendor_is_created_read_and_queried_as_intuit_answers_it(
    qb: QuickBooks, people: dict[str, dict[str, Any]]
) -> None:
    vendor = people["vendor"]
    # DisplayName from the name parts, server-owned fields computed, Vendor1099 kept.
    assert vendor["DisplayName"] == "Vera Contractor"
    assert (vendor["SyncToken"], vendor["Balance"], vendor["Vendor1099"]) == ("0", 0, True)
    assert vendor["Active"] is True
    # Customers, employees and vendors share one Id sequence (QBO's "Names" list).
    ids = {people[k]["Id"] for k in ("employee", "vendor", "customer")}
    assert len(ids) == 3

    read = qb.get(url(qb, f"vendor/{vendor['Id']}"))["Vendor"]
    assert read == vendor
    rows = qb.query("select * from Vendor")["QueryResponse"]["Vendor"]
    assert [r["DisplayName"] for r in rows] == ["Vera Contractor"]
    assert [v.DisplayName for v in Vendor.filter(DisplayName="Vera Contractor", qb=qb)] == [
        "Vera Contractor"
    ]
    # A client's Balance is ignored (read-only); a bad Vendor1099 is refused.
    other = post(qb, "vendor", {"DisplayName": "Paper Supply", "Balance": 500})
    assert other["Balance"] == 0 and other["Vendor1099"] is False
    assert refused(qb, "vendor", {"DisplayName": "Bad", "Vendor1099": "maybe"})["code"] == 2010


@pytest.mark.parametrize("taken", ["Ada Employee", "cora  customer", "VERA CONTRACTOR"])
def test_a_vendor_name_is_unique_across_customers_employees_and_vendors(
    qb: QuickBooks, people: dict[str, dict[str, Any]], taken: str
) -> None:
    before = count(qb, "Vendor")
    fault = refused(qb, "vendor", {"DisplayName": taken})
    assert fault["code"] == 6240
    assert "Another customer, vendor or employee is already using this name" in fault["detail"]
    assert count(qb, "Vendor") == before
    # ... and the other way round.
    assert refused(qb, "employee", {"DisplayName": "Vera Contractor"})["code"] == 6240


def test_time_goes_to_a_vendor_with_its_name_on_the_vendor_ref(
    qb: QuickBooks, people: dict[str, dict[str, Any]]
) -> None:
    saved = post(qb, "timeactivity", vendor_time(people, people["vendor"]["Id"]))
    assert saved["NameOf"] == "Vendor"
    assert saved["VendorRef"] == {"value": people["vendor"]["Id"], "name": "Vera Contractor"}
    assert "EmployeeRef" not in saved
    rows = qb.query("SELECT * FROM TimeActivity")["QueryResponse"]["TimeActivity"]
    assert [r["VendorRef"]["value"] for r in rows] == [people["vendor"]["Id"]]


def test_a_vendor_ref_to_an_unknown_or_inactive_vendor_is_refused(
    qb: QuickBooks, people: dict[str, dict[str, Any]]
) -> None:
    unknown = refused(qb, "timeactivity", vendor_time(people, "9999"))
    assert unknown["code"] == 2500
    assert "Names element id 9999 not found" in unknown["detail"]
    # An employee's Id is no vendor's: the same fault, though the Names sequence is shared.
    not_a_vendor = refused(qb, "timeactivity", vendor_time(people, people["employee"]["Id"]))
    assert not_a_vendor["code"] == 2500

    vendor = people["vendor"]
    post(qb, "vendor", {"Id": vendor["Id"], "SyncToken": "0", "sparse": True, "Active": False})
    inactive = refused(qb, "timeactivity", vendor_time(people, vendor["Id"]))
    assert inactive["code"] == 610
    assert "made inactive" in inactive["detail"]
    assert count(qb, "TimeActivity") == 0
    # Inactive vendors are hidden from a plain query, as every name list's inactive rows.
    assert qb.query("SELECT * FROM Vendor")["QueryResponse"] == {}
    assert count(qb, "Vendor") == 1


def test_vendor_time_in_a_batch_and_on_the_company_page(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks, people: dict[str, dict[str, Any]]
) -> None:
    body = {
        "BatchItemRequest": [
            {"bId": "1", "operation": "create", "TimeActivity": vendor_time(people, "9999")},
            {
                "bId": "2",
                "operation": "create",
                "TimeActivity": vendor_time(people, people["vendor"]["Id"]),
            },
        ]
    }
    answer = qb.post(url(qb, "batch"), json.dumps(body))["BatchItemResponse"]
    by_bid = {item["bId"]: item for item in answer}
    assert by_bid["1"]["Fault"]["Error"][0]["code"] == "2500"
    assert by_bid["2"]["TimeActivity"]["VendorRef"]["name"] == "Vera Contractor"

    page = requests.get(f"{sandbox.base_url}/companies/{realm}", timeout=10)
    assert page.status_code == 200
    assert "Vendors (1)" in page.text
    assert 'Vera Contractor <span class="muted">(vendor)</span>' in page.text
