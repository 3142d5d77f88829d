"""In a browser, with a real Celery worker process and the QBO emulator as a real server, the
admin's walk through the pages that issue 16 smoothed: the QuickBooks view before the first
sync guides to Sync; the sync result points to the Integrations tab, where the create-missing
buttons sit with their counts and only when there is something to create; creating the missing
employee leaves only the customers' button; a non-billable entry shows no rate. And a link
made by hand when names differ: picked from the searchable list on the sync result, marked
manual, kept by the next sync, undone. And classes and items per project: picked on their
page, shown per group on the send's confirmation, carried by the TimeActivity."""

from __future__ import annotations

import datetime as dt
import uuid

from django.urls import reverse
from playwright.sync_api import expect

from quickbooks_sync.models import EmployeeLink
from tests.browser_session import log_in
from tests.browser_session import screenshots
from tests.quickbooks_sync.browser_steps import confirm_and_wait
from tests.quickbooks_sync.browser_steps import open_quickbooks_view
from tests.quickbooks_sync.browser_steps import open_send_confirmation
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.connection_helpers import emulator_marks
from tests.quickbooks_sync.send_helpers import entry
from tests.quickbooks_sync.send_helpers import link_member
from tests.quickbooks_sync.send_helpers import linked_project
from tests.quickbooks_sync.send_helpers import seed
from tests.quickbooks_sync.send_helpers import time_activities
from tests.quickbooks_sync.sync_support import stored
from tests.quickbooks_sync.worker_process import module_worker
from tests.sandbox_process import SandboxProcess
from tests.tracking.factories import ProjectFactory

pytestmark = emulator_marks(browser=True)

BACK_TO_INTEGRATIONS = "\u2190 Settings \u203a Integrations"  # the job page's link back
# Screenshots of the pages (looked at by hand at 1280 and 390 px) go to the folder SCREENSHOTS
# names.

worker = module_worker(concurrency=1)


def test_admin_syncs_first_then_creates_what_is_missing_from_the_integrations_tab(
    worker, live_server, page, workspace, owner, admin, member, sandbox: SandboxProcess
) -> None:
    realm = sandbox.create_company(name=f"Rough Spots Co {uuid.uuid4().hex[:6]}")
    connect_workspace(workspace, sandbox, realm, user=owner)
    for name in ("Olivia Owner", "Adam Admin"):
        seed(sandbox, realm, "Employee", DisplayName=name)
    seed(sandbox, realm, "Customer", DisplayName="Website")
    seed(sandbox, realm, "Customer", DisplayName="Bookkeeping")  # no project here yet
    website = ProjectFactory(workspace=workspace, name="Website")
    at = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
    internal = entry(
        workspace,
        admin,
        start=at,
        seconds=1800,
        project=website,
        rate_cents=7300,
        description="Internal meeting",
    )
    log_in(page, live_server, admin)

    # Before the first sync the QuickBooks view says to sync first and offers no Send.
    open_quickbooks_view(page, live_server, workspace)
    expect(page.locator("#qbo-sync-first")).to_be_visible()
    expect(page.get_by_role("link", name="Send to QuickBooks")).to_have_count(0)
    # A non-billable entry's rate is never sent, so none is shown.
    expect(page.locator(f"#qbo-row-{internal.pk} td.num").last).to_have_text("—")
    screenshots(page, "quickbooks-view-sync-first")
    page.get_by_role("link", name="Sync users and customers").click()

    # On the Integrations tab: nothing to create is known yet.
    expect(page.get_by_test_id("qbo-sync-first")).to_be_visible()
    expect(page.get_by_test_id("qbo-create-users")).to_have_count(0)
    page.get_by_test_id("qbo-sync-button").click()
    expect(page.locator('[data-testid="qbo-job"][data-state="SUCCEEDED"]')).to_be_visible(
        timeout=30_000
    )
    # The result says where the create actions are and links there.
    page.get_by_test_id("qbo-create-where").first.get_by_role("link").click()
    users = page.get_by_test_id("qbo-create-users")
    customers = page.get_by_test_id("qbo-create-customers")
    expect(users).to_have_text("Create missing users (1)")  # Mia Member
    expect(customers).to_have_text("Create missing customers and projects (1)")  # Bookkeeping
    screenshots(page, "integrations-create-missing")

    users.click()
    expect(page.get_by_test_id("qbo-confirm-members")).to_have_text("Mia Member")
    page.get_by_test_id("qbo-confirm").click()
    expect(page.locator('[data-testid="qbo-job"][data-state="SUCCEEDED"]')).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_test_id("qbo-created-employees")).to_have_text("Mia Member")
    assert "Mia Member" in {e["DisplayName"] for e in stored(sandbox, realm, "Employee")}

    # Back on the Integrations tab only the customers' action is left.
    page.get_by_role("link", name=BACK_TO_INTEGRATIONS).first.click()
    expect(page.get_by_test_id("qbo-create-users")).to_have_count(0)
    expect(page.get_by_test_id("qbo-create-customers")).to_be_visible()
    page.get_by_test_id("qbo-create-customers").click()
    page.get_by_test_id("qbo-confirm").click()
    expect(page.locator('[data-testid="qbo-job"][data-state="SUCCEEDED"]')).to_be_visible(
        timeout=30_000
    )
    page.get_by_role("link", name=BACK_TO_INTEGRATIONS).first.click()
    expect(page.get_by_test_id("qbo-nothing-missing")).to_be_visible()
    expect(page.get_by_test_id("qbo-create-customers")).to_have_count(0)
    screenshots(page, "integrations-nothing-missing")

    # Synced: the QuickBooks view offers Send; nothing was written to QuickBooks but Mia.
    open_quickbooks_view(page, live_server, workspace)
    expect(page.locator("#qbo-sync-first")).to_have_count(0)
    expect(page.get_by_role("link", name="Send to QuickBooks")).to_be_visible()
    assert time_activities(sandbox, realm) == []


