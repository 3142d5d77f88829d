"""QBO's business rules with their codes, through the emulator's Accounting operations."""

from __future__ import annotations

from typing import Any

import pytest

from qbo_sandbox import rules
from qbo_sandbox.accounting import Accounting
from qbo_sandbox.store import Store
from tests.qbo_sandbox.accounting_support import fault_of
from tests.qbo_sandbox.accounting_support import project_seed


@pytest.fixture
def realm(store: Store) -> str:
    return str(store.company_create(name="Rules Inc")["realmId"])


def create(api: Accounting, realm: str, entity: str, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = api.save(realm, entity.lower(), fields)[entity]
    return result


def sub_customer(
    api: Accounting, realm: str, name: str, parent: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    """A sub-customer (Job) of `parent`."""
    fields.update(Job=True, ParentRef={"value": parent["Id"]})
    return create(api, realm, "Customer", DisplayName=name, **fields)


@pytest.fixture
def people(api: Accounting, realm: str) -> dict[str, dict[str, Any]]:
    return {
        "employee": create(api, realm, "Employee", DisplayName="Dana Whitfield"),
        "vendor": create(api, realm, "Vendor", DisplayName="Contractor Co"),
        "customer": create(api, realm, "Customer", DisplayName="Harbor Logistics"),
        "item": create(api, realm, "Item", Name="Hours", Type="Service"),
    }


def time_activity(people: dict[str, dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "NameOf": "Employee",
        "EmployeeRef": {"value": people["employee"]["Id"]},
        "CustomerRef": {"value": people["customer"]["Id"]},
        "ItemRef": {"value": people["item"]["Id"]},
        "TxnDate": "2026-03-02",
        "Hours": 2,
        "Minutes": 15,
        "BillableStatus": "Billable",
        "HourlyRate": 120,
        "Description": "Sprint planning",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


# -- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize("second", ["Customer", "Employee", "Vendor"])
@pytest.mark.parametrize("first", ["Customer", "Employee", "Vendor"])
def test_display_name_is_unique_across_customers_employees_and_vendors(
    api: Accounting, realm: str, store: Store, first: str, second: str
) -> None:
    create(api, realm, first, DisplayName="Grace O'Neill")

    fault = fault_of(lambda: create(api, realm, second, DisplayName="grace  o'neill "))

    assert fault.code == "6240"
    assert fault.message == "Duplicate Name Exists Error"
    assert "Another customer, vendor or employee is already using this name" in fault.detail
    assert len(rules.entity_list(store, realm, second)) == (1 if first == second else 0)


def test_an_inactive_entity_still_holds_its_name(api: Accounting, realm: str) -> None:
    create(api, realm, "Vendor", DisplayName="Old Vendor", Active=False)

    assert fault_of(lambda: create(api, realm, "Customer", DisplayName="Old Vendor")).code == "6240"


def test_renaming_to_ones_own_name_is_not_a_duplicate(api: Accounting, realm: str) -> None:
    customer = create(api, realm, "Customer", DisplayName="Acme")

    updated = api.save(
        realm, "customer", {"Id": customer["Id"], "SyncToken": "0", "DisplayName": "ACME"}
    )["Customer"]

    assert updated["DisplayName"] == "ACME"


@pytest.mark.parametrize("bad", ["Acme:West", "Tab\there", "Line\nbreak"])
def test_display_name_may_not_contain_colon_tab_or_newline(
    api: Accounting, realm: str, store: Store, bad: str
) -> None:
    fault = fault_of(lambda: create(api, realm, "Customer", DisplayName=bad))

    assert fault.code == "2040"
    assert rules.entity_list(store, realm, "Customer") == []


def test_display_name_at_most_100_characters(api: Accounting, realm: str) -> None:
    assert create(api, realm, "Employee", DisplayName="x" * 100)["DisplayName"] == "x" * 100

    fault = fault_of(lambda: create(api, realm, "Employee", DisplayName="y" * 101))

    assert fault.code == "2050"
    assert "Max:100" in fault.detail


def test_display_name_is_built_from_the_name_parts_and_required_without_them(
    api: Accounting, realm: str
) -> None:
    # What python-quickbooks sends for an Employee with only the name parts set.
    employee = create(
        api,
        realm,
        "Employee",
        DisplayName="",
        GivenName="Priya",
        FamilyName="Raman",
        ReleasedDate="",
    )
    assert employee["DisplayName"] == "Priya Raman"
    assert "ReleasedDate" not in employee

    fault = fault_of(lambda: create(api, realm, "Vendor", DisplayName="", GivenName=""))
    assert fault.code == "2020"
    assert fault.message == "Required param missing, need to supply the required value for the API"
    assert "DisplayName" in fault.detail


# -- customer tree ---------------------------------------------------------------------------


def test_sub_customers_get_level_and_fully_qualified_name(api: Accounting, realm: str) -> None:
    # python-quickbooks sends FullyQualifiedName "", Level 0, IsProject false: computed anyway.
    top = create(api, realm, "Customer", DisplayName="A", FullyQualifiedName="", Level=0, Job=False)
    chain = [top]
    for name in ("B", "C", "D", "E"):
        chain.append(
            sub_customer(
                api, realm, name, chain[-1], FullyQualifiedName="", Level=0, IsProject=False
            )
        )

    assert [c["Level"] for c in chain] == [0, 1, 2, 3, 4]
    assert chain[-1]["FullyQualifiedName"] == "A:B:C:D:E"
    assert chain[-1]["ParentRef"] == {"value": chain[-2]["Id"], "name": "A:B:C:D"}
    assert all(c["IsProject"] is False for c in chain)

    fault = fault_of(lambda: sub_customer(api, realm, "F", chain[-1]))
    assert fault.code == "6000"
    assert "at most 4 levels" in fault.detail


def test_job_and_parent_ref_go_together(api: Accounting, realm: str) -> None:
    parent = create(api, realm, "Customer", DisplayName="Parent")

    no_parent = fault_of(lambda: create(api, realm, "Customer", DisplayName="X", Job=True))
    not_job = fault_of(
        lambda: create(api, realm, "Customer", DisplayName="Y", ParentRef={"value": parent["Id"]})
    )

    assert (no_parent.code, not_job.code) == ("6150", "6150")


def test_parent_ref_must_exist_and_be_active(api: Accounting, realm: str) -> None:
    inactive = create(api, realm, "Customer", DisplayName="Closed", Active=False)

    unknown = fault_of(
        lambda: create(api, realm, "Customer", DisplayName="X", Job=True, ParentRef={"value": "99"})
    )
    assert unknown.code == "2500"
    assert unknown.message == "Invalid Reference Id"
    gone = fault_of(lambda: sub_customer(api, realm, "Y", inactive))
    assert gone.code == "610"
    assert gone.message == "Object Not Found"


def test_is_project_is_read_only_through_v3_and_keeps_its_value_on_update(
    api: Accounting, realm: str, store: Store
) -> None:
    parent = create(api, realm, "Customer", DisplayName="Acme")
    attempted = sub_customer(api, realm, "Not a project", parent, IsProject=True)
    assert attempted["IsProject"] is False

    project = project_seed(store, realm, parent["Id"])
    # A full update as python-quickbooks sends it (IsProject false by default) keeps the project.
    updated = api.save(
        realm,
        "customer",
        {**project, "DisplayName": "Launch 2", "IsProject": False},
    )["Customer"]
    assert updated["IsProject"] is True
    assert updated["FullyQualifiedName"] == "Acme:Launch 2"


def test_a_project_cannot_contain_sub_customers(api: Accounting, realm: str, store: Store) -> None:
    parent = create(api, realm, "Customer", DisplayName="Acme")
    project = project_seed(store, realm, parent["Id"])

    fault = fault_of(lambda: sub_customer(api, realm, "Phase 1", project))

    assert fault.code == "6000"
    assert "A project cannot contain subcustomers" in fault.detail


def test_bill_with_parent_only_for_sub_customers(api: Accounting, realm: str) -> None:
    top = create(api, realm, "Customer", DisplayName="Top", BillWithParent=True)
    child = sub_customer(api, realm, "Child", top, BillWithParent=True)

    assert (top["BillWithParent"], child["BillWithParent"]) == (False, True)


def test_renaming_a_parent_renames_the_fully_qualified_names_below_it(
    api: Accounting, realm: str
) -> None:
    top = create(api, realm, "Customer", DisplayName="Harbor")
    mid = sub_customer(api, realm, "Web", top)
    leaf = sub_customer(api, realm, "SEO", mid)

    api.save(
        realm,
        "customer",
        {"Id": top["Id"], "SyncToken": "0", "sparse": True, "DisplayName": "Harbor Logistics"},
    )

    leaf_now = api.read(realm, "customer", leaf["Id"])["Customer"]
    mid_now = api.read(realm, "customer", mid["Id"])["Customer"]
    assert mid_now["FullyQualifiedName"] == "Harbor Logistics:Web"
    assert leaf_now["FullyQualifiedName"] == "Harbor Logistics:Web:SEO"
    assert leaf_now["ParentRef"]["name"] == "Harbor Logistics:Web"
    # Their SyncToken moved, so a client holding the old version gets a 5010.
    assert leaf_now["SyncToken"] == "1"


def test_moving_a_customer_under_itself_or_too_deep_is_refused(api: Accounting, realm: str) -> None:
    a = create(api, realm, "Customer", DisplayName="A")
    b = sub_customer(api, realm, "B", a)
    c = sub_customer(api, realm, "C", b)
    deep = create(api, realm, "Customer", DisplayName="Deep")
    for name in ("D1", "D2", "D3"):
        deep = sub_customer(api, realm, name, deep)

    cycle = fault_of(
        lambda: api.save(
            realm,
            "customer",
            {
                "Id": a["Id"],
                "SyncToken": "0",
                "sparse": True,
                "Job": True,
                "ParentRef": {"value": c["Id"]},
            },
        )
    )
    # B has one level below it; under D3 (level 3) it would be at 4 and C at 5.
    too_deep = fault_of(
        lambda: api.save(
            realm,
            "customer",
            {"Id": b["Id"], "SyncToken": "0", "sparse": True, "ParentRef": {"value": deep["Id"]}},
        )
    )

    assert (cycle.code, too_deep.code) == ("6000", "6000")
    assert api.read(realm, "customer", c["Id"])["Customer"]["FullyQualifiedName"] == "A:B:C"


def test_deactivating_a_customer_deactivates_its_sub_customers(api: Accounting, realm: str) -> None:
    top = create(api, realm, "Customer", DisplayName="Summit")
    child = sub_customer(api, realm, "Portal", top)
    grandchild = sub_customer(api, realm, "Phase", child)

    api.save(
        realm, "customer", {"Id": top["Id"], "SyncToken": "0", "sparse": True, "Active": False}
    )

    for customer in (top, child, grandchild):
        assert api.read(realm, "customer", customer["Id"])["Customer"]["Active"] is False
    # And a sub-customer cannot come back while its parent is inactive.
    reactivate = fault_of(
        lambda: api.save(
            realm, "customer", {"Id": child["Id"], "SyncToken": "1", "sparse": True, "Active": True}
        )
    )
    assert reactivate.code == "610"


# -- items -----------------------------------------------------------------------------------


def test_item_needs_name_and_a_known_type(api: Accounting, realm: str) -> None:
    assert fault_of(lambda: create(api, realm, "Item", Name="", Type="Service")).code == "2020"
    assert fault_of(lambda: create(api, realm, "Item", Name="Hours", Type="")).code == "2020"
    assert fault_of(lambda: create(api, realm, "Item", Name="Hours", Type="Magic")).code == "2170"
    create(api, realm, "Item", Name="Hours", Type="Service")
    assert fault_of(lambda: create(api, realm, "Item", Name="hours", Type="Service")).code == "6240"
    # Items have their own namespace: a customer may be called like an item.
    assert create(api, realm, "Customer", DisplayName="Hours")["DisplayName"] == "Hours"


# -- TimeActivity ----------------------------------------------------------------------------


def test_a_valid_time_activity_is_stored_with_named_references(
    api: Accounting, realm: str, people: dict[str, dict[str, Any]]
) -> None:
    created = api.save(realm, "timeactivity", time_activity(people))["TimeActivity"]

    assert created["EmployeeRef"] == {"value": people["employee"]["Id"], "name": "Dana Whitfield"}
    assert created["CustomerRef"]["name"] == "Harbor Logistics"
    assert created["ItemRef"]["name"] == "Hours"
    assert (created["Hours"], created["Minutes"], created["HourlyRate"]) == (2, 15, 120)
    assert created["BillableStatus"] == "Billable"
    assert created["TxnDate"] == "2026-03-02"


def test_time_activity_for_a_vendor(
    api: Accounting, realm: str, people: dict[str, dict[str, Any]]
) -> None:
    body = time_activity(
        people, NameOf="Vendor", EmployeeRef=None, VendorRef={"value": people["vendor"]["Id"]}
    )

    assert api.save(realm, "timeactivity", body)["TimeActivity"]["VendorRef"]["name"] == (
        "Contractor Co"
    )


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"NameOf": None}, "2020"),
        ({"NameOf": "Customer"}, "2170"),
        ({"EmployeeRef": None}, "2020"),
        ({"NameOf": "Vendor", "EmployeeRef": None}, "2020"),  # no VendorRef
        ({"NameOf": "Vendor"}, "6000"),  # the ref does not match NameOf
        ({"EmployeeRef": {"value": "999"}}, "2500"),
        ({"CustomerRef": {"value": "999"}}, "2500"),
        ({"ItemRef": {"value": "999"}}, "2500"),
        ({"BillableStatus": "Maybe"}, "2170"),
        ({"CustomerRef": None}, "2020"),  # Billable without a customer
        ({"HourlyRate": None}, "2020"),  # Billable without a rate
        ({"Minutes": 60}, "6000"),
        ({"Hours": 8761}, "6000"),
        ({"Hours": None, "Minutes": None}, "2020"),
        (
            {"StartTime": "2026-03-02T09:00:00-05:00", "EndTime": "2026-03-02T10:00:00-05:00"},
            "6000",
        ),
        ({"Hours": None, "Minutes": None, "StartTime": "2026-03-02T09:00:00-05:00"}, "2020"),
        (
            {
                "Hours": None,
                "Minutes": None,
                "StartTime": "2026-03-02T10:00:00-05:00",
                "EndTime": "2026-03-02T09:00:00-05:00",
            },
            "6000",
        ),
        ({"Description": "x" * 4001}, "2050"),
        ({"TxnDate": "02/03/2026"}, "2010"),
        ({"TxnDate": 20260302}, "2010"),
        ({"TxnDate": "2026-02-30"}, "2010"),
        ({"HourlyRate": "lots"}, "2010"),
    ],
)
def test_time_activity_rules(
    api: Accounting,
    realm: str,
    store: Store,
    people: dict[str, dict[str, Any]],
    overrides: dict[str, Any],
    code: str,
) -> None:
    fault = fault_of(lambda: api.save(realm, "timeactivity", time_activity(people, **overrides)))

    assert fault.code == code
    assert rules.entity_list(store, realm, "TimeActivity") == []


