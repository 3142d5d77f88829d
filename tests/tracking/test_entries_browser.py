"""The tracker and timesheet in a real browser: the timer, htmx inline edit, the live clock,
the picker's search, and timesheet cells updating the totals in place."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser_session import log_in
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from tests.tracking.factories import ago
from tracking.models import TimeEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tracker_path(workspace) -> str:
    return reverse("tracking:tracker", kwargs={"ws": workspace.pk})


def test_timer_inline_edit_and_totals(
    page,
    live_server,
    workspace,
    member,
):
    client = ClientFactory.create(workspace=workspace, name="Globex")
    project = ProjectFactory.create(
        workspace=workspace, client=client, name="Website", billable=True
    )
    TaskFactory.create(project=project, name="Copywriting")
    ProjectFactory.create(workspace=workspace, name="Internal", billable=False)
    log_in(page, live_server, member, tracker_path(workspace))

    page.get_by_placeholder("What are you working on?").fill("Landing page")
    page.locator(".ts-control:has(#timer-project-ts-control)").click()
    page.keyboard.type("copy")  # the combobox searches
    # What a person sees before pressing Enter (the combobox filters a moment after typing).
    expect(page.locator(".ts-dropdown .option.active").first).to_contain_text("Copywriting")
    page.keyboard.press("Enter")  # picks the first match
    expect(page.locator("#timer-project")).to_have_value(re.compile(r":"))
    expect(page.locator(".timer-form [data-billable-toggle]")).to_be_checked()
    page.get_by_role("button", name="Start", exact=True).click()
    clock = page.locator("output.clock")
    expect(clock).to_be_visible()
    expect(clock).not_to_have_text("0:00:00", timeout=5000)  # the live clock ticks

    # Pretend it ran for 45 minutes, then stop it.
    TimeEntry.objects.filter(user=member, end=None).update(start=ago(minutes=45))
    page.get_by_role("button", name="Stop").click()
    row = page.locator(".entry").first
    expect(row).to_contain_text("Landing page")
    expect(row).to_contain_text("Website \u203a Copywriting")
    expect(row.locator(".entry__duration")).to_have_text(re.compile(r"0:45:0\d"))

    # Inline edit: the row turns into a form; saving re-renders the row and the totals.
    row.locator(".entry__open").click()
    form = page.locator("form.entry--editing")
    expect(form).to_be_visible()
    form.get_by_label("Description").fill("Landing page hero")
    entry = TimeEntry.objects.get(user=member)
    assert entry.end is not None
    # An earlier start (a later end would lie in the future, which the workspace refuses).
    start = (entry.start - dt.timedelta(minutes=15)).strftime("%H:%M:%S")  # seconds are shown
    form.get_by_label("Start", exact=True).fill(start)
    form.get_by_role("button", name="Save").click()
    expect(page.locator("form.entry--editing")).to_have_count(0)
    row = page.locator(".entry").first
    expect(row).to_contain_text("Landing page hero")
    expect(page.locator(".day-total").first).to_have_text(re.compile(r"1:00:0\d"))
    expect(page.locator(".week-total").first).to_have_text(re.compile(r"1:00:0\d"))

    # A bad edit shows its error in the form and saves nothing.
    row.locator(".entry__open").click()
    form = page.locator("form.entry--editing")
    # An end before the start, both on the entry's day and in the past at any time of day
    # (a start two hours on would pass midnight after 22:00 and be a valid overnight edit).
    began = entry.start.astimezone(ZoneInfo(member.time_zone))
    later = began - dt.timedelta(hours=1) if began.hour >= 2 else began + dt.timedelta(minutes=30)
    form.get_by_label("End", exact=True).fill((later - dt.timedelta(minutes=15)).strftime("%H:%M"))
    form.get_by_label("Start", exact=True).fill(later.strftime("%H:%M"))
    form.get_by_role("button", name="Save").click()
    expect(page.locator("form.entry--editing")).to_contain_text("The end must be after the start.")
    assert TimeEntry.objects.get(user=member).description == "Landing page hero"

    # Duplicate doubles the day total in place.
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("button", name="Duplicate").first.click()
    expect(page.locator(".entry")).to_have_count(2)
    expect(page.locator(".day-total").first).to_have_text(re.compile(r"2:00:\d\d"))


def test_timesheet_cell_updates_totals(
    page,
    live_server,
    workspace,
    member,
):
    project = ProjectFactory.create(workspace=workspace, name="Audit")
    today = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    TimeEntryFactory.create(workspace=workspace, user=member, project=project, start=today)
    log_in(page, live_server, member, tracker_path(workspace))
    page.get_by_role("link", name="Timesheet").click()
    row = page.locator("tr", has_text="Audit")
    expect(row.locator(".row-total")).to_have_text("1:00")
    cell = row.locator("input.cell").first
    cell.fill("2:15")
    cell.press("Tab")
    expect(page.locator("tr", has_text="Audit").locator(".row-total")).to_have_text(
        re.compile(r"[23]:15")
    )
    expect(page.locator(".week-total")).to_have_text(re.compile(r"[23]:15"))


def test_inline_edit_by_keyboard_alone(page, live_server, workspace, member):
    TimeEntryFactory.create(
        workspace=workspace, user=member, description="Draft", start=ago(hours=3)
    )
    log_in(page, live_server, member, tracker_path(workspace))
    opener = page.locator(".entry .entry__open").first
    opener.focus()
    page.keyboard.press("Enter")  # a real <button>: opens the inline form
    description = page.locator("form.entry--editing").get_by_label("Description")
    expect(description).to_be_focused()
    description.fill("Final copy")
    page.keyboard.press("Enter")  # submits the form
    expect(page.locator("form.entry--editing")).to_have_count(0)
    expect(page.locator(".entry").first).to_contain_text("Final copy")
    # Focus comes back to the row, not the top of the page.
    expect(page.locator(".entry .entry__open").first).to_be_focused()

    page.keyboard.press("Enter")
    expect(page.locator("form.entry--editing")).to_be_visible()
    # Escape cancels from inside the form: wait until focus has moved there (htmx swaps the
    # form in, then focuses its first field), as a person would see before pressing it.
    expect(page.locator("form.entry--editing").get_by_label("Description")).to_be_focused()
    page.keyboard.press("Escape")  # cancels
    expect(page.locator("form.entry--editing")).to_have_count(0)
    expect(page.locator(".entry .entry__open").first).to_be_focused()
    assert TimeEntry.objects.get(user=member).description == "Final copy"


def test_billable_follows_the_chosen_project_in_every_form(page, live_server, workspace, member):
    ProjectFactory.create(workspace=workspace, name="Billable work", billable=True)
    ProjectFactory.create(workspace=workspace, name="Internal", billable=False)
    TimeEntryFactory.create(
        workspace=workspace, user=member, description="Unfiled", billable=False, start=ago(hours=3)
    )
    log_in(page, live_server, member, tracker_path(workspace))

    # The manual form.
    page.get_by_text("Add time manually").click()
    manual = page.locator("details.manual form")
    manual.locator("#manual-project").select_option(label="Billable work")
    expect(manual.locator("[data-billable-toggle]")).to_be_checked()
    manual.locator("#manual-project").select_option(label="Internal")
    expect(manual.locator("[data-billable-toggle]")).not_to_be_checked()

    # The inline edit of an existing entry: picking a billable project ticks it; saving keeps it.
    page.locator(".entry .entry__open").first.click()
    form = page.locator("form.entry--editing")
    form.locator("select[data-picker]").select_option(label="Billable work")
    expect(form.locator("[data-billable-toggle]")).to_be_checked()
    form.get_by_role("button", name="Save").click()
    expect(page.locator("form.entry--editing")).to_have_count(0)
    entry = TimeEntry.objects.get(user=member)
    assert entry.project is not None and entry.project.name == "Billable work"
    assert entry.billable
