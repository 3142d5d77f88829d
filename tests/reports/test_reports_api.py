"""POST /reports/v1/workspaces/{ws}/reports/detailed: Clockify's Detailed report over the API.
Fields and formats, filters, paging, totals against the page's selectors, exports, roles, the
outsider's 404 and bad bodies."""

# ruff: noqa: F811  (the `entries` fixture is imported from the CSV tests and used as a parameter)
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from reports.filters import parse_detailed_filters
from reports.selectors import Sort
from reports.selectors import SortKey
from reports.selectors import detailed_entries
from reports.selectors import detailed_totals
from tests.api.conftest import api_client_for
from tests.reports.entries import entry
from tests.reports.exports import pdf_text
from tests.reports.exports import workbook_rows
from tests.reports.test_detailed_csv import entries  # noqa: F401
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TimeEntryFactory
from workspaces.models import Membership

pytestmark = pytest.mark.django_db

MARCH = {"dateRangeStart": "2026-03-01T00:00:00Z", "dateRangeEnd": "2026-03-31T23:59:59.999Z"}


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    settings.API_THROTTLE_RATE_PER_SECOND = 0


def url(workspace) -> str:
    return f"/reports/v1/workspaces/{workspace.pk}/reports/detailed"


def post(client: APIClient, workspace, body: dict):
    return client.post(url(workspace), body, format="json")


def march_filters(user):
    return parse_detailed_filters({"start": ["2026-03-01"], "end": ["2026-03-31"]}, user=user)


def test_fields_formats_and_totals_match_the_selectors(workspace, owner, entries):
    api = api_client_for(owner)
    response = post(api, workspace, {**MARCH, "detailedFilter": {"page": 1, "pageSize": 200}})
    assert response.status_code == 200, response.content
    data = response.json()
    membership = Membership.objects.get(workspace=workspace, user=owner)
    expected = list(detailed_entries(membership=membership, filters=march_filters(owner)))
    totals = detailed_totals(membership=membership, filters=march_filters(owner))
    assert [e["_id"] for e in data["timeentries"]] == [e.pk for e in expected]
    assert len(expected) == 63
    assert data["totals"] == [
        {
            "_id": "",
            "totalTime": totals.total_seconds,
            "totalBillableTime": totals.billable_seconds,
            "entriesCount": 63,
            "totalAmount": totals.amounts[0].cents,
            "totalAmountByCurrency": [{"currency": "USD", "amount": totals.amounts[0].cents}],
        }
    ]
    # Totals are sums of the rounded entries (6 minutes up in the fixture).
    assert sum(e["timeInterval"]["duration"] for e in data["timeentries"]) == totals.total_seconds
    assert all(e["timeInterval"]["duration"] % 360 == 0 for e in data["timeentries"])
    assert sum(e["amount"] for e in data["timeentries"]) == totals.amounts[0].cents

    one = next(e for e in data["timeentries"] if e["projectId"] and e["tags"])
    model = next(e for e in expected if e.pk == one["_id"])
    assert set(one) >= {
        "_id", "description", "userId", "userName", "userEmail", "billable", "projectId",
        "projectName", "clientId", "clientName", "taskId", "taskName", "tags", "isLocked",
        "timeInterval", "rate", "amount",
    }  # fmt: skip
    assert one["userName"] == model.user.full_name and one["userEmail"] == model.user.email
    assert one["projectName"] == "Website" and one["clientName"] == "Acme, Inc."
    assert one["clientId"] == model.project.client_id
    assert one["tags"] == [{"_id": model.tags.get().pk, "name": "urgent"}]
    assert one["timeInterval"]["start"] == model.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert one["timeInterval"]["end"].endswith("Z")
    assert one["rate"] == model.hourly_rate_cents
    assert one["amount"] == (model.report_amount_cents if model.billable else 0)
    unbilled = next(e for e in data["timeentries"] if not e["billable"])
    assert unbilled["amount"] == 0
    bare = next(e for e in data["timeentries"] if not e["projectId"])
    assert bare["projectName"] is None and bare["clientId"] is None and bare["taskId"] is None


def test_paging_and_a_page_past_the_end(workspace, owner, entries):
    api = api_client_for(owner)
    seen = []
    for page in (1, 2, 3):
        body = {**MARCH, "detailedFilter": {"page": page, "pageSize": 25}}
        data = post(api, workspace, body).json()
        assert data["totals"][0]["entriesCount"] == 63  # totals cover the whole set
        seen.append([e["_id"] for e in data["timeentries"]])
    assert [len(p) for p in seen] == [25, 25, 13]
    assert len({i for p in seen for i in p}) == 63
    past = post(api, workspace, {**MARCH, "detailedFilter": {"page": 4, "pageSize": 25}}).json()
    assert past["timeentries"] == [] and past["totals"][0]["entriesCount"] == 63
    default = post(api, workspace, MARCH).json()
    assert len(default["timeentries"]) == 50
    largest = post(api, workspace, {**MARCH, "detailedFilter": {"pageSize": 1000}})
    assert largest.status_code == 200 and len(largest.json()["timeentries"]) == 63
    excluded = post(api, workspace, {**MARCH, "detailedFilter": {"options": {"totals": "EXCLUDE"}}})
    assert excluded.json()["totals"] == []


