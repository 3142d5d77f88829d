"""The dashboard: the landing page's figures are the reports' own (same filter, same rounding,
same who-sees-what), checked against sums made here by hand; its query count does not grow
with the data; outsiders and bad filters are refused."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from reports.dashboard import dashboard
from reports.dashboard import dashboard_filters
from reports.filters import DateRange
from reports.filters import FilterError
from reports.summary import GroupBy
from reports.summary import summary_groups
from reports.summary import summary_totals
from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.factories import membership_of
from tests.factories import rounding_on
from tests.query_counts import assert_queries_flat
from tests.reports.entries import entry
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TimeEntryFactory
from tracking.models import TimeEntry
from tracking.services import approvals

pytestmark = pytest.mark.django_db

# A Wednesday; the cast's users start their weeks on Monday in UTC.
NOW = dt.datetime(2026, 3, 11, 15, 0, tzinfo=dt.UTC)
MONDAY = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _wednesday():
    with time_machine.travel(NOW, tick=False):
        yield


def url(workspace, query=""):
    base = reverse("dashboard:home", kwargs={"ws": workspace.pk})
    return f"{base}?{query}" if query else base


@pytest.fixture
def week(workspace, owner, admin, member):
    """This week (Mon 9 - Sun 15 March): three projects under two clients, billable and not;
    last week one entry; another workspace's entry the same day."""
    acme = ClientFactory(workspace=workspace, name="Acme")
    globex = ClientFactory(workspace=workspace, name="Globex")
    website = ProjectFactory(workspace=workspace, client=acme, name="Website")
    app = ProjectFactory(workspace=workspace, client=acme, name="App")
    audit = ProjectFactory(workspace=workspace, client=globex, name="Audit")
    entry(workspace, member, MONDAY, 3 * 3600, project=website)  # 3 h, 180.00
    entry(workspace, member, MONDAY + dt.timedelta(days=1), 2 * 3600, project=app)  # 2 h, 120
    entry(
        workspace,
        admin,
        MONDAY + dt.timedelta(days=1),
        5 * 3600,
        project=audit,
        hourly_rate_cents=10000,
    )  # 5 h, 500.00
    entry(
        workspace, admin, MONDAY + dt.timedelta(days=2), 3600, project=website, billable=False
    )  # 1 h, not billable
    entry(workspace, owner, MONDAY + dt.timedelta(days=2), 1800)  # no project, 30 min, 30.00
    entry(workspace, member, MONDAY - dt.timedelta(days=3), 7200, project=website)  # last week
    other = UserFactory()
    MembershipFactory(user=other)
    TimeEntryFactory(
        user=other, start=MONDAY, end=MONDAY + dt.timedelta(hours=9), duration_seconds=9 * 3600
    )
    return {"website": website, "app": app, "audit": audit, "acme": acme, "globex": globex}


def test_figures_are_the_weeks_time_as_counted_by_hand(workspace, owner, week):
    m = membership_of(workspace, owner)
    board = dashboard(membership=m, filters=dashboard_filters({}, membership=m))
    assert (board.filters.start, board.filters.end) == (dt.date(2026, 3, 9), dt.date(2026, 3, 15))
    assert board.totals.total_seconds == (3 + 2 + 5 + 1 + 0.5) * 3600
    assert board.totals.billable_seconds == (3 + 2 + 5 + 0.5) * 3600
    assert board.billable_percent == round(10.5 / 11.5 * 100, 1)
    assert [a.cents for a in board.totals.amounts] == [18000 + 12000 + 50000 + 3000]
    # Seven days, time where it was tracked, split by project.
    assert [d.seconds for d in board.days] == [3 * 3600, 7 * 3600, 5400, 0, 0, 0, 0]
    tuesday = board.days[1].by_project
    assert tuesday == {week["app"].pk: 7200, week["audit"].pk: 5 * 3600}
    assert [p.label for p in board.top_projects_by_time] == [
        "Audit",
        "Website",
        "App",
        "Without project",
    ]
    assert [p.seconds for p in board.top_projects_by_time][:2] == [5 * 3600, 4 * 3600]
    assert [(p.label, p.amount_cents) for p in board.top_projects_by_amount] == [
        ("Audit", 50000),
        ("Website", 18000),
        ("App", 12000),
        ("Without project", 3000),
    ]
    assert [(c.label, c.seconds) for c in board.top_clients_by_time] == [
        ("Acme", 6 * 3600),
        ("Globex", 5 * 3600),
        ("Without client", 1800),
    ]
    assert [c.label for c in board.top_clients_by_amount] == ["Globex", "Acme", "Without client"]


