"""In a browser, with a real Celery worker process and the QBO emulator as a real server: an
admin opens the sent entries, sees beside an edited entry what QuickBooks holds (the differing
cell marked), chooses it, confirms the listed change and watches it update; then deletes from
QuickBooks an entry deleted here. Screenshots at 1280 and 390 px go to the folder SCREENSHOTS
names."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from playwright.sync_api import expect

from quickbooks_sync.models import SentEntry
from tests.browser_session import log_in
from tests.browser_session import screenshots
from tests.quickbooks_sync.browser_steps import confirm_and_wait
from tests.quickbooks_sync.connection_helpers import emulator_marks
from tests.quickbooks_sync.send_helpers import entry
from tests.quickbooks_sync.send_helpers import start_send
from tests.quickbooks_sync.send_helpers import time_activities
from tests.quickbooks_sync.send_helpers import wait_for_job
from tests.quickbooks_sync.worker_process import module_worker

pytestmark = emulator_marks(browser=True)

worker = module_worker(concurrency=1)


def test_admin_updates_an_edited_entry_and_deletes_a_deleted_one(
    worker, live_server, page, workspace, owner, admin, member, sandbox, linked_connection
) -> None:
    realm = linked_connection.realm_id
    at = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
    made = {
        name: entry(
            workspace, member, start=at + dt.timedelta(hours=n), seconds=900, description=name
        )
        for n, name in enumerate(("Design", "Review", "Gone"))
    }
    assert wait_for_job(start_send(workspace, owner), worker=worker).state == "SUCCEEDED"
    design = made["Design"]
    design.end += dt.timedelta(minutes=5)
    design.duration_seconds += 300
    design.save()
    gone_key = made["Gone"].pk
    made["Gone"].delete()

    log_in(page, live_server, admin)
    report = reverse("quickbooks:send_report", kwargs={"ws": workspace.pk})
    page.goto(f"{live_server.url}{report}?range=custom&start=2026-03-08&end=2026-03-12&show=sent")
    row = page.locator(f"#qbo-row-{design.pk}")
    expect(row.locator(".qbo-holds")).to_contain_text("Duration: 0:15 (here: 0:20)")
    expect(row.locator("td.differs")).to_have_count(1)
    expect(page.locator(f"#qbo-row-{made['Review'].pk} .qbo-holds")).to_have_text("Same as here")
    expect(page.locator(f"#qbo-deleted-{gone_key}")).to_be_visible()
    screenshots(page, "qbo-sent-view-differences")

    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Update selected in QuickBooks").click()
    expect(page.get_by_role("heading", name="Update in QuickBooks?")).to_be_visible()
    expect(page.locator("#correction-list")).to_contain_text("Duration: 0:15 → 0:20")
    screenshots(page, "qbo-update-confirm")
    page.get_by_role("button", name="Update 1 in QuickBooks").click()
    expect(page.get_by_role("heading", name="Update in QuickBooks")).to_be_visible()
    expect(page.get_by_test_id("qbo-send-finished")).to_be_visible(timeout=40_000)
    expect(page.locator("#outcome-line")).to_contain_text("Updated in QuickBooks 1 of 1 entry")
    screenshots(page, "qbo-update-job")

    activity = next(a for a in time_activities(sandbox, realm) if a["Description"] == "Design")
    assert (activity["Minutes"], activity["SyncToken"]) == (20, "1")

    page.get_by_role("link", name="Show sent entries").click()
    expect(row.locator(".qbo-holds")).to_have_text("Same as here")
    page.locator("#qbo-deleted-here").get_by_role("button", name="Delete from QuickBooks").click()
    expect(page.get_by_role("heading", name="Delete from QuickBooks?")).to_be_visible()
    screenshots(page, "qbo-delete-confirm")
    confirm_and_wait(page, "Delete 1 from QuickBooks")
    expect(page.locator("#outcome-line")).to_contain_text("Deleted from QuickBooks 1 of 1 entry")
    assert {a["Description"] for a in time_activities(sandbox, realm)} == {"Design", "Review"}
    assert SentEntry.objects.get(entry_key=gone_key).deleted_at is not None
