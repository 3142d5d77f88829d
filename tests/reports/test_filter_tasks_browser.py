"""The report filter's Tasks select in a real browser: it lists nothing until projects are
chosen, choosing projects loads their tasks (htmx), a task chosen that way filters the report,
and the link it makes shows that task chosen when opened again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_session import log_in
from tests.reports.entries import entry
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choosing_projects_loads_their_tasks_and_a_chosen_task_filters(
    page, live_server, workspace, owner
):
    website = ProjectFactory(workspace=workspace, name="Website")
    internal = ProjectFactory(workspace=workspace, name="Internal")
    design = TaskFactory(workspace=workspace, project=website, name="Design")
    TaskFactory(workspace=workspace, project=website, name="Build")
    TaskFactory(workspace=workspace, project=internal, name="Hiring")
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    for i, task in enumerate([design, None]):
        s = start + dt.timedelta(days=i)
        entry(workspace, owner, s, 3600, project=website, task=task, description=f"Work {i}")
    detailed = reverse("reports:detailed", kwargs={"ws": workspace.pk})
    log_in(page, live_server, owner, f"{detailed}?range=custom&start=2026-03-01&end=2026-03-31")
    tasks = page.locator("#f-task")
    expect(tasks).to_be_disabled()
    expect(page.locator("#f-task-hint")).to_have_text("Choose projects to list their tasks.")

    page.locator("#f-project").select_option([website.pk])
    expect(tasks).to_be_enabled()
    expect(tasks.locator("option")).to_have_text(["Build · Website", "Design · Website"])
    expect(page.locator("#f-task-hint")).to_have_count(0)
    tasks.select_option([design.pk])
    page.locator("#f-project").select_option([website.pk, internal.pk])  # the choice stays
    expect(tasks.locator("option")).to_have_count(3)
    expect(tasks.locator("option:checked")).to_have_text(["Design · Website"])

    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#report-table tbody tr")).to_have_count(1)
    expect(page.locator("#report-table tbody tr")).to_contain_text("Work 0")
    assert f"task={design.pk}" in page.url

    # The link alone, as someone it was sent to opens it: the task shows chosen.
    page.goto(
        f"{live_server.url}{detailed}?range=custom&start=2026-03-01&end=2026-03-31&task={design.pk}"
    )
    expect(tasks.locator("option:checked")).to_have_text(["Design · Website"])
    expect(page.locator("#report-table tbody tr")).to_have_count(1)
