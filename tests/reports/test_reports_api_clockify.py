"""The Reports API read as Clockify reads it, for the bodies public Clockify scripts send:
dateRangeStart/dateRangeEnd as instants (sub-day windows, a local midnight written in UTC),
Clockify's entity `status` values, TIMEENTRY and three-level Summary groups, Clockify's
sortColumn and approvalState values, and the 1000-row pageSize limit."""

# ruff: noqa: F811  (the `weeks` fixture is imported from the approval tests and used as a parameter)
from __future__ import annotations

import datetime as dt

import pytest

from tests.api.conftest import api_client_for
from tests.reports.entries import entry
from tests.reports.test_approval_filter import weeks  # noqa: F401
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from workspaces.models import Membership

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOV = {"dateRangeStart": "2026-11-01T00:00:00Z", "dateRangeEnd": "2026-11-30T23:59:59.999Z"}


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    settings.API_THROTTLE_RATE_PER_SECOND = 0


def post(client, workspace, report, body):
    return client.post(
        f"/reports/v1/workspaces/{workspace.pk}/reports/{report}", body, format="json"
    )


def ignored(response) -> set[str]:
    return {name.strip() for name in response["X-Ignored-Fields"].split(",")}


@pytest.fixture
def new_york_day(workspace, owner):
    """The owner in New York; entries around 30 November (New York: UTC-5)."""
    owner.time_zone = "America/New_York"
    owner.save()
    at = {
        "before": dt.datetime(2026, 11, 30, 4, 30, tzinfo=UTC),  # 29 Nov, 23:30 in New York
        "morning": dt.datetime(2026, 11, 30, 10, 0, tzinfo=UTC),
        "evening": dt.datetime(2026, 11, 30, 20, 30, tzinfo=UTC),
        "late": dt.datetime(2026, 12, 1, 4, 30, tzinfo=UTC),  # 30 Nov, 23:30 in New York
        "after": dt.datetime(2026, 12, 1, 5, 30, tzinfo=UTC),  # 1 Dec, 00:30 in New York
    }
    return {
        name: entry(workspace, owner, start, 600, description=name) for name, start in at.items()
    }


def test_date_ranges_are_instants_not_whole_days(workspace, owner, new_york_day):
    api = api_client_for(owner)

    def names(start, end):
        body = {"dateRangeStart": start, "dateRangeEnd": end, "sortOrder": "ASCENDING"}
        response = post(api, workspace, "detailed", body)
        assert response.status_code == 200, response.content
        return [e["description"] for e in response.json()["timeentries"]]

    # An hour of the day is that hour, not the day.
    assert names("2026-11-30T20:00:00Z", "2026-11-30T21:00:00Z") == ["evening"]
    # New York's 30 November written in UTC is that one day, not two.
    new_york = ["morning", "evening", "late"]
    assert names("2026-11-30T05:00:00Z", "2026-12-01T04:59:59.999Z") == new_york
    assert names("2026-11-30T00:00:00-05:00", "2026-11-30T23:59:59.999-05:00") == new_york
    assert names("2026-11-30", "2026-11-30") == new_york  # a bare date: the caller's day
    # Both ends are included.
    assert names("2026-11-30T10:00:00Z", "2026-11-30T20:30:00Z") == ["morning", "evening"]
    assert names("2026-11-30T10:00:00.001Z", "2026-11-30T20:29:59Z") == []
    # A date-time without an offset is the caller's wall clock (New York: 15:00 is 20:00Z).
    assert names("2026-11-30T15:00:00", "2026-11-30T16:00:00") == ["evening"]
    assert names("2026-11-30T00:00:00.000", "2026-11-30T23:59:59.999") == new_york
    response = post(
        api,
        workspace,
        "detailed",
        {"dateRangeStart": "2026-11-30T21:00:00Z", "dateRangeEnd": "2026-11-30T20:00:00Z"},
    )
    assert response.status_code == 400 and "before dateRangeStart" in response.json()["message"]