def test_figures_equal_the_summary_reports_groups_with_rounding(workspace, owner, week):
    """The dashboard folds one grouping itself: its projects, clients and totals must be the
    Summary's (`summary_groups`, `summary_totals`) to the second and the cent, rounding on."""
    rounding_on(workspace, "UP", 15)
    entry(workspace, owner, MONDAY + dt.timedelta(hours=3), 601, project=week["app"])
    m = membership_of(workspace, owner)
    filters = dashboard_filters({}, membership=m)
    board = dashboard(membership=m, filters=filters)
    by_project = summary_groups(membership=m, filters=filters, group_by=GroupBy.PROJECT)
    by_client = summary_groups(membership=m, filters=filters, group_by=GroupBy.CLIENT)
    by_date = summary_groups(membership=m, filters=filters, group_by=GroupBy.DATE)
    assert {(p.label, p.seconds, p.amounts) for p in board.top_projects_by_time} == {
        (g.label, g.seconds, g.amounts) for g in by_project
    }
    assert {(c.label, c.seconds, c.amounts) for c in board.top_clients_by_time} == {
        (g.label, g.seconds, g.amounts) for g in by_client
    }
    assert {d.day: d.seconds for d in board.days if d.seconds} == {
        g.date: g.seconds for g in by_date
    }
    assert board.totals == summary_totals(
        membership=m, filters=filters, group_by=GroupBy.PROJECT, groups=by_project
    )
    assert board.totals.total_seconds == (3 + 2 + 5 + 1 + 0.5) * 3600 + 900  # 601 s -> 15 min


def test_approval_split_follows_the_reports_approval_filter(workspace, owner, member, week):
    member_ms = membership_of(workspace, member)
    approval = approvals.week_submit(membership=member_ms, week_start=dt.date(2026, 3, 9))
    m = membership_of(workspace, owner)
    board = dashboard(membership=m, filters=dashboard_filters({}, membership=m))
    assert board.approval.pending_seconds == 5 * 3600
    assert board.approval.approved_seconds == 0
    assert board.approval.not_submitted_seconds == 6.5 * 3600
    assert board.approval.pending_weeks == 1
    approvals.week_approve(membership=m, approval_id=approval.pk)
    board = dashboard(membership=m, filters=dashboard_filters({}, membership=m))
    assert (board.approval.approved_seconds, board.approval.pending_seconds) == (5 * 3600, 0)
    assert board.approval.pending_weeks == 0
    mine = dashboard(membership=member_ms, filters=dashboard_filters({}, membership=member_ms))
    assert mine.approval.my_week_state == "approved"
    assert mine.approval.pending_weeks is None


def test_ranges_and_filters(workspace, owner, member, week):
    m = membership_of(workspace, owner)
    last = dashboard(
        membership=m, filters=dashboard_filters({"range": ["last_week"]}, membership=m)
    )
    assert last.totals.total_seconds == 7200
    month = dashboard(
        membership=m, filters=dashboard_filters({"range": ["this_month"]}, membership=m)
    )
    assert month.totals.total_seconds == 13.5 * 3600
    assert len(month.days) == 31
    only_website = dashboard(
        membership=m,
        filters=dashboard_filters({"project": [week["website"].pk]}, membership=m),
    )
    assert only_website.totals.total_seconds == 4 * 3600
    only_member = dashboard(
        membership=m, filters=dashboard_filters({"member": [member.pk]}, membership=m)
    )
    assert only_member.totals.total_seconds == 5 * 3600
    with pytest.raises(FilterError) as bad:
        dashboard_filters({"range": ["this_year"]}, membership=m)
    assert bad.value.field == "range"


