"""What an admin does in a browser around QuickBooks, shared by the `*_browser.py` tests: open
the Detailed report's QuickBooks view for the days around send_helpers.DAY (and from it the
send's confirmation), and press a job's button and wait until the job page says it finished."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from playwright.sync_api import expect

REPORT_QUERY = "range=custom&start=2026-03-08&end=2026-03-12"  # the days around DAY
JOB_TIMEOUT_MS = 40_000  # a send through the worker and the emulator, faults included


def open_quickbooks_view(page: Any, live_server: Any, workspace: Any) -> None:
    """The Detailed report for REPORT_QUERY, then its QuickBooks link, as a person clicks it."""
    detailed = reverse("reports:detailed", kwargs={"ws": workspace.pk})
    page.goto(f"{live_server.url}{detailed}?{REPORT_QUERY}")
    page.get_by_role("link", name="QuickBooks", exact=True).click()


def open_send_confirmation(page: Any, live_server: Any, workspace: Any) -> None:
    """The QuickBooks view, then its "Send to QuickBooks" link: the send's confirmation page."""
    open_quickbooks_view(page, live_server, workspace)
    page.get_by_role("link", name="Send to QuickBooks").click()


def confirm_and_wait(page: Any, button: str) -> None:
    """Press `button` on a confirmation page; the job page then reports the job finished."""
    page.get_by_role("button", name=button).click()
    expect(page.get_by_test_id("qbo-send-finished")).to_be_visible(timeout=JOB_TIMEOUT_MS)
