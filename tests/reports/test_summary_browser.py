"""The Summary and Weekly reports in a real browser: group by client then project, see the
table, the charts and their text follow; switch tabs; page through weeks."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_session import log_in
from tests.reports.entries import entry
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def three_entries_in_march(workspace, owner, member) -> None:
    """March 2nd to 4th: Website (client Acme) 1 h of the owner's and 30 min of the member's,
    Internal (no client) 1.5 h of the owner's; all billable at 100.00 USD an hour."""
    acme = ClientFactory(workspace=workspace, name="Acme")
    website = ProjectFactory(workspace=workspace, client=acme, name="Website")
    internal = ProjectFactory(workspace=workspace, name="Internal")
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    for i, (project, seconds, who) in enumerate(
        [(website, 3600, owner), (website, 1800, member), (internal, 5400, owner)]
    ):
        day = start + dt.timedelta(days=i)
        entry(workspace, who, day, seconds, project=project, hourly_rate_cents=10000)


def test_group_the_summary_and_page_through_weeks(page, live_server, workspace, owner, member):
    three_entries_in_march(workspace, owner, member)
    path = reverse("reports:summary", kwargs={"ws": workspace.pk})
    log_in(page, live_server, owner, f"{path}?start=2026-03-01&end=2026-03-31")
    expect(page.get_by_role("heading", name="Summary report")).to_be_visible()
    expect(page.locator("#total-time")).to_have_text("3:00:00")

    page.get_by_label("Group by").select_option("client")
    page.get_by_label("Then by").select_option("project")
    page.get_by_role("button", name="Apply filters").click()
    table = page.locator("#summary-table")
    expect(table.locator("tr.group").first).to_contain_text("Acme")
    expect(table.locator("tr.group").first).to_contain_text("1:30:00")
    expect(table.locator("tr.sub").first).to_contain_text("Website")
    expect(table.locator("tr.group").last).to_contain_text("Without client")
    expect(page.locator("#share-legend")).to_contain_text("Acme: 50.0%")
    # Chart.js drew the bars stacked by client, and the share doughnut.
    expect(page.locator("#time-chart")).to_have_class(re.compile("chart--drawn"))
    expect(page.locator("#share-chart")).to_have_class(re.compile("chart--drawn"))
    labels = page.evaluate(
        "document.querySelector('#time-chart canvas').chart.data.datasets.map(d => d.label)"
    )
    assert labels == ["Acme", "Without client"]
    if os.environ.get("SUMMARY_SCREENSHOT"):
        page.screenshot(path=os.environ["SUMMARY_SCREENSHOT"], full_page=True)

    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Weekly").click()
    expect(page.get_by_role("heading", name="Weekly report")).to_be_visible()
    page.get_by_label("Week of").fill("2026-03-04")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#week-total")).to_have_text("3:00:00")
    page.locator("#next-week").click()
    expect(page.locator("#no-entries")).to_be_visible()
    page.locator("#previous-week").click()
    expect(page.locator("#weekly-table")).to_contain_text("Mia Member")