def test_member_sees_only_their_own_time_and_timer(workspace, owner, admin, member, week):
    TimeEntry.objects.create(
        workspace=workspace,
        user=admin,
        start=NOW - dt.timedelta(hours=1),
        description="Admin's call",
    )
    TimeEntry.objects.create(
        workspace=workspace,
        user=member,
        start=NOW - dt.timedelta(hours=2),
        description="Member's design",
        project=week["app"],
    )
    member_ms = membership_of(workspace, member)
    # A member's member filter is ignored: members see their own time only.
    filters = dashboard_filters({"member": [admin.pk]}, membership=member_ms)
    assert filters.members == ()
    mine = dashboard(membership=member_ms, filters=filters)
    assert mine.totals.total_seconds == 5 * 3600
    assert [t.description for t in mine.running] == ["Member's design"]
    team = dashboard(membership=membership_of(workspace, owner), filters=filters)
    assert [t.description for t in team.running] == ["Member's design", "Admin's call"]
    assert [t.member for t in team.running] == ["Mia Member", "Adam Admin"]


def test_page_shows_the_figures_and_the_chart_data(workspace, owner, owner_client, week):
    response = owner_client.get(url(workspace))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="total-time">11:30:00<' in html
    assert 'id="billable-share">91.3%<' in html
    assert 'id="day-chart-data"' in html and '"kind": "stacked"' in html
    assert "Audit" in html and "Globex" in html
    assert "vendor/chart.umd.min.js" in html
    assert "<script>" not in html  # no inline script (the page's CSP allows none)


def test_home_lands_on_the_dashboard(workspace, owner, owner_client):
    owner_client.get(url(workspace))
    assert owner_client.get(reverse("workspaces:home")).url == url(workspace)


def test_bad_range_and_another_workspaces_project_are_400(
    workspace, owner, owner_client, other_workspace
):
    response = owner_client.get(url(workspace, "range=forever"))
    assert response.status_code == 400
    assert "this_week, last_week, this_month" in response.content.decode()
    theirs = ProjectFactory(workspace=other_workspace)
    response = owner_client.get(url(workspace, f"project={theirs.pk}"))
    assert response.status_code == 400
    assert "There is no project" in response.content.decode()


def test_outsider_gets_404(workspace, owner, outsider_client):
    assert outsider_client.get(url(workspace)).status_code == 404


def test_badge_counts_pending_weeks_for_admins_only(
    workspace, owner, member, owner_client, member_client, week
):
    approvals.week_submit(
        membership=membership_of(workspace, member), week_start=dt.date(2026, 3, 9)
    )
    html = owner_client.get(url(workspace)).content.decode()
    assert 'id="approvals-badge"' in html and ">1<span" in html
    assert 'id="approvals-badge"' not in member_client.get(url(workspace)).content.decode()


def test_query_count_is_constant_in_rows(workspace, owner, owner_client):
    def make(n):
        for i in range(n):
            user = UserFactory()
            MembershipFactory(workspace=workspace, user=user)
            client = ClientFactory(workspace=workspace)
            project = ProjectFactory(workspace=workspace, client=client)
            entry(workspace, user, MONDAY + dt.timedelta(hours=i % 48), 600 + i, project=project)
            TimeEntry.objects.create(workspace=workspace, user=user, start=NOW)

    make(2)
    assert_queries_flat(owner_client, url(workspace, "range=this_month"), lambda: make(25))


def test_ranges_offered_are_the_three_of_the_issue():
    from reports.dashboard import RANGES

    assert RANGES == (DateRange.THIS_WEEK, DateRange.LAST_WEEK, DateRange.THIS_MONTH)
