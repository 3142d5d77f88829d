"""The Summary report: groupings and totals against an independent Python computation,
rounding per entry, who sees what, a flat query count, charts with text alternatives, and the
CSV export parsed back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
from collections import defaultdict

import pytest
from django.urls import reverse

from reports.filters import DateRange
from reports.filters import DetailedFilters
from reports.summary import GroupBy
from reports.summary import summary_groups
from reports.summary import time_buckets
from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.factories import membership_of
from tests.factories import rounding_on
from tests.query_counts import assert_queries_flat
from tests.reports.entries import entry
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tracking.models import TimeEntryTag

pytestmark = pytest.mark.django_db

MARCH = DetailedFilters(
    date_range=DateRange.CUSTOM, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
)
MARCH_QUERY = "start=2026-03-01&end=2026-03-31"


def march_groups(workspace, user, group_by, sub_group_by=None):
    """The Summary's groups of March as `user` sees them."""
    return summary_groups(
        membership=membership_of(workspace, user),
        filters=MARCH,
        group_by=group_by,
        sub_group_by=sub_group_by,
    )


def url(workspace, name="reports:summary", query=""):
    base = reverse(name, kwargs={"ws": workspace.pk})
    return f"{base}?{query}" if query else base


@pytest.fixture
def dataset(workspace, owner, admin, member):
    """40 entries over March across 3 projects (one without client), tasks, tags, 3 members,
    odd durations so rounding matters, some non-billable, and one entry outside March."""
    rng = random.Random(7)
    acme = ClientFactory(workspace=workspace, name="Acme")
    globex = ClientFactory(workspace=workspace, name="Globex")
    projects = [
        ProjectFactory(workspace=workspace, client=acme, name="Website"),
        ProjectFactory(workspace=workspace, client=globex, name="App"),
        ProjectFactory(workspace=workspace, client=None, name="Internal"),
    ]
    tasks = {
        p.pk: [TaskFactory(workspace=workspace, project=p) for _ in range(2)] for p in projects
    }
    tags = [TagFactory(workspace=workspace, name=n) for n in ("design", "meeting", "urgent")]
    users = [owner, admin, member]
    entries = []
    for _ in range(40):
        project = rng.choice([*projects, None])
        task = rng.choice([*tasks[project.pk], None]) if project else None
        start = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC) + dt.timedelta(
            days=rng.randrange(31), minutes=rng.randrange(600)
        )
        chosen = rng.sample(tags, rng.randrange(3))
        entries.append(
            entry(
                workspace,
                rng.choice(users),
                start,
                rng.randrange(60, 4 * 3600),
                tags=chosen,
                project=project,
                task=task,
                billable=rng.random() < 0.7,
                hourly_rate_cents=rng.choice([5000, 7550, 12000]),
            )
        )
    entry(workspace, owner, dt.datetime(2026, 4, 2, 9, tzinfo=dt.UTC), 3600, project=projects[0])
    return entries


def expected_key(e, group_by):
    if group_by == GroupBy.PROJECT:
        return e.project_id or ""
    if group_by == GroupBy.CLIENT:
        return (e.project.client_id if e.project else None) or ""
    if group_by == GroupBy.MEMBER:
        return e.user_id
    if group_by == GroupBy.TASK:
        return e.task_id or ""
    if group_by == GroupBy.DATE:
        return e.start.date().isoformat()
    raise AssertionError(group_by)


def keys_of(e, group_by):
    if group_by == GroupBy.TAG:
        ids = list(TimeEntryTag.objects.filter(time_entry=e).values_list("tag_id", flat=True))
        return ids or [""]
    return [expected_key(e, group_by)]


def by_hand(seconds, minutes=15):
    """Nearest multiple of `minutes`, half way up: written out without reports.rounding."""
    interval = minutes * 60
    lower = seconds - seconds % interval
    return lower + interval if seconds - lower >= interval / 2 else lower


