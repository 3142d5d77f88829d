"""Contractors as vendors (issue 16), against the QBO emulator as a real server (jobs run
in-process; the worker and browser test is test_vendors_browser.py): the contractor flag on the
Team page and the API (admin-only, audited, tenant-scoped), the sync linking contractors to
vendors by display name, "Create missing users" creating vendors for contractors, manual links
of a contractor to a vendor, the send's NameOf Vendor + VendorRef, and a flag changed after
linking."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse

from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SyncJob
from quickbooks_sync.services.send import send_preview
from quickbooks_sync.services.send_batches import send_run
from quickbooks_sync.services.sync import sync_start
from quickbooks_sync.tasks.sync import sync_job_run
from tests.api.conftest import api_client_for
from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.send_helpers import entry
from tests.quickbooks_sync.send_helpers import filters_for
from tests.quickbooks_sync.send_helpers import start_send
from tests.quickbooks_sync.send_helpers import time_activities
from tests.quickbooks_sync.sync_support import arm_fault
from tests.quickbooks_sync.sync_support import membership_of
from tests.quickbooks_sync.sync_support import names
from tests.quickbooks_sync.sync_support import run_job
from tests.quickbooks_sync.sync_support import seed
from tests.quickbooks_sync.sync_support import stored
from tests.sandbox_process import SandboxProcess
from workspaces.models import AuditLog
from workspaces.models import Membership

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("qbo_settings")]

AT = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


def run_ok(workspace, user, kind: str = SyncJob.Kind.SYNC) -> SyncJob:
    job = run_job(membership_of(workspace, user), kind)
    assert job.state == SyncJob.State.SUCCEEDED, job.error
    return job


def mark(client, workspace, user, value: str, *, follow: bool = False):
    target = Membership.objects.get(workspace=workspace, user=user)
    url = reverse("workspaces:member_contractor", kwargs={"ws": workspace.pk, "pk": target.pk})
    return client.post(url, {"contractor": value}, follow=follow)


def is_contractor(workspace, user) -> bool:
    return Membership.objects.get(workspace=workspace, user=user).contractor


@pytest.fixture
def carl(workspace):
    """A second contractor, with no vendor in QuickBooks yet."""
    user = UserFactory(full_name="Carl Contractor", email="carl@example.com")
    MembershipFactory(workspace=workspace, user=user, contractor=True)
    return user


@pytest.fixture
def company(workspace, owner, admin, member, sandbox: SandboxProcess, realm: str) -> dict[str, str]:
    """Staff as employees; the member "Mia Member" as a vendor; a supplier vendor."""
    connect_workspace(workspace, sandbox, realm, user=owner)
    ids = {}
    for name in ("Olivia Owner", "Adam Admin"):
        ids[name] = seed(sandbox, realm, "Employee", DisplayName=name)["Id"]
    ids["Mia Member"] = seed(sandbox, realm, "Vendor", DisplayName="Mia Member")["Id"]
    ids["Paper Supply"] = seed(sandbox, realm, "Vendor", DisplayName="Paper Supply")["Id"]
    return ids


def test_contractors_link_to_vendors_get_created_as_vendors_and_send_as_vendors(
    workspace, owner, admin, member, carl, admin_client_, company, sandbox: SandboxProcess, realm
) -> None:
    # Before the flag, Mia is a member without an employee, and the page says a vendor has
    # her name.
    first = run_ok(workspace, owner)
    (mia_row,) = first.result["membersWithoutEmployee"]
    assert "QuickBooks has a vendor named exactly “Mia Member”" in mia_row["whatToDo"]
    assert "mark them as a contractor" in mia_row["whatToDo"]

    assert mark(admin_client_, workspace, member, "1").status_code == 302
    assert is_contractor(workspace, member)
    event = AuditLog.objects.get(workspace=workspace, event="member.contractor_changed")
    assert (event.target, event.details) == (member.email, {"from": False, "to": True})

    synced = run_ok(workspace, owner)
    result = synced.result
    assert names(result["membersLinked"]) == ["Adam Admin", "Olivia Owner"]
    assert result["membersWithoutEmployee"] == []
    (linked,) = result["contractorsLinked"]
    assert (linked["name"], linked["vendorId"], linked["vendorName"]) == (
        "Mia Member",
        company["Mia Member"],
        "Mia Member",
    )
    assert linked["new"] is True and "sent as this vendor" in linked["whatToDo"]
    assert [(r["name"], r["canCreate"]) for r in result["contractorsWithoutVendor"]] == [
        ("Carl Contractor", True)
    ]
    assert names(result["vendorsWithoutContractor"]) == ["Paper Supply"]
    assert "most vendors are suppliers" in result["vendorsWithoutContractor"][0]["whatToDo"]
    link = EmployeeLink.objects.get(membership__user=member)
    assert (link.name_of, link.qbo_employee_id, link.manual) == (
        "Vendor",
        company["Mia Member"],
        False,
    )
    # The Integrations tab counts Carl for "Create missing users"; its confirmation lists him.
    integrations = unescape(
        admin_client_.get(
            reverse("quickbooks:integrations", kwargs={"ws": workspace.pk})
        ).content.decode()
    )
    assert "Create missing users (1)" in integrations
    confirm = unescape(
        admin_client_.get(
            reverse("quickbooks:create_missing_users", kwargs={"ws": workspace.pk})
        ).content.decode()
    )
    assert "Contractors to create as vendors in QuickBooks: 1" in confirm
    assert "Carl Contractor" in confirm

    created = run_ok(workspace, admin, SyncJob.Kind.CREATE_EMPLOYEES)
    assert created.result["createdEmployees"] == {"created": [], "failed": []}
    created_page = admin_client_.get(
        reverse("quickbooks:sync_job", kwargs={"ws": workspace.pk, "job_id": created.pk})
    ).content.decode()
    assert 'data-testid="qbo-created-vendors"><li>Carl Contractor</li>' in created_page
    assert 'id="qbo-contractors"' in created_page
    (made,) = created.result["createdVendors"]["created"]
    carl_vendor = next(v for v in stored(sandbox, realm, "Vendor") if v["Id"] == made["vendorId"])
    assert (carl_vendor["DisplayName"], carl_vendor["GivenName"], carl_vendor["FamilyName"]) == (
        "Carl Contractor",
        "Carl",
        "Contractor",
    )
    assert "Carl Contractor" not in names(stored(sandbox, realm, "Employee"), "DisplayName")
    assert names(created.result["contractorsLinked"]) == ["Carl Contractor", "Mia Member"]
    assert EmployeeLink.objects.get(membership__user=carl).name_of == "Vendor"
    assert AuditLog.objects.filter(event="quickbooks.create_missing_users").count() == 1
    again = run_ok(workspace, admin, SyncJob.Kind.CREATE_EMPLOYEES)
    assert again.result["createdVendors"] == {"created": [], "failed": []}
    assert len(stored(sandbox, realm, "Vendor")) == 3  # nothing created twice

    entry(workspace, member, start=AT, seconds=1800, description="mia")
    entry(workspace, carl, start=AT, seconds=900, description="carl")
    entry(workspace, admin, start=AT, seconds=600, description="adam")
    preview = send_preview(membership=membership_of(workspace, admin), filters=filters_for())
    assert {(g[0], g[4]): c.entries for g, c in preview.groups.items()} == {
        ("Mia Member", "Vendor"): 1,
        ("Carl Contractor", "Vendor"): 1,
        ("Adam Admin", "Employee"): 1,
    }
    job_id = start_send(workspace, admin)
    assert send_run(job_id=job_id) is True
    assert SendJob.objects.get(pk=job_id).sent_count == 3
    sent = {a["Description"]: a for a in time_activities(sandbox, realm)}
    assert sent["mia"]["NameOf"] == "Vendor"
    assert sent["mia"]["VendorRef"] == {"value": company["Mia Member"], "name": "Mia Member"}
    assert "EmployeeRef" not in sent["mia"]
    assert sent["carl"]["VendorRef"]["value"] == made["vendorId"]
    assert sent["adam"]["NameOf"] == "Employee"
    assert sent["adam"]["EmployeeRef"]["value"] == company["Adam Admin"]


def test_a_lost_answer_while_creating_a_vendor_creates_it_once(
    workspace, owner, admin, carl, company, sandbox: SandboxProcess, realm
) -> None:
    """QuickBooks creates Carl's vendor but the answer is lost: the task retries the job, which
    finds the vendor by name and links it; nothing is created twice."""
    arm_fault(sandbox, realm, "drop", path="/vendor")
    job = sync_start(membership=membership_of(workspace, admin), kind=SyncJob.Kind.CREATE_EMPLOYEES)
    sync_job_run.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.state == SyncJob.State.SUCCEEDED, job.error
    assert sandbox.control("GET", "/faults")["faults"] == []  # the answer was dropped
    carls = [v for v in stored(sandbox, realm, "Vendor") if v["DisplayName"] == "Carl Contractor"]
    assert len(carls) == 1
    link = EmployeeLink.objects.get(membership__user=carl)
    assert (link.name_of, link.qbo_employee_id) == ("Vendor", carls[0]["Id"])
    assert names(job.result["contractorsLinked"]) == ["Carl Contractor"]


def test_a_flag_changed_after_linking_unlinks_at_once_and_the_next_sync_links_the_other_kind(
    workspace, owner, admin, member, admin_client_, company, sandbox: SandboxProcess, realm
) -> None:
    mark(admin_client_, workspace, member, "1")
    run_ok(workspace, owner)
    assert EmployeeLink.objects.get(membership__user=member).name_of == "Vendor"

    # Back to employee: the vendor link no longer counts, so her time is refused as "member
    # not linked" (never sent to the vendor, nor to an employee nobody chose)...
    flipped = mark(admin_client_, workspace, member, "0", follow=True)
    assert "Mia Member is now an employee" in unescape(flipped.content.decode())
    entry(workspace, member, start=AT, seconds=1800, description="mia")
    preview = send_preview(membership=membership_of(workspace, admin), filters=filters_for())
    assert preview.entries == 0
    assert preview.not_sent["member_not_linked"].entries == 1

    # ... and the next sync drops it; with no employee of her name she is listed without one,
    # with the hint that QuickBooks has a vendor named like her.
    synced = run_ok(workspace, owner)
    assert not EmployeeLink.objects.filter(membership__user=member).exists()
    assert synced.result["contractorsLinked"] == []
    (row,) = synced.result["membersWithoutEmployee"]
    assert "QuickBooks has a vendor named exactly “Mia Member”" in row["whatToDo"]
    assert names(synced.result["vendorsWithoutContractor"]) == ["Mia Member", "Paper Supply"]
    page = admin_client_.get(
        reverse("quickbooks:sync_job", kwargs={"ws": workspace.pk, "job_id": synced.pk})
    ).content.decode()
    assert 'id="qbo-contractors"' not in page  # no contractor left: no section

    # An employee of her name appears: the next sync links her to it.
    employee = seed(sandbox, realm, "Employee", DisplayName="Mia Member (staff)")
    mark(admin_client_, workspace, member, "1")
    run_ok(workspace, owner)
    assert EmployeeLink.objects.get(membership__user=member).name_of == "Vendor"
    mark(admin_client_, workspace, member, "0")
    member.full_name = "Mia Member (staff)"
    member.save(update_fields=["full_name"])
    run_ok(workspace, owner)
    link = EmployeeLink.objects.get(membership__user=member)
    assert (link.name_of, link.qbo_employee_id) == ("Employee", employee["Id"])
    assert send_run(job_id=start_send(workspace, admin)) is True
    (activity,) = time_activities(sandbox, realm)
    assert (activity["NameOf"], activity["EmployeeRef"]["value"]) == ("Employee", employee["Id"])


def test_a_contractor_links_to_an_existing_vendor_by_hand(
    workspace, owner, admin, member, admin_client_, company, sandbox: SandboxProcess, realm
) -> None:
    llc = seed(sandbox, realm, "Vendor", DisplayName="Mia M Contracting LLC")["Id"]
    mark(admin_client_, workspace, member, "1")
    member.full_name = "Mia Mendez"  # no vendor has her name
    member.save(update_fields=["full_name"])
    job = run_ok(workspace, owner)
    assert names(job.result["contractorsWithoutVendor"]) == ["Mia Mendez"]
    assert names(job.result["vendorsWithoutContractor"]) == [
        "Mia M Contracting LLC",
        "Mia Member",
        "Paper Supply",
    ]
    page = unescape(
        admin_client_.get(
            reverse("quickbooks:sync_job", kwargs={"ws": workspace.pk, "job_id": job.pk})
        ).content.decode()
    )
    assert '<datalist id="qbo-vendors-unlinked">' in page
    assert '<option value="Mia M Contracting LLC">' in page
    assert 'data-testid="qbo-link-contractor-' in page

    url = reverse("quickbooks:sync_link", kwargs={"ws": workspace.pk, "job_id": job.pk})
    ms = membership_of(workspace, member)
    # An employee's name is not among the unlinked vendors: refused, nothing saved.
    refused = admin_client_.post(
        url, {"side": "contractor", "local_id": ms.pk, "qbo": "Adam Admin"}, follow=True
    )
    assert "not one of the unlinked QuickBooks names" in unescape(refused.content.decode())
    assert not EmployeeLink.objects.filter(membership=ms).exists()
    # Linking her as a member (to an employee) is refused too: she is not listed there.
    as_member = admin_client_.post(
        url, {"side": "member", "local_id": ms.pk, "qbo": "Mia M Contracting LLC"}, follow=True
    )
    assert "not one of the unlinked QuickBooks names" in unescape(as_member.content.decode())

    done = admin_client_.post(
        url, {"side": "contractor", "local_id": ms.pk, "qbo": "Mia M Contracting LLC"}, follow=True
    )
    assert "Linked by hand to “Mia M Contracting LLC”" in unescape(done.content.decode())
    link = EmployeeLink.objects.get(membership=ms)
    assert (link.name_of, link.qbo_employee_id, link.manual) == ("Vendor", llc, True)
    job.refresh_from_db()
    assert "Mia M Contracting LLC" not in names(job.result["vendorsWithoutContractor"])
    (row,) = job.result["contractorsLinked"]
    assert (row["vendorName"], row["manual"]) == ("Mia M Contracting LLC", True)
    assert AuditLog.objects.filter(event="quickbooks.link_manual").count() == 1

    # A later sync keeps the manual link; the send uses it.
    kept = run_ok(workspace, owner)
    (row,) = kept.result["contractorsLinked"]
    assert (row["vendorId"], row["manual"]) == (llc, True)
    entry(workspace, member, start=AT, seconds=1800, description="by hand")
    assert send_run(job_id=start_send(workspace, admin)) is True
    (activity,) = time_activities(sandbox, realm)
    assert activity["VendorRef"]["value"] == llc

    # Undo, through the API.
    api = api_client_for(admin)
    base = f"/api/v1/workspaces/{workspace.pk}/quickbooks/jobs/{kept.pk}/links"
    assert api.delete(f"{base}/member/{ms.pk}").status_code == 400  # not a member's link
    assert api.delete(f"{base}/contractor/{ms.pk}").status_code == 204
    assert not EmployeeLink.objects.filter(membership=ms).exists()
    kept.refresh_from_db()
    assert names(kept.result["contractorsWithoutVendor"]) == ["Mia Mendez"]
    assert "Mia M Contracting LLC" in names(kept.result["vendorsWithoutContractor"])
    relinked = api.post(base, {"side": "contractor", "localId": ms.pk, "qboId": llc}, format="json")
    assert relinked.status_code == 201 and relinked.json()["vendorName"] == "Mia M Contracting LLC"


def test_the_contractor_flag_is_for_admins_of_the_workspace_only(
    workspace,
    owner,
    admin,
    member,
    other_workspace,
    owner_client,
    admin_client_,
    member_client,
    outsider_client,
) -> None:
    # A member: not even the page; a refusal changes nothing.
    assert mark(member_client, workspace, member, "1").status_code == 403
    assert not is_contractor(workspace, member)
    # Another workspace's admin: the member is not found there.
    target = Membership.objects.get(workspace=workspace, user=member)
    foreign = reverse("workspaces:member_contractor", kwargs={"ws": workspace.pk, "pk": target.pk})
    assert outsider_client.post(foreign, {"contractor": "1"}).status_code in (403, 404)
    assert not is_contractor(workspace, member)
    # An admin marks members, not the owner, another admin or themselves (as with rates).
    refused = mark(admin_client_, workspace, owner, "1", follow=True)
    assert "Only the owner marks the owner, an admin or themselves" in unescape(
        refused.content.decode()
    )
    assert not is_contractor(workspace, owner)
    assert not is_contractor(workspace, admin) and mark(admin_client_, workspace, admin, "1")
    assert not is_contractor(workspace, admin)
    bad = mark(admin_client_, workspace, member, "yes", follow=True)
    assert "Choose Employee or Contractor." in unescape(bad.content.decode())
    assert not is_contractor(workspace, member)
    assert not AuditLog.objects.filter(event="member.contractor_changed").exists()
    # The owner marks anyone; the same value twice is audited once.
    mark(owner_client, workspace, admin, "1")
    mark(owner_client, workspace, admin, "1")
    assert is_contractor(workspace, admin)
    assert AuditLog.objects.filter(event="member.contractor_changed").count() == 1

    # The Team page: a select for whom the viewer may mark, plain text otherwise.
    team = unescape(
        admin_client_.get(reverse("workspaces:team", kwargs={"ws": workspace.pk})).content.decode()
    )
    assert f'id="contractor-{target.pk}"' in team
    owner_ms = Membership.objects.get(workspace=workspace, user=owner)
    assert f'id="contractor-{owner_ms.pk}"' not in team

    # The API: the flag is in the membership; PUT sets it (admins), with the same rules.
    api = api_client_for(admin)
    url = f"/api/v1/workspaces/{workspace.pk}/users/{member.pk}/contractor"
    assert api_client_for(member).put(url, {"contractor": True}, format="json").status_code == 403
    assert api.put(url, {"contractor": "yes"}, format="json").status_code == 400
    assert api.put(url, {}, format="json").status_code == 400
    assert not is_contractor(workspace, member)
    answer = api.put(url, {"contractor": True}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["memberships"][0]["contractor"] is True
    assert is_contractor(workspace, member)
    owner_url = f"/api/v1/workspaces/{workspace.pk}/users/{owner.pk}/contractor"
    assert api.put(owner_url, {"contractor": True}, format="json").status_code == 403
    other = f"/api/v1/workspaces/{other_workspace.pk}/users/{member.pk}/contractor"
    assert api.put(other, {"contractor": False}, format="json").status_code in (403, 404)
    assert is_contractor(workspace, member)
    listed = api.get(f"/api/v1/workspaces/{workspace.pk}/users").json()
    flags = {u["id"]: u["memberships"][0]["contractor"] for u in listed}
    assert flags[member.pk] is True and flags[owner.pk] is False
    # Per workspace: the same person is staff in another one.
    MembershipFactory(workspace=other_workspace, user=member)
    assert not Membership.objects.get(workspace=other_workspace, user=member).contractor
    # The audit log page names the event.
    log = unescape(
        owner_client.get(
            reverse("workspaces:audit_log", kwargs={"ws": workspace.pk})
        ).content.decode()
    )
    assert "Contractor (QuickBooks vendor) changed" in log
