"""The catalog in a real browser: create a client and a project through the pages, see a clear
error for a duplicate, and filter the project list live (htmx) by typing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_session import log_in
from tracking.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_client_and_project_then_filter_live(live_server, page, workspace, owner):
    log_in(page, live_server, owner)
    ws = workspace.pk

    page.goto(live_server.url + reverse("tracking:clients", kwargs={"ws": ws}))
    page.locator("#new-client-name").fill("  Acme Corp ")
    page.get_by_role("button", name="Add client").click()
    page.get_by_text("Client “Acme Corp” created.").wait_for()
    page.locator("#new-client-name").fill("Acme Corp")
    page.get_by_role("button", name="Add client").click()
    page.get_by_text("A client named “Acme Corp” already exists").wait_for()

    page.goto(live_server.url + reverse("tracking:projects", kwargs={"ws": ws}))
    page.get_by_text("New project").click()
    page.locator("#new-project-name").fill("Website redesign")
    page.locator("#new-project-client").select_option(label="Acme Corp")
    page.locator("#new-project-hourly_rate").fill("95")
    page.get_by_label("Private (project members)").check()
    page.get_by_role("button", name="Create project").click()
    page.get_by_role("heading", name="Website redesign").wait_for()
    project = Project.objects.get(workspace=workspace, name="Website redesign")
    assert (project.client.name, project.hourly_rate_cents, project.is_public) == (
        "Acme Corp",
        9500,
        False,
    )
    # The creator of a private project is on it.
    assert page.locator("#member-" + owner.pk).is_visible()

    page.goto(live_server.url + reverse("tracking:projects", kwargs={"ws": ws}))
    page.get_by_text("New project").click()
    page.locator("#new-project-name").fill("Internal")
    page.get_by_role("button", name="Create project").click()
    page.get_by_role("heading", name="Internal").wait_for()

    page.goto(live_server.url + reverse("tracking:projects", kwargs={"ws": ws}))
    assert page.locator("#list tbody tr").count() == 2
    page.get_by_label("Search by name").fill("web")
    # A locator, not wait_for_function: the Content-Security-Policy forbids the eval it needs.
    expect(page.locator("#list tbody tr")).to_have_count(1)
    assert "q=web" in page.url  # the filtered list has its own address (back button, sharing)
    assert "Website redesign" in page.locator("#list").inner_text()
