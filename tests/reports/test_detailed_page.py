"""The Detailed report page: who sees what, filters from the URL, totals over every page,
rounding note, pagination and sorting, clear errors, and a query count flat in the rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.factories import rounding_on
from tests.query_counts import assert_queries_flat
from tests.reports import entries
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tracking.models import TimeEntryTag

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
MARCH = "start=2026-03-01&end=2026-03-31"


def url(workspace, query=""):
    base = reverse("reports:detailed", kwargs={"ws": workspace.pk})
    return f"{base}?{query}" if query else base


def entry(workspace, user, *, hours=0, seconds=3600, **kwargs):
    return entries.entry(workspace, user, START + dt.timedelta(hours=hours), seconds, **kwargs)


def row_ids(html):
    return re.findall(r'<tr id="row-([0-9a-f]{24})"', html)


def text(response):
    return response.content.decode()


def test_outsider_gets_404_and_anonymous_is_sent_to_log_in(client, workspace, outsider_client):
    assert outsider_client.get(url(workspace)).status_code == 404
    response = client.get(url(workspace))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_admin_sees_everyones_entries_member_only_their_own(
    workspace, owner, admin, member, admin_client_, member_client, other_workspace, outsider
):
    mine = entry(workspace, member, description="member work")
    theirs = entry(workspace, owner, hours=2, description="owner work")
    foreign = entry(other_workspace, outsider, hours=3, description="outside work")
    as_admin = text(admin_client_.get(url(workspace, MARCH)))
    assert set(row_ids(as_admin)) == {mine.pk, theirs.pk}
    assert foreign.pk not in as_admin and "outside work" not in as_admin
    as_member = member_client.get(url(workspace, f"{MARCH}&member={owner.pk}"))
    assert as_member.status_code == 200
    assert row_ids(text(as_member)) == []
    as_member = text(member_client.get(url(workspace, MARCH)))
    assert row_ids(as_member) == [mine.pk]
    assert "owner work" not in as_member
    # Members get no team filter at all.
    assert 'name="member"' not in as_member and 'name="member"' in as_admin


def test_table_shows_an_entry_in_full(workspace, owner, owner_client):
    acme = ClientFactory(workspace=workspace, name="Acme")
    website = ProjectFactory(workspace=workspace, client=acme, name="Website")
    design = TaskFactory(workspace=workspace, project=website, name="Design")
    urgent = TagFactory(workspace=workspace, name="urgent")
    e = entry(
        workspace,
        owner,
        project=website,
        task=design,
        description="Landing page",
        seconds=5400,
        hourly_rate_cents=12050,
    )
    TimeEntryTag.objects.create(workspace=workspace, time_entry=e, tag=urgent)
    html = text(owner_client.get(url(workspace, MARCH)))
    row = html[html.index(f'id="row-{e.pk}"') :]
    row = row[: row.index("</tr>")]
    for expected in (
        "2026-03-02",
        "Landing page",
        "Website",
        "Acme",
        "Task: Design",
        "urgent",
        "Olivia Owner",
        "09:00 \u2013 10:30",
        "1:30:00",
        "Billable",
        "120.50 USD",
        "180.75 USD",
        "/edit/",
    ):
        assert expected in row, expected


def test_totals_cover_every_page_and_rounding_is_said_and_applied(workspace, owner, owner_client):
    rounding_on(workspace, "NEAREST", 15)
    # 60 entries of 7:30 (each rounds to 15:00), 40 billable at 60.00/h; one non-billable 1 h.
    for i in range(60):
        entry(workspace, owner, hours=i, seconds=450, billable=i < 40)
    html = text(owner_client.get(url(workspace, MARCH)))
    assert len(row_ids(html)) == 50
    assert 'id="total-time">15:00:00<' in html  # 60 x 15 min, not 60 x 7.5 min
    assert 'id="billable-time">10:00:00<' in html
    assert 'id="total-amount">600.00 USD<' in html
    assert "Rounding is on (15 min, nearest)" in html
    assert (
        "0:15:00" in html and "0:07:30" not in html.split('id="report-table"')[1].split("title=")[0]
    )
    page2 = text(owner_client.get(url(workspace, f"{MARCH}&page=2")))
    assert len(row_ids(page2)) == 10
    assert set(row_ids(page2)).isdisjoint(row_ids(html))
    assert 'id="total-time">15:00:00<' in page2

    workspace.rounding_enabled = False
    workspace.save()
    html = text(owner_client.get(url(workspace, MARCH)))
    assert 'id="total-time">7:30:00<' in html
    assert "Rounding is on" not in html


def test_amounts_per_currency(workspace, owner, owner_client):
    entry(workspace, owner, currency="USD", hourly_rate_cents=10000)
    entry(workspace, owner, hours=2, currency="EUR", hourly_rate_cents=5000)
    entry(workspace, owner, hours=4, currency="EUR", hourly_rate_cents=5000, billable=False)
    html = text(owner_client.get(url(workspace, MARCH)))
    assert 'id="total-amount">50.00 EUR, 100.00 USD<' in html
    assert 'id="billable-time">2:00:00<' in html


def test_filters_from_the_url_select_rows_and_stay_in_the_form(workspace, owner, owner_client):
    website = ProjectFactory(workspace=workspace, name="Website")
    keep = entry(workspace, owner, project=website, description="Fix the login bug")
    entry(workspace, owner, hours=2, project=website, description="Meeting")
    entry(workspace, owner, hours=4, description="Fix bug elsewhere")
    html = text(owner_client.get(url(workspace, f"{MARCH}&project={website.pk}&description=fix")))
    assert row_ids(html) == [keep.pk]
    assert f'<option value="{website.pk}" selected>' in html
    assert 'value="fix"' in html
    # Paging and sorting links carry the filters.
    assert f"project={website.pk}" in html.split('id="report-table"')[1]


def test_bad_filters_are_a_400_with_the_reason(workspace, owner_client, other_workspace):
    response = owner_client.get(url(workspace, "start=2026-03-05&end=2026-03-01"))
    assert response.status_code == 400
    assert "The end date is before the start date." in text(response)
    assert 'id="report-table"' not in text(response)
    foreign = ProjectFactory(workspace=other_workspace)
    response = owner_client.get(url(workspace, f"project={foreign.pk}"))
    assert response.status_code == 400
    assert "There is no project" in text(response)
    response = owner_client.get(url(workspace, "sort=colour"))
    assert response.status_code == 400


def test_sorting_by_duration_and_flipping(workspace, owner, owner_client):
    short = entry(workspace, owner, seconds=600)
    long = entry(workspace, owner, hours=3, seconds=7200)
    middle = entry(workspace, owner, hours=6, seconds=3600)
    html = text(owner_client.get(url(workspace, f"{MARCH}&sort=-duration")))
    assert row_ids(html) == [long.pk, middle.pk, short.pk]
    assert (
        'aria-sort="descending"><a href="?range=custom&amp;start=2026-03-01'
        '&amp;end=2026-03-31&amp;sort=duration"' in html
    )
    html = text(owner_client.get(url(workspace, f"{MARCH}&sort=duration")))
    assert row_ids(html) == [short.pk, middle.pk, long.pk]
    html = text(owner_client.get(url(workspace, MARCH)))  # newest first by default
    assert row_ids(html) == [middle.pk, long.pk, short.pk]


def test_member_can_edit_own_unlocked_entries_only(workspace, owner, member, member_client):
    own = entry(workspace, member)
    locked = entry(workspace, member, hours=2, is_locked=True)
    html = text(member_client.get(url(workspace, MARCH)))
    edit = reverse("tracking:entry_edit", kwargs={"ws": workspace.pk, "pk": own.pk})
    assert edit in html
    assert reverse("tracking:entry_edit", kwargs={"ws": workspace.pk, "pk": locked.pk}) not in html


@pytest.mark.parametrize("who", ["owner", "member"])
def test_query_count_does_not_grow_with_rows(workspace, owner, member, who, request):
    viewer = request.getfixturevalue(f"{who}_client")
    user = owner if who == "owner" else member
    tags = [TagFactory(workspace=workspace, name=f"t{i}") for i in range(3)]
    projects = [
        ProjectFactory(workspace=workspace, client=ClientFactory(workspace=workspace))
        for _ in range(3)
    ]

    def add(n, offset):
        for i in range(n):
            project = projects[i % 3]
            e = entry(
                workspace,
                user,
                hours=offset + i,
                project=project,
                task=TaskFactory(workspace=workspace, project=project),
            )
            TimeEntryTag.objects.create(workspace=workspace, time_entry=e, tag=tags[i % 3])

    query = f"{MARCH}&tag={tags[0].pk}&tag={tags[1].pk}&tag={tags[2].pk}&billable=yes"
    add(3, 0)
    few = assert_queries_flat(viewer, url(workspace, query), lambda: add(40, 100))
    # Includes the day chart's buckets, the filter summary's tag names and the sidebar's badge.
    assert few <= 17
