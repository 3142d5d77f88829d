"""A newcomer's first minutes, across the whole product, in a real browser: sign up, create a
client and a project, start the timer, stop it, edit the entry, and see it in the list with the
right duration and day total."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.tracking.factories import ago
from tracking.models import Client
from tracking.models import Project
from tracking.models import TimeEntry
from workspaces.models import Membership
from workspaces.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_then_track_time_on_a_new_project(page, live_server):
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("Full name").fill("Nora Newcomer")
    page.get_by_label("E-mail").fill("nora@example.com")
    page.get_by_label("Password").fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Sign up").click()
    # The landing page is the dashboard, empty for now.
    page.wait_for_url(re.compile(r"/w/[0-9a-f]{24}/dashboard/$"))
    user = User.objects.get(email="nora@example.com")
    membership = Membership.objects.get(user=user)
    assert membership.role == Membership.Role.OWNER
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("#no-time")).to_be_visible()
    page.get_by_role("link", name="Time tracker").click()
    expect(page.get_by_role("heading", name="Time tracker")).to_be_visible()

    # A client, then a project for it.
    page.get_by_role("link", name="Clients").click()
    page.get_by_label("Name").first.fill("Initech")
    page.get_by_role("button", name="Add client").click()
    expect(page.locator("table")).to_contain_text("Initech")
    assert Client.objects.filter(workspace=membership.workspace, name="Initech").exists()

    page.get_by_role("link", name="Projects").click()
    new_project = page.locator("#new-project")
    new_project.locator("summary").click()
    new_project.get_by_label("Name").fill("TPS Reports")
    new_project.get_by_label("Client").select_option(label="Initech")
    new_project.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="TPS Reports")).to_be_visible()  # its own page
    project = Project.objects.get(workspace=membership.workspace, name="TPS Reports")
    assert project.client and project.client.name == "Initech"

    # Start the timer on it, let "40 minutes" pass, stop it.
    page.get_by_role("link", name="Time tracker").click()
    page.get_by_placeholder("What are you working on?").fill("Cover sheets")
    page.locator("#timer-project").select_option(label="TPS Reports")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.locator("output.clock")).to_be_visible()
    running = TimeEntry.objects.get(user=user, end=None)
    assert running.project_id == project.id and running.billable  # billable by default
    TimeEntry.objects.filter(pk=running.pk).update(start=ago(minutes=40))
    page.get_by_role("button", name="Stop").click()
    row = page.locator(".entry").first
    expect(row).to_contain_text("Cover sheets")
    expect(row).to_contain_text("TPS Reports")
    expect(row.locator(".entry__duration")).to_have_text(re.compile(r"^0:40:0\d$"))

    # Edit it in place: a new description and 20 more minutes (an earlier start: a later end
    # would lie in the future, which the workspace refuses).
    entry = TimeEntry.objects.get(user=user)
    assert entry.end is not None
    row.locator(".entry__open").click()
    form = page.locator("form.entry--editing")
    form.get_by_label("Description").fill("Cover sheets for the TPS reports")
    local_start = timezone.localtime(entry.start, timezone.get_default_timezone())
    form.get_by_label("Start", exact=True).fill(
        (local_start - dt.timedelta(minutes=20)).strftime("%H:%M:%S")
    )
    form.get_by_role("button", name="Save").click()
    expect(page.locator("form.entry--editing")).to_have_count(0)

    row = page.locator(".entry").first
    expect(row).to_contain_text("Cover sheets for the TPS reports")
    expect(row.locator(".entry__duration")).to_have_text(re.compile(r"^1:00:0\d$"))
    expect(page.locator(".day-total").first).to_have_text(re.compile(r"1:00:0\d"))
    entry.refresh_from_db()
    assert entry.description == "Cover sheets for the TPS reports"
    assert entry.duration_seconds is not None and 3600 <= entry.duration_seconds < 3610
