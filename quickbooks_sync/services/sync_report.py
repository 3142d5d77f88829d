"""The result of a sync job, as the pages and the API show it: what is linked, what is missing
on either side, and for every row what to do about it (JSON, camelCase keys)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from quickbooks_sync.mapping import CustomerLinks, CustomerTree, MappedProject, UserLinks
from quickbooks_sync.models import SyncJob
from quickbooks_sync.qbo.types import QBOCustomer, QBOEmployee
from quickbooks_sync.selectors.sync import (
    ManualLinks,
    manual_links,
    sync_catalog,
    sync_memberships,
)
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


MANUAL_TODO = "Nothing: linked by hand (the names differ); syncs keep this link."


def member_without_row(member_id: str, name: str) -> dict[str, Any]:
    """A member with no employee (one the member can have: not sharing a name)."""
    return {
        "memberId": member_id,
        "name": name,
        "canCreate": bool(name),  # "Create missing users" can create its employee
        "whatToDo": (
            f"Create an employee named exactly “{name}” in QuickBooks and sync again, "
            "use “Create missing users”, or link it to an employee by hand."
            if name
            else "The member has no name: ask them to set one in their profile."
        ),
    }


def employee_without_row(employee_id: str, name: str) -> dict[str, Any]:
    return {
        "employeeId": employee_id,
        "name": name,
        "whatToDo": (
            f"If this person tracks time, invite them to the workspace with the name "
            f"“{name}” (or rename the member to match exactly, or link the member by hand), "
            "then sync again. Otherwise nothing."
        ),
    }


def customer_without_project_row(customer: dict[str, Any], parent: str | None) -> dict[str, Any]:
    """`customer`: a customer_row. `parent`: the client it belongs under, if any."""
    where = f" for client “{parent}”" if parent else " without a client"
    return {
        **customer,
        "clientName": parent,
        "whatToDo": (
            f"Create a project named exactly “{customer['name']}”{where} here and sync "
            "again, use “Create missing customers and projects”, or link a project here to it "
            "by hand."
        ),
    }


def customer_without_client_row(customer: dict[str, Any]) -> dict[str, Any]:
    return {
        **customer,
        "whatToDo": (
            f"Create a client named exactly “{customer['name']}” here and sync again, use "
            "“Create missing customers and projects”, or link a client here to it by hand."
        ),
    }


def project_without_customer_row(
    project_id: str, name: str, client_name: str | None
) -> dict[str, Any]:
    return {
        "projectId": project_id,
        "name": name,
        "clientName": client_name,
        "whatToDo": (
            f"Create a customer (or a sub-customer of the client's customer) named exactly "
            f"“{name}” in QuickBooks and sync again, or link it to a customer by hand. Until "
            "then its time cannot be sent."
        ),
    }


def client_without_customer_row(client_id: str, name: str) -> dict[str, Any]:
    return {
        "clientId": client_id,
        "name": name,
        "whatToDo": (
            f"Create a customer named exactly “{name}” with sub-customers in QuickBooks and "
            "sync again, or link it to a customer by hand."
        ),
    }


def _parent_name(company: QBOCompany, mapped: MappedProject) -> str | None:
    if mapped.client_qbo_id is None:
        return None
    return company.customers_by_id[mapped.client_qbo_id].display_name


def _member_rows(
    memberships: Sequence[Membership], users: UserLinks, company: QBOCompany, manual: ManualLinks
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
        elif member_id in manual.members:
            todo = MANUAL_TODO
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
                "manual": member_id in manual.members,
                "whatToDo": todo,
            }
        )
    linked.sort(key=lambda row: row["name"].casefold())
    without = [member_without_row(m.member_id, m.name) for m in users.members_without_employee]
    without += [
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
        employee_without_row(e.id, e.display_name) for e in users.employees_without_member
    ]
    return {
        "membersLinked": linked,
        "membersWithoutEmployee": without,
        "employeesWithoutMember": employees_without,
    }


def _catalog_rows(
    workspace_id: str,
    company: QBOCompany,
    tree: CustomerTree,
    catalog: CustomerLinks,
    manual: ManualLinks,
) -> dict[str, list[dict[str, Any]]]:
    clients, projects = sync_catalog(workspace_id=workspace_id)
    clients_by_id = {c.pk: c for c in clients}
    projects_by_id = {p.pk: p for p in projects}
    clients_linked = sorted(
        (
            {
                "clientId": client_id,
                **customer_row(company, qbo_id),
                "clientName": clients_by_id[client_id].name,
                "new": client_id in catalog.newly_linked_clients,
                "manual": client_id in manual.clients,
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
                "manual": project_id in manual.projects,
                "whatToDo": todo,
            }
        )
    projects_linked.sort(key=lambda row: row["fullyQualifiedName"].casefold())
    customers_without = [
        customer_without_project_row(
            customer_row(company, mapped.qbo_id), _parent_name(company, mapped)
        )
        for mapped in catalog.customers_without_project
    ]
    clients_without = [
        customer_without_client_row(customer_row(company, mapped.qbo_id))
        for mapped in catalog.clients_missing_here
    ]
    projects_without = [
        project_without_customer_row(
            p.project_id, p.name, clients_by_id[p.client_id].name if p.client_id else None
        )
        for p in catalog.projects_without_customer
        if not projects_by_id[p.project_id].archived
    ]
    linked_clients = set(catalog.clients)
    clients_here_without = [
        client_without_customer_row(c.pk, c.name)
        for c in clients
        if c.pk not in linked_clients and not c.archived
    ]
    return {
        "clientsLinked": clients_linked,
        "projectsLinked": projects_linked,
        "customersWithoutProject": customers_without,
        "customersWithoutClient": clients_without,
        "projectsWithoutCustomer": projects_without,
        "clientsWithoutCustomer": clients_here_without,
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
    manual = manual_links(workspace_id=job.workspace_id, realm_id=company.realm_id)
    rows = {
        **_member_rows(sync_memberships(workspace_id=job.workspace_id), users, company, manual),
        **_catalog_rows(job.workspace_id, company, tree, catalog, manual),
    }
    return {
        "realmId": company.realm_id,
        "counts": {key: len(value) for key, value in rows.items()},
        **rows,
    }
