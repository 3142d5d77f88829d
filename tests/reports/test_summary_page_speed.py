"""What the Summary page's speed-ups must keep: totals added up from the groups equal the
totals query for every grouping (rounding, several currencies, entries without project), a
grouping too large for a page says so (and keeps the totals, the chart and the CSV export),
and the table written in Python escapes what people typed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from reports.selectors import detailed_totals
from reports.summary import GroupBy
from reports.summary import summary_groups
from reports.summary import summary_totals
from tests.factories import rounding_on
from tests.reports.entries import entry as billable_entry
from tests.reports.test_summary import MARCH
from tests.reports.test_summary import MARCH_QUERY
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tracking.models import TimeEntryTag
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


def entry(workspace, user, day, seconds, **kwargs):
    values = {"hourly_rate_cents": 7550, **kwargs}
    start = dt.datetime(2026, 3, day, 9, tzinfo=dt.UTC)
    return billable_entry(workspace, user, start, seconds, **values)


@pytest.fixture
def mixed(workspace, owner, member):
    """Entries in two currencies, billable or not, with and without project and tags, on
    durations that 15-minute rounding changes."""
    rounding_on(workspace, "NEAREST", 15)
    acme = ClientFactory(workspace=workspace, name="Acme")
    website = ProjectFactory(workspace=workspace, client=acme, name="Website")
    internal = ProjectFactory(workspace=workspace, client=None, name="Internal")
    tag = TagFactory(workspace=workspace, name="urgent")
    other_tag = TagFactory(workspace=workspace, name="design")
    made = [
        entry(workspace, owner, 2, 449, project=website, task=TaskFactory(project=website)),
        entry(workspace, owner, 3, 451, project=website, currency="EUR"),
        entry(workspace, member, 3, 5000, project=internal, billable=False),
        entry(workspace, member, 4, 3700, project=None),
        entry(workspace, owner, 5, 1234, project=internal, currency="EUR", hourly_rate_cents=0),
    ]
    for e in made[:2]:
        TimeEntryTag.objects.create(workspace=workspace, time_entry=e, tag=tag)
    # Two tags: tag groups add up to 6 entries, the report holds 5.
    TimeEntryTag.objects.create(workspace=workspace, time_entry=made[0], tag=other_tag)
    return made


@pytest.mark.parametrize("group_by", list(GroupBy))
@pytest.mark.parametrize("sub_group_by", [None, GroupBy.TAG, GroupBy.MEMBER])
def test_totals_from_the_groups_equal_the_totals_query(
    workspace, owner, mixed, group_by, sub_group_by
):
    ms = Membership.objects.select_related("workspace", "user").get(workspace=workspace, user=owner)
    groups = summary_groups(
        membership=ms, filters=MARCH, group_by=group_by, sub_group_by=sub_group_by
    )
    totals = summary_totals(membership=ms, filters=MARCH, group_by=group_by, groups=groups)
    assert totals == detailed_totals(membership=ms, filters=MARCH)
    assert totals.entry_count == len(mixed)


def test_tag_groups_add_up_to_more_so_their_totals_are_read(workspace, owner, mixed):
    ms = Membership.objects.select_related("workspace", "user").get(workspace=workspace, user=owner)
    groups = summary_groups(membership=ms, filters=MARCH, group_by=GroupBy.TAG)
    assert sum(g.entry_count for g in groups) == len(mixed) + 1
    totals = summary_totals(membership=ms, filters=MARCH, group_by=GroupBy.TAG, groups=groups)
    assert totals == detailed_totals(membership=ms, filters=MARCH)


def test_the_page_totals_under_tags_count_each_entry_once(workspace, owner_client, mixed):
    url = reverse("reports:summary", kwargs={"ws": workspace.pk})
    html = owner_client.get(f"{url}?{MARCH_QUERY}&group=tag&sub_group=none").content.decode()
    assert f"{len(mixed)} entries" in html


def test_a_grouping_too_large_for_a_page_says_so_and_keeps_totals_and_export(
    workspace, owner, owner_client, mixed, monkeypatch
):
    monkeypatch.setattr("reports.views_summary.MAX_PAGE_SUMMARY_ROWS", 3)
    url = reverse("reports:summary", kwargs={"ws": workspace.pk})
    response = owner_client.get(f"{url}?{MARCH_QUERY}&group=date&sub_group=project")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="summary-too-large"' in html
    assert "more than the 3 shown at once" in html and "export it as CSV" in html
    assert 'id="summary-table"' not in html
    assert f"{len(mixed)} entries" in html and 'id="time-chart"' in html
    assert 'id="export-csv"' in html
    # One grouping level fits: the table is back.
    html = owner_client.get(f"{url}?{MARCH_QUERY}&group=project&sub_group=none").content.decode()
    assert 'id="summary-table"' in html and 'id="summary-too-large"' not in html


def test_the_table_written_in_python_escapes_names(workspace, owner, owner_client):
    project = ProjectFactory(workspace=workspace, name='<script>alert("x")</script> & co')
    entry(workspace, owner, 2, 3600, project=project, hourly_rate_cents=123456)
    url = reverse("reports:summary", kwargs={"ws": workspace.pk})
    html = owner_client.get(f"{url}?{MARCH_QUERY}&group=project&sub_group=none").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html
    row = html[html.index(f'data-key="{project.pk}"') :]
    assert row.index("1:00:00") < row.index("1,234.56 USD") < row.index("</tr>")


@pytest.mark.parametrize("group_by", [GroupBy.PROJECT, GroupBy.CLIENT, GroupBy.TASK, GroupBy.TAG])
def test_many_groups_are_named_from_the_whole_workspace_alike(
    workspace, owner, mixed, group_by, monkeypatch
):
    ms = Membership.objects.select_related("workspace", "user").get(workspace=workspace, user=owner)
    listed = summary_groups(membership=ms, filters=MARCH, group_by=group_by)
    monkeypatch.setattr("reports.summary.NAMES_IN_LIST_MAX", 0)
    whole = summary_groups(membership=ms, filters=MARCH, group_by=group_by)
    assert [(g.key, g.label, g.detail) for g in whole] == [
        (g.key, g.label, g.detail) for g in listed
    ]
    assert all(g.label != g.key for g in whole)  # every group found its name
