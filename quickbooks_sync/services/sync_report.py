"""The result of a sync job, as the pages and the API show it: what is linked, what is missing
on either side, and for every row what to do about it (JSON, camelCase keys)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from quickbooks_sync.mapping import CustomerLinks, CustomerTree, MappedProject, UserLinks
from quickbooks_sync.models import SyncJob
from quickbooks_sync.qbo.types import QBOCustomer, QBOEmployee
from quickbooks_sync.selectors.sync import sync_catalog, sync_memberships
from workspaces.models import Membership


@dataclass
class QBOCompany:
    """What a job read of the company: all employees and all customers (any depth, active
    and inactive), and the realm they belong to."""

    realm_id: str
    employees: list[QBOEmployee]
    customers: list[QBOCustomer]
    customers_by_id: dict[str, QBOCustomer] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.customers_by_id = {c.id: c for c in self.customers}


def customer_row(company: QBOCompany, qbo_id: str) -> dict[str, Any]:
    customer = company.customers_by_id[qbo_id]
    return {
        "customerId": customer.id,
        "name": customer.display_name,
        "fullyQualifiedName": customer.fully_qualified_name or customer.display_name,
        "isQboProject": customer.is_project,
        "active": customer.active,
    }


def _parent_name(company: QBOCompany, mapped: MappedProject) -> str | None:
    if mapped.client_qbo_id is None:
        return None
    return company.customers_by_id[mapped.client_qbo_id].display_name


def _member_rows(
    memberships: Sequence[Membership], users: UserLinks, company: QBOCompany
) -> dict[str, list[dict[str, Any]]]:
    by_member = {m.pk: m for m in memberships}
    employees = {e.id: e for e in company.employees}
    linked: list[dict[str, Any]] = []
    for member_id, employee_id in users.linked.items():
        membership = by_member[member_id]
        employee = employees[employee_id]
        name = membership.user.full_name
        if not employee.active:
            todo = (
                "The employee is inactive in QuickBooks: make it active there before sending "
                "this member's time."
            )
        elif not membership.is_active:
            todo = "Nothing: time this member tracked before leaving can still be sent."
        elif employee.display_name != name:
            todo = "Nothing: linked by QuickBooks Id, so the differing names (a rename) are fine."
        else:
            todo = "Nothing: this member's time is sent as this employee."
        linked.append(
            {
                "memberId": member_id,
                "name": name,
                "memberStatus": membership.status,
                "employeeId": employee_id,
                "employeeName": employee.display_name,
                "employeeActive": employee.active,
                "new": member_id in users.newly_linked,
                "whatToDo": todo,
            }
        )
    linked.sort(key=lambda row: row["name"].casefold())
    without = [
        {
            "memberId": m.member_id,
            "name": m.name,
            "canCreate": bool(m.name),  # "Create missing users" can create its employee
            "whatToDo": (
                f"Create an employee named exactly “{m.name}” in QuickBooks and sync again, "
                "or use “Create missing users”."
                if m.name
                else "The member has no name: ask them to set one in their profile."
            ),
        }
        for m in users.members_without_employee
    ] + [
        {
            "memberId": m.member_id,
            "name": m.name,
            "canCreate": False,
            "whatToDo": (
                f"Several members are named “{m.name}”: give each a distinct name in their "
                "profile (and the employee the same one), then sync again."
            ),
        }
        for m in users.members_sharing_a_name
    ]
    employees_without = [
        {
            "employeeId": e.id,
            "name": e.display_name,
            "whatToDo": (
                f"If this person tracks time, invite them to the workspace with the name "
                f"“{e.display_name}” (or rename the member to match exactly), then sync again. "
                "Otherwise nothing."
            ),
        }
        for e in users.employees_without_member
    ]
    return {
        "membersLinked": linked,
        "membersWithoutEmployee": without,
        "employeesWithoutMember": employees_without,
    }


def _catalog_rows(
    workspace_id: str, company: QBOCompany, tree: CustomerTree, catalog: CustomerLinks
) -> dict[str, list[dict[str, Any]]]:
    clients, projects = sync_catalog(workspace_id=workspace_id)
    clients_by_id = {c.pk: c for c in clients}
    projects_by_id = {p.pk: p for p in projects}
    clients_linked = sorted(
        (
            {
                "clientId": client_id,
                "name": clients_by_id[client_id].name,
                **customer_row(company, qbo_id),
                "new": client_id in catalog.newly_linked_clients,
                "whatToDo": "Nothing: linked.",
            }
            for client_id, qbo_id in catalog.clients.items()
        ),
        key=lambda row: row["fullyQualifiedName"].casefold(),
    )
    projects_linked = []
    for project_id, qbo_id in catalog.projects.items():
        project = projects_by_id[project_id]
        row = customer_row(company, qbo_id)
        if not row["active"]:
            todo = (
                "The customer is inactive in QuickBooks: make it active there before sending "
                "this project's time."
            )
        else:
            todo = "Nothing: this project's time is sent to this customer."
        projects_linked.append(
            {
                "projectId": project_id,
                "projectName": project.name,
                "clientName": project.client.name if project.client else None,
                **row,
                "new": project_id in catalog.newly_linked_projects,
                "whatToDo": todo,
            }
        )
    projects_linked.sort(key=lambda row: row["fullyQualifiedName"].casefold())
    customers_without = []
    for mapped in catalog.customers_without_project:
        parent = _parent_name(company, mapped)
        where = f" for client “{parent}”" if parent else " without a client"
        customers_without.append(
            {
                **customer_row(company, mapped.qbo_id),
                "clientName": parent,
                "whatToDo": (
                    f"Create a project named exactly “{mapped.name}”{where} here and sync "
                    "again, or use “Create missing customers and projects”."
                ),
            }
        )
    clients_without = [
        {
            **customer_row(company, mapped.qbo_id),
            "whatToDo": (
                f"Create a client named exactly “{mapped.name}” here and sync again, or use "
                "“Create missing customers and projects”."
            ),
        }
        for mapped in catalog.clients_missing_here
    ]
    projects_without = [
        {
            "projectId": p.project_id,
            "name": p.name,
            "clientName": clients_by_id[p.client_id].name if p.client_id else None,
            "whatToDo": (
                f"Create a customer (or a sub-customer of the client's customer) named exactly "
                f"“{p.name}” in QuickBooks, then sync again. Until then its time cannot be sent."
            ),
        }
        for p in catalog.projects_without_customer
        if not projects_by_id[p.project_id].archived
    ]
    return {
        "clientsLinked": clients_linked,
        "projectsLinked": projects_linked,
        "customersWithoutProject": customers_without,
        "customersWithoutClient": clients_without,
        "projectsWithoutCustomer": projects_without,
    }


def sync_report(
    job: SyncJob,
    company: QBOCompany,
    tree: CustomerTree,
    users: UserLinks,
    catalog: CustomerLinks,
) -> dict[str, Any]:
    """The result a page and the API show: what is linked and what is missing, with what to do
    about every row."""
    rows = {
        **_member_rows(sync_memberships(workspace_id=job.workspace_id), users, company),
        **_catalog_rows(job.workspace_id, company, tree, catalog),
    }
    return {
        "realmId": company.realm_id,
        "counts": {key: len(value) for key, value in rows.items()},
        **rows,
    }
