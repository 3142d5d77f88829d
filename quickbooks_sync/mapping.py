"""Pure mapping between QuickBooks Online and the time tracker: no database, no network.

(a) the QBO customer tree -> clients and projects (the seed's "Data mapping");
(b) linking by identical name: members <-> employees, contractors <-> vendors, clients and
    projects <-> customers;
(c) a time entry -> a TimeActivity payload, or the product's own reason not to send it.

Inputs and outputs are plain dataclasses keyed by ids (QBO Ids are strings; ids here too).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from quickbooks_sync.qbo.types import QBOCustomer
from quickbooks_sync.qbo.types import QBOEmployee
from quickbooks_sync.qbo.types import QBOVendor

# -- (a) the customer tree ------------------------------------------------------------------------


@dataclass(frozen=True)
class MappedClient:
    """A Client here for a QBO customer that has sub-customers (or projects)."""

    qbo_id: str
    name: str
    active: bool


@dataclass(frozen=True)
class MappedProject:
    """A Project here for a QBO customer, sub-customer or project; `client_qbo_id` is the
    QBO Id of the customer whose Client it belongs under (None: a project without client)."""

    qbo_id: str
    name: str
    client_qbo_id: str | None
    active: bool
    is_qbo_project: bool


@dataclass(frozen=True)
class CustomerTree:
    clients: dict[str, MappedClient]  # by QBO Id
    projects: dict[str, MappedProject]  # by QBO Id


def map_customer_tree(customers: Iterable[QBOCustomer]) -> CustomerTree:
    """The seed's data mapping, for any depth (QBO allows the top customer plus four levels):

    - a customer with sub-customers is a Client;
    - a customer without sub-customers is a Project under the Client its parent maps to;
    - a sub-customer with sub-customers of its own is both a Client and a Project of the same
      name (the Project under its parent's Client);
    - a top-level customer without sub-customers is a Project without a client;
    - QBO projects map by their place in the tree like sub-customers.

    A ParentRef to a customer that is not in the list counts as top level.
    """
    by_id = {c.id: c for c in customers}

    def parent_of(customer: QBOCustomer) -> str | None:
        parent = customer.parent_id
        return parent if parent is not None and parent in by_id and parent != customer.id else None

    has_children = {parent for c in by_id.values() if (parent := parent_of(c)) is not None}
    clients: dict[str, MappedClient] = {}
    projects: dict[str, MappedProject] = {}
    for customer in by_id.values():
        parent = parent_of(customer)
        if customer.id in has_children:
            clients[customer.id] = MappedClient(
                qbo_id=customer.id, name=customer.display_name, active=customer.active
            )
        if customer.id not in has_children or parent is not None:
            projects[customer.id] = MappedProject(
                qbo_id=customer.id,
                name=customer.display_name,
                client_qbo_id=parent,  # a parent always has children, so it is a Client
                active=customer.active,
                is_qbo_project=customer.is_project,
            )
    return CustomerTree(clients=clients, projects=projects)


# -- (b) linking by identical name ------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A workspace member as the sync sees it (`name` is the profile's full name)."""

    member_id: str
    name: str
    active: bool = True
    contractor: bool = False  # linked to a QBO Vendor, not an Employee


@dataclass(frozen=True)
class UserLinks:
    linked: dict[str, str]  # member id -> QBO employee Id (kept links and new ones)
    newly_linked: dict[str, str]  # the subset linked by name in this run
    members_without_employee: list[Member]  # active members only
    employees_without_member: list[QBOEmployee]  # active employees only
    members_sharing_a_name: list[Member]  # not linked: several members have this name


def link_members(
    *,
    members: Sequence[Member],
    employees: Sequence[QBOEmployee],
    existing: Mapping[str, str],
) -> UserLinks:
    """Links a member and an employee when the member's name and the employee's DisplayName
    are identical (the seed: "have to be identical"; no case or space folding).

    Existing links (member id -> employee Id) are kept as long as the employee still exists,
    whatever the names are now: links survive renames. Members of any status may be linked;
    only active members and active employees are reported as missing their counterpart.
    Members who share a name are not linked by name (which one is meant is unknown).
    """
    employee_ids = {e.id for e in employees}
    linked: dict[str, str] = {}
    taken: set[str] = set()
    for member in members:
        employee_id = existing.get(member.member_id)
        if employee_id in employee_ids and employee_id not in taken:
            linked[member.member_id] = employee_id
            taken.add(employee_id)

    name_count = Counter(m.name for m in members if m.member_id not in linked)
    by_name = {e.display_name: e for e in employees if e.id not in taken}
    newly_linked: dict[str, str] = {}
    sharing: list[Member] = []
    for member in members:
        if member.member_id in linked:
            continue
        employee = by_name.get(member.name)
        if employee is None:
            continue
        if name_count[member.name] > 1:
            sharing.append(member)
            continue
        linked[member.member_id] = employee.id
        newly_linked[member.member_id] = employee.id
        taken.add(employee.id)

    shared_ids = {m.member_id for m in sharing}
    return UserLinks(
        linked=linked,
        newly_linked=newly_linked,
        members_without_employee=sorted(
            (
                m
                for m in members
                if m.active and m.member_id not in linked and m.member_id not in shared_ids
            ),
            key=lambda m: m.name.casefold(),
        ),
        employees_without_member=sorted(
            (e for e in employees if e.active and e.id not in taken),
            key=lambda e: e.display_name.casefold(),
        ),
        members_sharing_a_name=sorted(sharing, key=lambda m: m.name.casefold()),
    )


@dataclass(frozen=True)
class PeopleLinks:
    employees: UserLinks  # members who are not contractors <-> QBO employees
    vendors: UserLinks  # contractors <-> QBO vendors


def link_people(
    *,
    members: Sequence[Member],
    employees: Sequence[QBOEmployee],
    vendors: Sequence[QBOVendor],
    existing: Mapping[str, tuple[str, str]],
) -> PeopleLinks:
    """Contractors link to vendors and everyone else to employees, each by `link_members`'
    rules (identical names, names shared within the group not linked, kept links kept).

    `existing`: member id -> (NameOf, QBO Id) of the stored link. A link of the other kind than
    the member is now (the contractor flag changed since) is not kept: the member links anew."""

    def kept(name_of: str) -> dict[str, str]:
        return {m: qbo_id for m, (kind, qbo_id) in existing.items() if kind == name_of}

    return PeopleLinks(
        employees=link_members(
            members=[m for m in members if not m.contractor],
            employees=employees,
            existing=kept("Employee"),
        ),
        vendors=link_members(
            members=[m for m in members if m.contractor],
            employees=vendors,
            existing=kept("Vendor"),
        ),
    )


@dataclass(frozen=True)
class LocalClient:
    client_id: str
    name: str


@dataclass(frozen=True)
class LocalProject:
    project_id: str
    name: str
    client_id: str | None


@dataclass(frozen=True)
class CustomerLinks:
    clients: dict[str, str]  # local client id -> QBO customer Id (kept links and new ones)
    projects: dict[str, str]  # local project id -> QBO customer Id (kept links and new ones)
    newly_linked_clients: dict[str, str]
    newly_linked_projects: dict[str, str]
    clients_missing_here: list[MappedClient]  # QBO customers that should be a Client here
    customers_without_project: list[MappedProject]  # QBO customers/projects with no project
    projects_without_customer: list[LocalProject]  # projects here with no QBO customer


def _kept_links(
    local_ids: Sequence[str], existing: Mapping[str, str], mapped: Mapping[str, object]
) -> dict[str, str]:
    """The existing links (local id -> QBO Id) to keep: those whose QBO customer still maps to
    the same kind of thing (is in `mapped`), one local per QBO customer (the first wins)."""
    kept: dict[str, str] = {}
    for local_id in local_ids:
        qbo_id = existing.get(local_id)
        if qbo_id is not None and qbo_id in mapped and qbo_id not in kept.values():
            kept[local_id] = qbo_id
    return kept


def link_customers(
    *,
    tree: CustomerTree,
    clients: Sequence[LocalClient],
    projects: Sequence[LocalProject],
    existing_client_links: Mapping[str, str],
    existing_project_links: Mapping[str, str],
) -> CustomerLinks:
    """Links clients and projects to the QBO customers they map to, by identical name.

    A client links to the mapped Client of the same name. A project links to the mapped
    Project of the same name under the client its QBO parent maps to (no client for a
    top-level customer). Existing links (local id -> QBO Id) are kept while the QBO customer
    still maps to the same kind of thing, whatever the names are now.
    """
    client_links = _kept_links([c.client_id for c in clients], existing_client_links, tree.clients)
    linked_qbo_clients = set(client_links.values())
    new_clients: dict[str, str] = {}
    clients_by_name = {
        c.name: c for c in tree.clients.values() if c.qbo_id not in linked_qbo_clients
    }
    for client in clients:
        if client.client_id in client_links:
            continue
        mapped = clients_by_name.pop(client.name, None)
        if mapped is not None:
            client_links[client.client_id] = mapped.qbo_id
            new_clients[client.client_id] = mapped.qbo_id
    local_client_of = {qbo_id: local_id for local_id, qbo_id in client_links.items()}

    project_links = _kept_links(
        [p.project_id for p in projects], existing_project_links, tree.projects
    )
    linked_qbo_projects = set(project_links.values())
    # (name, local client id or None) -> mapped project; a mapped project whose QBO client has
    # no client here cannot be "under the client its parent maps to" yet.
    wanted: dict[tuple[str, str | None], MappedProject] = {}
    for mapped_project in tree.projects.values():
        if mapped_project.qbo_id in linked_qbo_projects:
            continue
        if mapped_project.client_qbo_id is None:
            wanted[(mapped_project.name, None)] = mapped_project
        elif mapped_project.client_qbo_id in local_client_of:
            key = (mapped_project.name, local_client_of[mapped_project.client_qbo_id])
            wanted[key] = mapped_project
    new_projects: dict[str, str] = {}
    for project in projects:
        if project.project_id in project_links:
            continue
        match = wanted.pop((project.name, project.client_id), None)
        if match is not None:
            project_links[project.project_id] = match.qbo_id
            new_projects[project.project_id] = match.qbo_id

    linked_clients = set(client_links.values())
    linked_projects = set(project_links.values())
    return CustomerLinks(
        clients=client_links,
        projects=project_links,
        newly_linked_clients=new_clients,
        newly_linked_projects=new_projects,
        clients_missing_here=sorted(
            (c for c in tree.clients.values() if c.qbo_id not in linked_clients),
            key=lambda c: c.name.casefold(),
        ),
        customers_without_project=sorted(
            (p for p in tree.projects.values() if p.qbo_id not in linked_projects),
            key=lambda p: p.name.casefold(),
        ),
        projects_without_customer=sorted(
            (p for p in projects if p.project_id not in project_links),
            key=lambda p: p.name.casefold(),
        ),
    )


# -- (c) a time entry -> a TimeActivity -----------------------------------------------------------

MAX_ENTRY_SECONDS = 23 * 3600 + 55 * 60  # the seed: entries longer than 23h55m aren't sent
MAX_DESCRIPTION_LENGTH = 4000  # QBO refuses a longer TimeActivity Description (2050)


class RefusalReason(StrEnum):
    RUNNING = "running"
    BILLABLE_WITHOUT_PROJECT = "billable_without_project"
    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"
    MEMBER_NOT_LINKED = "member_not_linked"
    PROJECT_NOT_LINKED = "project_not_linked"

    @property
    def message(self) -> str:
        return REFUSAL_MESSAGES[self]


REFUSAL_MESSAGES: dict[RefusalReason, str] = {
    RefusalReason.RUNNING: "The timer is still running. Stop it first.",
    RefusalReason.BILLABLE_WITHOUT_PROJECT: (
        "A billable entry needs a project to be sent to QuickBooks. Pick a project or mark it "
        "non-billable."
    ),
    RefusalReason.TOO_LONG: (
        "Entries longer than 23 h 55 min are not sent to QuickBooks. Split the entry."
    ),
    RefusalReason.TOO_SHORT: (
        "The entry is shorter than one minute; QuickBooks records time in whole minutes."
    ),
    RefusalReason.MEMBER_NOT_LINKED: (
        "The member is not linked to a QuickBooks employee (a contractor: to a vendor). Give "
        "both the same name and sync users, create the missing users, or link them by hand."
    ),
    RefusalReason.PROJECT_NOT_LINKED: (
        "The project is not linked to a QuickBooks customer. Give both the same name and sync "
        "customers."
    ),
}


@dataclass(frozen=True)
class TimeEntryInput:
    """What the send needs of one time entry, already resolved by the caller.

    `duration_seconds` is the (rounded, when rounding is on) duration the reports show;
    `employee_id` is the QBO Employee the member is linked to, or for a contractor the QBO
    Vendor (`name_of` "Vendor"); `customer_id` the QBO customer the entry's project is linked
    to (None when it has no project or no link)."""

    entry_id: str
    start: datetime
    end: datetime | None
    duration_seconds: int
    billable: bool
    hourly_rate_cents: int | None
    description: str
    project_id: str | None
    employee_id: str | None
    customer_id: str | None
    name_of: str = "Employee"  # QBO's NameOf: "Employee" or "Vendor" (a contractor)


NAME_OF = ("Employee", "Vendor")


@dataclass(frozen=True)
class TimeActivityDraft:
    entry_id: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class EntryRefused:
    entry_id: str
    reason: RefusalReason

    @property
    def message(self) -> str:
        return self.reason.message


def refusal_reason(entry: TimeEntryInput) -> RefusalReason | None:
    """The product's own reason not to send an entry (first one that applies), or None."""
    if entry.end is None:
        return RefusalReason.RUNNING
    if entry.billable and entry.project_id is None:
        return RefusalReason.BILLABLE_WITHOUT_PROJECT
    if entry.duration_seconds > MAX_ENTRY_SECONDS:
        return RefusalReason.TOO_LONG
    if _whole_minutes(entry.duration_seconds) == 0:
        return RefusalReason.TOO_SHORT
    if entry.employee_id is None:
        return RefusalReason.MEMBER_NOT_LINKED
    if entry.project_id is not None and entry.customer_id is None:
        return RefusalReason.PROJECT_NOT_LINKED
    return None


def _whole_minutes(seconds: int) -> int:
    return (seconds + 30) // 60  # to the nearest minute, half a minute up


def time_activity_payload(
    entry: TimeEntryInput,
    *,
    time_zone: str,
    item_id: str | None = None,
    class_id: str | None = None,
) -> TimeActivityDraft | EntryRefused:
    """One TimeActivity for one entry, or why it is not sent.

    NameOf is the entry's `name_of` with its reference (EmployeeRef, or VendorRef for a
    contractor); TxnDate is the start's date in the workspace time zone; Hours and Minutes hold the
    duration (QBO: Minutes 0-59, and never together with StartTime/EndTime); HourlyRate only
    for billable entries (QBO requires it with BillableStatus Billable). `item_id` and
    `class_id` are the most specific ones the caller found (see billing_for)."""
    if entry.start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    if entry.name_of not in NAME_OF:
        raise ValueError(f"name_of must be one of {', '.join(NAME_OF)}")
    reason = refusal_reason(entry)
    employee_id = entry.employee_id
    if reason is not None or employee_id is None:
        return EntryRefused(
            entry_id=entry.entry_id, reason=reason or RefusalReason.MEMBER_NOT_LINKED
        )
    minutes = _whole_minutes(entry.duration_seconds)
    payload: dict[str, Any] = {
        "NameOf": entry.name_of,
        f"{entry.name_of}Ref": {"value": employee_id},
        "TxnDate": entry.start.astimezone(ZoneInfo(time_zone)).date().isoformat(),
        "Hours": minutes // 60,
        "Minutes": minutes % 60,
        "BillableStatus": "Billable" if entry.billable else "NotBillable",
        "Description": entry.description[:MAX_DESCRIPTION_LENGTH],
    }
    if entry.customer_id is not None:
        payload["CustomerRef"] = {"value": entry.customer_id}
    if entry.billable:
        # Integer cents -> a decimal number with two places (cents / 100 prints exactly so).
        payload["HourlyRate"] = (entry.hourly_rate_cents or 0) / 100
    if item_id is not None:
        payload["ItemRef"] = {"value": item_id}
    if class_id is not None:
        payload["ClassRef"] = {"value": class_id}
    return TimeActivityDraft(entry_id=entry.entry_id, payload=payload)


@dataclass(frozen=True)
class Billing:
    """Where an entry's time is billed: the service item and the class (ids and names)."""

    item_id: str | None = None
    item_name: str = ""
    class_id: str | None = None
    class_name: str = ""


def billing_for(
    *,
    task: tuple[str, str] | None,
    project: tuple[str, str] | None,
    default: tuple[str, str] | None,
    project_class: tuple[str, str] | None,
    default_class: tuple[str, str] | None,
    class_tracking: bool,
) -> Billing:
    """The most specific item (task, else project, else the workspace's) and class (project,
    else the workspace's; none while the company does not track classes). Each choice is an
    (id, name) pair or None."""
    item = task or project or default
    klass = (project_class or default_class) if class_tracking else None
    return Billing(
        item_id=item[0] if item else None,
        item_name=item[1] if item else "",
        class_id=klass[0] if klass else None,
        class_name=klass[1] if klass else "",
    )


# -- (d) correcting what was sent ---------------------------------------------------------------

# The TimeActivity fields the integration sends (and so compares and corrects), and the label
# each change is shown with; Hours and Minutes are compared together, as one duration.
CORRECTED_FIELDS: tuple[tuple[str, str], ...] = (
    ("TxnDate", "Date"),
    ("Duration", "Duration"),
    ("Description", "Description"),
    ("Person", "Employee"),
    ("CustomerRef", "Customer"),
    ("BillableStatus", "Billable"),
    ("HourlyRate", "Rate"),
    ("ItemRef", "Service item"),
    ("ClassRef", "Class"),
)
_SENT_KEYS = (
    "NameOf",
    "EmployeeRef",
    "VendorRef",
    "TxnDate",
    "Hours",
    "Minutes",
    "BillableStatus",
    "Description",
    "CustomerRef",
    "HourlyRate",
    "ItemRef",
    "ClassRef",
)


# The payload keys behind each compared field (a changed field may need its keys cleared).
_FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "Duration": ("Hours", "Minutes"),
    "Person": ("EmployeeRef", "VendorRef"),
    "BillableStatus": ("BillableStatus", "HourlyRate"),
}


