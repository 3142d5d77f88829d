"""Saved reports in a real browser: save the Summary's filters under a name, find it under
Reports > Saved, rename and share it, open it, save new filters to it (the same link opens
them), delete it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from reports.models import SavedReport
from tests.browser_session import log_in
from tests.browser_session import screenshot
from tests.reports.test_summary_browser import three_entries_in_march

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_save_rename_open_update_and_delete(page, live_server, workspace, owner, member):
    three_entries_in_march(workspace, owner, member)
    summary = reverse("reports:summary", kwargs={"ws": workspace.pk})
    log_in(page, live_server, owner, f"{summary}?start=2026-03-01&end=2026-03-31&group=client")
    expect(page.locator("#total-time")).to_have_text("3:00:00")

    page.locator("#save-report summary").click()
    page.get_by_label("Name").fill("March by client")
    page.get_by_role("button", name="Save report").click()
    expect(page.locator(".messages")).to_contain_text("Saved “March by client”")
    expect(page.locator("#saved-report-name")).to_have_text("Saved report: March by client")
    report = SavedReport.objects.get()

    page.get_by_role("link", name="Saved reports").click()
    row = page.locator(f'#my-saved-reports tr[data-id="{report.pk}"]')
    expect(row).to_contain_text("Summary")
    expect(row).to_contain_text("Private")
    screenshot(page, "saved-1280.png")
    row.get_by_text("Rename").click()
    row.get_by_label("New name").fill("March, clients")
    row.get_by_label("Shared with admins").check()
    row.get_by_role("button", name="Save").click()
    expect(row).to_contain_text("March, clients")
    expect(row).to_contain_text("With admins")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "saved-390.png")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Open it, narrow the dates, save them to it: its link opens the new dates.
    row.get_by_role("link", name="March, clients").click()
    expect(page.locator("#total-time")).to_have_text("3:00:00")
    page.get_by_label("From").fill("2026-03-03")
    page.get_by_label("Dates").select_option("custom")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#total-time")).to_have_text("2:00:00")
    page.get_by_role("button", name="Save these filters to “March, clients”").click()
    expect(page.locator(".messages")).to_contain_text("now opens these filters")
    page.goto(
        live_server.url
        + reverse("reports:saved_open", kwargs={"ws": workspace.pk, "pk": report.pk})
    )
    expect(page.locator("#total-time")).to_have_text("2:00:00")
    expect(page.locator("#update-saved")).to_have_count(0)

    page.get_by_role("link", name="Saved reports").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page.locator("#no-saved-reports")).to_be_visible()
    assert not SavedReport.objects.exists()
