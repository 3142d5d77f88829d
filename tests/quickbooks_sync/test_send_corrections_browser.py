"""In a browser, with a real Celery worker process and the QBO emulator as a real server: an
admin opens the sent entries, sees beside an edited entry what QuickBooks holds (the differing
cell marked), chooses it, confirms the listed change and watches it update; then deletes from
QuickBooks an entry deleted here. Screenshots at 1440 and 390 px go to var/screenshots/."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from quickbooks_sync.models import SentEntry
from tests.browser_session import log_in
from tests.quickbooks_sync.connection_helpers import connect_workspace, emulator_marks
from tests.quickbooks_sync.send_helpers import (
    entry,
    link_member,
    start_send,
    time_activities,
    wait_for_job,
)
from tests.quickbooks_sync.worker_process import Worker, running_worker, worker_env
from tests.sandbox_process import SandboxProcess

pytestmark = emulator_marks(browser=True)

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="module")
def worker(
    django_db_setup: None, sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    directory = tmp_path_factory.mktemp("correct_browser_worker")
    with running_worker(directory, worker_env(sandbox), concurrency=1) as process:
        yield process


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


def test_admin_updates_an_edited_entry_and_deletes_a_deleted_one(
    worker, live_server, page, workspace, owner, admin, member, sandbox: SandboxProcess
) -> None:
    realm = sandbox.create_company(name=f"Browser Correct Co {uuid.uuid4().hex[:6]}")
    connect_workspace(workspace, sandbox, realm, user=owner)
    link_member(workspace, member, sandbox, realm)
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
    shoot(page, "qbo-sent-view-differences")

    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Update selected in QuickBooks").click()
    expect(page.get_by_role("heading", name="Update in QuickBooks?")).to_be_visible()
    expect(page.locator("#correction-list")).to_contain_text("Duration: 0:15 → 0:20")
    shoot(page, "qbo-update-confirm")
    page.get_by_role("button", name="Update 1 in QuickBooks").click()
    expect(page.get_by_role("heading", name="Update in QuickBooks")).to_be_visible()
    expect(page.get_by_test_id("qbo-send-finished")).to_be_visible(timeout=40_000)
    expect(page.locator("#outcome-line")).to_contain_text("Updated in QuickBooks 1 of 1 entry")
    shoot(page, "qbo-update-job")

    activity = next(a for a in time_activities(sandbox, realm) if a["Description"] == "Design")
    assert (activity["Minutes"], activity["SyncToken"]) == (20, "1")

    page.get_by_role("link", name="Show sent entries").click()
    expect(row.locator(".qbo-holds")).to_have_text("Same as here")
    page.locator("#qbo-deleted-here").get_by_role("button", name="Delete from QuickBooks").click()
    expect(page.get_by_role("heading", name="Delete from QuickBooks?")).to_be_visible()
    shoot(page, "qbo-delete-confirm")
    page.get_by_role("button", name="Delete 1 from QuickBooks").click()
    expect(page.get_by_test_id("qbo-send-finished")).to_be_visible(timeout=40_000)
    expect(page.locator("#outcome-line")).to_contain_text("Deleted from QuickBooks 1 of 1 entry")
    assert {a["Description"] for a in time_activities(sandbox, realm)} == {"Design", "Review"}
    assert SentEntry.objects.get(entry_key=gone_key).deleted_at is not None
