"""Approvals in a real browser: a member submits last week, an admin rejects it with a note,
the member reads it and resubmits, the admin approves, the member sees it."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser_session import log_in
from tests.tracking.factories import entry_on
from tracking.models import TimeEntry
from tracking.models import WeekApproval
from tracking.selectors.entries import local_today
from tracking.selectors.entries import week_start_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_as(browser, live_server, user, path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, live_server, user, path)
    return page


def test_submit_reject_resubmit_approve(browser, live_server, workspace, owner, admin, member):
    week = week_start_for(member, local_today(member)) - dt.timedelta(days=7)
    entry_on(member, workspace, week, hours=3, description="Quarterly planning")
    base = f"/w/{workspace.pk}/approvals/"
    mia = open_as(browser, live_server, member, base)
    row = mia.locator(f'tr[data-week="{week.isoformat()}"]')
    row.get_by_role("button", name="Submit").click()
    expect(mia.get_by_text("submitted for approval")).to_be_visible()
    expect(row.get_by_text("Pending")).to_be_visible()

    adam = open_as(browser, live_server, admin, base + "pending/")
    adam.get_by_role("link", name="Review").click()
    expect(adam.get_by_text("Quarterly planning")).to_be_visible()
    adam.get_by_label("Note").fill("Name the client, please")
    adam.get_by_role("button", name="Reject").click()
    expect(adam.get_by_text("No submissions are waiting")).to_be_visible()

    mia.reload()
    expect(row.get_by_text("Name the client, please")).to_be_visible()
    row.get_by_role("button", name="Resubmit").click()
    expect(row.get_by_text("Pending")).to_be_visible()

    adam.goto(f"{live_server.url}{base}pending/")
    adam.get_by_role("link", name="Review").click()
    adam.get_by_role("button", name="Approve").click()
    expect(adam.get_by_text("Week approved")).to_be_visible()

    mia.reload()
    expect(row.get_by_text("Approved")).to_be_visible()
    assert WeekApproval.objects.get().status == WeekApproval.Status.APPROVED
    assert TimeEntry.objects.get().is_locked
    mia.context.close()
    adam.context.close()
