"""The tracker from the keyboard in a real browser: every key press and click from opening the
tracker to a running timer is counted. A repeat of recent work takes two; a new entry with a
project and two tags takes its typing plus seven. Also: the comboboxes, the `?` overlay and the
shortcuts, and the running timer in another page's header and the tab's title."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_session import log_in
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from tests.tracking.factories import ago
from tracking.models import TimeEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Actions:
    """The page's keyboard and clicks, counted."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1

    def type(self, text: str) -> None:
        for char in text:
            self.page.keyboard.press(char)
        self.count += len(text)

    def click(self, locator) -> None:
        locator.click()
        self.count += 1


def _tracker(workspace) -> str:
    return reverse("tracking:tracker", kwargs={"ws": workspace.pk})


def _running(member):
    return TimeEntry.objects.filter(user=member, end=None).first()


def test_a_repeat_of_yesterdays_work_is_two_keystrokes(page, live_server, workspace, member):
    project = ProjectFactory.create(workspace=workspace, name="Website", billable=True)
    task = TaskFactory.create(project=project, name="Copywriting")
    ux = TagFactory.create(workspace=workspace, name="ux")
    api = TagFactory.create(workspace=workspace, name="api")
    start = ago(days=1)
    TimeEntryFactory.create(
        workspace=workspace,
        user=member,
        description="Landing page",
        project=project,
        task=task,
        billable=True,
        start=start,
        seconds=7200,
        tags=[ux, api],
    )
    log_in(page, live_server, member, _tracker(workspace))
    description = page.locator("#timer-description")
    expect(description).to_be_focused()  # the tracker opens with the description focused
    suggestion = page.locator("#timer-suggestions [role=option]").first
    expect(suggestion).to_contain_text("Landing page")
    expect(suggestion).to_contain_text("Website \u203a Copywriting")
    expect(suggestion).to_have_attribute("aria-selected", "true")

    actions = Actions(page)
    actions.press("Enter")  # fills in the most recent entry
    expect(description).to_have_value("Landing page")
    actions.press("Enter")  # starts it
    expect(page.locator("output.clock").first).to_be_visible()
    assert actions.count == 2

    running = _running(member)
    assert running is not None
    assert (running.description, running.project_id, running.task_id, running.billable) == (
        "Landing page",
        project.pk,
        task.pk,
        True,
    )
    assert sorted(t.name for t in running.tags.all()) == ["api", "ux"]


def test_a_new_entry_with_a_project_and_two_tags(page, live_server, workspace, member):
    ProjectFactory.create(workspace=workspace, name="Internal", billable=False)
    website = ProjectFactory.create(workspace=workspace, name="Website", billable=True)
    TagFactory.create(workspace=workspace, name="ux")
    TagFactory.create(workspace=workspace, name="api")
    TagFactory.create(workspace=workspace, name="urgent")
    log_in(page, live_server, member, _tracker(workspace))
    expect(page.locator("#timer-description")).to_be_focused()

    actions = Actions(page)
    actions.type("Design review")
    actions.press("Tab")  # to the project combobox
    actions.type("web")
    expect(page.locator(".ts-dropdown .option.active").first).to_contain_text("Website")
    actions.press("Enter")
    expect(page.locator("#timer-project")).to_have_value(website.pk)
    actions.press("Tab")  # to the tags combobox
    active = page.locator("#timer-tags-ts-dropdown .option.active")
    actions.type("ux")
    expect(active).to_have_text("ux")  # what a person sees before pressing Enter
    actions.press("Enter")
    actions.type("api")
    expect(active).to_have_text("api")
    actions.press("Enter")  # a second tag, no modifier keys
    expect(page.locator(".ts-wrapper.multi .item")).to_have_count(2)
    expect(page.locator(".ts-dropdown:visible")).to_have_count(0)
    actions.press("Enter")  # starts
    expect(page.locator("output.clock").first).to_be_visible()
    typed = len("Design review") + len("web") + len("ux") + len("api")
    assert actions.count == typed + 6

    running = _running(member)
    assert running is not None
    assert (running.description, running.project_id, running.billable) == (
        "Design review",
        website.pk,
        True,
    )
    assert sorted(t.name for t in running.tags.all()) == ["api", "ux"]


