"""In a real browser: edit a Detailed report row's times, duration and tags in place; the row
and the totals follow without a reload, and a bad time keeps the row open with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_session import log_in
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TimeEntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_edit_times_and_tags_in_the_detailed_report(page, live_server, workspace, owner, member):
    owner.time_zone = "Europe/Berlin"
    owner.save()
    TagFactory(workspace=workspace, name="design")
    TagFactory(workspace=workspace, name="urgent")
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)  # 10:00 in Berlin
    for who, description in ((member, "Sketches"), (owner, "Review")):
        TimeEntryFactory(
            workspace=workspace,
            user=who,
            description=description,
            billable=True,
            hourly_rate_cents=6000,
            start=start,
            seconds=3600,
        )
    url = reverse("reports:detailed", kwargs={"ws": workspace.pk})
    log_in(page, live_server, owner, f"{url}?range=custom&start=2026-03-01&end=2026-03-31")
    expect(page.locator("#total-time")).to_have_text("2:00:00")

    row = page.locator("#report-table tbody tr", has_text="Sketches")
    row.get_by_role("link", name="Edit").click()
    editing = page.locator("tr.is-editing")
    expect(editing.get_by_label("Start")).to_have_value("10:00")
    editing.get_by_label("Start").fill("08:30")
    editing.get_by_label("End", exact=True).fill("11:00")
    tags = editing.get_by_role("combobox", name="Tags", exact=True)  # a searchable combobox
    tags.click()
    for name in ("design", "urgent"):
        page.keyboard.type(name)
        page.keyboard.press("Enter")
    editing.get_by_role("button", name="Save").click()

    expect(page.locator("tr.is-editing")).to_have_count(0)
    row = page.locator("#report-table tbody tr", has_text="Sketches")
    expect(row).to_contain_text("08:30 \u2013 11:00")
    expect(row).to_contain_text("2:30:00")
    expect(row).to_contain_text("design")
    expect(row).to_contain_text("urgent")
    expect(page.locator("#total-time")).to_have_text("3:30:00")
    expect(page.locator("#total-amount")).to_have_text("210.00 USD")

    # A typed duration moves the end; a bad one keeps the row open with the reason.
    row.get_by_role("link", name="Edit").click()
    editing = page.locator("tr.is-editing")
    editing.get_by_label("Duration").fill("ninety")
    editing.get_by_role("button", name="Save").click()
    expect(editing.get_by_role("alert")).to_contain_text("Enter a duration like 1:30")
    editing.get_by_label("Duration").fill("1h30m")
    editing.get_by_role("button", name="Save").click()
    expect(page.locator("tr.is-editing")).to_have_count(0)
    expect(page.locator("#report-table tbody tr", has_text="Sketches")).to_contain_text(
        "08:30 \u2013 10:00"
    )
    expect(page.locator("#total-time")).to_have_text("2:30:00")
