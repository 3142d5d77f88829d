"""In a browser: an admin turns on "Send approved time on a schedule" on Settings > Integrations
(weekly, Friday, 17:00 in the workspace's time zone), reads when it runs next, sees a run in the
list and opens its send, whose page says the schedule started it; then turns it off. Members
never see the setting."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from quickbooks_sync.models import SendSchedule
from quickbooks_sync.services.schedule import send_schedules_run_due
from tests.browser_session import log_in
from tests.browser_session import screenshot
from tests.quickbooks_sync.connection_helpers import stored_connection
from tests.quickbooks_sync.send_helpers import entry
from tests.quickbooks_sync.test_schedule import approve
from tests.quickbooks_sync.test_schedule import link
from tests.quickbooks_sync.test_schedule import linked_project
from workspaces.models import AuditLog
from workspaces.models import Workspace

pytestmark = [pytest.mark.browser]


def test_an_admin_turns_the_schedule_on_and_off(
    live_server, page, workspace, owner, admin, member
) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(time_zone="Europe/Berlin")
    stored_connection(workspace)
    integrations = reverse("quickbooks:integrations", kwargs={"ws": workspace.pk})
    log_in(page, live_server, admin, integrations)
    section = page.locator("#qbo-schedule")
    expect(section.locator("#schedule-off")).to_contain_text("only when an admin presses Send")
    section.get_by_label("Send approved time automatically").check()
    section.locator("#schedule-frequency").select_option("WEEKLY")
    section.locator("#schedule-weekday").select_option(label="Friday")
    section.locator("#schedule-hour").select_option(label="17:00")
    section.get_by_role("button", name="Save schedule").click()
    expect(page.locator(".messages")).to_contain_text(
        "Approved time will be sent to QuickBooks every Friday at 17:00 (Europe/Berlin)."
    )
    on = page.locator("#schedule-on")
    expect(on).to_contain_text("every Friday at 17:00 (Europe/Berlin)")
    expect(on).to_contain_text("Turned on by Adam Admin")
    expect(on.get_by_test_id("schedule-next")).to_contain_text(
        re.compile(r"Fri \d{4}-\d\d-\d\d 17:00")
    )
    expect(section.get_by_label("Send approved time automatically")).to_be_checked()
    saved = SendSchedule.objects.get(workspace=workspace)
    assert (saved.enabled, saved.frequency, saved.weekday, saved.hour) == (True, "WEEKLY", 4, 17)
    assert AuditLog.objects.filter(event="quickbooks.send_schedule_set", actor=admin).exists()

    # A run (as the beat would start it on a Friday at 17:00 Berlin) in the list; its send's
    # page says the schedule started it.
    project = linked_project(workspace)
    link(workspace, member)
    at = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
    entry(workspace, member, start=at, seconds=3600, project=project, description="Design")
    approve(workspace, owner, member)
    SendSchedule.objects.filter(pk=saved.pk).update(
        active_since=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    friday = dt.datetime(2026, 12, 11, 16, 2, tzinfo=dt.UTC)
    assert len(send_schedules_run_due(now=friday)) == 1
    page.reload()
    runs = page.locator("#schedule-runs")
    expect(runs.locator('tr[data-outcome="STARTED"]')).to_contain_text("Fri 2026-12-11")
    page.set_viewport_size({"width": 1440, "height": 900})
    screenshot(page, "schedule-integrations-1440.png")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "schedule-integrations-390.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    runs.get_by_role("link", name="Queued: 0 of 1 sent").click()
    expect(page.get_by_test_id("started-by-schedule")).to_have_text("by the schedule")
    expect(page.locator("#send-started")).to_contain_text("the run of Fri 2026-12-11")
    screenshot(page, "schedule-job-1440.png")

    page.goto(live_server.url + integrations)
    section.get_by_label("Send approved time automatically").uncheck()
    section.get_by_role("button", name="Save schedule").click()
    expect(page.locator(".messages")).to_contain_text("Scheduled sending is off")
    expect(page.locator("#schedule-off")).to_be_visible()
    assert not SendSchedule.objects.get(workspace=workspace).enabled

    # A member has no Integrations tab and no schedule.
    page.context.clear_cookies()
    log_in(page, live_server, member, reverse("tracking:tracker", kwargs={"ws": workspace.pk}))
    expect(page.locator("#qbo-schedule")).to_have_count(0)
    response = page.goto(live_server.url + integrations)
    assert response is not None and response.status == 403
