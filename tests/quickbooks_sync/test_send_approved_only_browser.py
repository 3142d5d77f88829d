"""In a browser, with a real Celery worker and the QBO emulator as a real server: an admin turns
on "Send only approved time" on the Integrations tab (which recommends it), opens the QuickBooks
view (the unapproved entry is marked as one that cannot go), sends, reads on the confirmation
how many entries were left out because they are not approved, and only the approved week's
entries reach QuickBooks."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from playwright.sync_api import expect

from quickbooks_sync.models import QBOConnection
from tests.browser_session import log_in
from tests.browser_session import screenshot
from tests.quickbooks_sync.browser_steps import confirm_and_wait
from tests.quickbooks_sync.browser_steps import open_quickbooks_view
from tests.quickbooks_sync.connection_helpers import emulator_marks
from tests.quickbooks_sync.send_helpers import entry
from tests.quickbooks_sync.send_helpers import link_member
from tests.quickbooks_sync.send_helpers import linked_project
from tests.quickbooks_sync.send_helpers import time_activities
from tests.quickbooks_sync.worker_process import module_worker
from tracking.services import approvals
from workspaces.models import Membership

pytestmark = emulator_marks(browser=True)

worker = module_worker(concurrency=1)


def test_only_the_approved_week_goes_to_quickbooks(
    worker, live_server, page, workspace, owner, admin, member, sandbox, linked_connection
) -> None:
    realm = linked_connection.realm_id
    link_member(workspace, admin, sandbox, realm)
    project, _ = linked_project(workspace, sandbox, realm, "Website", parent="Acme")
    at = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
    entry(workspace, member, start=at, seconds=3600, project=project, description="Approved A")
    entry(
        workspace,
        member,
        start=at + dt.timedelta(hours=2),
        seconds=1800,
        project=project,
        description="Approved B",
    )
    unapproved = entry(
        workspace, admin, start=at, seconds=2700, project=project, description="Not approved yet"
    )
    ms = {
        u: Membership.objects.select_related("workspace", "user").get(workspace=workspace, user=u)
        for u in (owner, member)
    }
    week = approvals.week_submit(membership=ms[member], week_start=dt.date(2026, 3, 9))
    approvals.week_approve(membership=ms[owner], approval_id=week.pk)

    log_in(page, live_server, admin)
    page.goto(live_server.url + reverse("quickbooks:integrations", kwargs={"ws": workspace.pk}))
    expect(page.locator("#approved-only-advice")).to_contain_text("best to send only approved")
    page.get_by_label("Send only approved time").check()
    page.locator("#qbo-approved-only").get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Only approved time will be sent")
    assert QBOConnection.objects.get(workspace=workspace).send_approved_only

    open_quickbooks_view(page, live_server, workspace)
    row = page.locator(f"#qbo-row-{unapproved.pk}")
    expect(row.locator(".cannot-send")).to_have_text("Cannot be sent: Not approved")

    page.get_by_role("link", name="Send to QuickBooks").click()
    expect(page.locator("#send-entries")).to_have_text("2")
    expect(page.locator("#not-approved-left-out")).to_contain_text(
        "1 entry is left out because it is not approved"
    )
    blockers = page.locator('#not-sent-reasons [data-reason="not_approved"]')
    expect(blockers.get_by_role("link", name="Review the weeks waiting")).to_be_visible()
    screenshot(page, "send-confirm-1280.png")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "send-confirm-390.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    confirm_and_wait(page, "Send 2 entries to QuickBooks")
    expect(page.locator("#outcome-line")).to_contain_text("Sent 2 of 2 entries (1:30:00)")
    screenshot(page, "send-outcome-1280.png")
    assert sorted(a["Description"] for a in time_activities(sandbox, realm)) == [
        "Approved A",
        "Approved B",
    ]
