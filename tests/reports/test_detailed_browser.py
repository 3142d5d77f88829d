"""The Detailed report in a real browser: pick a custom range and a project, apply, see the rows
and totals follow, sort, download the CSV export of exactly what is shown, edit a row in place."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_session import log_in
from tests.factories import rounding_on
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TimeEntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filter_the_detailed_report_and_export_it(page, live_server, workspace, owner, member):
    rounding_on(workspace, "NEAREST", 15)
    acme = ClientFactory(workspace=workspace, name="Acme")
    website = ProjectFactory(workspace=workspace, client=acme, name="Website")
    internal = ProjectFactory(workspace=workspace, name="Internal")
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    for i, (project, seconds, who) in enumerate(
        [
            (website, 450, owner),  # 7:30 -> 15:00
            (website, 3 * 3600 + 400, member),  # 3:06:40 -> 3:00:00
            (internal, 3600, owner),
            (None, 1800, member),
        ]
    ):
        s = start + dt.timedelta(days=i)
        TimeEntryFactory(
            workspace=workspace,
            user=who,
            project=project,
            description=f"Work {i}",
            billable=project is website,
            hourly_rate_cents=10000,
            start=s,
            seconds=seconds,
        )
    log_in(page, live_server, owner, reverse("reports:detailed", kwargs={"ws": workspace.pk}))
    expect(page.get_by_role("heading", name="Detailed report")).to_be_visible()

    page.locator("#f-start").fill("2026-03-01")
    page.locator("#f-end").fill("2026-03-31")
    expect(page.locator("#f-range")).to_have_value("custom")  # editing a date picks Custom
    page.locator("#f-project").select_option([website.pk])
    page.get_by_role("button", name="Apply filters").click()

    rows = page.locator("#report-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#total-time")).to_have_text("3:15:00")
    expect(page.locator("#total-amount")).to_have_text("325.00 USD")
    expect(page.locator("#rounding-note")).to_contain_text("15 min, nearest")
    assert f"project={website.pk}" in page.url  # the link reproduces the report

    page.get_by_role("link", name="Duration").click()  # longest first
    expect(rows.first).to_contain_text("Work 1")
    page.get_by_role("link", name="Duration").click()
    expect(rows.first).to_contain_text("Work 0")

    with page.expect_download() as download_info:
        page.locator("#export-csv").click()
    body = Path(download_info.value.path()).read_text(encoding="utf-8")
    exported = list(csv.DictReader(io.StringIO(body)))
    assert [line["Description"] for line in exported] == ["Work 0", "Work 1"]
    assert [line["Duration (h)"] for line in exported] == ["0:15:00", "3:00:00"]
    assert {line["Project"] for line in exported} == {"Website"}

    # Edit a row in place: make the 3-hour entry non-billable; the row and totals follow.
    row = page.locator("#report-table tbody tr", has_text="Work 1")
    row.get_by_role("link", name="Edit").click()
    editing = page.locator("tr.is-editing")
    editing.get_by_label("Description").fill("Work 1 (internal)")
    editing.get_by_label("Billable").uncheck()
    editing.get_by_role("button", name="Save").click()
    expect(page.locator("tr.is-editing")).to_have_count(0)
    expect(page.locator("#report-table tbody tr", has_text="Work 1 (internal)")).to_contain_text(
        "Non-billable"
    )
    expect(page.locator("#billable-time")).to_have_text("0:15:00")
    expect(page.locator("#total-amount")).to_have_text("25.00 USD")
    expect(page.locator("#total-time")).to_have_text("3:15:00")
