"""Public Clockify clients from PyPI, unmodified, against a live server: only their base URL
changes (each client's own way of setting it) and the key is one of ours.

- clockify-sdk 0.2.2: users, workspaces, clients, projects, tasks and time entries through
  create, read, update and delete, the in-progress list, and both reports.
- clockify-export 0.3.0: its export of a workspace's entries to monthly CSV files.
- clockify-timesheet 0.5.1: its Detailed-report fetch and its Excel timesheet.

tap-clockify (1.0.7, the newest) cannot take part: it requires Python < 3.10 (this project is
3.11) and its URLs are written into the code (https://api.clockify.me/...), so no setting
points it elsewhere. Its stream schemas' expectations (strings, not nulls, for clientId and a
task's estimate; the singular /workspace/{ws}/users path) are tested in
test_clockify_parity.py.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.api.conftest import api_key_for
from tests.tracking.factories import TagFactory
from tests.tracking.factories import ago
from tracking.models import Client
from tracking.models import Project
from tracking.models import Task
from tracking.models import TimeEntry
from workspaces.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def key(owner, settings) -> str:
    settings.API_THROTTLE_RATE_PER_SECOND = 0
    return api_key_for(owner)


def test_clockify_sdk_create_read_update_delete(live_server, monkeypatch, key, workspace, owner):
    from clockify_sdk import Clockify
    from clockify_sdk.config import Config

    monkeypatch.setattr(Config, "BASE_URL", f"{live_server.url}/api/v1")
    monkeypatch.setattr(Config, "REPORTS_URL", f"{live_server.url}/reports/v1")
    clockify = Clockify(key)  # reads /user and picks the first workspace
    assert clockify.workspace_id == workspace.pk and clockify.user_id == owner.pk
    assert [u["id"] for u in clockify.users.get_all()] == [owner.pk]
    assert clockify.users.get_by_id(owner.pk)["email"] == owner.email

    # clients: the SDK sends email, address and note, with nulls for what it leaves alone
    client = clockify.clients.create("Acme", email="ap@acme.example", address="1 Main St")
    assert (client["email"], client["address"], client["note"]) == (
        "ap@acme.example",
        "1 Main St",
        "",
    )
    renamed = clockify.clients.update(client["id"], name="Acme Inc")
    assert (renamed["name"], renamed["email"]) == ("Acme Inc", "ap@acme.example")
    assert clockify.clients.get_by_id(client["id"])["name"] == "Acme Inc"

    # projects: created with clientId, note and color null; a PUT of every field
    project = clockify.projects.create("Apollo", billable=True)
    assert (project["clientId"], project["clientName"], project["billable"]) == ("", "", True)
    updated = clockify.projects.update(project["id"], client_id=client["id"], note="Phase 1")
    assert (updated["clientName"], updated["note"], updated["billable"]) == (
        "Acme Inc",
        "Phase 1",
        True,
    )
    assert project["id"] in [p["id"] for p in clockify.projects.get_all()]

    # tasks: an ISO 8601 estimate, assigneeIds and userGroupIds null
    task = clockify.tasks.create(project["id"], "Design", estimate="PT2H30M")
    assert (task["estimate"], task["assigneeIds"], task["duration"]) == ("PT2H30M", [], "PT0S")
    task = clockify.tasks.update(project["id"], task["id"], name="Design v2", status="DONE")
    assert (task["name"], task["status"], task["estimate"]) == ("Design v2", "DONE", "PT2H30M")
    assert [t["name"] for t in clockify.projects.get_tasks(project["id"])] == ["Design v2"]
    clockify.tasks.delete(project["id"], task["id"])
    assert not Task.objects.exists()

    # time entries: the SDK sends the legacy `tags` (null) beside the rest
    start = ago(hours=3)
    entry = clockify.time_entries.create(
        start, start + dt.timedelta(hours=1), project_id=project["id"], description="Kick-off"
    )
    assert entry["timeInterval"]["duration"] == "PT1H" and entry["projectId"] == project["id"]
    # (a PUT replaces the project, task and tags, as Clockify's does: the SDK sends them again)
    entry = clockify.time_entries.update(
        entry["id"],
        start=start,
        end=start + dt.timedelta(minutes=90),
        project_id=project["id"],
        description="Kick-off!",
    )
    assert (entry["description"], entry["timeInterval"]["duration"]) == ("Kick-off!", "PT1H30M")
    assert clockify.time_entries.get_by_id(entry["id"])["description"] == "Kick-off!"
    listed = clockify.time_entries.get_by_user_id(owner.pk, start=start - dt.timedelta(hours=1))
    assert [e["id"] for e in listed] == [entry["id"]]
    assert clockify.time_entries.get_all_in_progress() == []

    detailed = clockify.reports.get_detailed(start - dt.timedelta(days=1), timezone.now())
    assert [e["_id"] for e in detailed["timeentries"]] == [entry["id"]]
    summary = clockify.reports.get_summary(start - dt.timedelta(days=1), timezone.now())
    assert [g["name"] for g in summary["groupOne"]] == ["Apollo"]  # groups null: by project

    # A time entry's delete answers 204 with no body, as Clockify's does; clockify-sdk 0.2.2
    # parses every answer as JSON, so its delete raises on Clockify itself too, after the
    # entry is gone.
    with pytest.raises(json.JSONDecodeError):
        clockify.time_entries.delete(entry["id"])
    assert not TimeEntry.objects.exists()
    clockify.projects.delete(project["id"])
    clockify.clients.delete(client["id"])
    assert not Project.objects.exists() and not Client.objects.exists()
    clockify.close()


def _entries(workspace, owner):
    from tracking.services import catalog
    from tracking.services import entries

    actor = Membership.objects.get(user=owner, workspace=workspace)
    client = catalog.client_create(actor=actor, name="Acme")
    project = catalog.project_create(actor=actor, name="Apollo", client=client)
    task = catalog.task_create(actor=actor, project=project, name="Design")
    tag = TagFactory(workspace=workspace, name="urgent")
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    entries.time_entry_create(
        membership=actor,
        start=start,
        end=start + dt.timedelta(minutes=90),
        project_id=project.pk,
        task_id=task.pk,
        tag_ids=[tag.pk],
        description="Wireframes",
    )
    entries.time_entry_create(
        membership=actor,
        start=start + dt.timedelta(days=1),
        end=start + dt.timedelta(days=1, hours=2),
    )


def test_clockify_export_writes_the_workspaces_entries(
    live_server, key, workspace, owner, tmp_path
):
    from clockify_export.api import ClockifyAPI
    from clockify_export.export import export_workspace

    _entries(workspace, owner)
    api = ClockifyAPI(key, base_url=f"{live_server.url}/api/v1")
    (listed,) = api.get_workspaces()
    counts, latest = export_workspace(
        api, listed["id"], listed["name"], tmp_path, since=None, use_cache=False
    )
    assert counts == {"2026-03": 2}
    assert latest == dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC)
    (csv_file,) = tmp_path.rglob("*.csv")
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert "Apollo" in lines[1] and "Acme" in lines[1] and "Design" in lines[1]
    assert "urgent" in lines[1] and "1.5" in lines[1] and "Wireframes" in lines[1]


def test_clockify_timesheet_builds_its_excel_timesheet(
    live_server, monkeypatch, key, workspace, owner, tmp_path
):
    from clockify_timesheet import build_excel
    from clockify_timesheet import client
    from clockify_timesheet import group_entries
    from clockify_timesheet import parse_entries

    _entries(workspace, owner)
    monkeypatch.setattr(client, "BASE_URL", f"{live_server.url}/api/v1")
    monkeypatch.setattr(client, "REPORT_URL", f"{live_server.url}/reports/v1")
    timesheet = client.ClockifyClient(api_key=key)
    chosen = timesheet.get_default_workspace()
    assert chosen["id"] == workspace.pk
    entries = timesheet.fetch_entries(
        "2026-03-01T00:00:00.000Z", "2026-03-31T23:59:59.999Z", workspace_id=chosen["id"]
    )
    assert len(entries) == 2
    path = tmp_path / "march.xlsx"
    build_excel(
        group_entries(entries), path, "2026-03-01", "2026-03-31", detail_rows=parse_entries(entries)
    )
    values = {
        str(cell.value)
        for sheet in load_workbook(path).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    assert {"Apollo", "Wireframes"} <= values
