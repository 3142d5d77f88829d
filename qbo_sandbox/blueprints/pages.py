"""The emulator's own web pages: the list of companies and a company's employees, vendors,
customer tree and TimeActivities (what a developer looks at while the product sends)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import abort
from flask import render_template

from qbo_sandbox import rules
from qbo_sandbox.parts import Parts


def blueprint(parts: Parts) -> Blueprint:
    store = parts.store
    bp = Blueprint("pages", __name__)

    @bp.get("/")
    def index() -> str:
        return render_template("index.html", companies=store.company_list())

    @bp.get("/companies/<realm_id>")
    def company_page(realm_id: str) -> str:
        company = store.company_get(realm_id)
        if company is None:
            abort(404)
        employees = rules.entity_list(store, realm_id, "Employee")
        customers = rules.entity_list(store, realm_id, "Customer")
        activities = rules.entity_list(store, realm_id, "TimeActivity")
        vendors = rules.entity_list(store, realm_id, "Vendor")
        return render_template(
            "company.html",
            company=company,
            employees=employees,
            vendors=vendors,
            customer_tree=customer_tree(customers),
            activities=activity_rows(activities, employees, vendors, customers),
        )

    return bp


def customer_tree(customers: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """(depth, customer) in tree order: each parent followed by its children by name."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    ids = {c["Id"] for c in customers}
    for customer in customers:
        parent = (customer.get("ParentRef") or {}).get("value")
        children.setdefault(parent if parent in ids else None, []).append(customer)
    rows: list[tuple[int, dict[str, Any]]] = []

    def walk(parent: str | None, depth: int) -> None:
        for customer in sorted(children.get(parent, []), key=lambda c: c.get("DisplayName", "")):
            rows.append((depth, customer))
            walk(customer["Id"], depth + 1)

    walk(None, 0)
    return rows


def activity_rows(
    activities: list[dict[str, Any]],
    employees: list[dict[str, Any]],
    vendors: list[dict[str, Any]],
    customers: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    def names(entities: list[dict[str, Any]], key: str) -> dict[str, str]:
        return {e["Id"]: str(e.get(key) or e.get("DisplayName") or "") for e in entities}

    employee_names = names(employees, "DisplayName")
    vendor_names = names(vendors, "DisplayName")
    customer_names = names(customers, "FullyQualifiedName")
    rows = []
    for activity in sorted(activities, key=lambda a: (a.get("TxnDate", ""), int(a["Id"]))):
        who_ref = activity.get("EmployeeRef") or activity.get("VendorRef") or {}
        lookup = employee_names if activity.get("EmployeeRef") else vendor_names
        name_of = "Employee" if activity.get("EmployeeRef") else "Vendor"
        customer_ref = activity.get("CustomerRef") or {}
        if activity.get("StartTime") and activity.get("EndTime"):
            hours = f"{activity['StartTime']} - {activity['EndTime']}"
        else:
            hours = f"{int(activity.get('Hours') or 0)}:{int(activity.get('Minutes') or 0):02d}"
        rows.append(
            {
                "id": activity["Id"],
                "date": activity.get("TxnDate", ""),
                "who": who_ref.get("name") or lookup.get(who_ref.get("value", ""), ""),
                "name_of": name_of,
                "customer": customer_ref.get("name")
                or customer_names.get(customer_ref.get("value", ""), ""),
                "hours": hours,
                "billable": activity.get("BillableStatus", "NotBillable"),
                "rate": activity.get("HourlyRate", ""),
                "description": activity.get("Description", ""),
            }
        )
    return rows
