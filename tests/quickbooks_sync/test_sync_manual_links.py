"""Links made by hand when names differ (issue 16), against the QBO emulator as a real server
(jobs run in-process: on_commit does not fire inside a test transaction; the browser test runs a
real worker): on the latest sync result a member links to an employee, a project to a customer
and a client to a customer from the unlinked ones; the links are marked manual, kept by later
syncs, used by a send, undoable, audited; roles, tenants, plan and stale results are refused."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse

from quickbooks_sync.models import CustomerLink
from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SyncJob
from quickbooks_sync.services.links import NOT_LATEST
from quickbooks_sync.services.send_batches import send_run
from tests.api.conftest import api_client_for
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.send_helpers import entry
from tests.quickbooks_sync.send_helpers import start_send
from tests.quickbooks_sync.send_helpers import time_activities
from tests.quickbooks_sync.sync_support import membership_of
from tests.quickbooks_sync.sync_support import names
from tests.quickbooks_sync.sync_support import run_job
from tests.quickbooks_sync.sync_support import seed
from tests.quickbooks_sync.sync_support import sub
from tests.sandbox_process import SandboxProcess
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from workspaces.models import AuditLog
from workspaces.models import Membership
from workspaces.models import Workspace

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("qbo_settings")]


def run_sync(workspace, user) -> SyncJob:
    job = run_job(membership_of(workspace, user))
    assert job.state == SyncJob.State.SUCCEEDED, job.error
    return job


def link_url(workspace, job: SyncJob) -> str:
    return reverse("quickbooks:sync_link", kwargs={"ws": workspace.pk, "job_id": job.pk})


def job_page(client, workspace, job: SyncJob) -> str:
    url = reverse("quickbooks:sync_job", kwargs={"ws": workspace.pk, "job_id": job.pk})
    return unescape(client.get(url).content.decode())


@pytest.fixture
def company(workspace, owner, admin, member, sandbox: SandboxProcess, realm: str) -> dict[str, str]:
    """Names that differ on the two sides: "Mia Member" / employee "Mia M. Member", project
    "Website" / sub-customer "Acme:Web site", client "Acme Corp" / customer "Acme"."""
    connect_workspace(workspace, sandbox, realm, user=owner)
    for name in ("Olivia Owner", "Adam Admin"):
        seed(sandbox, realm, "Employee", DisplayName=name)
    mia = seed(sandbox, realm, "Employee", DisplayName="Mia M. Member")
    acme = seed(sandbox, realm, "Customer", DisplayName="Acme")
    web = sub(sandbox, realm, "Web site", acme)
    website = ProjectFactory(workspace=workspace, name="Website")
    acme_corp = ClientFactory(workspace=workspace, name="Acme Corp")
    return {
        "employee": mia["Id"],
        "acme": acme["Id"],
        "web": web["Id"],
        "project": website.pk,
        "client": acme_corp.pk,
        "member": Membership.objects.get(workspace=workspace, user=member).pk,
    }


def test_links_by_hand_are_manual_kept_by_syncs_used_by_a_send_and_undoable(
    workspace, owner, admin, member, admin_client_, company, sandbox: SandboxProcess, realm
) -> None:
    first = run_sync(workspace, owner)
    result = first.result
    assert names(result["membersWithoutEmployee"]) == ["Mia Member"]
    assert names(result["employeesWithoutMember"]) == ["Mia M. Member"]
    assert names(result["projectsWithoutCustomer"]) == ["Website"]
    assert names(result["customersWithoutProject"], "fullyQualifiedName") == ["Acme:Web site"]
    assert names(result["clientsWithoutCustomer"]) == ["Acme Corp"]
    assert names(result["customersWithoutClient"]) == ["Acme"]
    page = job_page(admin_client_, workspace, first)
    assert 'data-testid="qbo-link-help"' in page
    assert '<datalist id="qbo-employees-unlinked"><option value="Mia M. Member">' in page

    for side, local_id, label in (
        ("member", company["member"], "Mia M. Member"),
        ("project", company["project"], "Acme:Web site"),
        ("client", company["client"], "Acme"),
    ):
        done = admin_client_.post(
            link_url(workspace, first), {"side": side, "local_id": local_id, "qbo": label}
        )
        assert done.status_code == 302
    link = EmployeeLink.objects.get(membership_id=company["member"])
    assert (link.qbo_employee_id, link.manual) == (company["employee"], True)
    project_link = CustomerLink.objects.get(project_id=company["project"])
    assert (project_link.qbo_customer_id, project_link.manual) == (company["web"], True)
    assert CustomerLink.objects.get(client_id=company["client"]).qbo_customer_id == company["acme"]
    first.refresh_from_db()
    assert first.result["membersWithoutEmployee"] == []
    assert first.result["counts"]["membersLinked"] == 3
    page = job_page(admin_client_, workspace, first)
    assert page.count('data-testid="qbo-manual"') == 3
    integrations = unescape(
        admin_client_.get(
            reverse("quickbooks:integrations", kwargs={"ws": workspace.pk})
        ).content.decode()
    )
    assert 'data-testid="qbo-nothing-missing"' in integrations  # nothing left to create
    events = AuditLog.objects.filter(workspace=workspace, event="quickbooks.link_manual")
    assert events.count() == 3

    # A later sync keeps the links and says they are manual; the old result is no longer
    # the one links are made on.
    second = run_sync(workspace, owner)
    by_member = {row["memberId"]: row for row in second.result["membersLinked"]}
    assert by_member[company["member"]]["manual"] is True
    assert by_member[company["member"]]["new"] is False
    assert [row["manual"] for row in second.result["projectsLinked"]] == [True]
    assert [row["clientName"] for row in second.result["clientsLinked"]] == ["Acme Corp"]
    stale = admin_client_.post(
        link_url(workspace, first),
        {"side": "member", "local_id": company["member"], "undo": "1"},
        follow=True,
    )
    assert NOT_LATEST in unescape(stale.content.decode())
    assert 'data-testid="qbo-undo-member' not in job_page(admin_client_, workspace, first)
    assert EmployeeLink.objects.filter(membership_id=company["member"], manual=True).exists()

    # A send uses the links made by hand.
    at = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
    website = company["project"]
    made = entry(
        workspace,
        member,
        start=at,
        seconds=1800,
        project=CustomerLink.objects.get(project_id=website).project,
        description="by hand",
    )
    job_id = start_send(workspace, admin)
    assert send_run(job_id=job_id) is True
    assert SendJob.objects.get(pk=job_id).sent_count == 1
    (activity,) = time_activities(sandbox, realm)
    assert activity["Description"] == made.description
    assert activity["EmployeeRef"]["value"] == company["employee"]
    assert activity["CustomerRef"]["value"] == company["web"]

    # Undo on the latest result: both sides are unlinked again, and stay so at the next sync
    # (the names differ).
    undone = admin_client_.post(
        link_url(workspace, second), {"side": "member", "local_id": company["member"], "undo": "1"}
    )
    assert undone.status_code == 302
    assert not EmployeeLink.objects.filter(membership_id=company["member"]).exists()
    second.refresh_from_db()
    assert names(second.result["membersWithoutEmployee"]) == ["Mia Member"]
    assert names(second.result["employeesWithoutMember"]) == ["Mia M. Member"]
    assert AuditLog.objects.filter(event="quickbooks.link_undone").count() == 1
    third = run_sync(workspace, owner)
    assert names(third.result["membersWithoutEmployee"]) == ["Mia Member"]


def test_refusals_leave_everything_as_it_was(
    workspace, owner, admin, member, admin_client_, member_client, company, other_workspace
) -> None:
    job = run_sync(workspace, owner)
    before = dict(job.result)
    url = link_url(workspace, job)
    member_post = {"side": "member", "local_id": company["member"], "qbo": "Mia M. Member"}

    assert member_client.post(url, member_post).status_code == 403
    bad_label = admin_client_.post(url, {**member_post, "qbo": "Nobody"}, follow=True)
    assert "“Nobody” is not one of the unlinked QuickBooks names" in unescape(
        bad_label.content.decode()
    )
    by_name = admin_client_.post(
        url, {"side": "member", "local_id": company["member"], "qbo": "Adam Admin"}, follow=True
    )
    assert "not one of the unlinked" in unescape(by_name.content.decode())  # linked already
    undo_name_link = admin_client_.post(
        url,
        {
            "side": "member",
            "local_id": Membership.objects.get(workspace=workspace, user=admin).pk,
            "undo": "1",
        },
        follow=True,
    )
    assert "Only a link made by hand can be undone" in unescape(undo_name_link.content.decode())
    # A project deleted since the sync: said, nothing saved (no 500).
    gone = ProjectFactory(workspace=workspace, name="Gone soon")
    gone_id = gone.pk
    job.result["projectsWithoutCustomer"].append({"projectId": gone_id, "name": "Gone soon"})
    job.save(update_fields=["result"])
    before = dict(job.result)
    gone.delete()
    deleted = admin_client_.post(
        url, {"side": "project", "local_id": gone_id, "qbo": "Acme:Web site"}, follow=True
    )
    assert "no longer exists here" in unescape(deleted.content.decode())
    job.refresh_from_db()
    assert job.result == before
    assert not CustomerLink.objects.filter(manual=True).exists()
    assert not EmployeeLink.objects.filter(manual=True).exists()
    assert not AuditLog.objects.filter(event__startswith="quickbooks.link").exists()

    api = api_client_for(admin)
    base = f"/api/v1/workspaces/{workspace.pk}/quickbooks/jobs/{job.pk}/links"
    body = {"side": "member", "localId": company["member"], "qboId": company["employee"]}
    assert api_client_for(member).post(base, body, format="json").status_code == 403
    other = f"/api/v1/workspaces/{other_workspace.pk}/quickbooks"
    assert api.post(f"{other}/jobs/{job.pk}/links", body, format="json").status_code == 404
    assert api.post(base, {**body, "side": "vendor"}, format="json").status_code == 400
    Workspace.objects.filter(pk=workspace.pk).update(plan=Workspace.Plan.BASIC)
    assert api.post(base, body, format="json").status_code == 403
    Workspace.objects.filter(pk=workspace.pk).update(plan=Workspace.Plan.STANDARD)
    assert not EmployeeLink.objects.filter(manual=True).exists()

    created = api.post(base, body, format="json")
    assert created.status_code == 201
    assert created.json()["manual"] is True and created.json()["employeeName"] == "Mia M. Member"
    assert api.post(base, body, format="json").status_code == 400  # linked now
    assert api.delete(f"{base}/member/{company['member']}").status_code == 204
    assert not EmployeeLink.objects.filter(membership_id=company["member"]).exists()
