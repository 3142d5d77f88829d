"""POST /reports/v1/workspaces/{ws}/reports/weekly: the Weekly report over the API in Clockify's
dialect. Rows by day against an independent computation (rounding per entry, amounts), the
caller's week, a member sees only their own time, each exportType parsed back, bad bodies."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import defaultdict

import pytest

from tests.api.conftest import api_client_for
from tests.factories import rounding_on
from tests.reports.exports import hms
from tests.reports.exports import pdf_text
from tests.reports.exports import sheet_parts
from tests.reports.test_weekly import MONDAY
from tests.reports.test_weekly import entry
from tests.tracking.factories import ProjectFactory

pytestmark = pytest.mark.django_db

WEEK = {"dateRangeStart": "2026-03-02T00:00:00Z", "dateRangeEnd": "2026-03-08T23:59:59.999Z"}
DAYS = [(MONDAY + dt.timedelta(days=i)).isoformat() for i in range(7)]


def post(client, workspace, body):
    return client.post(f"/reports/v1/workspaces/{workspace.pk}/reports/weekly", body, format="json")


def at(day, hour=9):
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(hour), tzinfo=dt.UTC)


def test_rows_by_day_match_an_independent_computation(workspace, owner, admin, member):
    rounding_on(workspace, "UP", 6)
    rng = random.Random(5)
    users = [owner, admin, member]
    seconds_by: dict = defaultdict(lambda: [0] * 7)
    cents_by: dict = defaultdict(lambda: [0] * 7)
    for _ in range(25):
        user, day = rng.choice(users), rng.randrange(7)
        seconds, rate, billable = (
            rng.randrange(30, 3 * 3600),
            rng.choice([0, 4500]),
            rng.random() < 0.7,
        )
        entry(
            workspace,
            user,
            at(day, rng.randrange(7, 20)),
            seconds,
            billable=billable,
            hourly_rate_cents=rate,
            currency="USD",
        )
        rounded = -(-seconds // 360) * 360
        seconds_by[user.pk][day] += rounded
        cents_by[user.pk][day] += (rounded * rate + 1800) // 3600 if billable else 0
    entry(workspace, owner, dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), 3600)  # week before
    entry(workspace, owner, dt.datetime(2026, 3, 9, 12, tzinfo=dt.UTC), 3600)  # week after

    client = api_client_for(owner)
    response = post(client, workspace, WEEK)
    assert response.status_code == 200, response.content
    data = response.json()
    got = {g["_id"]: g for g in data["groupOne"]}
    assert set(got) == set(seconds_by)
    for user_id, days in seconds_by.items():
        group = got[user_id]
        assert set(group) == {
            "_id",
            "name",
            "duration",
            "billableDuration",
            "amount",
            "amountByCurrency",
            "days",
        }
        assert [d["date"] for d in group["days"]] == DAYS
        assert [d["duration"] for d in group["days"]] == days
        assert group["duration"] == sum(days)
        assert group["amount"] == sum(cents_by[user_id])
    assert data["totals"][0]["totalTime"] == sum(map(sum, seconds_by.values()))
    assert data["totals"][0]["totalAmount"] == sum(map(sum, cents_by.values()))

    earned = post(client, workspace, {**WEEK, "weeklyFilter": {"subgroup": "EARNED"}}).json()
    for group in earned["groupOne"]:
        assert [d["amount"] for d in group["days"]] == cents_by[group["_id"]]
        assert "duration" not in group["days"][0]


def test_any_day_names_the_callers_week_and_projects_as_rows(workspace, owner):
    owner.week_start = 6  # Sunday: the week of Wednesday 2026-03-04 is 03-01 .. 03-07
    owner.save()
    website = ProjectFactory(workspace=workspace, name="Website")
    entry(workspace, owner, dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), 1200, project=website)
    entry(workspace, owner, dt.datetime(2026, 3, 7, 12, tzinfo=dt.UTC), 600)
    entry(workspace, owner, dt.datetime(2026, 3, 8, 12, tzinfo=dt.UTC), 3600)  # next week
    body = {
        "dateRangeStart": "2026-03-04",
        "dateRangeEnd": "2026-03-05",
        "weeklyFilter": {"group": "PROJECT"},
    }
    data = post(api_client_for(owner), workspace, body).json()
    rows = {g["name"]: [d["duration"] for d in g["days"]] for g in data["groupOne"]}
    assert data["groupOne"][0]["days"][0]["date"] == "2026-03-01"
    assert rows == {"Website": [1200, *[0] * 6], "Without project": [*[0] * 6, 600]}
    assert data["totals"][0]["totalTime"] == 1800


def test_filters_apply_and_a_member_sees_only_their_own_time(workspace, owner, member):
    website = ProjectFactory(workspace=workspace, name="Website")
    entry(workspace, member, at(0), 600, project=website)
    entry(workspace, member, at(1), 900)
    entry(workspace, owner, at(0), 7200, project=website)
    data = post(api_client_for(member), workspace, WEEK).json()
    assert [g["_id"] for g in data["groupOne"]] == [member.pk]
    assert data["totals"][0]["totalTime"] == 1500
    # Asking for the owner's entries does not widen a member's view.
    body = {**WEEK, "users": {"ids": [owner.pk]}}
    assert post(api_client_for(member), workspace, body).json()["groupOne"] == []
    body = {**WEEK, "projects": {"ids": [website.pk]}}
    data = post(api_client_for(owner), workspace, body).json()
    assert {g["_id"]: g["duration"] for g in data["groupOne"]} == {owner.pk: 7200, member.pk: 600}


def test_outsider_gets_404(workspace, outsider):
    assert post(api_client_for(outsider), workspace, WEEK).status_code == 404


def test_each_export_type_is_the_weeks_file(workspace, owner):
    entry(workspace, owner, at(0), 3600)
    entry(workspace, owner, at(2), 1800)
    client = api_client_for(owner)

    response = post(client, workspace, {**WEEK, "exportType": "CSV"})
    assert response.status_code == 200 and response.streaming
    assert 'filename="weekly-report-2026-03-02.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["Member", *DAYS, "Total"]
    assert rows[1] == [
        owner.full_name,
        "1:00:00",
        "0:00:00",
        "0:30:00",
        *["0:00:00"] * 4,
        hms(5400),
    ]

    response = post(client, workspace, {**WEEK, "exportType": "XLSX"})
    _, header, table, _ = sheet_parts(response, "Member")
    assert header[1].startswith("Mon 2026-03-02") and header[-2] == "Total"
    assert table[-1][0] == "Total" and table[-1][-2] == dt.timedelta(seconds=5400)
    assert table[-1][-1] == 1.5  # decimal hours
    assert table[0][0] == owner.full_name and table[0][3] == dt.timedelta(seconds=1800)

    response = post(client, workspace, {**WEEK, "exportType": "PDF"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert owner.full_name in text and "1:30:00" in text and "Weekly report" in text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"dateRangeStart": "2026-03-02"}, "dateRangeEnd"),
        ({**WEEK, "dateRangeEnd": "2026-03-09T12:00:00Z"}, "covers one week (2026-03-02 to"),
        ({**WEEK, "dateRangeEnd": "2026-03-01"}, "before dateRangeStart"),
        ({"dateRangeStart": "9999-12-31", "dateRangeEnd": "9999-12-31"}, "between 1970 and"),
        ({"dateRangeStart": "2999-12-31", "dateRangeEnd": "2999-12-31"}, "week must lie between"),
        ({"dateRangeStart": "1970-01-01", "dateRangeEnd": "1970-01-01"}, "week must lie between"),
        ({**WEEK, "weeklyFilter": {"group": "TAG"}}, "weeklyFilter"),
        ({**WEEK, "weeklyFilter": {"subgroup": "COST"}}, "weeklyFilter"),
        ({**WEEK, "weeklyFilter": {"subgroup": "EARNED"}, "exportType": "CSV"}, "show time"),
        ({**WEEK, "weeklyFilter": {"group": None, "subgroup": 1}}, "weeklyFilter"),
        ({**WEEK, "exportType": "HTML"}, "exportType"),
        ({**WEEK, "users": {"ids": ["nope"]}}, "is not a member id"),
    ],
)
def test_bad_bodies_are_a_400_with_a_message(workspace, owner, body, message):
    response = post(api_client_for(owner), workspace, body)
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["code"] and message in data["message"], data


@pytest.mark.parametrize("time_zone", ["America/New_York", "Europe/Berlin", "Asia/Tokyo"])
def test_the_usual_utc_week_body_names_that_week_in_any_time_zone(workspace, owner, time_zone):
    """Scripts send the week as Monday 00:00Z to Sunday 23:59:59Z; it names that week for a
    caller on either side of UTC (read as instants, New York's would be the week before and
    Berlin's would run a day past its Sunday)."""
    owner.time_zone = time_zone
    owner.save()
    entry(workspace, owner, dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC), 1800)
    response = post(api_client_for(owner), workspace, WEEK)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert [d["date"] for d in data["groupOne"][0]["days"]] == DAYS
    assert data["totals"][0]["totalTime"] == 1800
