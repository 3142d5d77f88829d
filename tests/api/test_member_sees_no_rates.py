"""Rates are for admins and the owner (README): a member sees none anywhere. These tests walk
every GET endpoint of the API schema and every page of the URL conf (their exports included) as
a member of a workspace where every level of the rate hierarchy holds a distinctive rate, and
look for a rate field with a value, or any of those rates, in what comes back. Amounts of the
member's own time stay (the reports promise them); every entry here lasts two hours, so an
amount is never one of the rates."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver
from drf_spectacular.generators import SchemaGenerator
from openpyxl import load_workbook

from tests.api.conftest import api_client_for
from tests.conftest import client_for
from tests.reports.exports import pdf_text
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import ProjectMemberFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from tracking.services.approvals import week_submit
from webhooks.models import Webhook
from workspaces.models import Membership

pytestmark = pytest.mark.django_db

# Every level of the hierarchy, in cents; none is the double of another or a sum of doubles.
RATES = {"workspace": 12_345, "member": 23_457, "project": 34_569, "project_member": 45_671}
RATES["task"] = 56_783
RATE_KEYS = {"hourlyRate", "costRate", "rate", "hourly_rate", "hourlyRateCents", "billableRate"}
MONDAY = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def _texts(cents: int) -> list[str]:
    return [f"{cents // 100}.{cents % 100:02d}", f"{cents // 100:,}.{cents % 100:02d}"]


@pytest.fixture
def rated(workspace, owner, member):
    """Rates at every level and the member's entries at each of them."""
    workspace.hourly_rate_cents = RATES["workspace"]
    workspace.save(update_fields=["hourly_rate_cents"])
    Membership.objects.filter(workspace=workspace, user=member).update(
        hourly_rate_cents=RATES["member"]
    )
    client = ClientFactory(workspace=workspace, name="Globex")
    project = ProjectFactory(
        workspace=workspace, client=client, name="Site", hourly_rate_cents=RATES["project"]
    )
    private = ProjectFactory(workspace=workspace, name="Private", is_public=False)
    ProjectMemberFactory(
        project=private, workspace=workspace, user=member, hourly_rate_cents=RATES["project_member"]
    )
    task = TaskFactory(
        workspace=workspace, project=project, name="Design", hourly_rate_cents=RATES["task"]
    )
    task.assignees.add(member)
    tag = TagFactory(workspace=workspace, name="urgent")
    entries = []
    for i, (proj, tsk, rate) in enumerate(
        [
            (None, None, RATES["member"]),
            (project, None, RATES["project"]),
            (private, None, RATES["project_member"]),
            (project, task, RATES["task"]),
        ]
    ):
        start = MONDAY + dt.timedelta(days=i)
        entry = TimeEntryFactory(
            workspace=workspace,
            user=member,
            project=proj,
            task=tsk,
            billable=True,
            description=f"Work {i}",
            start=start,
            seconds=7200,
            hourly_rate_cents=rate,
            tags=[tag],
        )
        entries.append(entry)
    TimeEntryFactory(  # a running timer
        workspace=workspace,
        user=member,
        project=project,
        start=MONDAY + dt.timedelta(days=14),
        end=None,
        duration_seconds=None,
        hourly_rate_cents=RATES["project"],
    )
    approval = week_submit(
        membership=Membership.objects.get(workspace=workspace, user=member),
        week_start=MONDAY.date(),
    )
    webhook = Webhook.objects.create(
        workspace=workspace,
        created_by=owner,
        name="Hook",
        url="https://example.com/h",
        event="NEW_TAG",
    )
    return {
        "ws": workspace.pk,
        "client": client,
        "project": project,
        "task": task,
        "tag": tag,
        "entry": entries[-1],
        "approval": approval,
        "webhook": webhook,
    }


def _leaks(data: Any, path: str = "") -> list[str]:
    """Rate fields holding a value, and numbers equal to one of the rates, anywhere in `data`."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in RATE_KEYS and value is not None:
                found.append(f"{path}.{key}={value!r}")
            found += _leaks(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _leaks(value, f"{path}[{i}]")
    elif (
        isinstance(data, int | float)
        and not isinstance(data, bool)
        and (data in RATES.values() or data * 100 in RATES.values())
    ):
        found.append(f"{path}={data!r}")
    return found


def _api_paths(rated, member) -> dict[str, str]:
    """Every GET path of the API schema with its parameters filled in from the data above."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    values = {
        "ws": rated["ws"],
        "user_id": member.pk,
        "entry_id": rated["entry"].pk,
        "task_id": rated["task"].pk,
        "job_id": "0123456789abcdef01234567",
    }
    by_resource = {"clients": "client", "projects": "project", "tags": "tag", "webhooks": "webhook"}
    paths = {}
    for template, operations in schema["paths"].items():
        if "get" not in operations:
            continue

        def fill(match: re.Match[str], template: str = template) -> str:
            name = match.group(1)
            if name == "id":
                resource = template[: match.start()].rstrip("/").rsplit("/", 1)[-1]
                return str(rated[by_resource[resource]].pk)
            assert name in values, f"no value for {{{name}}} in {template}: add one to this test"
            return str(values[name])

        paths[template] = re.sub(r"\{(\w+)\}", fill, template)
    return paths