def test_summary_and_weekly_of_a_partial_day(workspace, owner, new_york_day):
    api = api_client_for(owner)
    window = {"dateRangeStart": "2026-11-30T20:00:00Z", "dateRangeEnd": "2026-12-01T05:00:00Z"}
    data = post(api, workspace, "summary", {**window, "summaryFilter": {"groups": ["DATE"]}})
    assert data.status_code == 200, data.content
    # Grouped by the caller's days: evening and late on the 30th (New York), nothing else.
    assert [(g["_id"], g["duration"]) for g in data.json()["groupOne"]] == [("2026-11-30", 1200)]
    assert data.json()["totals"][0]["entriesCount"] == 2
    # The Weekly report is the whole week holding dateRangeStart (Monday 30 November).
    weekly = post(api, workspace, "weekly", window).json()
    [row] = weekly["groupOne"]
    assert row["days"][0] == {"date": "2026-11-30", "duration": 1800}
    assert row["days"][1] == {"date": "2026-12-01", "duration": 600}
    ending_at_midnight = {**window, "dateRangeEnd": "2026-12-07T00:00:00-05:00"}
    assert post(api, workspace, "weekly", ending_at_midnight).status_code == 200
    past_the_week = {**window, "dateRangeEnd": "2026-12-07T00:00:01-05:00"}
    assert post(api, workspace, "weekly", past_the_week).status_code == 400


PUBLIC_SCRIPT_BODY = {
    "sortOrder": "ASCENDING",
    "rounding": True,
    "amounts": [],
    "zoomLevel": "MONTH",
    "summaryFilter": {"sortColumn": "GROUP", "groups": ["PROJECT", "TIMEENTRY"]},
}


def entries_on_3_november(workspace, *rows):
    """One entry per (user, seconds, project, description), all on 3 November."""
    start = dt.datetime(2026, 11, 3, 9, tzinfo=UTC)
    for user, seconds, project, description in rows:
        entry(workspace, user, start, seconds, project=project, description=description)


def test_a_public_scripts_summary_body(workspace, owner, member):
    website = ProjectFactory(workspace=workspace, name="Website")
    entries_on_3_november(
        workspace,
        (owner, 3600, website, "Design"),
        (owner, 1800, website, "Design"),
        (owner, 600, website, ""),
        (owner, 900, None, "Mail"),
        (member, 7200, website, "Design"),
    )
    body = {
        **NOV,
        **PUBLIC_SCRIPT_BODY,
        "users": {
            "contains": "CONTAINS",
            "ids": [owner.pk],
            "status": "ACTIVE_WITH_PENDING",
            "numberOfDeleted": 0,
        },
    }
    response = post(api_client_for(owner), workspace, "summary", body)
    assert response.status_code == 200, response.content
    assert {"users.status", "users.numberOfDeleted", "amounts", "zoomLevel"} <= ignored(response)
    groups = response.json()["groupOne"]
    assert [(g["name"], g["duration"]) for g in groups] == [
        ("Website", 6000),
        ("Without project", 900),
    ]
    # TIMEENTRY: entries with the same description together; none is the "Without" group.
    assert [(c["_id"], c["name"], c["duration"]) for c in groups[0]["children"]] == [
        ("Design", "Design", 5400),
        (None, "Without description", 600),
    ]
    assert [c["name"] for c in groups[1]["children"]] == ["Mail"]


def test_three_levels_of_groups(workspace, owner, admin):
    website = ProjectFactory(workspace=workspace, name="Website")
    app = ProjectFactory(workspace=workspace, name="App")
    entries_on_3_november(
        workspace,
        (owner, 3600, website, "Design"),
        (owner, 1200, website, "Build"),
        (admin, 600, website, "Design"),
        (admin, 300, app, "Design"),
    )
    body = {**NOV, "summaryFilter": {"groups": ["PROJECT", "USER", "TIMEENTRY"]}}
    response = post(api_client_for(owner), workspace, "summary", body)
    assert response.status_code == 200, response.content
    data = response.json()

    def tree(groups):
        return [(g["name"], g["duration"], tree(g["children"])) for g in groups]

    assert tree(data["groupOne"]) == [
        ("App", 300, [("Adam Admin", 300, [("Design", 300, [])])]),
        (
            "Website",
            5400,
            [
                ("Adam Admin", 600, [("Design", 600, [])]),
                ("Olivia Owner", 4800, [("Build", 1200, []), ("Design", 3600, [])]),
            ],
        ),
    ]
    assert data["totals"][0]["totalTime"] == 5700


def test_three_levels_under_a_tag_count_an_entry_once_above_it(workspace, owner):
    website = ProjectFactory(workspace=workspace, name="Website")
    urgent, design = (TagFactory(workspace=workspace, name=n) for n in ("urgent", "design"))
    start = dt.datetime(2026, 11, 3, 9, tzinfo=UTC)
    entry(workspace, owner, start, 3600, project=website, tags=[urgent, design], description="A")
    body = {**NOV, "summaryFilter": {"groups": ["PROJECT", "TIMEENTRY", "TAG"]}}
    data = post(api_client_for(owner), workspace, "summary", body).json()
    [project] = data["groupOne"]
    assert project["duration"] == 3600
    [description] = project["children"]
    assert description["duration"] == 3600  # once, though it has two tags
    assert sorted((t["name"], t["duration"]) for t in description["children"]) == [
        ("design", 3600),
        ("urgent", 3600),
    ]


