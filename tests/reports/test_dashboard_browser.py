"""The dashboard in a real browser: the landing page after logging in, its figures, the
Chart.js chart drawn from the npm-installed library, the range and member filters, and a
member's own view."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_session import combobox_pick
from tests.browser_session import combobox_remove
from tests.browser_session import log_in
from tests.browser_session import screenshots
from tests.reports.test_dashboard import MONDAY
from tests.reports.test_dashboard import NOW
from tests.reports.test_dashboard import entry
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tracking.models import TimeEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _wednesday():
    # The live server runs in this process: its clock is the test's (ticking from NOW).
    with time_machine.travel(NOW, tick=True):
        yield


def test_admin_lands_on_the_dashboard_and_filters_it(
    page, live_server, workspace, owner, admin, member
):
    acme = ClientFactory(workspace=workspace, name="Acme")
    website = ProjectFactory(workspace=workspace, client=acme, name="Website")
    audit = ProjectFactory(workspace=workspace, name="Audit")
    entry(workspace, member, MONDAY, 3 * 3600, project=website)
    entry(workspace, admin, MONDAY + dt.timedelta(days=1), 2 * 3600, project=audit)
    entry(workspace, member, MONDAY - dt.timedelta(days=2), 3600, project=audit)  # last week
    TimeEntry.objects.create(
        workspace=workspace,
        user=member,
        start=NOW - dt.timedelta(hours=1),
        description="Homepage copy",
        project=website,
    )

    log_in(page, live_server, owner, "/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("#total-time")).to_have_text("5:00:00")
    expect(page.locator("#billable-share")).to_have_text("100.0%")
    expect(page.locator("#tracking-now")).to_contain_text("Mia Member")
    expect(page.locator("#tracking-now")).to_contain_text("Homepage copy")
    expect(page.locator("#top-projects-time li").first).to_contain_text("Website")
    expect(page.locator("#top-clients-time")).to_contain_text("Acme")
    # Chart.js (static/vendor/, from npm) drew the stacked bars.
    expect(page.locator("#day-chart")).to_have_class("card dash-card dash-wide chart chart--drawn")
    assert (
        page.evaluate("document.querySelector('#day-chart canvas').chart.data.datasets.length") == 2
    )
    screenshots(page, "dashboard")

    combobox_pick(page, "d-member", "Adam Admin")  # a searchable combobox, the choice a chip
    expect(page.locator("#d-member-ts-control").locator("xpath=..").locator(".item")).to_have_text(
        ["Adam Admin\u00d7"]
    )
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#total-time")).to_have_text("2:00:00")
    expect(page.locator("#tracking-now")).to_contain_text("Nobody is tracking")

    combobox_remove(page, "d-member", "Adam Admin")
    page.get_by_label("Dates").select_option("last_week")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#total-time")).to_have_text("1:00:00")
    page.get_by_role("link", name="Open in Summary report").click()
    expect(page.get_by_role("heading", name="Summary report")).to_be_visible()
    expect(page.locator("#total-time")).to_have_text("1:00:00")


def test_member_sees_their_own_dashboard(page, live_server, workspace, owner, admin, member):
    audit = ProjectFactory(workspace=workspace, name="Audit")
    entry(workspace, member, MONDAY, 3600, project=audit)
    entry(workspace, admin, MONDAY, 7200, project=audit)
    log_in(page, live_server, member, reverse("dashboard:home", kwargs={"ws": workspace.pk}))
    expect(page.locator("#total-time")).to_have_text("1:00:00")
    expect(page.locator("#d-member")).to_have_count(0)
    expect(page.locator("#my-week")).to_contain_text("not submitted")
    expect(page.locator("#nobody-tracking")).to_have_text("Your timer is not running.")
