"""What a report request costs does not grow with what it shows: the same number of SQL
queries for 10, 50 or 200 rows of the Reports API, for a short or a full page of the Detailed
report, for few or many Summary groups; and a Summary too large for a page is refused with a
message instead of rendering for seconds."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.filters import parse_detailed_filters
from reports.summary import GroupBy
from reports.summary import SummaryTooLarge
from reports.summary import summary_groups
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(settings) -> Membership:
    """A workspace of 600 entries over a year: 6 members, 12 projects with tasks, tags."""
    settings.API_THROTTLE_RATE_PER_SECOND = 0
    out = io.StringIO()
    call_command(
        "bench_load_workspace",
        entries=600,
        members=6,
        projects=12,
        clients=4,
        tags=5,
        years=1,
        stdout=out,
    )
    ws = out.getvalue().strip().splitlines()[-1].split()[0].removeprefix("workspace=")
    return Membership.objects.select_related("user", "workspace").get(
        workspace_id=ws, role=Membership.Role.OWNER
    )


def year() -> tuple[str, str]:
    today = timezone.now().date()
    return (today - dt.timedelta(days=370)).isoformat(), (today + dt.timedelta(days=1)).isoformat()


def logged_in(ms: Membership) -> Client:
    client = Client()
    client.force_login(ms.user)
    client.get("/")  # the session's first queries are not the report's
    return client


def counted(request) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = request()
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries), response


def test_reports_api_queries_do_not_grow_with_the_page_size(loaded):
    client = logged_in(loaded)
    start, end = year()
    url = f"/reports/v1/workspaces/{loaded.workspace_id}/reports/detailed"
    counts = {}
    for size in (10, 50, 200):
        body = {
            "dateRangeStart": start,
            "dateRangeEnd": end,
            "detailedFilter": {"page": 1, "pageSize": size},
        }
        counts[size], response = counted(
            lambda body=body: client.post(url, body, content_type="application/json")
        )
        rows = response.json()["timeentries"]
        assert len(rows) == size
        assert any(row["tags"] for row in rows) and any(row["taskId"] for row in rows)
    assert counts[10] == counts[50] == counts[200], counts


def test_detailed_page_queries_do_not_grow_with_the_rows_shown(loaded):
    client = logged_in(loaded)
    start, end = year()
    url = reverse("reports:detailed", kwargs={"ws": loaded.workspace_id})
    few_day = timezone.now().date() - dt.timedelta(days=30)
    few, few_page = counted(
        lambda: client.get(
            url, {"start": few_day.isoformat(), "end": few_day.isoformat(), "range": "custom"}
        )
    )
    full, full_page = counted(lambda: client.get(url, {"start": start, "end": end}))
    assert 0 < few_page.content.count(b'<tr id="row-') < 10
    assert full_page.content.count(b'<tr id="row-') == 50
    assert few == full, (few, full)


def test_summary_page_queries_do_not_grow_with_the_groups(loaded):
    client = logged_in(loaded)
    start, end = year()
    url = reverse("reports:summary", kwargs={"ws": loaded.workspace_id})
    grouping = {"group": "project", "sub_group": "member"}
    day = (timezone.now().date() - dt.timedelta(days=30)).isoformat()
    small, small_page = counted(
        lambda: client.get(url, {"start": day, "end": day, "range": "custom", **grouping})
    )
    large, large_page = counted(lambda: client.get(url, {"start": start, "end": end, **grouping}))
    assert small_page.content.count(b'<tr class="sub"') < 6
    assert large_page.content.count(b'<tr class="sub"') > 30
    assert small == large, (small, large)


def test_a_summary_larger_than_the_cap_is_refused_with_a_message(loaded):
    start, end = year()
    filters = parse_detailed_filters({"start": [start], "end": [end]}, user=loaded.user)
    groups = summary_groups(
        membership=loaded,
        filters=filters,
        group_by=GroupBy.DATE,
        sub_group_by=GroupBy.PROJECT,
    )
    rows = len(groups) + sum(len(g.children) for g in groups)
    # The cap counts the rows the table would have, first and second level together.
    assert (
        summary_groups(
            membership=loaded,
            filters=filters,
            group_by=GroupBy.DATE,
            sub_group_by=GroupBy.PROJECT,
            max_rows=rows,
        )
        == groups
    )
    with pytest.raises(SummaryTooLarge) as refused:
        summary_groups(
            membership=loaded,
            filters=filters,
            group_by=GroupBy.DATE,
            sub_group_by=GroupBy.PROJECT,
            max_rows=rows - 1,
        )
    assert refused.value.field == "sub_group"
    assert f"makes {rows:,} rows" in refused.value.message
    assert "shorter date range" in refused.value.message
