"""More of the tracker in a real browser: favourites (pin, one-click start), the long-running
timer's one-click stop from another page, deleting and copying timesheet rows, and the tracker
without JavaScript (the forms still work)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser_session import log_in
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TimeEntryFactory
from tests.tracking.factories import ago
from tracking.models import FavoriteEntry
from tracking.models import TimeEntry
from tracking.services import entries as svc
from workspaces.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.now().date()
LAST_MONDAY = TODAY - dt.timedelta(days=TODAY.weekday() + 7)


def _entry(workspace, member, start, hours=2, **kwargs):
    return TimeEntryFactory.create(
        workspace=workspace,
        user=member,
        start=start,
        seconds=hours * 3600,
        **kwargs,
    )


def test_pin_a_favourite_and_start_it_with_one_click(page, live_server, workspace, member):
    project = ProjectFactory.create(workspace=workspace, name="Website")
    entry = _entry(
        workspace,
        member,
        ago(hours=5),
        description="Standup",
        project=project,
    )
    entry.tags.add(
        TagFactory.create(workspace=workspace, name="team"),
        through_defaults={"workspace": workspace},
    )
    log_in(page, live_server, member, reverse("tracking:tracker", kwargs={"ws": workspace.pk}))
    page.get_by_role("button", name="Pin Standup to favourites").click()
    favorites = page.locator("#favorites")
    expect(favorites).to_contain_text("Standup")
    expect(favorites).to_contain_text("team")
    favorites.get_by_role("button", name="Start Standup").click()  # one click
    expect(page.locator(".timer-running")).to_contain_text("Standup")
    running = TimeEntry.objects.get(end=None)
    assert (running.project_id, [t.name for t in running.tags.all()]) == (project.pk, ["team"])
    page.locator("#favorites").get_by_role("button", name="Unpin Standup").click()
    expect(page.locator("#favorites")).to_have_count(0)
    assert not FavoriteEntry.objects.exists()


def test_a_forgotten_timer_is_stopped_at_the_real_time_from_any_page(
    page, live_server, workspace, member
):
    membership = Membership.objects.get(workspace=workspace, user=member)
    entry = svc.timer_start(membership=membership, description="Forgotten")
    started = ago(hours=14)
    TimeEntry.objects.filter(pk=entry.pk).update(start=started)
    log_in(page, live_server, member, reverse("reports:detailed", kwargs={"ws": workspace.pk}))
    warning = page.locator("#long-timer")
    expect(warning).to_contain_text("running for over 10 hours")
    warning.get_by_role("button", name="Stop at that time").click()  # the offered time
    expect(page.locator("#long-timer")).to_have_count(0)
    expect(page.locator("#header-timer")).to_have_count(0)
    entry.refresh_from_db()
    assert entry.end is not None and abs(entry.duration_seconds - 10 * 3600) < 60
    expect(page).to_have_url(re.compile(r"/reports/"))


def test_copy_last_weeks_rows_and_delete_a_row(page, live_server, workspace, member):
    audit = ProjectFactory.create(workspace=workspace, name="Audit")
    _entry(
        workspace,
        member,
        dt.datetime.combine(LAST_MONDAY - dt.timedelta(days=7), dt.time(9), tzinfo=dt.UTC),
        project=audit,
    )
    sheet = reverse("tracking:timesheet", kwargs={"ws": workspace.pk})
    log_in(page, live_server, member, f"{sheet}?week={LAST_MONDAY.isoformat()}")
    expect(page.locator("tbody tr[data-row]")).to_have_count(0)
    page.get_by_role("link", name="Copy last week's rows").click()
    row = page.locator(f'tr[data-row="{audit.pk}:"]')
    expect(row).to_be_visible()
    cell = row.locator("input.cell").first
    cell.fill("2:30")
    cell.press("Enter")
    expect(page.locator(".week-total")).to_have_text("2:30")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'tr[data-row="{audit.pk}:"]').get_by_role(
        "button", name="Delete the row Audit"
    ).click()
    expect(page.locator(f'tr[data-row="{audit.pk}:"]')).to_have_count(0)
    assert TimeEntry.objects.count() == 1  # last week's entry stays


def test_the_tracker_works_without_javascript(browser, live_server, workspace, member):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    try:
        ProjectFactory.create(workspace=workspace, name="Website")
        log_in(page, live_server, member, reverse("tracking:tracker", kwargs={"ws": workspace.pk}))
        page.locator("#timer-description").fill("No script")
        page.locator("#timer-project").select_option(label="Website")
        page.get_by_role("button", name="Start", exact=True).click()
        expect(page.locator(".timer-running")).to_contain_text("No script")
        page.locator(".timer-running").get_by_role("button", name="Stop").click()
        expect(page.locator(".entry").first).to_contain_text("No script")
        assert TimeEntry.objects.get().project.name == "Website"
    finally:
        context.close()