def test_time_activity_boundaries_are_accepted(
    api: Accounting, realm: str, people: dict[str, dict[str, Any]]
) -> None:
    longest = api.save(
        realm, "timeactivity", time_activity(people, Hours=8760, Minutes=59, Description="x" * 4000)
    )["TimeActivity"]
    ranged = api.save(
        realm,
        "timeactivity",
        time_activity(
            people,
            Hours=None,
            Minutes=None,
            BillableStatus="NotBillable",
            HourlyRate=None,
            StartTime="2026-03-02T09:00:00-05:00",
            EndTime="2026-03-02T17:30:00-05:00",
        ),
    )["TimeActivity"]

    assert (longest["Hours"], longest["Minutes"]) == (8760, 59)
    assert ranged["StartTime"] == "2026-03-02T09:00:00-05:00"
    assert "Hours" not in ranged


@pytest.mark.parametrize("key", ["employee", "customer", "item"])
def test_inactive_references_answer_610(
    api: Accounting, realm: str, store: Store, people: dict[str, dict[str, Any]], key: str
) -> None:
    record = people[key]
    api.save(realm, key, {"Id": record["Id"], "SyncToken": "0", "sparse": True, "Active": False})

    fault = fault_of(lambda: api.save(realm, "timeactivity", time_activity(people)))

    assert fault.code == "610"
    assert fault.message == "Object Not Found"
    assert rules.entity_list(store, realm, "TimeActivity") == []


