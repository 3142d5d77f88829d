"""POST /reports/v1/workspaces/{ws}/reports/summary: Clockify's Summary report over the API.
Groups and totals against an independent computation (rounding per entry), sorting, a member
sees only their own time, the CSV/XLSX/PDF exports, bad bodies and the outsider's 404."""

# ruff: noqa: F811  (the `dataset` fixture is imported from the Summary tests and used as a parameter)
from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import exports_office
from reports.summary import GroupBy
from tests.api.conftest import api_client_for
from tests.factories import rounding_on
from tests.reports.entries import entry
from tests.reports.exports import pdf_text
from tests.reports.exports import sheet_parts
from tests.reports.test_summary import by_hand
from tests.reports.test_summary import dataset  # noqa: F401
from tests.reports.test_summary import keys_of
from tests.tracking.factories import ProjectFactory

pytestmark = pytest.mark.django_db

MARCH = {"dateRangeStart": "2026-03-01T00:00:00Z", "dateRangeEnd": "2026-03-31T23:59:59.999Z"}


def post(client, workspace, body):
    return client.post(
        f"/reports/v1/workspaces/{workspace.pk}/reports/summary", body, format="json"
    )


def expected_tree(entries, first, second):
    """{first key: {"duration", "amount", "children": {second key: duration}}} by hand."""
    tree: dict = defaultdict(
        lambda: {"duration": 0, "billable": 0, "amount": 0, "children": defaultdict(int)}
    )
    for e in entries:
        rounded = by_hand(e.duration_seconds)
        amount = (rounded * e.hourly_rate_cents + 1800) // 3600 if e.billable else 0
        for key in keys_of(e, first):
            node = tree[key or None]
            node["duration"] += rounded
            node["billable"] += rounded if e.billable else 0
            node["amount"] += amount
            for sub in keys_of(e, second) if second else ():
                node["children"][sub or None] += rounded
    return tree


