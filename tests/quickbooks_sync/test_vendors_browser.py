"""Contractors as vendors in a browser, with a real Celery worker process and the QBO emulator as
a real server (issue 16): the admin marks a member as a contractor on the Team page, syncs (the
contractor has no vendor), creates the missing vendor from the Integrations tab, sends the
contractor's time (the confirmation shows the vendor), and the emulator holds a TimeActivity
with NameOf Vendor and the VendorRef. Also the same flow through the API with the worker."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import SendJob
from tests.api.conftest import api_client_for
from tests.browser_session import log_in
from tests.browser_session import screenshots
from tests.quickbooks_sync.browser_steps import confirm_and_wait
from tests.quickbooks_sync.browser_steps import open_send_confirmation
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.connection_helpers import emulator_marks
from tests.quickbooks_sync.send_helpers import DAY
from tests.quickbooks_sync.send_helpers import entry
from tests.quickbooks_sync.send_helpers import seed
from tests.quickbooks_sync.send_helpers import time_activities
from tests.quickbooks_sync.send_helpers import wait_for_job
from tests.quickbooks_sync.sync_support import stored
from tests.quickbooks_sync.worker_process import module_worker
from tests.sandbox_process import SandboxProcess
from tests.tracking.factories import ProjectFactory
from workspaces.models import AuditLog
from workspaces.models import Membership

pytestmark = emulator_marks(browser=True)

AT = dt.datetime.combine(DAY, dt.time(14), tzinfo=dt.UTC)


worker = module_worker(concurrency=1)


def company(sandbox: SandboxProcess, workspace, owner) -> str:
    """Staff as employees and one customer; no vendor for the member, Mia Member."""
    realm = sandbox.create_company(name=f"Vendors Co {uuid.uuid4().hex[:6]}")
    connect_workspace(workspace, sandbox, realm, user=owner)
    for name in ("Olivia Owner", "Adam Admin"):
        seed(sandbox, realm, "Employee", DisplayName=name)
    seed(sandbox, realm, "Customer", DisplayName="Website")
    return realm


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_marks_a_contractor_syncs_creates_the_vendor_and_sends_as_vendor(
    worker, live_server, page, workspace, owner, admin, member, sandbox: SandboxProcess
) -> None:
    realm = company(sandbox, workspace, owner)
    website = ProjectFactory(workspace=workspace, name="Website")
    entry(workspace, member, start=AT, seconds=2700, project=website, description="Mia's design")
    entry(workspace, admin, start=AT, seconds=900, project=website, description="Adam's review")
    log_in(page, live_server, admin, reverse("workspaces:team", kwargs={"ws": workspace.pk}))

    # The Team page: Mia works as an employee until the admin says otherwise.
    works_as = page.get_by_label("Mia Member works as")
    expect(works_as).to_have_value("0")
    works_as.select_option(label="Contractor")
    works_as.locator("xpath=..").get_by_role("button", name="Save works as").click()
    expect(page.get_by_role("status").first).to_contain_text("Mia Member is now a contractor")
    expect(page.get_by_label("Mia Member works as")).to_have_value("1")
    screenshots(page, "team-contractor")
    assert Membership.objects.get(workspace=workspace, user=member).contractor

    # Sync: Mia is a contractor without a vendor; the staff link to employees.
    page.goto(live_server.url + reverse("quickbooks:integrations", kwargs={"ws": workspace.pk}))
    page.get_by_test_id("qbo-sync-button").click()
    expect(page.locator('[data-testid="qbo-job"][data-state="SUCCEEDED"]')).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_test_id("qbo-contractors-without-vendor")).to_contain_text("Mia Member")
    expect(page.get_by_test_id("qbo-members-linked")).to_contain_text("Adam Admin")
    screenshots(page, "sync-result-contractors")

    # Create missing users, on the Integrations tab: a vendor for the contractor.
    page.locator('section[aria-labelledby="qbo-contractors"]').get_by_test_id(
        "qbo-create-where"
    ).get_by_role("link").click()
    users = page.get_by_test_id("qbo-create-users")
    expect(users).to_have_text("Create missing users (1)")
    users.click()
    expect(page.get_by_test_id("qbo-confirm-vendors")).to_have_text("Mia Member")
    expect(page.get_by_test_id("qbo-confirm-members")).to_have_text("None.")
    screenshots(page, "create-missing-vendors-confirm")
    page.get_by_test_id("qbo-confirm").click()
    expect(page.locator('[data-testid="qbo-job"][data-state="SUCCEEDED"]')).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_test_id("qbo-created-vendors")).to_have_text("Mia Member")
    expect(page.get_by_test_id("qbo-contractors-linked")).to_contain_text("Mia Member")
    (vendor,) = stored(sandbox, realm, "Vendor")
    assert vendor["DisplayName"] == "Mia Member"
    assert "Mia Member" not in {e["DisplayName"] for e in stored(sandbox, realm, "Employee")}

    # Send: the confirmation shows Mia's time going to the vendor.
    open_send_confirmation(page, live_server, workspace)
    groups = page.locator("#send-groups")
    expect(groups.get_by_role("row", name="Mia Member")).to_contain_text("vendor")
    expect(groups.get_by_role("row", name="Adam Admin")).not_to_contain_text("vendor")
    screenshots(page, "send-confirm-vendor")
    confirm_and_wait(page, "Send 2 entries to QuickBooks")
    expect(page.locator("#outcome-sent")).to_have_text("2 entries (1:00:00)")

    sent = {a["Description"]: a for a in time_activities(sandbox, realm)}
    assert sent["Mia's design"]["NameOf"] == "Vendor"
    assert sent["Mia's design"]["VendorRef"] == {"value": vendor["Id"], "name": "Mia Member"}
    assert sent["Adam's review"]["NameOf"] == "Employee"

    # The emulator's own page shows the vendor's time.
    page.goto(f"{sandbox.base_url}/companies/{realm}")
    expect(page.get_by_role("heading", name="Vendors (1)")).to_be_visible()
    row = page.get_by_role("region", name="Time activities").locator("tr", has_text="Mia's design")
    expect(row).to_contain_text("Mia Member (vendor)")
    events = set(AuditLog.objects.filter(workspace=workspace).values_list("event", flat=True))
    assert {"member.contractor_changed", "quickbooks.create_missing_users"} <= events


@pytest.mark.django_db(transaction=True)
def test_the_api_flow_with_a_worker_links_creates_and_sends_the_contractors_vendor(
    worker, workspace, owner, admin, member, sandbox: SandboxProcess
) -> None:
    realm = company(sandbox, workspace, owner)
    website = ProjectFactory(workspace=workspace, name="Website")
    made = entry(workspace, member, start=AT, seconds=1800, project=website, description="api")
    api = api_client_for(admin)
    base = f"/api/v1/workspaces/{workspace.pk}"
    flagged = api.put(f"{base}/users/{member.pk}/contractor", {"contractor": True}, format="json")
    assert flagged.status_code == 200, flagged.content

    def run(path: str) -> dict:
        started = api.post(f"{base}/quickbooks/{path}")
        assert started.status_code == 202, started.content
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            body = api.get(f"{base}/quickbooks/jobs/{started.json()['id']}").json()
            if body["state"] in ("SUCCEEDED", "FAILED"):
                break
            time.sleep(0.3)
        assert body["state"] == "SUCCEEDED", body
        return dict(body["result"])

    synced = run("sync")
    assert [r["name"] for r in synced["contractorsWithoutVendor"]] == ["Mia Member"]
    created = run("create-missing-users")
    (vendor,) = created["createdVendors"]["created"]
    assert EmployeeLink.objects.get(membership__user=member).name_of == "Vendor"

    sent = api.post(
        f"{base}/quickbooks/sends",
        {"dateRangeStart": "2026-03-08T00:00:00Z", "dateRangeEnd": "2026-03-13T00:00:00Z"},
        format="json",
    )
    assert sent.status_code == 202, sent.content
    job = wait_for_job(sent.json()["id"], worker=worker)
    assert (job.state, job.sent_count) == (SendJob.State.SUCCEEDED, 1)
    (activity,) = time_activities(sandbox, realm)
    assert activity["Description"] == made.description
    assert (activity["NameOf"], activity["VendorRef"]["value"]) == ("Vendor", vendor["vendorId"])