def test_enter_at_once_after_typing_picks_what_was_typed(page, live_server, workspace, member):
    """No waiting for the list between the keys, on a slow machine: Enter picks the match for
    everything typed, and no list opens again after the pick (Tom Select re-runs its focus
    handler in a timer, which used to reopen the tags list after Enter had closed it)."""
    ProjectFactory.create(workspace=workspace, name="Internal", billable=False)
    website = ProjectFactory.create(workspace=workspace, name="Website", billable=True)
    for name in ("ux", "urgent", "api"):
        TagFactory.create(workspace=workspace, name=name)
    log_in(page, live_server, member, _tracker(workspace))
    expect(page.locator("#timer-description")).to_be_focused()
    # A slow machine: timers fire late, after the next key is already being handled.
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 30})
    page.keyboard.press("Tab")
    page.keyboard.type("web")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("urg")  # "u" alone would put "ux" first
    page.keyboard.press("Enter")
    expect(page.locator("#timer-project")).to_have_value(str(website.pk))
    expect(page.locator(".ts-wrapper.multi .item")).to_have_count(1)
    expect(page.locator(".ts-wrapper.multi .item")).to_contain_text("urgent")
    expect(page.locator(".ts-dropdown:visible")).to_have_count(0)


def test_admins_create_a_tag_on_the_fly(page, live_server, workspace, admin):
    log_in(page, live_server, admin, _tracker(workspace))
    page.locator(".ts-control:has(#timer-tags-ts-control)").click()
    page.keyboard.type("research")
    create = page.locator(".ts-dropdown .create")
    expect(create).to_contain_text("research")
    page.keyboard.press("Enter")
    expect(page.locator(".ts-wrapper.multi .item")).to_contain_text(["research"])
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.locator("output.clock").first).to_be_visible()
    running = _running(admin)
    assert [t.name for t in running.tags.all()] == ["research"]


def test_shortcuts_overlay_and_the_timer_in_another_pages_header_and_title(
    page, live_server, workspace, member
):
    log_in(page, live_server, member, reverse("tracking:timesheet", kwargs={"ws": workspace.pk}))
    page.locator("body").click()
    page.keyboard.press("?")
    overlay = page.locator("dialog#shortcuts")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("Start the timer")
    page.keyboard.press("Escape")
    expect(overlay).to_be_hidden()

    page.keyboard.press("g")
    page.keyboard.press("h")  # to the tracker
    expect(page).to_have_url(re.compile(r"/tracker/$"))
    page.locator("#timer-description").fill("Support call")
    page.locator("body").click()
    page.keyboard.press("s")  # starts
    expect(page.locator(".timer-running")).to_contain_text("Support call")
    expect(page).to_have_title(re.compile(r"^\u25b6 0:00:\d\d \u00b7 Support call"))

    page.locator("h1").click()  # out of the description the tracker focuses
    page.keyboard.press("g")
    page.keyboard.press("t")
    expect(page).to_have_url(re.compile(r"/timesheet/"))
    header = page.locator("#header-timer")
    expect(header).to_contain_text("Support call")
    expect(page).to_have_title(re.compile(r"^\u25b6 0:00:\d\d \u00b7 Support call"))
    page.keyboard.press("s")  # stops, staying on the timesheet
    expect(page).to_have_url(re.compile(r"/timesheet/"))
    expect(page.locator("#header-timer")).to_have_count(0)
    assert _running(member) is None


def test_n_opens_the_manual_entry_form_here_or_on_the_tracker(page, live_server, workspace, member):
    log_in(page, live_server, member, reverse("tracking:timesheet", kwargs={"ws": workspace.pk}))
    page.locator("body").click()
    page.keyboard.press("n")  # the timesheet has no such form: to the tracker's, opened
    expect(page).to_have_url(re.compile(r"/tracker/#manual$"))
    manual = page.locator("details.manual")
    expect(manual).to_have_attribute("open", "")
    expect(manual.locator("input[name=description]")).to_be_focused()

    page.goto(live_server.url + reverse("tracking:tracker", kwargs={"ws": workspace.pk}))
    expect(page.locator("details.manual")).not_to_have_attribute("open", "")
    page.locator("h1").click()
    page.keyboard.press("n")  # the tracker's own form, without leaving the page
    expect(page.locator("details.manual")).to_have_attribute("open", "")
    expect(page.locator("details.manual input[name=description]")).to_be_focused()