def test_queries_do_not_grow_with_the_page_size(workspace, owner, entries):
    api = api_client_for(owner)
    post(api, workspace, MARCH)  # the key's first use records itself once
    counts = []
    for size in (5, 60):
        with CaptureQueriesContext(connection) as queries:
            response = post(api, workspace, {**MARCH, "detailedFilter": {"pageSize": size}})
        assert len(response.json()["timeentries"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_sorting(workspace, owner, entries):
    api = api_client_for(owner)
    membership = Membership.objects.get(workspace=workspace, user=owner)
    for column, key in (("DURATION", SortKey.DURATION), ("DATE", SortKey.DATE)):
        for order in ("ASCENDING", "DESCENDING"):
            body = {**MARCH, "detailedFilter": {"sortColumn": column, "pageSize": 100}}
            data = post(api, workspace, {**body, "sortOrder": order}).json()
            sort = Sort(key=key, descending=order == "DESCENDING")
            rows = detailed_entries(membership=membership, filters=march_filters(owner), sort=sort)
            assert [e["_id"] for e in data["timeentries"]] == [e.pk for e in rows]
    durations = [
        e["timeInterval"]["duration"]
        for e in post(
            api, workspace, {**MARCH, "detailedFilter": {"sortColumn": "DURATION", "pageSize": 100}}
        ).json()["timeentries"]
    ]
    assert durations == sorted(durations, reverse=True)


def test_filters(workspace, owner, member, entries):
    api = api_client_for(owner)

    def ids(body):
        response = post(api, workspace, {**MARCH, "detailedFilter": {"pageSize": 200}, **body})
        assert response.status_code == 200, response.content
        return {e["_id"] for e in response.json()["timeentries"]}

    urgent = entries[1].tags.get()
    website = entries[1].project
    assert ids({"users": {"ids": [member.pk], "contains": "CONTAINS", "status": "ALL"}}) == {
        e.pk for e in entries if e.user_id == member.pk
    }
    assert ids({"projects": {"ids": [website.pk]}}) == {
        e.pk for e in entries if e.project_id == website.pk
    }
    assert ids({"projects": {"ids": ["none"]}}) == {e.pk for e in entries if not e.project_id}
    assert ids({"clients": {"ids": [website.client_id]}}) == {e.pk for e in entries if e.project_id}
    tagged = {e.pk for i, e in enumerate(entries) if i % 2}
    assert ids({"tags": {"ids": [urgent.pk], "contains": "CONTAINS"}}) == tagged
    assert (
        ids({"tags": {"ids": [urgent.pk], "contains": "DOES_NOT_CONTAIN"}})
        == {e.pk for e in entries} - tagged
    )
    assert ids({"billable": False}) == {e.pk for e in entries if not e.billable}
    assert ids({"billable": None}) == {e.pk for e in entries}
    assert ids({"description": "SAID"}) == {e.pk for e in entries if "Said" in e.description}
    combined = ids({"billable": True, "users": {"ids": [owner.pk]}, "description": "plain"})
    assert combined == {
        e.pk for e in entries if e.billable and e.user_id == owner.pk and e.description == "plain"
    }
    assert combined
    assert ids({"approvalState": "ALL", "rounding": True}) == {e.pk for e in entries}


def test_bare_dates_are_whole_days_of_the_viewer(workspace, owner):
    owner.time_zone = "Europe/Berlin"
    owner.save()
    api = api_client_for(owner)
    late = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)  # 3 March, 00:30 in Berlin
    late_entry = TimeEntryFactory(
        workspace=workspace, user=owner, start=late, end=late + dt.timedelta(hours=1)
    )

    def ids(start, end):
        body = {"dateRangeStart": start, "dateRangeEnd": end}
        return [e["_id"] for e in post(api, workspace, body).json()["timeentries"]]

    assert ids("2026-03-02", "2026-03-02") == []
    assert ids("2026-03-03", "2026-03-03") == [late_entry.pk]
    assert ids("2026-03-02", "2026-03-03") == [late_entry.pk]  # bare dates: both days included
    # Date-times are instants, whatever the viewer's zone.
    assert ids("2026-03-02T00:00:00Z", "2026-03-02T23:59:59.999Z") == [late_entry.pk]
    assert ids("2026-03-03T00:00:00Z", "2026-03-03T23:59:59.999Z") == []


def test_a_member_sees_only_their_own(workspace, member, entries):
    data = post(api_client_for(member), workspace, {**MARCH, "detailedFilter": {"pageSize": 200}})
    assert data.status_code == 200
    got = data.json()
    own = [e for e in entries if e.user_id == member.pk]
    assert {e["_id"] for e in got["timeentries"]} == {e.pk for e in own}
    assert got["totals"][0]["entriesCount"] == len(own)


def test_outsider_other_workspace_and_anonymous(
    workspace, outsider, other_workspace, owner, entries
):
    outsider_api = api_client_for(outsider)
    response = post(outsider_api, workspace, MARCH)
    assert response.status_code == 404
    assert response.json() == {"message": response.json()["message"], "code": 404}
    # Ids of another workspace are refused, not silently matched to nothing.
    foreign = ProjectFactory(workspace=other_workspace)
    response = post(api_client_for(owner), workspace, {**MARCH, "projects": {"ids": [foreign.pk]}})
    assert response.status_code == 400
    assert foreign.pk in response.json()["message"]
    anonymous = post(APIClient(), workspace, MARCH)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == 401


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, "dateRangeStart"),
        ({"dateRangeStart": "2026-03-01T00:00:00Z"}, "dateRangeEnd"),
        ({**MARCH, "dateRangeStart": "yesterday"}, "ISO 8601"),
        ({**MARCH, "dateRangeStart": "2026-02-30T00:00:00Z"}, "ISO 8601"),
        ({"dateRangeStart": "2026-03-31", "dateRangeEnd": "2026-03-01"}, "before"),
        ({**MARCH, "detailedFilter": {"page": 0}}, "page"),
        ({**MARCH, "detailedFilter": {"pageSize": "50"}}, "pageSize"),
        ({**MARCH, "detailedFilter": {"sortColumn": "COLOR"}}, "sortColumn"),
        ({**MARCH, "detailedFilter": {"options": {"totals": "MAYBE"}}}, "totals"),
        ({**MARCH, "users": {"ids": ["nope"]}}, "not a member id"),
        ({**MARCH, "users": {"ids": ["a" * 24], "contains": "DOES_NOT_CONTAIN"}}, "only tags"),
        ({**MARCH, "tags": {"ids": [], "status": "DELETED"}}, "status"),
        ({**MARCH, "users": {"ids": [], "status": "ARCHIVED"}}, "status"),
        ({**MARCH, "detailedFilter": {"pageSize": 1001}}, "at most 1000"),
        ({**MARCH, "billable": "yes"}, "billable"),
        ({**MARCH, "exportType": "DOCX"}, "exportType"),
        ({**MARCH, "sortOrder": "UP"}, "sortOrder"),
        ({**MARCH, "billable": "yes", "billabel": True}, "billable"),
        ({**MARCH, "approvalState": "MAYBE"}, "approvalState"),
    ],
)
def test_bad_bodies_are_400_with_a_message(workspace, owner, body, words):
    response = post(api_client_for(owner), workspace, body)
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["code"] == 400
    assert words in data["message"]


