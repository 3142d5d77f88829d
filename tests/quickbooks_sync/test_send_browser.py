"""In a browser, with a real Celery worker process and the QBO emulator as a real server: the
whole flow (connect through the consent page, Sync, send, the TimeActivities on the emulator's
company page); and an admin picks the service item on the Integrations page, opens the Detailed
report, clicks QuickBooks, sees the not-sent entries, sends them (the confirmation counts what
goes and what does not, by reason), watches the progress bar while QuickBooks hangs once (the
batch is sent again with the same request id), reads the outcome, then "Show sent entries" lists
each entry with its TimeActivity Id."""

from __future__ import annotations

import datetime as dt
import uuid

from django.urls import reverse
from playwright.sync_api import expect

from quickbooks_sync.models import SendJob
from tests.browser_session import log_in
from tests.quickbooks_sync.browser_steps import confirm_and_wait
from tests.quickbooks_sync.browser_steps import open_quickbooks_view
from tests.quickbooks_sync.browser_steps import open_send_confirmation
from tests.quickbooks_sync.connection_helpers import emulator_marks
from tests.quickbooks_sync.connection_helpers import point_settings_at
from tests.quickbooks_sync.send_helpers import entry
from tests.quickbooks_sync.send_helpers import landed
from tests.quickbooks_sync.send_helpers import ledger_of
from tests.quickbooks_sync.send_helpers import linked_project
from tests.quickbooks_sync.send_helpers import many_entries
from tests.quickbooks_sync.send_helpers import seed
from tests.quickbooks_sync.send_helpers import time_activities
from tests.quickbooks_sync.sync_support import arm_fault
from tests.quickbooks_sync.worker_process import module_worker
from tests.sandbox_process import SandboxProcess
from tests.tracking.factories import ProjectFactory

pytestmark = emulator_marks(browser=True)

SENDABLE = 35  # two batches (30 + 5)

worker = module_worker(concurrency=1)


def test_admin_sends_from_the_detailed_report_and_sees_the_sent_entries(
    worker, live_server, page, workspace, admin, member, sandbox: SandboxProcess, linked_connection
) -> None:
    realm = linked_connection.realm_id
    project, _ = linked_project(workspace, sandbox, realm, "Website", parent="Acme")
    sendable = many_entries(workspace, member, project, SENDABLE, tag="web")
    at = dt.datetime(2026, 3, 10, 20, 0, tzinfo=dt.UTC)
    entry(workspace, member, start=at, seconds=600, billable=True, description="no project")
    entry(workspace, admin, start=at, seconds=1200, project=project, description="admin")
    # QuickBooks hangs on the first batch once: the worker times out and sends it again.
    arm_fault(sandbox, realm, "hang", seconds=3, path="batch", count=1)
    hours = seed(sandbox, realm, "Item", Name="Hours", Type="Service")
    log_in(page, live_server, admin)

    # The service item sent with each TimeActivity, chosen on the Integrations page.
    page.goto(live_server.url + reverse("quickbooks:integrations", kwargs={"ws": workspace.pk}))
    expect(page.locator("#qbo-service-item")).to_contain_text("without a service item")
    page.get_by_role("link", name="Choose…").click()
    page.get_by_label("Service item of").select_option(label="Hours")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("qbo-service-item")).to_have_text("Hours")

    open_quickbooks_view(page, live_server, workspace)
    expect(page.get_by_role("heading", name="Detailed report · QuickBooks")).to_be_visible()
    expect(page.get_by_label("QuickBooks", exact=True)).to_have_value("")
    expect(page.locator("#f-show option:checked")).to_have_text("Showing not sent entries")
    expect(page.locator("#qbo-view-summary")).to_contain_text(f"{SENDABLE + 2} not sent entries")

    page.get_by_role("link", name="Send to QuickBooks").click()
    expect(page.get_by_role("heading", name="Send to QuickBooks?")).to_be_visible()
    expect(page.locator("#send-entries")).to_have_text(str(SENDABLE))
    expect(page.locator("#send-hours")).to_have_text("8:45:00")  # 35 x 15 min
    reasons = page.locator("#not-sent-reasons")
    expect(reasons.locator('[data-reason="billable_without_project"]')).to_contain_text(
        "Billable without a project"
    )
    expect(reasons.locator('[data-reason="member_not_linked"]')).to_contain_text("sync users")
    page.get_by_role("button", name=f"Send {SENDABLE} entries to QuickBooks").click()

    expect(page.get_by_test_id("qbo-send-progress")).to_be_visible()
    expect(page.get_by_test_id("qbo-send-finished")).to_be_visible(timeout=40_000)
    expect(page.get_by_test_id("qbo-send-progress")).to_have_count(0)
    expect(page.locator("#outcome-sent")).to_have_text(f"{SENDABLE} entries (8:45:00)")
    expect(page.locator('#outcome-items tr[data-state="SKIPPED"]')).to_have_count(2)
    expect(page.locator("#outcome-items")).to_contain_text("not linked to a QuickBooks employee")

    job = SendJob.objects.get(workspace=workspace)
    assert (job.state, job.sent_count) == ("SUCCEEDED", SENDABLE)
    result = landed(sandbox, realm, sendable, ledger_of(workspace))
    assert (result.missing, result.doubled, result.ledger_mismatch) == ([], [], [])

    page.get_by_role("link", name="Show sent entries").click()
    expect(page.locator("#f-show option:checked")).to_have_text("Showing sent entries")
    activities = time_activities(sandbox, realm)
    assert {a["ItemRef"]["value"] for a in activities} == {hours["Id"]}
    ids = {a["Description"]: a["Id"] for a in activities}
    first = sendable[0]
    row = page.locator(f"#qbo-row-{first.pk}")
    expect(row.locator(".time-activity-id")).to_have_text(ids[first.description])
    # Back to the not-sent view through the dropdown: only the two that could not go are left.
    page.get_by_label("QuickBooks", exact=True).select_option("")
    expect(page.locator("#qbo-view-summary")).to_contain_text("2 not sent entries")