def test_item_ref_must_be_a_service_item(
    api: Accounting, realm: str, people: dict[str, dict[str, Any]]
) -> None:
    goods = create(api, realm, "Item", Name="Widgets", Type="NonInventory")

    fault = fault_of(
        lambda: api.save(
            realm, "timeactivity", time_activity(people, ItemRef={"value": goods["Id"]})
        )
    )

    assert fault.code == "6000"


def test_books_closed_on_or_before_the_closing_date(
    api: Accounting, realm: str, store: Store, people: dict[str, dict[str, Any]]
) -> None:
    open_entry = api.save(realm, "timeactivity", time_activity(people, TxnDate="2026-01-01"))[
        "TimeActivity"
    ]
    store.company_update(realm, book_close_date="2025-12-31")

    on_the_date = fault_of(
        lambda: api.save(realm, "timeactivity", time_activity(people, TxnDate="2025-12-31"))
    )
    assert on_the_date.code == "6210"
    assert on_the_date.detail == (
        "The account period has closed and the account books cannot be updated through the QBO "
        "Services API. Please use the QBO website to make these changes."
    )
    # The day after is open; an entry dated in the closed period cannot be moved or deleted.
    assert api.save(realm, "timeactivity", time_activity(people, TxnDate="2026-01-01"))
    store.company_update(realm, book_close_date="2026-01-31")
    assert (
        fault_of(
            lambda: api.save(realm, "timeactivity", {**open_entry, "TxnDate": "2026-02-02"})
        ).code
        == "6210"
    )
    assert (
        fault_of(
            lambda: api.delete(realm, "timeactivity", {"Id": open_entry["Id"], "SyncToken": "0"})
        ).code
        == "6210"
    )
    store.company_update(realm, book_close_date=None)
    assert api.save(realm, "timeactivity", time_activity(people, TxnDate="2020-01-01"))


# -- updates ---------------------------------------------------------------------------------


def test_stale_sync_token_is_refused_with_5010(api: Accounting, realm: str) -> None:
    customer = create(api, realm, "Customer", DisplayName="Acme")
    api.save(realm, "customer", {**customer, "CompanyName": "Acme Inc"})

    stale = fault_of(lambda: api.save(realm, "customer", {**customer, "CompanyName": "Acme LLC"}))

    assert stale.code == "5010"
    assert stale.message == "Stale Object Error"
    assert api.read(realm, "customer", customer["Id"])["Customer"]["CompanyName"] == "Acme Inc"
    missing = fault_of(
        lambda: api.save(realm, "customer", {"Id": customer["Id"], "DisplayName": "Z"})
    )
    assert missing.code == "2020"


def test_unknown_entity_and_unknown_id(api: Accounting, realm: str) -> None:
    assert fault_of(lambda: api.save(realm, "invoicething", {})).code == "500"
    assert fault_of(lambda: api.read(realm, "customer", "42")).code == "610"
    assert (
        fault_of(lambda: api.save(realm, "customer", {"Id": "42", "SyncToken": "0"})).code == "610"
    )
    assert fault_of(lambda: api.read("1234", "customer", "1")).http_status == 403
