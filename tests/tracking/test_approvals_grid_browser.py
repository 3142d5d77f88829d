"""The approval review grid in a real browser: a member submits a week with a note, the admin
follows the navigation's badge to the grid, reads the flags and the note, rejects with a note;
the member reads it on the tracker and the timesheet."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser_session import screenshots
from tests.tracking.factories import ProjectFactory
from tests.tracking.test_approvals_browser import open_as
from tests.tracking.test_approvals_grid import at
from tracking.selectors.entries import local_today
from tracking.selectors.entries import week_start_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_badge_grid_flags_note_and_rejection_on_the_tracker(
    browser, live_server, workspace, owner, admin, member
):
    week = week_start_for(member, local_today(member)) - dt.timedelta(days=7)
    website = ProjectFactory(workspace=workspace, name="Website")
    audit = ProjectFactory(workspace=workspace, name="Audit")
    at(member, workspace, week, 8, 11, project=website, description="Launch day")
    at(member, workspace, week, 18, 2, project=audit, description="Ledger check")
    at(member, workspace, week + dt.timedelta(days=2), 9, 3, project=audit, description="Audit")

    base = f"/w/{workspace.pk}/approvals/"
    mia = open_as(browser, live_server, member, base)
    row = mia.locator(f'tr[data-week="{week.isoformat()}"]')
    row.get_by_label("Note for the approver").fill("Launch week, long Monday")
    row.get_by_role("button", name="Submit").click()
    expect(row.get_by_text("Pending")).to_be_visible()

    adam = open_as(browser, live_server, admin, f"/w/{workspace.pk}/dashboard/")
    expect(adam.locator("#approvals-badge")).to_contain_text("1")
    adam.get_by_role("link", name="1 week waiting for your review").click()
    adam.get_by_role("link", name="Review").click()
    grid = adam.locator("#approval-grid")
    expect(grid.locator("tbody tr")).to_have_count(2)
    expect(grid.locator("tbody tr").first).to_contain_text("Audit")
    expect(grid.locator("tfoot")).to_contain_text("13:00")
    expect(adam.locator("#approval-total")).to_have_text("16:00")
    expect(adam.locator("#approval-flags")).to_contain_text("“Launch day”, 11:00 in one entry")
    expect(adam.locator("#approval-flags")).to_contain_text("“Ledger check” overlaps “Launch day”")
    expect(adam.locator("#member-note")).to_contain_text("Launch week, long Monday")
    screenshots(adam, "approval-grid")
    adam.get_by_label("Note").fill("Split Monday into two entries")
    adam.get_by_role("button", name="Reject").click()
    expect(adam.get_by_text("No submissions are waiting")).to_be_visible()
    expect(adam.locator("#approvals-badge")).to_have_count(0)

    mia.goto(f"{live_server.url}/w/{workspace.pk}/tracker/")
    expect(mia.locator("#rejected-weeks")).to_contain_text("Split Monday into two entries")
    mia.get_by_role("link", name="Timesheet").click()
    expect(mia.locator("#rejected-weeks")).to_contain_text("rejected by Adam Admin")
    mia.context.close()
    adam.context.close()