def test_no_api_response_a_member_gets_holds_a_rate(rated, member, owner):
    api = api_client_for(member)
    answered = set()
    for template, path in _api_paths(rated, member).items():
        queries = [""]
        if template.endswith("/time-entries"):
            queries.append("?hydrated=true&start=2026-03-01T00:00:00Z")
        for query in queries:
            response = api.get(path + query)
            assert response.status_code in (200, 403), (path, response.status_code)
            if response.status_code == 200:
                answered.add(template)
                assert not _leaks(response.json()), (path + query, _leaks(response.json()))
    base = f"/reports/v1/workspaces/{rated['ws']}/reports"
    march = {"dateRangeStart": "2026-03-01T00:00:00Z", "dateRangeEnd": "2026-03-31T23:59:59Z"}
    for kind, extra in (
        ("detailed", {}),
        ("summary", {"summaryFilter": {"groups": ["PROJECT", "TASK"]}}),
        ("weekly", {"weeklyFilter": {"group": "PROJECT", "subgroup": "EARNED"}}),
    ):
        body = {**march, **extra}
        if kind == "weekly":
            body["dateRangeEnd"] = "2026-03-08T23:59:59Z"
            body["dateRangeStart"] = "2026-03-02T00:00:00Z"
        response = api.post(f"{base}/{kind}", body, format="json")
        assert response.status_code == 200, (kind, response.content[:300])
        assert not _leaks(response.json()), (kind, _leaks(response.json()))
        answered.add(kind)
    # The walk saw the endpoints that matter (a schema that lost them would pass vacuously).
    for must in (
        "/api/v1/user",
        "/api/v1/workspaces",
        "/api/v1/workspaces/{ws}",
        "/api/v1/workspaces/{ws}/users",
        "/api/v1/workspaces/{ws}/projects/{id}",
        "/api/v1/workspaces/{ws}/projects/{id}/tasks/{task_id}",
        "/api/v1/workspaces/{ws}/user/{user_id}/time-entries",
        "/api/v1/workspaces/{ws}/time-entries/{entry_id}",
        "detailed",
    ):
        assert must in answered, must
    # An admin still sees them (the walk would catch a rate hidden from everyone as well).
    admin_view = api_client_for(owner).get(f"/api/v1/workspaces/{rated['ws']}").json()
    assert admin_view["hourlyRate"] == {"amount": RATES["workspace"], "currency": "USD"}


def _page_patterns() -> list[tuple[str, list[str]]]:
    """(route, parameter names) of every page in the URL conf outside the API and admin."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                found.append((route, re.findall(r"<(?:\w+:)?(\w+)>", route)))

    walk(get_resolver().url_patterns, "/")
    return [
        (route, names)
        for route, names in found
        if not route.startswith(("/api/", "/reports/v1", "/admin/", "/static/"))
    ]


def _body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        return "\n".join(
            str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None
        )
    if "pdf" in kind:
        return pdf_text(content)
    return content.decode()


def test_no_page_or_export_a_member_opens_shows_a_rate(rated, member):
    browser = client_for(member)
    values = {
        "ws": rated["ws"],
        "pk": rated["project"].pk,
        "task_id": rated["task"].pk,
        "user_id": member.pk,
    }
    special = {  # pages whose `pk` is not a project's
        "/w/<str:ws>/tracker/entries/<str:pk>/": rated["entry"].pk,
        "/w/<str:ws>/reports/detailed/entries/<str:pk>/": rated["entry"].pk,
        "/w/<str:ws>/reports/detailed/entries/<str:pk>/edit/": rated["entry"].pk,
        "/w/<str:ws>/tracker/entries/<str:pk>/edit/": rated["entry"].pk,
        "/w/<str:ws>/approvals/<str:pk>/": rated["approval"].pk,
    }
    queries = {
        "reports/detailed": "start=2026-03-01&end=2026-03-31",
        "reports/summary": "start=2026-03-01&end=2026-03-31&group=project&sub_group=task",
        "reports/weekly": "week=2026-03-02",
        "tracker/": "",
        "timesheet/": "week=2026-03-02",
    }
    rate_texts = [t for cents in RATES.values() for t in _texts(cents)]
    seen = []
    for route, names in _page_patterns():
        if set(names) - set(values):
            continue
        path = route
        for name in names:
            value = special.get(route) if name == "pk" and route in special else values[name]
            path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
        query = next((q for key, q in queries.items() if key in route), "")
        response = browser.get(path + (f"?{query}" if query else ""))
        if response.status_code != 200:
            continue
        text = _body_text(response)
        leaked = [t for t in rate_texts if t in text]
        assert not leaked, (path, leaked)
        if "application/json" in response.get("Content-Type", ""):
            assert not _leaks(json.loads(text)), path
        seen.append(route)
    for must in (
        "/w/<str:ws>/tracker/",
        "/w/<str:ws>/projects/<str:pk>/",
        "/w/<str:ws>/reports/detailed/",
        "/w/<str:ws>/reports/detailed/export.csv",
        "/w/<str:ws>/reports/detailed/export.xlsx",
        "/w/<str:ws>/reports/detailed/export.pdf",
        "/w/<str:ws>/reports/summary/export.xlsx",
        "/w/<str:ws>/reports/weekly/",
    ):
        assert must in seen, (must, seen)
