"""Above the results, the active filters in one line (the dates, then the others by name); the
From and To fields follow the Dates choice at once in the browser."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_session import combobox_pick
from tests.browser_session import log_in
from tests.browser_session import screenshots
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory

NOW = dt.datetime(2026, 3, 11, 15, 0, tzinfo=dt.UTC)


def url(workspace, name, query=""):
    return reverse(f"reports:{name}", kwargs={"ws": workspace.pk}) + (f"?{query}" if query else "")


@pytest.mark.django_db
def test_one_line_names_every_active_filter(workspace, owner, member, owner_client):
    acme = ClientFactory(workspace=workspace, name="Acme")
    website = ProjectFactory(workspace=workspace, client=acme, name="Website")
    urgent = TagFactory(workspace=workspace, name="urgent")
    with time_machine.travel(NOW, tick=False):
        query = (
            f"range=last_month&project={website.pk}&project=none&member={member.pk}"
            f"&tag={urgent.pk}&billable=yes&approval=pending"
        )
        for name in ("detailed", "summary"):
            html = owner_client.get(url(workspace, name, query)).content.decode()
            line = html.split('id="filter-summary">', 1)[1].split("</p>", 1)[0]
            assert "Last month (2026-02-01 \u2013 2026-02-28)" in line, name
            for part in (
                "Members: Mia Member",
                "Projects: Website, Without project",
                "Tags: urgent",
                "Billable only",
                "Approval: Pending",
            ):
                assert part in line, (name, part)
        plain = owner_client.get(url(workspace, "detailed")).content.decode()
        assert "This week (2026-03-09 \u2013 2026-03-15) · no other filters" in plain
        weekly = owner_client.get(url(workspace, "weekly", "week=2026-03-04&billable=no"))
        assert "2026-03-02 \u2013 2026-03-08 · Non-billable only" in weekly.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dates_follow_the_dates_choice_at_once(page, live_server, workspace, owner):
    ProjectFactory(workspace=workspace, name="Warehouse App")
    TagFactory(workspace=workspace, name="urgent")
    with time_machine.travel(NOW, tick=True):
        log_in(page, live_server, owner, url(workspace, "detailed"))
        expect(page.get_by_label("From")).to_have_value("2026-03-09")
        page.get_by_label("Dates").select_option("last_month")
        # No submit yet: the fields show what "Last month" means.
        expect(page.get_by_label("From")).to_have_value("2026-02-01")
        expect(page.get_by_label("To", exact=True)).to_have_value("2026-02-28")
        page.get_by_label("From").fill("2026-02-10")
        page.get_by_label("From").dispatch_event("change")
        expect(page.get_by_label("Dates")).to_have_value("custom")
        # The filters are searchable comboboxes; what is chosen shows as chips.
        combobox_pick(page, "f-project", "Warehouse")
        combobox_pick(page, "f-tag", "urg")
        chips = page.locator("#f-project-ts-control").locator("xpath=..").locator(".item")
        expect(chips).to_have_text(["Warehouse App\u00d7"])
        page.get_by_role("button", name="Apply filters").click()
        summary = page.locator("#filter-summary")
        expect(summary).to_contain_text("2026-02-10 \u2013 2026-02-28")
        expect(summary).to_contain_text("Projects: Warehouse App")
        expect(summary).to_contain_text("Tags: urgent")
        expect(chips).to_have_text(["Warehouse App\u00d7"])  # still chosen after applying
        screenshots(page, "detailed-filters")
