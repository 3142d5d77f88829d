"""Contractors as vendors in quickbooks_sync.mapping (pure, no database, no network): who links
to a vendor and who to an employee, and the TimeActivity of a contractor's entry."""

from __future__ import annotations

import pytest

from quickbooks_sync.mapping import EntryRefused
from quickbooks_sync.mapping import Member
from quickbooks_sync.mapping import RefusalReason
from quickbooks_sync.mapping import TimeActivityDraft
from quickbooks_sync.mapping import link_people
from quickbooks_sync.mapping import time_activity_payload
from quickbooks_sync.qbo.types import QBOVendor
from tests.quickbooks_sync.test_mapping import employee
from tests.quickbooks_sync.test_mapping import entry


def vendor(qbo_id: str, name: str, *, active: bool = True) -> QBOVendor:
    given, _, family = name.partition(" ")
    return QBOVendor(
        id=qbo_id, display_name=name, given_name=given, family_name=family, active=active
    )


STAFF = Member(member_id="m1", name="Ada Staff")
CONTRACTOR = Member(member_id="m2", name="Vera Contractor", contractor=True)


def test_contractors_link_to_vendors_and_everyone_else_to_employees() -> None:
    links = link_people(
        members=[STAFF, CONTRACTOR],
        # Each name exists as both kinds here only to show the kind decides (QuickBooks itself
        # keeps display names unique across employees and vendors).
        employees=[employee("10", "Ada Staff"), employee("11", "Vera Contractor")],
        vendors=[vendor("20", "Vera Contractor"), vendor("21", "Ada Staff")],
        existing={},
    )
    assert links.employees.linked == {"m1": "10"}
    assert links.vendors.linked == {"m2": "20"}
    assert links.vendors.newly_linked == {"m2": "20"}
    assert [e.display_name for e in links.employees.employees_without_member] == ["Vera Contractor"]
    assert [v.display_name for v in links.vendors.employees_without_member] == ["Ada Staff"]


def test_a_contractor_never_links_to_an_employee_nor_staff_to_a_vendor() -> None:
    links = link_people(
        members=[STAFF, CONTRACTOR],
        employees=[employee("11", "Vera Contractor")],
        vendors=[vendor("21", "Ada Staff")],
        existing={},
    )
    assert links.employees.linked == {} and links.vendors.linked == {}
    assert [m.member_id for m in links.employees.members_without_employee] == ["m1"]
    assert [m.member_id for m in links.vendors.members_without_employee] == ["m2"]


def test_same_uniqueness_rules_for_vendors_names_shared_by_contractors_link_nobody() -> None:
    twin = Member(member_id="m3", name="Vera Contractor", contractor=True)
    links = link_people(
        members=[CONTRACTOR, twin],
        employees=[],
        vendors=[vendor("20", "Vera Contractor"), vendor("22", "vera contractor ")],
        existing={},
    )
    assert links.vendors.linked == {}
    assert [m.member_id for m in links.vendors.members_sharing_a_name] == ["m2", "m3"]
    # No case or space folding: "vera contractor " is another name.
    assert sorted(v.id for v in links.vendors.employees_without_member) == ["20", "22"]


def test_kept_links_survive_renames_but_not_a_change_of_the_contractor_flag() -> None:
    existing = {"m1": ("Employee", "10"), "m2": ("Vendor", "20")}
    renamed = link_people(
        members=[STAFF, CONTRACTOR],
        employees=[employee("10", "Ada S.")],
        vendors=[vendor("20", "V. Contractor Ltd")],
        existing=existing,
    )
    assert renamed.employees.linked == {"m1": "10"} and renamed.employees.newly_linked == {}
    assert renamed.vendors.linked == {"m2": "20"} and renamed.vendors.newly_linked == {}

    # Ada became a contractor and Vera staff: their old links are not kept; each links anew
    # by name to the other kind.
    flipped = link_people(
        members=[
            Member(member_id="m1", name="Ada Staff", contractor=True),
            Member(member_id="m2", name="Vera Contractor"),
        ],
        employees=[employee("10", "Ada Staff"), employee("11", "Vera Contractor")],
        vendors=[vendor("20", "Vera Contractor"), vendor("21", "Ada Staff")],
        existing=existing,
    )
    assert flipped.vendors.linked == {"m1": "21"}
    assert flipped.employees.linked == {"m2": "11"}


def test_a_contractors_entry_goes_as_name_of_vendor_with_a_vendor_ref() -> None:
    """Everything but who is the same as for an employee's entry (test_mapping checks those
    fields one by one)."""
    as_staff = time_activity_payload(entry(), time_zone="America/Los_Angeles", item_id="3")
    draft = time_activity_payload(
        entry(name_of="Vendor", employee_id="20"), time_zone="America/Los_Angeles", item_id="3"
    )
    assert isinstance(as_staff, TimeActivityDraft) and isinstance(draft, TimeActivityDraft)
    assert (draft.payload["NameOf"], draft.payload["VendorRef"]) == ("Vendor", {"value": "20"})
    assert "EmployeeRef" not in draft.payload
    same = {k: v for k, v in as_staff.payload.items() if k not in ("NameOf", "EmployeeRef")}
    assert {k: v for k, v in draft.payload.items() if k not in ("NameOf", "VendorRef")} == same
    assert same["CustomerRef"] == {"value": "7"} and same["HourlyRate"] == 125.5


def test_an_unlinked_contractor_is_member_not_linked_and_says_vendor() -> None:
    refused = time_activity_payload(
        entry(name_of="Vendor", employee_id=None), time_zone="America/Los_Angeles"
    )
    assert refused == EntryRefused(entry_id="t1", reason=RefusalReason.MEMBER_NOT_LINKED)
    assert "vendor" in refused.message


def test_an_unknown_name_of_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="name_of"):
        time_activity_payload(entry(name_of="Customer"), time_zone="UTC")


@pytest.mark.django_db
def test_the_sent_view_names_a_contractors_vendor_and_an_employee(workspace, admin, member):
    """What QuickBooks holds is shown in words: `mapping.comparable` names a person
    "<NameOf>:<Id>", so a vendor is looked up under "Vendor:", never shown as a bare Id."""
    from quickbooks_sync.models import EmployeeLink
    from quickbooks_sync.selectors.send import qbo_names
    from workspaces.models import Membership

    for user, name_of, qbo_id in ((admin, "Employee", "7"), (member, "Vendor", "7")):
        EmployeeLink.objects.create(
            workspace=workspace,
            membership=Membership.objects.get(workspace=workspace, user=user),
            realm_id="R1",
            qbo_employee_id=qbo_id,
            qbo_display_name=f"{name_of} {user.full_name}",
            name_of=name_of,
        )
    people = qbo_names(workspace_id=workspace.pk, realm_id="R1", connection=None).people
    assert people == {
        "Employee:7": f"Employee {admin.full_name}",
        "Vendor:7": f"Vendor {member.full_name}",
    }
