"""The result of a sync job, as the pages and the API show it: what is linked, what is missing
on either side, and for every row what to do about it (JSON, camelCase keys)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from quickbooks_sync.mapping import CustomerLinks
from quickbooks_sync.mapping import CustomerTree
from quickbooks_sync.mapping import MappedProject
from quickbooks_sync.mapping import PeopleLinks
from quickbooks_sync.mapping import UserLinks
from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import SyncJob
from quickbooks_sync.qbo.types import QBOCustomer
from quickbooks_sync.qbo.types import QBOEmployee
from quickbooks_sync.qbo.types import QBOVendor
from quickbooks_sync.selectors.sync import ManualLinks
from quickbooks_sync.selectors.sync import manual_links
from quickbooks_sync.selectors.sync import sync_catalog
from quickbooks_sync.selectors.sync import sync_memberships
from workspaces.models import Membership


@dataclass
class QBOCompany:
    """What a job read of the company: all employees, vendors and customers (any depth, active
    and inactive), and the realm they belong to."""

    realm_id: str
    employees: list[QBOEmployee]
    customers: list[QBOCustomer]
    vendors: list[QBOVendor] = field(default_factory=list)
    customers_by_id: dict[str, QBOCustomer] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.customers_by_id = {c.id: c for c in self.customers}

    def people(self, kind: PersonKind) -> list[QBOEmployee]:
        """The employees, or the vendors."""
        return list(self.vendors if kind.name_of == EmployeeLink.NameOf.VENDOR else self.employees)

    def people_append(self, kind: PersonKind, person: QBOEmployee) -> None:
        """Add an employee (a vendor) created in QuickBooks during the job."""
        if kind.name_of == EmployeeLink.NameOf.VENDOR:
            assert isinstance(person, QBOVendor)
            self.vendors.append(person)
        else:
            self.employees.append(person)


@dataclass(frozen=True)
class PersonKind:
    """Who a member's time goes to in QuickBooks, and the keys of its rows in a result: staff
    to an Employee, a contractor to a Vendor."""

    name_of: str  # QBO's NameOf, as EmployeeLink.name_of stores it
    noun: str  # "employee" or "vendor"
    member_noun: str  # "member" or "contractor"
    qbo_id: str  # a row's key of the QBO Id ...
    qbo_name: str  # ... of its display name ...
    qbo_active: str  # ... and whether it is active
    linked: str  # the result's lists: members linked,
    unlinked_here: str  # members without one,
    unlinked_there: str  # QBO people without a member,
    created: str  # and what "Create missing users" created


EMPLOYEES = PersonKind(
    name_of=EmployeeLink.NameOf.EMPLOYEE,
    noun="employee",
    member_noun="member",
    qbo_id="employeeId",
    qbo_name="employeeName",
    qbo_active="employeeActive",
    linked="membersLinked",
    unlinked_here="membersWithoutEmployee",
    unlinked_there="employeesWithoutMember",
    created="createdEmployees",
)
VENDORS = PersonKind(
    name_of=EmployeeLink.NameOf.VENDOR,
    noun="vendor",
    member_noun="contractor",
    qbo_id="vendorId",
    qbo_name="vendorName",
    qbo_active="vendorActive",
    linked="contractorsLinked",
    unlinked_here="contractorsWithoutVendor",
    unlinked_there="vendorsWithoutContractor",
    created="createdVendors",
)
PERSON_KINDS = (EMPLOYEES, VENDORS)


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


def member_without_row(
    member_id: str, name: str, kind: PersonKind = EMPLOYEES, *, other_kind_has_name: bool = False
) -> dict[str, Any]:
    """A member (a contractor, for VENDORS) with no employee (vendor), one the member can have:
    not sharing a name. `other_kind_has_name`: QuickBooks has a person of the other kind with
    exactly this name (the member's contractor flag may be wrong)."""
    noun = kind.noun
    todo = (
        f"Create {_a(noun)} named exactly “{name}” in QuickBooks and sync again, "
        f"use “Create missing users”, or link it to {_a(noun)} by hand."
        if name
        else "The member has no name: ask them to set one in their profile."
    )
    if name and other_kind_has_name:
        other = VENDORS if kind is EMPLOYEES else EMPLOYEES
        mark = "a contractor" if other is VENDORS else "an employee"
        todo = (
            f"QuickBooks has {_a(other.noun)} named exactly “{name}”: if that is this person, "
            f"mark them as {mark} on the Team page and sync again. Otherwise: " + todo
        )
    return {
        "memberId": member_id,
        "name": name,
        "canCreate": bool(name),  # "Create missing users" can create its employee or vendor
        "whatToDo": todo,
    }


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def employee_without_row(
    employee_id: str, name: str, kind: PersonKind = EMPLOYEES
) -> dict[str, Any]:
    """A QuickBooks employee (vendor) that no member (contractor) is linked to."""
    if kind is VENDORS:
        todo = (
            f"If this vendor is a contractor who tracks time, invite them to the workspace with "
            f"the name “{name}” and mark them as a contractor (or link the contractor by hand), "
            "then sync again. Otherwise nothing: most vendors are suppliers."
        )
    else:
        todo = (
            f"If this person tracks time, invite them to the workspace with the name "
            f"“{name}” (or rename the member to match exactly, or link the member by hand), "
            "then sync again. Otherwise nothing."
        )
    return {kind.qbo_id: employee_id, "name": name, "whatToDo": todo}


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
    memberships: Sequence[Membership],
    users: UserLinks,
    company: QBOCompany,
    manual: ManualLinks,
    kind: PersonKind = EMPLOYEES,
) -> dict[str, list[dict[str, Any]]]:
    by_member = {m.pk: m for m in memberships}
    employees = {e.id: e for e in company.people(kind)}
    other = VENDORS if kind is EMPLOYEES else EMPLOYEES
    other_names = {p.display_name for p in company.people(other) if p.active}
    linked: list[dict[str, Any]] = []
    for member_id, employee_id in users.linked.items():
        membership = by_member[member_id]
        employee = employees[employee_id]
        name = membership.user.full_name
        if not employee.active:
            todo = (
                f"The {kind.noun} is inactive in QuickBooks: make it active there before "
                "sending this member's time."
            )
        elif not membership.is_active:
            todo = "Nothing: time this member tracked before leaving can still be sent."
        elif member_id in manual.members:
            todo = MANUAL_TODO
        elif employee.display_name != name:
            todo = "Nothing: linked by QuickBooks Id, so the differing names (a rename) are fine."
        else:
            todo = f"Nothing: this member's time is sent as this {kind.noun}."
        linked.append(
            {
                "memberId": member_id,
                "name": name,
                "memberStatus": membership.status,
                kind.qbo_id: employee_id,
                kind.qbo_name: employee.display_name,
                kind.qbo_active: employee.active,
                "new": member_id in users.newly_linked,
                "manual": member_id in manual.members,
                "whatToDo": todo,
            }
        )
    linked.sort(key=lambda row: row["name"].casefold())
    without = [
        member_without_row(m.member_id, m.name, kind, other_kind_has_name=m.name in other_names)
        for m in users.members_without_employee
    ]
    without += [
        {
            "memberId": m.member_id,
            "name": m.name,
            "canCreate": False,
            "whatToDo": (
                f"Several {kind.member_noun}s are named “{m.name}”: give each a distinct name "
                f"in their profile (and the {kind.noun} the same one), then sync again."
            ),
        }
        for m in users.members_sharing_a_name
    ]
    employees_without = [
        employee_without_row(e.id, e.display_name, kind) for e in users.employees_without_member
    ]
    return {
        kind.linked: linked,
        kind.unlinked_here: without,
        kind.unlinked_there: employees_without,
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
    users: PeopleLinks,
    catalog: CustomerLinks,
) -> dict[str, Any]:
    """The result a page and the API show: what is linked and what is missing, with what to do
    about every row (members with employees, contractors with vendors, the catalog)."""
    manual = manual_links(workspace_id=job.workspace_id, realm_id=company.realm_id)
    memberships = sync_memberships(workspace_id=job.workspace_id)
    rows = {
        **_member_rows(memberships, users.employees, company, manual, EMPLOYEES),
        **_member_rows(memberships, users.vendors, company, manual, VENDORS),
        **_catalog_rows(job.workspace_id, company, tree, catalog, manual),
    }
    return {
        "realmId": company.realm_id,
        "counts": {key: len(value) for key, value in rows.items()},
        **rows,
    }