@pytest.mark.parametrize(
    ("groups", "first", "second"),
    [
        (["PROJECT", "USER"], GroupBy.PROJECT, GroupBy.MEMBER),
        (["CLIENT", "TAG"], GroupBy.CLIENT, GroupBy.TAG),
        (["DATE"], GroupBy.DATE, None),
    ],
)
def test_groups_and_totals_match_an_independent_computation(
    workspace, owner, dataset, groups, first, second
):
    rounding_on(workspace, "NEAREST", 15)
    response = post(
        api_client_for(owner), workspace, {**MARCH, "summaryFilter": {"groups": groups}}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    want = expected_tree(dataset, first, second)
    got = {g["_id"]: g for g in data["groupOne"]}
    assert set(got) == set(want)
    for key, node in want.items():
        group = got[key]
        assert group["duration"] == node["duration"], key
        assert group["billableDuration"] == node["billable"], key
        assert group["amount"] == node["amount"], key
        assert group["amountByCurrency"] == (
            [{"currency": "USD", "amount": node["amount"]}] if node["billable"] else []
        )
        assert {c["_id"]: c["duration"] for c in group["children"]} == dict(node["children"])
        assert all(c["children"] == [] for c in group["children"])
    rounded = [by_hand(e.duration_seconds) for e in dataset]
    billed = [(r, e) for r, e in zip(rounded, dataset, strict=True) if e.billable]
    amount = sum((r * e.hourly_rate_cents + 1800) // 3600 for r, e in billed)
    [totals] = data["totals"]
    assert totals["totalTime"] == sum(rounded)
    assert totals["totalBillableTime"] == sum(r for r, _ in billed)
    assert totals["entriesCount"] == len(dataset) == 40  # April's entry is outside the range
    assert totals["totalAmount"] == amount
    if first == GroupBy.DATE:
        assert [g["_id"] for g in data["groupOne"]] == sorted(got)
        assert all(g["name"] == g["_id"] for g in data["groupOne"])


def test_names_default_grouping_and_sorting(workspace, owner, admin):
    website = ProjectFactory(workspace=workspace, name="Website")
    app = ProjectFactory(workspace=workspace, name="App")
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    entry(workspace, owner, start, 3600, project=website, hourly_rate_cents=1000)
    entry(workspace, admin, start, 600, project=app, hourly_rate_cents=100_000)
    entry(workspace, owner, start, 1800, project=None, billable=False)
    api = api_client_for(owner)

    data = post(api, workspace, MARCH).json()  # default: by project, names in order
    assert [(g["_id"], g["name"]) for g in data["groupOne"]] == [
        (app.pk, "App"),
        (website.pk, "Website"),
        (None, "Without project"),
    ]
    assert all(g["children"] == [] for g in data["groupOne"])

    body = {**MARCH, "summaryFilter": {"groups": ["PROJECT", "USER"], "sortColumn": "DURATION"}}
    data = post(api, workspace, body).json()
    assert [g["duration"] for g in data["groupOne"]] == [3600, 1800, 600]
    assert data["groupOne"][0]["children"][0]["name"] == "Olivia Owner"
    body["summaryFilter"]["sortColumn"] = "AMOUNT"
    data = post(api, workspace, body).json()
    assert [g["name"] for g in data["groupOne"]][:2] == ["App", "Website"]  # 166.67 > 10.00
    body["sortOrder"] = "ASCENDING"
    data = post(api, workspace, body).json()
    assert [g["name"] for g in data["groupOne"]] == ["Without project", "Website", "App"]
    body = {**MARCH, "summaryFilter": {"sortColumn": "GROUP"}, "sortOrder": "DESCENDING"}
    data = post(api, workspace, body).json()
    assert [g["name"] for g in data["groupOne"]] == ["Without project", "Website", "App"]


def test_filters_are_the_detailed_reports(workspace, owner, dataset):
    website = next(e.project for e in dataset if e.project and e.project.name == "Website")
    body = {
        **MARCH,
        "projects": {"ids": [website.pk], "contains": "CONTAINS", "status": "ALL"},
        "billable": True,
        "summaryFilter": {"groups": ["PROJECT"]},
    }
    data = post(api_client_for(owner), workspace, body).json()
    chosen = [e for e in dataset if e.project == website and e.billable]
    assert [g["_id"] for g in data["groupOne"]] == [website.pk]
    assert data["groupOne"][0]["duration"] == sum(e.duration_seconds for e in chosen)
    assert data["totals"][0]["entriesCount"] == len(chosen)


def test_a_member_sees_only_their_own_time(workspace, owner, member):
    project = ProjectFactory(workspace=workspace, name="Website")
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    entry(workspace, member, start, 1800, project=project)
    entry(workspace, owner, start, 7200, project=project)
    api = api_client_for(member)
    body = {**MARCH, "summaryFilter": {"groups": ["USER", "PROJECT"]}}
    data = post(api, workspace, body).json()
    assert [(g["_id"], g["duration"]) for g in data["groupOne"]] == [(member.pk, 1800)]
    assert data["totals"][0]["totalTime"] == 1800
    # Asking for the owner's time gets nothing, not the owner's entries.
    asked = {**body, "users": {"ids": [owner.pk]}}
    assert post(api, workspace, asked).json()["groupOne"] == []
    text = pdf_text(post(api, workspace, {**body, "exportType": "PDF"}).content)
    assert "Mia Member" in text and "Olivia" not in text


def test_exports(workspace, owner, dataset):
    api = api_client_for(owner)
    body = {**MARCH, "summaryFilter": {"groups": ["PROJECT", "USER"], "sortColumn": "DURATION"}}
    data = post(api, workspace, body).json()

    response = post(api, workspace, {**body, "exportType": "CSV"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].endswith('summary-report-2026-03-01-2026-03-31.csv"')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    firsts = [r["Group"] for r in rows if not r["Subgroup"]]
    assert firsts == [g["name"] for g in data["groupOne"]]  # in the API's sort order

    response = post(api, workspace, {**body, "exportType": "XLSX"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    _, header, rows, totals = sheet_parts(response, "Project")
    assert header[:2] == ["Project", "Member"]
    assert [r[0] for r in rows if r[1] is None] == [g["name"] for g in data["groupOne"]]
    total = data["totals"][0]["totalTime"]
    by_label = {r[0]: r for r in totals if r and r[0]}
    assert by_label["Total time"][2] == pytest.approx(total / 3600, abs=0.0001)
    assert by_label["Total time"][1] == dt.timedelta(seconds=total)  # a number, not text

    response = post(api, workspace, {**body, "exportType": "PDF"})
    assert response["Content-Type"] == exports_office.PDF_CONTENT_TYPE
    text = pdf_text(response.content)
    assert "Grouped by project, then by member" in text
    assert all(g["name"] in text for g in data["groupOne"])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"summaryFilter": {"groups": ["PROJECT", "USER", "TAG", "DATE"]}},
            "at most three levels",
        ),
        ({"summaryFilter": {"groups": []}}, "one to three groupings"),
        ({"summaryFilter": {"groups": ["USER", "USER"]}}, "different groupings"),
        ({"summaryFilter": {"groups": ["USER_GROUP"]}}, "not a valid choice"),
        (
            {"summaryFilter": {"groups": ["PROJECT", "USER", "TAG"]}, "exportType": "CSV"},
            "two levels",
        ),
        ({"summaryFilter": {"groups": "PROJECT"}}, "list"),
        ({"summaryFilter": {"sortColumn": "NAME"}}, "not a valid choice"),
        ({"summaryFilter": {"groups": [None]}}, "may not be null"),
        ({"dateRangeEnd": "2026-02-01T00:00:00Z"}, "before dateRangeStart"),
        ({"dateRangeStart": "yesterday"}, "ISO 8601"),
        ({"projects": {"ids": ["a" * 24]}}, "There is no project"),
        ({"exportType": "HTML"}, "not a valid choice"),
    ],
)
def test_bad_bodies_are_a_400_with_a_message(workspace, owner, body, message):
    response = post(api_client_for(owner), workspace, {**MARCH, **body})
    assert response.status_code == 400, response.content
    data = response.json()
    assert message in data["message"] and data["code"] == 400


def test_outsider_404_no_key_401_and_flat_queries(workspace, owner, outsider, dataset, client):
    assert post(api_client_for(outsider), workspace, MARCH).status_code == 404
    anonymous = client.post(
        f"/reports/v1/workspaces/{workspace.pk}/reports/summary",
        MARCH,
        content_type="application/json",
    )
    assert anonymous.status_code == 401 and anonymous.json()["code"] == 401
    api = api_client_for(owner)
    body = {**MARCH, "summaryFilter": {"groups": ["TASK", "TAG"]}}
    post(api, workspace, body)  # the key's first use records itself once
    with CaptureQueriesContext(connection) as queries:
        assert post(api, workspace, body).status_code == 200
    # The key, the membership, two aggregates (an entry counts once per tag), the task and
    # tag names, the totals: however many groups there are.
    assert len(queries) <= 7


def test_a_json_answer_too_large_asks_for_a_csv_export_instead(
    workspace, owner, dataset, monkeypatch
):
    """Three levels down to each description can be a group per entry: past the JSON answer's
    cap the API says so (400) and names the way out; the CSV export, which streams, has none."""
    monkeypatch.setattr("reports.apis.MAX_API_SUMMARY_ROWS", 3)
    client = api_client_for(owner)
    body = {**MARCH, "summaryFilter": {"groups": ["DATE", "USER", "TIMEENTRY"]}}
    refused = post(client, workspace, body)
    assert refused.status_code == 400
    assert "more than the 3 shown at once" in refused.json()["message"]
    assert "export it as CSV" in refused.json()["message"]
    two_levels = {**body, "summaryFilter": {"groups": ["DATE", "USER"]}, "exportType": "CSV"}
    exported = post(client, workspace, two_levels)
    assert exported.status_code == 200
    lines = b"".join(exported.streaming_content).decode()
    assert len(list(csv.reader(io.StringIO(lines)))) > 4
