"""Every page of the foundation as a person sees it in Chromium: it fits a phone's width, every
field has a label, ids are unique, and the header's workspace switcher works by keyboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_session import log_in
from tests.factories import MembershipFactory
from tests.factories import WorkspaceFactory
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from tests.tracking.factories import ago
from workspaces import services
from workspaces.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# What a page must not have: an input without a label, an id used twice, a page wider than
# the window (sideways scrolling of the whole page on a phone).
PAGE_PROBLEMS = """() => {
  const problems = [];
  document.querySelectorAll('input:not([type=hidden]), select, textarea').forEach((e) => {
    const named = (e.labels && e.labels.length) || e.getAttribute('aria-label')
      || e.getAttribute('aria-labelledby');
    if (!named) problems.push('no label: ' + e.outerHTML.slice(0, 120));
  });
  const seen = {};
  document.querySelectorAll('[id]').forEach((e) => { seen[e.id] = (seen[e.id] || 0) + 1; });
  Object.keys(seen).filter((k) => seen[k] > 1).forEach((k) => problems.push('id twice: ' + k));
  if (document.documentElement.scrollWidth > window.innerWidth) {
    problems.push('page wider than the window: ' + document.documentElement.scrollWidth);
  }
  return problems;
}"""


@pytest.fixture
def busy_workspace(workspace, owner, admin, member):
    """A workspace with something on every page: a client with a long name, a project with a
    task and a member rate, tags, a week of entries, a pending invitation."""
    client = ClientFactory.create(workspace=workspace, name="Harbor Logistics International")
    project = ProjectFactory.create(
        workspace=workspace, client=client, name="Warehouse management app", hourly_rate_cents=9000
    )
    TaskFactory.create(project=project, name="Deployment and rollout")
    TagFactory.create(workspace=workspace, name="meeting")
    start = ago(days=1)
    for day in range(5):
        TimeEntryFactory.create(
            workspace=workspace,
            user=owner,
            project=project,
            description="Planning the quarterly roadmap with the whole team",
            start=start - dt.timedelta(days=day),
            end=start - dt.timedelta(days=day) + dt.timedelta(hours=2),
        )
    services.invitation_create(
        actor=Membership.objects.get(workspace=workspace, user=owner),
        email="someone.with.a.long.address@example.com",
        role=Membership.Role.MEMBER,
    )
    return project


def page_urls(workspace, project):
    ws = {"ws": workspace.pk}
    return [
        reverse("tracking:tracker", kwargs=ws),
        reverse("tracking:timesheet", kwargs=ws),
        reverse("tracking:projects", kwargs=ws),
        reverse("tracking:project_detail", kwargs={**ws, "pk": project.pk}),
        reverse("tracking:clients", kwargs=ws),
        reverse("tracking:tags", kwargs=ws),
        reverse("workspaces:team", kwargs=ws),
        reverse("workspaces:settings", kwargs=ws),
        reverse("workspaces:settings_rounding", kwargs=ws),
        reverse("workspaces:settings_plan", kwargs=ws),
        reverse("quickbooks:integrations", kwargs=ws),
        reverse("workspaces:audit_log", kwargs=ws),
        reverse("workspaces:profile"),
        reverse("workspaces:workspace_create"),
    ]


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desk"])
def test_every_page_fits_and_labels_its_fields(
    page, live_server, workspace, owner, busy_workspace, viewport
):
    page.set_viewport_size(viewport)
    log_in(page, live_server, owner)
    problems = {}
    for url in page_urls(workspace, busy_workspace):
        page.goto(live_server.url + url)
        found = page.evaluate(PAGE_PROBLEMS)
        if found:
            problems[url] = found
    assert problems == {}


def test_logged_out_pages_fit_a_phone(page, live_server):
    page.set_viewport_size(PHONE)
    for name in ("login", "signup", "password_reset"):
        page.goto(live_server.url + reverse(f"workspaces:{name}"))
        expect(page.get_by_role("link", name="Timetracker")).to_be_visible()
        assert page.evaluate(PAGE_PROBLEMS) == []


def test_workspace_switcher_by_keyboard(page, live_server, workspace, owner):
    second = WorkspaceFactory(name="Side Project Ltd")
    MembershipFactory(workspace=second, user=owner, role=Membership.Role.OWNER)
    log_in(page, live_server, owner)
    # The timesheet: the tracker focuses its description on opening (issue 13's keyboard-first
    # start), so there the first Tab goes on from the description.
    page.goto(live_server.url + reverse("tracking:timesheet", kwargs={"ws": workspace.pk}))

    page.keyboard.press("Tab")  # the first stop skips to the content
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    switcher = page.locator("details.ws-switcher summary")
    switcher.focus()
    page.keyboard.press("Enter")
    other = page.get_by_role("link", name="Side Project Ltd")
    expect(other).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")  # closes the menu and returns to its button
    expect(other).to_be_hidden()
    expect(switcher).to_be_focused()

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(other).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/w/{second.pk}/tracker/")  # the switcher opens the tracker
    expect(page.locator("details.ws-switcher summary")).to_contain_text("Side Project Ltd")
