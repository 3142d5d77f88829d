"""The Weekly report: members (or projects) by the seven days of the viewer's week, row, day and
week totals rounded per entry, who sees what, a flat query count, and the CSV parsed back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
from collections import defaultdict

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.factories import rounding_on
from tests.query_counts import assert_queries_flat
from tests.reports.exports import hms
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TimeEntryFactory

pytestmark = pytest.mark.django_db

# Monday 2026-03-02 .. Sunday 2026-03-08
MONDAY = dt.date(2026, 3, 2)


def url(workspace, query="", name="reports:weekly"):
    base = reverse(name, kwargs={"ws": workspace.pk})
    return f"{base}?{query}" if query else base


def entry(workspace, user, start, seconds, **kwargs):
    return TimeEntryFactory(workspace=workspace, user=user, start=start, seconds=seconds, **kwargs)


def seconds_of(text):
    h, m, s = (int(x) for x in text.split(":"))
    return h * 3600 + m * 60 + s


def export(client, workspace, query):
    response = client.get(url(workspace, query, "reports:weekly_csv"))
    assert response.status_code == 200 and response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_members_by_day_match_an_independent_computation(
    workspace, owner, admin, member, owner_client
):
    rounding_on(workspace, "UP", 6)
    rng = random.Random(3)
    users = [owner, admin, member]
    expected: dict = defaultdict(lambda: [0] * 7)
    for _ in range(30):
        user = rng.choice(users)
        day = rng.randrange(7)
        seconds = rng.randrange(30, 3 * 3600)
        start = dt.datetime.combine(MONDAY, dt.time(8), tzinfo=dt.UTC) + dt.timedelta(
            days=day, minutes=rng.randrange(600)
        )
        entry(workspace, user, start, seconds)
        expected[user.full_name][day] += -(-seconds // 360) * 360  # up to 6 minutes
    # Outside the week: the Sunday before and the Monday after.
    entry(workspace, owner, dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), 3600)
    entry(workspace, owner, dt.datetime(2026, 3, 9, 12, tzinfo=dt.UTC), 3600)

    rows = export(owner_client, workspace, "week=2026-03-04")  # a Wednesday: its week
    assert rows[0] == ["Member", *(str(MONDAY + dt.timedelta(days=i)) for i in range(7)), "Total"]
    got = {r[0]: [seconds_of(c) for c in r[1:]] for r in rows[1:-1]}
    assert got == {name: [*days, sum(days)] for name, days in expected.items()}
    day_totals = [sum(days[i] for days in expected.values()) for i in range(7)]
    assert rows[-1] == ["Total", *(hms(s) for s in day_totals), hms(sum(day_totals))]
    # Rows in name order.
    assert [r[0] for r in rows[1:-1]] == sorted(expected)

    html = owner_client.get(url(workspace, "week=2026-03-04")).content.decode()
    assert f'id="week-total">{hms(sum(day_totals))}<' in html
    assert 'id="rounding-note"' in html


def test_the_week_starts_on_the_viewers_week_start(workspace, owner, owner_client):
    owner.week_start = 6  # Sunday
    owner.save()
    saturday = dt.datetime(2026, 3, 7, 12, tzinfo=dt.UTC)
    sunday_before = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    entry(workspace, owner, saturday, 600)
    entry(workspace, owner, sunday_before, 1200)
    entry(workspace, owner, dt.datetime(2026, 3, 8, 12, tzinfo=dt.UTC), 3600)  # next week
    rows = export(owner_client, workspace, "week=2026-03-04")
    assert rows[0][1] == "2026-03-01" and rows[0][7] == "2026-03-07"
    assert rows[1] == ["Olivia Owner", "0:20:00", *["0:00:00"] * 5, "0:10:00", "0:30:00"]


def test_projects_as_rows(workspace, owner, owner_client):
    website = ProjectFactory(workspace=workspace, name="Website")
    start = dt.datetime.combine(MONDAY, dt.time(9), tzinfo=dt.UTC)
    entry(workspace, owner, start, 3600, project=website)
    entry(workspace, owner, start + dt.timedelta(days=1), 1800)
    rows = export(owner_client, workspace, "week=2026-03-02&by=project")
    assert rows[0][0] == "Project"
    assert rows[1] == ["Website", "1:00:00", *["0:00:00"] * 6, "1:00:00"]
    assert rows[2] == ["Without project", "0:00:00", "0:30:00", *["0:00:00"] * 5, "0:30:00"]


def test_member_sees_only_their_own_row(workspace, owner, member, member_client):
    start = dt.datetime.combine(MONDAY, dt.time(9), tzinfo=dt.UTC)
    entry(workspace, member, start, 600)
    entry(workspace, owner, start, 7200)
    html = member_client.get(url(workspace, "week=2026-03-02")).content.decode()
    assert "Mia Member" in html and "Olivia Owner" not in html
    assert 'id="week-total">0:10:00<' in html
    rows = export(member_client, workspace, "week=2026-03-02")
    assert [r[0] for r in rows[1:]] == ["Mia Member", "Total"]


def test_outsider_gets_404_and_entries_of_other_workspaces_never_count(
    workspace, owner, owner_client, outsider, other_workspace, outsider_client
):
    for name in ("reports:weekly", "reports:weekly_csv"):
        assert outsider_client.get(url(workspace, name=name)).status_code == 404
    entry(other_workspace, outsider, dt.datetime.combine(MONDAY, dt.time(9), tzinfo=dt.UTC), 60)
    rows = export(owner_client, workspace, "week=2026-03-02")
    assert rows[1:] == [["Total", *["0:00:00"] * 7, "0:00:00"]]


def test_bad_week_or_rows_are_a_400_with_the_reason(workspace, owner_client):
    response = owner_client.get(url(workspace, "week=2026-13-01"))
    assert response.status_code == 400
    assert "The week must be a date like" in response.content.decode()
    # Past the report's dates (9999-12-31 plus six days once overflowed into a 500).
    for week in ("9999-12-31", "2999-12-31", "1970-01-01", "0001-01-01"):
        response = owner_client.get(url(workspace, f"week={week}"))
        assert response.status_code == 400, week
        assert "The week must lie between 1970-01-01 and 2999-12-31" in response.content.decode()
        for export_name in ("reports:weekly_csv", "reports:weekly_xlsx", "reports:weekly_pdf"):
            response = owner_client.get(url(workspace, f"week={week}", export_name))
            assert response.status_code == 400 and b"The week must lie" in response.content
    response = owner_client.get(url(workspace, "by=tag"))
    assert response.status_code == 400 and "members or projects" in response.content.decode()
    assert owner_client.get(url(workspace, "by=tag", "reports:weekly_csv")).status_code == 400


def test_previous_and_next_week_links(workspace, owner_client):
    html = owner_client.get(url(workspace, "week=2026-03-04&by=project")).content.decode()
    assert re.search(r'href="\?week=2026-02-23&amp;by=project" rel="prev"', html)
    assert re.search(r'href="\?week=2026-03-09&amp;by=project" rel="next"', html)


def test_query_count_is_flat_in_the_number_of_rows(workspace, owner, owner_client):
    start = dt.datetime.combine(MONDAY, dt.time(9), tzinfo=dt.UTC)

    def make(n):
        for i in range(n):
            user = UserFactory()
            MembershipFactory(workspace=workspace, user=user)
            entry(workspace, user, start + dt.timedelta(days=i % 7), 600)

    make(2)
    assert_queries_flat(owner_client, url(workspace, "week=2026-03-02"), lambda: make(12))
