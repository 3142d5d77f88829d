"""The Summary report's XLSX export from a real browser: filter and group the page, click
Export XLSX, and the downloaded workbook holds the groups and totals the page shows."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser_session import log_in
from tests.reports.test_summary_browser import three_entries_in_march

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_export_the_grouped_summary_to_xlsx(page, live_server, workspace, owner, member):
    three_entries_in_march(workspace, owner, member)
    path = reverse("reports:summary", kwargs={"ws": workspace.pk})
    log_in(page, live_server, owner, f"{path}?start=2026-03-01&end=2026-03-31")
    page.get_by_label("Group by").select_option("client")
    page.get_by_label("Then by").select_option("member")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#summary-table tr.group").first).to_contain_text("Acme")
    expect(page.locator("#total-time")).to_have_text("3:00:00")

    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == "summary-report-2026-03-01-2026-03-31.xlsx"
    content = Path(download.path()).read_bytes()
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == f"Summary report: {workspace.name}"
    at = next(i for i, r in enumerate(rows) if r and r[0] == "Client")
    assert rows[at][1] == "Member"
    # Durations are numbers ([h]:mm:ss), read back as timedeltas; amounts after them.
    table = [(r[0], r[1], r[2], r[6]) for r in rows[at + 1 : at + 6]]
    hours = dt.timedelta(hours=1)
    assert table == [
        ("Acme", None, 1.5 * hours, 150.0),
        ("Acme", f"Mia Member · {member.email}", 0.5 * hours, 50.0),
        ("Acme", f"Olivia Owner · {owner.email}", hours, 100.0),
        ("Without client", None, 1.5 * hours, 150.0),
        ("Without client", f"Olivia Owner · {owner.email}", 1.5 * hours, 150.0),
    ]
    totals = {r[0]: r for r in rows[at + 6 :] if r and r[0]}
    assert totals["Total time"][1] == 3 * hours
    assert (totals["Amount"][1], totals["Amount"][2]) == (300.0, "USD")