@dataclass(frozen=True)
class FieldChange:
    """One field whose value here differs from what QBO holds: `before` is QBO's, `after`
    today's (comparable plain values: ids for references, minutes for the duration)."""

    field: str
    label: str
    before: Any
    after: Any

    def as_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "label": self.label,
            "before": self.before,
            "after": self.after,
        }


def _ref(values: Mapping[str, Any], key: str) -> str | None:
    ref = values.get(key)
    if isinstance(ref, Mapping) and ref.get("value") not in (None, ""):
        return str(ref["value"])
    return None


def comparable(values: Mapping[str, Any], field: str) -> Any:
    """A field of a TimeActivity as a plain value that compares equal when QBO would show the
    same: a reference by Id, the duration in minutes, the rate as cents, the person as
    (NameOf, Id)."""
    if field == "Duration":
        if values.get("Hours") is None and values.get("Minutes") is None:
            return None
        return int(values.get("Hours") or 0) * 60 + int(values.get("Minutes") or 0)
    if field == "Person":
        name_of = str(values.get("NameOf") or "Employee")
        return f"{name_of}:{_ref(values, f'{name_of}Ref') or ''}"
    if field.endswith("Ref"):
        return _ref(values, field)
    if field == "HourlyRate":
        rate = values.get("HourlyRate")
        return None if rate is None or rate == "" else round(float(rate) * 100)
    if field == "BillableStatus":
        return str(values.get("BillableStatus") or "NotBillable")
    if field == "Description":
        return str(values.get("Description") or "")
    value = values.get(field)
    return None if value in (None, "") else str(value)


