"""The demo company: what "QuickBooks" holds when the product's demo workspace connects to it.

Employees are named like the demo workspace's members (Liam Becker has no employee; Henry
Ford-Smith has no member), and the customer tree is four levels deep with a customer that is
both a parent and a child, plus two QBO projects (which Intuit creates through its Projects API,
so they are seeded here).
"""

from __future__ import annotations

from typing import Any

from qbo_sandbox import rules
from qbo_sandbox.store import Store

DEMO_COMPANY = "Northwind Books Demo"

EMPLOYEES = (
    ("Dana", "Whitfield", "dana@northwind.example"),
    ("Marcus", "Chen", "marcus@northwind.example"),
    ("Priya", "Raman", "priya@northwind.example"),
    ("Tomás", "Alvarez", "tomas@northwind.example"),
    ("Grace", "O'Neill", "grace@northwind.example"),
    ("Henry", "Ford-Smith", "henry@northwind.example"),
)

# (name, parent name or None, is a QBO project)
CUSTOMERS = (
    ("Harbor Logistics", None, False),
    ("Harbor Logistics Website", "Harbor Logistics", False),
    ("Website Redesign", "Harbor Logistics Website", False),
    ("Checkout Flow", "Website Redesign", False),
    ("SEO Audit", "Harbor Logistics Website", False),
    ("Warehouse App", "Harbor Logistics", True),
    ("Summit Dental", None, False),
    ("Patient Portal", "Summit Dental", False),
    ("Brand Refresh", "Summit Dental", True),
    ("Greenleaf Bakery", None, False),
)

SERVICE_ITEM = "Hours"


def seed_demo(store: Store) -> str:
    """Create the demo company (once) and whatever of its content is missing; its realm id."""
    # One transaction, so a CLI and the server seeding at once still make one demo company.
    with store.transaction():
        company = next((c for c in store.company_list() if c["name"] == DEMO_COMPANY), None)
        if company is None:
            company = store.company_create(name=DEMO_COMPANY, sku="Plus", payroll=False)
    realm_id: str = company["realmId"]

    existing = {e["DisplayName"] for e in rules.entity_list(store, realm_id, "Employee")}
    for given, family, email in EMPLOYEES:
        name = f"{given} {family}"
        if name not in existing:
            rules.entity_seed(
                store,
                realm_id,
                "Employee",
                {
                    "DisplayName": name,
                    "GivenName": given,
                    "FamilyName": family,
                    "PrimaryEmailAddr": {"Address": email},
                    "BillableTime": True,
                },
            )

    customers: dict[str, dict[str, Any]] = {
        c["DisplayName"]: c for c in rules.entity_list(store, realm_id, "Customer")
    }
    for name, parent, is_project in CUSTOMERS:
        if name in customers:
            continue
        payload: dict[str, Any] = {"DisplayName": name, "CompanyName": name}
        if parent is not None:
            payload.update(
                {
                    "Job": True,
                    "ParentRef": {"value": customers[parent]["Id"]},
                    "BillWithParent": True,
                    "IsProject": is_project,
                }
            )
        customers[name] = rules.entity_seed(store, realm_id, "Customer", payload)

    if not any(i["Name"] == SERVICE_ITEM for i in rules.entity_list(store, realm_id, "Item")):
        rules.entity_seed(
            store,
            realm_id,
            "Item",
            {
                "Name": SERVICE_ITEM,
                "Type": "Service",
                "Description": "Professional services, billed by the hour",
                "UnitPrice": 100,
            },
        )
    return realm_id