@pytest.mark.parametrize(
    ("group_by", "sub_group_by"),
    [
        (GroupBy.PROJECT, GroupBy.MEMBER),
        (GroupBy.CLIENT, GroupBy.PROJECT),
        (GroupBy.MEMBER, GroupBy.DATE),
        (GroupBy.TASK, None),
        (GroupBy.TAG, GroupBy.CLIENT),
        (GroupBy.DATE, GroupBy.TAG),
    ],
)
def test_groups_match_an_independent_computation_with_rounding(
    workspace, owner, dataset, group_by, sub_group_by
):
    rounding_on(workspace, "NEAREST", 15)
    expected: dict = defaultdict(lambda: {"s": 0, "b": 0, "amount": 0, "sub": defaultdict(int)})
    for e in dataset:
        rounded = by_hand(e.duration_seconds)
        amount = (rounded * e.hourly_rate_cents + 1800) // 3600 if e.billable else 0
        for key in keys_of(e, group_by):
            bucket = expected[key]
            bucket["s"] += rounded
            bucket["b"] += rounded if e.billable else 0
            bucket["amount"] += amount
            if sub_group_by:
                for sub in keys_of(e, sub_group_by):
                    bucket["sub"][sub] += rounded

    groups = march_groups(workspace, owner, group_by, sub_group_by)
    got = {g.key: g for g in groups}
    assert set(got) == set(expected)
    for key, want in expected.items():
        group = got[key]
        assert group.seconds == want["s"], key
        assert group.billable_seconds == want["b"], key
        cents = sum(a.cents for a in group.amounts)
        assert cents == want["amount"], key
        assert {c.key: c.seconds for c in group.children} == dict(want["sub"])
    # "Without ..." comes last; names are alphabetical; dates in calendar order.
    if "" in got:
        assert groups[-1].key == "" and groups[-1].label.startswith("Without")
    named = [g for g in groups if g.key]
    if group_by == GroupBy.DATE:
        assert [g.date for g in named] == sorted(g.date for g in named)
    else:
        labels = [g.label.casefold() for g in named]
        assert labels == sorted(labels)


def test_rounding_is_per_entry_then_summed(workspace, owner):
    """Two entries of 7:30 at 15 min nearest are 15:00 each: 30:00, not round(15:00) = 15:00."""
    rounding_on(workspace, "NEAREST", 15)
    project = ProjectFactory(workspace=workspace, name="Website")
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    entry(workspace, owner, start, 450, project=project, hourly_rate_cents=10000)
    entry(workspace, owner, start + dt.timedelta(hours=1), 450, project=project)
    entry(workspace, owner, start + dt.timedelta(hours=2), 449, project=project)  # -> 0
    [group] = march_groups(workspace, owner, GroupBy.PROJECT)
    assert group.seconds == 1800
    # 15 min at 100.00/h + 15 min at 60.00/h
    assert [(a.currency, a.cents) for a in group.amounts] == [("USD", 2500 + 1500)]


def test_amounts_are_kept_per_currency(workspace, owner):
    project = ProjectFactory(workspace=workspace)
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    entry(workspace, owner, start, 3600, project=project, currency="USD", hourly_rate_cents=100)
    entry(workspace, owner, start, 7200, project=project, currency="EUR", hourly_rate_cents=100)
    entry(workspace, owner, start, 3600, project=project, currency="GBP", billable=False)
    [group] = march_groups(workspace, owner, GroupBy.PROJECT)
    assert [(a.currency, a.cents) for a in group.amounts] == [("EUR", 200), ("USD", 100)]
    assert group.seconds == 4 * 3600 and group.billable_seconds == 3 * 3600


def test_date_groups_are_the_viewers_local_days(workspace, owner):
    owner.time_zone = "America/New_York"
    owner.save()
    # 02:00 UTC on March 3rd is the evening of March 2nd in New York.
    entry(workspace, owner, dt.datetime(2026, 3, 3, 2, tzinfo=dt.UTC), 3600)
    groups = march_groups(workspace, owner, GroupBy.DATE)
    assert [g.key for g in groups] == ["2026-03-02"]
    buckets = time_buckets(membership=membership_of(workspace, owner), filters=MARCH)
    assert len(buckets) == 31
    assert {b.start: b.seconds for b in buckets if b.seconds} == {dt.date(2026, 3, 2): 3600}


