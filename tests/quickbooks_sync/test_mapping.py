"""quickbooks_sync.mapping: pure functions, no database, no network."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from quickbooks_sync.mapping import CustomerTree
from quickbooks_sync.mapping import EntryRefused
from quickbooks_sync.mapping import LocalClient
from quickbooks_sync.mapping import LocalProject
from quickbooks_sync.mapping import MappedClient
from quickbooks_sync.mapping import MappedProject
from quickbooks_sync.mapping import Member
from quickbooks_sync.mapping import RefusalReason
from quickbooks_sync.mapping import TimeActivityDraft
from quickbooks_sync.mapping import TimeEntryInput
from quickbooks_sync.mapping import link_customers
from quickbooks_sync.mapping import link_members
from quickbooks_sync.mapping import map_customer_tree
from quickbooks_sync.mapping import time_activity_payload
from quickbooks_sync.qbo.types import QBOCustomer
from quickbooks_sync.qbo.types import QBOEmployee


def customer(
    qbo_id: str, name: str, parent: str | None = None, *, active: bool = True, project: bool = False
) -> QBOCustomer:
    return QBOCustomer(
        id=qbo_id, display_name=name, parent_id=parent, active=active, is_project=project
    )


def employee(qbo_id: str, name: str, *, active: bool = True) -> QBOEmployee:
    given, _, family = name.partition(" ")
    return QBOEmployee(
        id=qbo_id, display_name=name, given_name=given, family_name=family, active=active
    )


# -- (a) the customer tree ------------------------------------------------------------------------

# The seed's example: a customer with sub-customers nested down to the top plus four levels.
SEED_TREE = [
    customer("1", "Customer"),
    customer("2", "Sub-customer 1", "1"),
    customer("3", "Sub-customer 2", "2"),
    customer("4", "Sub-customer 3", "3"),
    customer("5", "Sub-customer 4", "4"),
    customer("6", "Sub-customer 3b", "3"),
]


def test_the_seeds_four_level_example_node_by_node() -> None:
    tree = map_customer_tree(SEED_TREE)
    # QuickBooks Customer -> Client only
    assert tree.clients["1"] == MappedClient(qbo_id="1", name="Customer", active=True)
    assert "1" not in tree.projects
    # Sub-customer 1 -> Client and Project (same name), the Project under Customer's Client
    assert tree.clients["2"].name == "Sub-customer 1"
    assert tree.projects["2"] == MappedProject(
        qbo_id="2", name="Sub-customer 1", client_qbo_id="1", active=True, is_qbo_project=False
    )
    # Sub-customer 2 -> Client and Project, under Sub-customer 1's Client
    assert tree.clients["3"].name == "Sub-customer 2"
    assert tree.projects["3"].name == "Sub-customer 2"
    assert tree.projects["3"].client_qbo_id == "2"
    # Sub-customer 3 (has a child) -> Client and Project under Sub-customer 2's Client
    assert tree.clients["4"].name == "Sub-customer 3"
    assert tree.projects["4"].client_qbo_id == "3"
    # The deepest level (top + 4) and a leaf at level 3 -> Project only
    assert tree.projects["5"].client_qbo_id == "4" and "5" not in tree.clients
    assert tree.projects["6"].client_qbo_id == "3" and "6" not in tree.clients
    assert set(tree.clients) == {"1", "2", "3", "4"}
    assert set(tree.projects) == {"2", "3", "4", "5", "6"}


def test_simple_customers_projects_and_inactive_ones() -> None:
    tree = map_customer_tree(
        [
            customer("10", "Walk-in"),  # top level, no sub-customers
            customer("11", "Acme"),
            customer("12", "Acme Web", "11"),
            customer("13", "Launch", "11", project=True),
            customer("14", "Old Job", "11", active=False),
        ]
    )
    assert tree.projects["10"].client_qbo_id is None
    assert "10" not in tree.clients
    assert tree.clients["11"].name == "Acme" and "11" not in tree.projects
    assert tree.projects["12"].client_qbo_id == "11"
    # A QBO project maps by its place in the tree, like a sub-customer.
    assert tree.projects["13"].client_qbo_id == "11"
    assert tree.projects["13"].is_qbo_project
    assert tree.projects["14"].active is False


def test_a_parent_missing_from_the_list_counts_as_top_level() -> None:
    tree = map_customer_tree([customer("20", "Orphan", "999")])
    assert tree.projects["20"].client_qbo_id is None
    assert tree.clients == {}


def test_an_empty_company_maps_to_nothing() -> None:
    assert map_customer_tree([]) == CustomerTree(clients={}, projects={})


# -- (b) members and employees ------------------------------------------------------------------


def test_members_and_employees_link_by_identical_name_only() -> None:
    members = [
        Member("m1", "Ann Lee"),
        Member("m2", "bo diaz"),  # case differs
        Member("m3", "Cy  Park"),  # two spaces
        Member("m4", "Di Wu "),  # trailing space
        Member("m5", "Eve Ng"),
    ]
    employees = [
        employee("e1", "Ann Lee"),
        employee("e2", "Bo Diaz"),
        employee("e3", "Cy Park"),
        employee("e4", "Di Wu"),
        employee("e6", "Flo Ray"),
    ]
    links = link_members(members=members, employees=employees, existing={})
    assert links.linked == {"m1": "e1"}
    assert links.newly_linked == {"m1": "e1"}
    assert [m.member_id for m in links.members_without_employee] == ["m2", "m3", "m4", "m5"]
    assert [e.id for e in links.employees_without_member] == ["e2", "e3", "e4", "e6"]


def test_existing_links_survive_renames_and_inactive_members_keep_them() -> None:
    members = [Member("m1", "Ann Renamed", active=False), Member("m2", "Bo Diaz")]
    employees = [employee("e1", "Ann Lee"), employee("e2", "Bo Diaz")]
    links = link_members(members=members, employees=employees, existing={"m1": "e1"})
    assert links.linked == {"m1": "e1", "m2": "e2"}
    assert links.newly_linked == {"m2": "e2"}
    assert links.members_without_employee == []
    assert links.employees_without_member == []


def test_a_link_to_an_employee_that_is_gone_is_dropped_and_names_decide_again() -> None:
    links = link_members(
        members=[Member("m1", "Ann Lee")],
        employees=[employee("e9", "Ann Lee")],
        existing={"m1": "e1"},
    )
    assert links.linked == {"m1": "e9"}


def test_an_employee_already_linked_is_not_linked_to_a_second_member() -> None:
    links = link_members(
        members=[Member("m1", "Ann Old"), Member("m2", "Ann Lee")],
        employees=[employee("e1", "Ann Lee")],
        existing={"m1": "e1"},
    )
    assert links.linked == {"m1": "e1"}
    assert [m.member_id for m in links.members_without_employee] == ["m2"]


def test_members_sharing_a_name_are_not_guessed() -> None:
    links = link_members(
        members=[Member("m1", "Sam Poe"), Member("m2", "Sam Poe")],
        employees=[employee("e1", "Sam Poe")],
        existing={},
    )
    assert links.linked == {}
    assert [m.member_id for m in links.members_sharing_a_name] == ["m1", "m2"]
    assert [e.id for e in links.employees_without_member] == ["e1"]


def test_only_active_people_are_reported_missing_but_inactive_ones_link() -> None:
    links = link_members(
        members=[Member("m1", "Gone Member", active=False), Member("m2", "Old Hand", active=False)],
        employees=[
            employee("e1", "Gone Employee", active=False),
            employee("e2", "Old Hand", active=False),
        ],
        existing={},
    )
    assert links.linked == {"m2": "e2"}
    assert links.members_without_employee == []
    assert links.employees_without_member == []


# -- (b) clients and projects ---------------------------------------------------------------------

TREE = map_customer_tree(
    [
        customer("1", "Acme"),
        customer("2", "Acme Web", "1"),
        customer("3", "Acme App", "1"),
        customer("4", "Walk-in"),
        customer("5", "Globex"),
        customer("6", "Globex Ops", "5"),
    ]
)


def test_clients_and_projects_link_by_name_under_the_client_the_parent_maps_to() -> None:
    clients = [LocalClient("c1", "Acme"), LocalClient("c2", "Initech")]
    projects = [
        LocalProject("p1", "Acme Web", "c1"),  # right name under the right client: linked
        LocalProject("p2", "Acme App", None),  # right name, no client: not under Acme's client
        LocalProject("p3", "Walk-in", None),  # a top-level customer, no client: linked
        LocalProject("p4", "acme web", "c1"),  # case differs
        LocalProject("p5", "Globex Ops", None),  # Globex has no client here
        LocalProject("p6", "Walk-in", "c2"),  # a top-level customer is a project with no client
    ]
    links = link_customers(
        tree=TREE,
        clients=clients,
        projects=projects,
        existing_client_links={},
        existing_project_links={},
    )
    assert links.clients == {"c1": "1"}
    assert links.projects == {"p1": "2", "p3": "4"}
    assert links.newly_linked_projects == {"p1": "2", "p3": "4"}
    assert [c.qbo_id for c in links.clients_missing_here] == ["5"]
    assert [p.qbo_id for p in links.customers_without_project] == ["3", "6"]
    assert [p.project_id for p in links.projects_without_customer] == ["p2", "p4", "p5", "p6"]


def test_customer_links_survive_renames_and_resync_keeps_them() -> None:
    clients = [LocalClient("c1", "Acme Renamed")]
    projects = [LocalProject("p1", "Website", "c1"), LocalProject("p2", "Acme App", "c1")]
    links = link_customers(
        tree=TREE,
        clients=clients,
        projects=projects,
        existing_client_links={"c1": "1"},
        existing_project_links={"p1": "2"},
    )
    assert links.clients == {"c1": "1"}
    assert links.projects == {"p1": "2", "p2": "3"}
    assert links.newly_linked_clients == {}
    assert links.newly_linked_projects == {"p2": "3"}
    again = link_customers(
        tree=TREE,
        clients=clients,
        projects=projects,
        existing_client_links=links.clients,
        existing_project_links=links.projects,
    )
    assert again.projects == links.projects and again.newly_linked_projects == {}


def test_a_link_to_a_customer_that_no_longer_maps_is_dropped() -> None:
    links = link_customers(
        tree=TREE,
        clients=[LocalClient("c1", "Nothing")],
        projects=[LocalProject("p1", "Nothing", None)],
        existing_client_links={"c1": "999"},
        existing_project_links={"p1": "1"},  # "1" (Acme) is a Client, not a Project
    )
    assert links.clients == {} and links.projects == {}


def test_a_sub_customer_with_children_links_as_client_and_as_project_of_the_same_name() -> None:
    tree = map_customer_tree(SEED_TREE)
    clients = [
        LocalClient("c1", "Customer"),
        LocalClient("c2", "Sub-customer 1"),
        LocalClient("c3", "Sub-customer 2"),
    ]
    projects = [
        LocalProject("p2", "Sub-customer 1", "c1"),
        LocalProject("p3", "Sub-customer 2", "c2"),
        LocalProject("p4", "Sub-customer 3", "c3"),
    ]
    links = link_customers(
        tree=tree,
        clients=clients,
        projects=projects,
        existing_client_links={},
        existing_project_links={},
    )
    assert links.clients == {"c1": "1", "c2": "2", "c3": "3"}
    assert links.projects == {"p2": "2", "p3": "3", "p4": "4"}
    assert [c.name for c in links.clients_missing_here] == ["Sub-customer 3"]
    assert [p.name for p in links.customers_without_project] == [
        "Sub-customer 3b",
        "Sub-customer 4",
    ]


# -- (c) time entry -> TimeActivity ---------------------------------------------------------------

START = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)  # 22:30 the day before in Los Angeles


def entry(**changes: object) -> TimeEntryInput:
    base = TimeEntryInput(
        entry_id="t1",
        start=START,
        end=START + timedelta(hours=2, minutes=15),
        duration_seconds=2 * 3600 + 15 * 60,
        billable=True,
        hourly_rate_cents=12550,
        description="Design review",
        project_id="p1",
        employee_id="55",
        customer_id="7",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_billable_entry_becomes_a_time_activity() -> None:
    draft = time_activity_payload(entry(), time_zone="America/Los_Angeles", item_id="3")
    assert isinstance(draft, TimeActivityDraft)
    assert draft.entry_id == "t1"
    assert draft.payload == {
        "NameOf": "Employee",
        "EmployeeRef": {"value": "55"},
        "CustomerRef": {"value": "7"},
        "TxnDate": "2026-03-02",
        "Hours": 2,
        "Minutes": 15,
        "BillableStatus": "Billable",
        "HourlyRate": 125.5,
        "Description": "Design review",
        "ItemRef": {"value": "3"},
    }


def test_txn_date_is_the_start_date_in_the_workspace_time_zone() -> None:
    draft = time_activity_payload(entry(), time_zone="Europe/Berlin")
    assert isinstance(draft, TimeActivityDraft)
    assert draft.payload["TxnDate"] == "2026-03-03"


def test_a_non_billable_entry_has_no_rate_and_may_have_no_project() -> None:
    draft = time_activity_payload(
        entry(billable=False, project_id=None, customer_id=None), time_zone="UTC"
    )
    assert isinstance(draft, TimeActivityDraft)
    assert draft.payload["BillableStatus"] == "NotBillable"
    assert "HourlyRate" not in draft.payload
    assert "CustomerRef" not in draft.payload
    assert "ItemRef" not in draft.payload


def test_hours_and_minutes_of_the_rounded_duration() -> None:
    def hm(seconds: int) -> tuple[int, int]:
        draft = time_activity_payload(entry(duration_seconds=seconds), time_zone="UTC")
        assert isinstance(draft, TimeActivityDraft)
        return draft.payload["Hours"], draft.payload["Minutes"]

    assert hm(45 * 60) == (0, 45)
    assert hm(3600 + 29) == (1, 0)
    assert hm(3600 + 30) == (1, 1)
    assert hm(23 * 3600 + 55 * 60) == (23, 55)


def test_a_billable_entry_without_a_rate_sends_zero() -> None:
    draft = time_activity_payload(entry(hourly_rate_cents=None), time_zone="UTC")
    assert isinstance(draft, TimeActivityDraft)
    assert draft.payload["HourlyRate"] == 0


def test_a_long_description_is_cut_to_what_qbo_accepts() -> None:
    draft = time_activity_payload(entry(description="x" * 5000), time_zone="UTC")
    assert isinstance(draft, TimeActivityDraft)
    assert len(draft.payload["Description"]) == 4000


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"end": None}, RefusalReason.RUNNING),
        ({"project_id": None, "customer_id": None}, RefusalReason.BILLABLE_WITHOUT_PROJECT),
        ({"duration_seconds": 23 * 3600 + 55 * 60 + 1}, RefusalReason.TOO_LONG),
        ({"duration_seconds": 29}, RefusalReason.TOO_SHORT),
        ({"employee_id": None}, RefusalReason.MEMBER_NOT_LINKED),
        ({"customer_id": None}, RefusalReason.PROJECT_NOT_LINKED),
        ({"billable": False, "customer_id": None}, RefusalReason.PROJECT_NOT_LINKED),
    ],
)
def test_entries_the_product_does_not_send(
    changes: dict[str, object], reason: RefusalReason
) -> None:
    refused = time_activity_payload(entry(**changes), time_zone="UTC")
    assert isinstance(refused, EntryRefused)
    assert refused.entry_id == "t1"
    assert refused.reason is reason
    assert refused.message == reason.message and refused.message


def test_refusal_messages_say_what_to_do() -> None:
    assert "23 h 55 min" in RefusalReason.TOO_LONG.message
    assert "sync users" in RefusalReason.MEMBER_NOT_LINKED.message
    assert "sync customers" in RefusalReason.PROJECT_NOT_LINKED.message
    assert "project" in RefusalReason.BILLABLE_WITHOUT_PROJECT.message


def test_a_naive_start_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        time_activity_payload(entry(start=datetime(2026, 3, 3, 6, 30)), time_zone="UTC")