def time_activity_changes(held: Mapping[str, Any], today: Mapping[str, Any]) -> list[FieldChange]:
    """The fields where today's TimeActivity (as the send would build it now) differs from the
    one QBO holds (the ledger's values), in CORRECTED_FIELDS order. A rate only counts while
    the entry is billable (QBO keeps a rate on non-billable time that nobody sees)."""
    changes = []
    for field, label in CORRECTED_FIELDS:
        before, after = comparable(held, field), comparable(today, field)
        if field == "HourlyRate" and comparable(today, "BillableStatus") != "Billable":
            continue
        if before != after:
            changes.append(FieldChange(field=field, label=label, before=before, after=after))
    return changes


def held_values(activity: Mapping[str, Any]) -> dict[str, Any]:
    """A TimeActivity as QBO answers it (a read), reduced to the fields the integration sends,
    references to their Id: comparable with a payload of `time_activity_payload`."""
    values: dict[str, Any] = {}
    for key in _SENT_KEYS:
        value = activity.get(key)
        if value is None:
            continue
        if key.endswith("Ref"):
            ref = _ref(activity, key)
            if ref is not None:
                values[key] = {"value": ref}
        elif key in ("Hours", "Minutes"):
            values[key] = int(value)
        elif key == "HourlyRate":
            values[key] = float(value)
        else:
            values[key] = value
    return values