def test_admin_links_a_member_by_hand_when_names_differ_and_undoes_it(
    worker, live_server, page, workspace, owner, admin, member, sandbox: SandboxProcess
) -> None:
    realm = sandbox.create_company(name=f"Manual Links Co {uuid.uuid4().hex[:6]}")
    connect_workspace(workspace, sandbox, realm, user=owner)
    for name in ("Olivia Owner", "Adam Admin", "Mia M. Member", "Zed Other"):
        seed(sandbox, realm, "Employee", DisplayName=name)
    seed(sandbox, realm, "Customer", DisplayName="Website")
    ProjectFactory(workspace=workspace, name="Website")
    log_in(page, live_server, admin)
    page.goto(live_server.url + reverse("quickbooks:integrations", kwargs={"ws": workspace.pk}))
    page.get_by_test_id("qbo-sync-button").click()
    expect(page.locator('[data-testid="qbo-job"][data-state="SUCCEEDED"]')).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_test_id("qbo-link-help")).to_be_visible()
    search = page.get_by_label("QuickBooks employee for Mia Member")
    # The searchable list holds the unlinked employees only.
    options = page.locator("#qbo-employees-unlinked option")
    expect(options).to_have_count(2)
    search.fill("Mia M")
    search.fill("Mia M. Member")
    screenshots(page, "sync-result-link-by-hand")
    page.get_by_role("row", name="Mia Member").get_by_role("button", name="Link").click()
    expect(page.get_by_text("Linked by hand to “Mia M. Member”.")).to_be_visible()
    linked = page.get_by_test_id("qbo-members-linked")
    expect(linked.get_by_role("row", name="Mia Member")).to_contain_text("manual")
    link = EmployeeLink.objects.get(membership__user=member)
    assert link.manual

    # The next sync keeps it and says it is manual; undo it there.
    page.get_by_role("button", name="Sync again").click()
    expect(page.locator('[data-testid="qbo-job"][data-state="SUCCEEDED"]')).to_be_visible(
        timeout=30_000
    )
    row = page.get_by_test_id("qbo-members-linked").get_by_role("row", name="Mia Member")
    expect(row).to_contain_text("manual")
    screenshots(page, "sync-result-manual-link")
    row.get_by_role("button", name="Undo link").click()
    expect(page.get_by_text("Link undone")).to_be_visible()
    expect(page.get_by_test_id("qbo-members-without-employee")).to_contain_text("Mia Member")
    assert not EmployeeLink.objects.filter(membership__user=member).exists()


def test_admin_picks_classes_and_items_and_the_send_carries_them(
    worker, live_server, page, workspace, owner, admin, member, sandbox: SandboxProcess
) -> None:
    realm = sandbox.create_company(name=f"Classes Co {uuid.uuid4().hex[:6]}", class_tracking=True)
    connect_workspace(workspace, sandbox, realm, user=owner)
    link_member(workspace, member, sandbox, realm)
    website, _ = linked_project(workspace, sandbox, realm, "Website")
    for name in ("Design", "Ops"):
        seed(sandbox, realm, "Class", Name=name)
    seed(sandbox, realm, "Item", Name="Consulting", Type="Service")
    at = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
    entry(workspace, member, start=at, seconds=1800, project=website, description="classy")
    log_in(page, live_server, admin)

    page.goto(live_server.url + reverse("quickbooks:integrations", kwargs={"ws": workspace.pk}))
    page.locator("#choose-billing").click()
    expect(page.get_by_role("heading", name="Classes and service items")).to_be_visible()
    page.get_by_label("Default class").select_option(label="Ops")
    page.get_by_label("Class of Website").select_option(label="Design")
    page.get_by_label("Service item of Website").select_option(label="Consulting")
    screenshots(page, "classes-and-items")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Classes and service items saved.")).to_be_visible()

    open_send_confirmation(page, live_server, workspace)
    groups = page.locator("#send-groups")
    expect(groups.get_by_role("row", name="Mia Member")).to_contain_text("Consulting")
    expect(groups.get_by_role("row", name="Mia Member")).to_contain_text("Design")
    screenshots(page, "send-confirm-groups")
    confirm_and_wait(page, "Send 1 entry to QuickBooks")
    (activity,) = time_activities(sandbox, realm)
    assert (activity["ClassRef"]["name"], activity["ItemRef"]["name"]) == ("Design", "Consulting")