def test_the_whole_flow_connect_sync_send_and_the_time_activities_in_quickbooks(
    worker, live_server, page, settings, workspace, owner, admin, member, sandbox: SandboxProcess
) -> None:
    """The seed's flow as a user clicks it: Connect through the emulator's consent page, Sync,
    the Detailed report's QuickBooks view, Send, and the TimeActivities on the emulator's own
    page of the company."""
    point_settings_at(settings, sandbox, site_url=live_server.url)
    name = f"Whole Flow Co {uuid.uuid4().hex[:6]}"
    realm = sandbox.create_company(name=name)
    seed(sandbox, realm, "Employee", DisplayName=member.full_name)
    seed(sandbox, realm, "Customer", DisplayName="Website")
    project = ProjectFactory(workspace=workspace, name="Website")
    sendable = many_entries(workspace, member, project, 3, tag="flow")
    log_in(page, live_server, admin)

    page.goto(live_server.url + reverse("quickbooks:integrations", kwargs={"ws": workspace.pk}))
    page.get_by_role("button", name="Connect to QuickBooks").click()
    page.get_by_label("Company").select_option(realm)
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_test_id("qbo-company")).to_have_text(name)

    page.get_by_test_id("qbo-sync-button").click()
    expect(page.locator('[data-testid="qbo-job"][data-state="SUCCEEDED"]')).to_be_visible(
        timeout=30_000
    )

    open_send_confirmation(page, live_server, workspace)
    expect(page.locator("#send-entries")).to_have_text("3")
    confirm_and_wait(page, "Send 3 entries to QuickBooks")
    expect(page.locator("#outcome-sent")).to_have_text("3 entries (0:45:00)")

    page.goto(f"{sandbox.base_url}/companies/{realm}")
    expect(page.get_by_role("heading", name="Time activities received (3)")).to_be_visible()
    received = page.get_by_role("region", name="Time activities")
    for made in sendable:
        row = received.locator("tr", has_text=made.description)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(member.full_name)
        expect(row).to_contain_text("Website")