def test_exports_through_the_api(workspace, owner, entries):
    api = api_client_for(owner)
    body = {**MARCH, "billable": True, "detailedFilter": {"page": 1, "pageSize": 5}}
    billable = [e for e in entries if e.billable]
    totals = post(api, workspace, body).json()["totals"][0]

    csv_response = post(api, workspace, {**body, "exportType": "CSV"})
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    text = b"".join(csv_response.streaming_content).decode()
    lines = list(csv.DictReader(io.StringIO(text)))
    assert len(lines) == len(billable)  # the whole set, not the page

    xlsx = post(api, workspace, {**body, "exportType": "XLSX"})
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].endswith('.xlsx"')
    _, rows, after = workbook_rows(xlsx)
    assert len(rows) == len(billable)
    seconds = totals["totalTime"]
    total_time = next(r for r in after if r and r[0] == "Total time")
    assert total_time[1] == dt.timedelta(seconds=seconds)  # a number Excel sums, not text

    pdf = post(api, workspace, {**body, "exportType": "PDF"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert f"{workspace.name}" in pdf_text(pdf.content)


def test_rate_amount_and_tags_of_one_entry_in_cents(workspace, owner):
    acme = ClientFactory(workspace=workspace)
    project = ProjectFactory(workspace=workspace, client=acme)
    tag = TagFactory(workspace=workspace)
    start = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
    entry(workspace, owner, start, 5400, project=project, hourly_rate_cents=10000, tags=[tag])
    data = post(api_client_for(owner), workspace, MARCH).json()
    (row,) = data["timeentries"]
    assert row["rate"] == 10000 and row["amount"] == 15000
    assert row["timeInterval"]["duration"] == 5400
    assert row["tags"] == [{"_id": tag.pk, "name": tag.name}]
    assert data["totals"][0]["totalAmount"] == 15000


def test_an_admin_sees_everyones_entries(workspace, admin, owner, member, entries):
    data = post(api_client_for(admin), workspace, {**MARCH, "detailedFilter": {"pageSize": 200}})
    assert data.status_code == 200
    got = data.json()
    assert {e["_id"] for e in got["timeentries"]} == {e.pk for e in entries}
    assert {e["userId"] for e in got["timeentries"]} == {owner.pk, member.pk}


def test_a_members_pdf_holds_only_their_own_entries(workspace, member, owner, entries):
    body = {**MARCH, "exportType": "PDF"}
    text = pdf_text(post(api_client_for(member), workspace, body).content)
    assert member.full_name in text
    assert owner.full_name not in text