def test_entity_status_values_are_accepted_and_named_as_ignored(workspace, owner, member):
    archived = ProjectFactory(workspace=workspace, name="Old", archived=True)
    start = dt.datetime(2026, 11, 3, 9, tzinfo=UTC)
    old = entry(workspace, member, start, 600, project=archived)
    Membership.objects.filter(workspace=workspace, user=member).update(
        status=Membership.Status.INACTIVE
    )
    api = api_client_for(owner)
    for filters in (
        {"users": {"ids": [member.pk], "status": "ACTIVE"}},
        {"users": {"ids": [member.pk], "status": "INACTIVE"}},
        {"users": {"ids": [member.pk], "status": "PENDING"}},
        {"users": {"ids": [member.pk], "status": "ACTIVE_WITH_PENDING"}},
        {"projects": {"ids": [archived.pk], "status": "ACTIVE"}},
        {"projects": {"ids": [archived.pk], "status": "ARCHIVED"}},
        {"clients": {"ids": [], "status": "ACTIVE"}},
        {"tags": {"ids": [], "status": "ARCHIVED"}},
        {"tasks": {"ids": [], "status": "DONE"}},
    ):
        response = post(api, workspace, "detailed", {**NOV, **filters})
        assert response.status_code == 200, (filters, response.content)
        # No effect: an inactive member's time on an archived project is still reported.
        assert [e["_id"] for e in response.json()["timeentries"]] == [old.pk]
        [kind] = filters
        assert f"{kind}.status" in ignored(response)
    response = post(api, workspace, "detailed", {**NOV, "projects": {"ids": [], "status": "ALL"}})
    assert "X-Ignored-Fields" not in response


def test_clockify_sort_columns(workspace, owner, admin):
    start = dt.datetime(2026, 11, 3, 9, tzinfo=UTC)
    made = [
        entry(workspace, owner, start, 600, description="b"),
        entry(workspace, admin, start + dt.timedelta(hours=1), 600, description="c"),
        entry(workspace, owner, start + dt.timedelta(hours=2), 600, description="a"),
    ]
    api = api_client_for(owner)

    def order(column, sort_order="ASCENDING"):
        body = {**NOV, "detailedFilter": {"sortColumn": column}, "sortOrder": sort_order}
        response = post(api, workspace, "detailed", body)
        assert response.status_code == 200, response.content
        return [e["description"] for e in response.json()["timeentries"]]

    assert order("DESCRIPTION") == ["a", "b", "c"]
    assert order("DESCRIPTION", "DESCENDING") == ["c", "b", "a"]
    assert order("ID") == [e.description for e in sorted(made, key=lambda e: e.pk)]
    assert order("DATE") == order("ZONED_DATE") == order("NATURAL") == ["b", "c", "a"]
    assert order("USER_DATE") == order("USER") == ["c", "b", "a"]  # Adam, then Olivia's two


def test_approval_state_unapproved(workspace, owner, weeks):
    body = {
        "dateRangeStart": "2026-11-01T00:00:00Z",
        "dateRangeEnd": "2026-11-30T23:59:59.999Z",
        "approvalState": "UNAPPROVED",
    }
    response = post(api_client_for(owner), workspace, "detailed", body)
    assert response.status_code == 200, response.content
    got = {e["_id"] for e in response.json()["timeentries"]}
    assert got == {weeks[k].pk for k in ("m2", "m3", "a1", "a2")}
    approved = post(
        api_client_for(owner), workspace, "detailed", {**body, "approvalState": "APPROVED"}
    )
    assert {e["_id"] for e in approved.json()["timeentries"]} == {weeks["m1"].pk}


def test_page_size_is_at_most_1000_as_in_clockify(workspace, owner):
    api = api_client_for(owner)
    ok = post(api, workspace, "detailed", {**NOV, "detailedFilter": {"pageSize": 1000}})
    assert ok.status_code == 200
    refused = post(api, workspace, "detailed", {**NOV, "detailedFilter": {"pageSize": 5000}})
    assert refused.status_code == 400
    assert "pageSize is at most 1000" in refused.json()["message"]
