"""The control interface: seeding (QBO projects included), listing, reset and delete."""

from __future__ import annotations

import pytest
import requests
from quickbooks import QuickBooks
from quickbooks.exceptions import AuthorizationException
from quickbooks.objects.customer import Customer

from tests.sandbox_process import SandboxProcess

pytestmark = pytest.mark.sandbox


def test_seed_a_project_under_a_customer_and_list_it(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks
) -> None:
    parent = sandbox.control(
        "POST", f"/companies/{realm}/entities/Customer", {"DisplayName": "Acme"}, expect=201
    )
    project = sandbox.control(
        "POST",
        f"/companies/{realm}/entities/Customer",
        {"DisplayName": "Acme Rollout", "IsProject": True, "ParentRef": {"value": parent["Id"]}},
        expect=201,
    )
    assert project["IsProject"] is True and project["Job"] is True
    read = Customer.get(project["Id"], qb=qb)
    assert read.IsProject is True
    assert read.FullyQualifiedName == "Acme:Acme Rollout"
    listed = sandbox.control("GET", f"/companies/{realm}/entities/Customer")["Customer"]
    assert [c["DisplayName"] for c in listed] == ["Acme", "Acme Rollout"]


def test_seeding_follows_the_rules(sandbox: SandboxProcess, realm: str) -> None:
    sandbox.control("POST", f"/companies/{realm}/entities/Employee", {"DisplayName": "Ann Lee"})
    response = requests.post(
        f"{sandbox.base_url}/_sandbox/companies/{realm}/entities/Customer",
        json={"DisplayName": "Ann Lee"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["Fault"]["Error"][0]["code"] == "6240"
    assert sandbox.control("GET", f"/companies/{realm}/entities/Customer")["Customer"] == []


def test_reset_empties_a_company_and_keeps_its_connection(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks
) -> None:
    customer = Customer()
    customer.DisplayName = "Before reset"
    customer.save(qb=qb)
    sandbox.control("POST", f"/companies/{realm}/reset")
    assert Customer.count(qb=qb) == 0


def test_deleting_a_company_ends_its_connections(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks
) -> None:
    sandbox.control("DELETE", f"/companies/{realm}")
    sandbox.control("GET", f"/companies/{realm}", expect=404)
    with pytest.raises(AuthorizationException):
        Customer.count(qb=qb)
    sandbox.control("POST", f"/companies/{realm}/reset", expect=404)


def test_bad_control_bodies_are_refused(sandbox: SandboxProcess, realm: str) -> None:
    response = requests.post(f"{sandbox.base_url}/_sandbox/companies", data="not json", timeout=10)
    assert response.status_code == 400
    sandbox.control("POST", "/companies", {"name": "X", "colour": "red"}, expect=400)
    sandbox.control("GET", "/companies/0000/entities/Customer", expect=404)