def test_a_year_is_charted_by_month(workspace, owner):
    entry(workspace, owner, dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), 3600)
    entry(workspace, owner, dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC), 1800)
    year = DetailedFilters(
        date_range=DateRange.CUSTOM, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
    )
    buckets = time_buckets(membership=membership_of(workspace, owner), filters=year)
    assert [b.start.month for b in buckets] == list(range(1, 13))
    assert buckets[2].seconds == 5400 and sum(b.seconds for b in buckets) == 5400
    assert {b.unit for b in buckets} == {"month"}


def test_a_decade_is_charted_by_year_and_a_huge_range_stays_small(workspace, owner, owner_client):
    entry(workspace, owner, dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), 3600)
    entry(workspace, owner, dt.datetime(2019, 12, 31, 23, tzinfo=dt.UTC), 600)
    decade = DetailedFilters(
        date_range=DateRange.CUSTOM, start=dt.date(2019, 6, 1), end=dt.date(2028, 5, 31)
    )
    buckets = time_buckets(membership=membership_of(workspace, owner), filters=decade)
    assert [(b.start.year, b.seconds) for b in buckets if b.seconds] == [(2019, 600), (2026, 3600)]
    assert len(buckets) == 10 and buckets[0].unit == "year"
    response = owner_client.get(url(workspace, query="start=1970-01-01&end=2999-12-31"))
    html = response.content.decode()
    assert response.status_code == 200 and "Time per year" in html
    chart = json.loads(re.search(r'id="time-chart-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert len(chart["labels"]) == 1030  # 1030 years, two with time
    assert sum(1 for s in chart["datasets"][0]["seconds"] if s) == 2


def test_member_sees_only_their_own_time(workspace, owner, member, member_client):
    project = ProjectFactory(workspace=workspace, name="Website")
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    entry(workspace, member, start, 1800, project=project)
    entry(workspace, owner, start, 7200, project=project)
    groups = march_groups(workspace, member, GroupBy.MEMBER)
    assert [(g.key, g.seconds) for g in groups] == [(member.pk, 1800)]
    page = member_client.get(url(workspace, query=f"{MARCH_QUERY}&group=member"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Mia Member" in html and "Olivia Owner" not in html
    assert re.search(r'id="total-time">0:30:00<', html)
    text = csv_text(member_client, workspace, "group=member")
    assert {r[0] for r in list(csv.reader(io.StringIO(text)))[1:]} == {"Mia Member"}
    assert "Olivia" not in text


def test_outsider_gets_404(workspace, outsider_client, client):
    for name in ("reports:summary", "reports:summary_csv"):
        assert outsider_client.get(url(workspace, name)).status_code == 404
        response = client.get(url(workspace, name))
        assert response.status_code == 302 and "/login" in response["Location"]


def test_other_workspaces_entries_never_count(workspace, owner, other_workspace, outsider):
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    entry(workspace, owner, start, 600)
    entry(other_workspace, outsider, start, 3600)
    groups = march_groups(workspace, owner, GroupBy.MEMBER)
    assert [(g.key, g.seconds) for g in groups] == [(owner.pk, 600)]


def test_page_shows_groups_totals_charts_and_their_text(workspace, owner, owner_client, dataset):
    response = owner_client.get(
        url(workspace, query=f"{MARCH_QUERY}&group=client&sub_group=project")
    )
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("Acme", "Globex", "Without client", "Website", "App", "Internal"):
        assert name in html
    total = sum(e.duration_seconds for e in dataset)
    hms = f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"
    assert f'id="total-time">{hms}<' in html
    # The bar chart (Chart.js, from its JSON) has a table of the same figures; the share chart
    # a legend. Bars stack by the first grouping: clients.
    assert 'data-chart="time-chart-data"' in html and 'id="time-chart-table"' in html
    chart = json.loads(re.search(r'id="time-chart-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert chart["kind"] == "stacked" and chart["title"] == "Time per day by client"
    assert {d["label"] for d in chart["datasets"]} == {"Acme", "Globex", "Without client"}
    per_day = [sum(d["seconds"][i] for d in chart["datasets"]) for i in range(31)]
    assert sum(per_day) == total
    assert html.count("<tr><td>") >= 31
    legend = re.search(r'<ul class="legend" id="share-legend">(.*?)</ul>', html, re.S)
    assert legend and "Acme:" in legend.group(1) and "Without client:" in legend.group(1)
    percents = [float(p) for p in re.findall(r": ([\d.]+)% \(", legend.group(1))]
    assert abs(sum(percents) - 100) < 0.5
    # No script or style from elsewhere (a CSRF token may hold the letters "cdn" by chance).
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_bad_grouping_is_a_400_and_shows_no_report(workspace, owner_client):
    response = owner_client.get(url(workspace, query="group=planet"))
    assert response.status_code == 400
    assert "Group by one of project, client, member, task, tag, date." in response.content.decode()
    response = owner_client.get(url(workspace, query="group=project&sub_group=project"))
    assert response.status_code == 400 and 'id="summary-table"' not in response.content.decode()
    csv_response = owner_client.get(url(workspace, "reports:summary_csv", "group=planet"))
    assert csv_response.status_code == 400


def test_a_filter_naming_another_workspaces_project_is_refused(
    workspace, owner_client, other_workspace
):
    foreign = ProjectFactory(workspace=other_workspace)
    response = owner_client.get(url(workspace, query=f"project={foreign.pk}"))
    assert response.status_code == 400
    assert "There is no project" in response.content.decode()


def test_query_count_is_flat_in_the_number_of_groups(workspace, owner, admin, member, owner_client):
    def make(n):
        start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
        tag = TagFactory(workspace=workspace)
        for i in range(n):
            client = ClientFactory(workspace=workspace)
            project = ProjectFactory(workspace=workspace, client=client)
            task = TaskFactory(workspace=workspace, project=project)
            user = UserFactory()
            MembershipFactory(workspace=workspace, user=user)
            entry(
                workspace,
                user,
                start + dt.timedelta(days=i),
                600 + i,
                project=project,
                task=task,
                tags=[tag],
            )

    query = f"{MARCH_QUERY}&group=project&sub_group=tag"

    make(2)
    assert_queries_flat(owner_client, url(workspace, query=query), lambda: make(15))


def csv_text(client, workspace, query):
    response = client.get(url(workspace, "reports:summary_csv", f"{MARCH_QUERY}&{query}"))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    return b"".join(response.streaming_content).decode()


def test_csv_parses_back_to_the_table(workspace, owner, owner_client, dataset):
    rows = list(
        csv.DictReader(
            io.StringIO(csv_text(owner_client, workspace, "group=project&sub_group=member"))
        )
    )
    groups = march_groups(workspace, owner, GroupBy.PROJECT, GroupBy.MEMBER)
    expected = []
    for g in groups:
        expected.append((g.label, "", g.seconds))
        expected += [(g.label, c.label, c.seconds) for c in g.children]

    def seconds(text):
        h, m, s = (int(x) for x in text.split(":"))
        return h * 3600 + m * 60 + s

    assert [(r["Group"], r["Subgroup"], seconds(r["Duration (h:mm:ss)"])) for r in rows] == expected
    firsts = [r for r in rows if not r["Subgroup"]]
    assert sum(seconds(r["Duration (h:mm:ss)"]) for r in firsts) == sum(
        e.duration_seconds for e in dataset
    )
    for r in firsts:
        hours = seconds(r["Duration (h:mm:ss)"]) / 3600
        assert float(r["Duration (decimal hours)"]) == pytest.approx(hours, abs=0.005)


def test_csv_neutralises_formulas_in_names(workspace, owner, owner_client):
    project = ProjectFactory(workspace=workspace, name="=HYPERLINK(1)")
    entry(workspace, owner, dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), 60, project=project)
    rows = list(csv.reader(io.StringIO(csv_text(owner_client, workspace, "sub_group=none"))))
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert len(rows) == 2