def time_activity_update(
    *, activity_id: str, sync_token: str, held: Mapping[str, Any], today: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The update that makes QBO's TimeActivity `held` into `today`, or None when nothing
    differs. Sparse (`"sparse": true`, only the changed fields) while every field QBO holds is
    still sent today; when one is gone (no customer, item or class any more, the rate of an
    entry that is no longer billable, an empty description, another kind of person) a full
    update, since a sparse one cannot clear a field: the whole of `today` then."""
    changes = time_activity_changes(held, today)
    if not changes:
        return None
    touched = {key for change in changes for key in _FIELD_KEYS.get(change.field, (change.field,))}
    removed = [k for k in touched if held.get(k) not in (None, "") and today.get(k) in (None, "")]
    base = {"Id": activity_id, "SyncToken": sync_token}
    if removed:
        return {**base, "sparse": False, **today}
    body: dict[str, Any] = {**base, "sparse": True}
    for change in changes:
        if change.field == "Duration":
            body.update(Hours=today.get("Hours", 0), Minutes=today.get("Minutes", 0))
        elif change.field == "Person":
            name_of = str(today.get("NameOf") or "Employee")
            body.update(NameOf=name_of, **{f"{name_of}Ref": today[f"{name_of}Ref"]})
        elif change.field == "BillableStatus":
            body["BillableStatus"] = today.get("BillableStatus", "NotBillable")
            if "HourlyRate" in today:
                body["HourlyRate"] = today["HourlyRate"]
        else:
            body[change.field] = today[change.field]
    return body


def time_activity_delete(*, activity_id: str, sync_token: str) -> dict[str, Any]:
    """The body of a TimeActivity delete: its Id and the SyncToken QBO last confirmed."""
    return {"Id": activity_id, "SyncToken": sync_token}
