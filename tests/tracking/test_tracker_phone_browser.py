"""The tracker, the running timer and the timesheet at a phone's width (390 px) and at 1280 px:
no sideways scrolling, the timer in view, navigation labels whole; a submitted week's timesheet
cells look and behave locked; submitting from the timesheet through the summary. Screenshots go
to test-results/ for a person to look at."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser_session import log_in
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TimeEntryFactory
from tests.tracking.factories import ago
from tracking.models import TimeEntry
from tracking.models import WeekApproval
from tracking.services import entries as svc
from workspaces.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("test-results/screenshots")
TODAY = timezone.now().date()
LAST_MONDAY = TODAY - dt.timedelta(days=TODAY.weekday() + 7)


def _fill(workspace, member):
    project = ProjectFactory.create(
        workspace=workspace, name="Website redesign for Globex Corporation", billable=True
    )
    tag = TagFactory.create(workspace=workspace, name="design")
    for days in range(1, 9):
        start = ago(days=days, hours=2)
        TimeEntryFactory.create(
            workspace=workspace,
            user=member,
            project=project,
            description="A rather long description of the work done that day, to wrap",
            start=start,
            seconds=3 * 3600,
            tags=[tag],
        )
    membership = Membership.objects.get(workspace=workspace, user=member)
    svc.timer_start(membership=membership, description="Support call", project_id=project.pk)


def _no_sideways_scroll(page, width):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page is {scroll_width}px wide at {width}px"


@pytest.mark.parametrize("width", [390, 1280])
def test_tracker_and_timesheet_fit_the_screen(page, live_server, workspace, member, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    _fill(workspace, member)
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
    log_in(page, live_server, member, reverse("tracking:tracker", kwargs={"ws": workspace.pk}))
    expect(page.locator(".timer-running")).to_contain_text("Support call")
    _no_sideways_scroll(page, width)
    page.screenshot(path=str(SHOTS / f"tracker-{width}.png"), full_page=True)

    page.goto(live_server.url + reverse("tracking:timesheet", kwargs={"ws": workspace.pk}))
    header = page.locator("#header-timer")
    expect(header).to_contain_text("Support call")
    expect(header).to_be_in_viewport()
    page.mouse.wheel(0, 2000)
    expect(header).to_be_in_viewport()  # stays in view while scrolling
    _no_sideways_scroll(page, width)
    page.screenshot(path=str(SHOTS / f"timesheet-{width}.png"), full_page=False)
    # Navigation labels are whole: every link lies inside the screen (the row wraps).
    for link in page.locator(".sidebar a").all():
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (
            link.inner_text()
        )


def test_a_submitted_week_locks_its_cells_and_withdraw_unlocks(
    page, live_server, workspace, member
):
    project = ProjectFactory.create(workspace=workspace, name="Audit")
    start = dt.datetime.combine(LAST_MONDAY, dt.time(9), tzinfo=dt.UTC)
    TimeEntryFactory.create(
        workspace=workspace,
        user=member,
        project=project,
        start=start,
        seconds=11 * 3600,
    )
    sheet = reverse("tracking:timesheet", kwargs={"ws": workspace.pk})
    log_in(page, live_server, member, f"{sheet}?week={LAST_MONDAY.isoformat()}")
    page.get_by_role("link", name="Submit week…").click()
    expect(page.locator("#week-summary-total")).to_have_text("11:00")
    expect(page.locator("#week-flags")).to_contain_text("11:00 in one entry")
    page.get_by_role("button", name="Submit anyway").click()
    expect(page).to_have_url(re.compile(r"/timesheet/"))
    assert WeekApproval.objects.get().status == WeekApproval.Status.PENDING

    cell = page.locator("input.cell").first
    expect(cell).to_have_attribute("readonly", "")
    expect(page.locator("#week-locked")).to_contain_text("waiting for approval")
    cell.click()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    assert TimeEntry.objects.get().duration_seconds == 11 * 3600
    page.screenshot(path=str(SHOTS / "timesheet-locked-1280.png"))

    page.get_by_role("button", name="Withdraw to change it").click()
    cell = page.locator("input.cell").first
    expect(cell).not_to_have_attribute("readonly", "")
