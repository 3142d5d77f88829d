"""The Detailed report's rows are read as plain values and their cells written in Python
(reports.views.RowCells): what the table shows must stay what the entries hold, in the
viewer's zone and formats, escaped; the single-row view (the in-place edit's Cancel) writes
the very same row."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import rounding_on
from tests.reports.test_detailed_page import MARCH
from tests.reports.test_detailed_page import entry
from tests.reports.test_detailed_page import text
from tests.reports.test_detailed_page import url
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tracking.models import TimeEntryTag

pytestmark = pytest.mark.django_db


def row_of(html, pk):
    found = re.search(rf'<tr id="row-{pk}">.*?</tr>', html, re.S)
    assert found, pk
    return found.group(0)


def cells(row_html):
    found = re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)
    return [re.sub(r"<[^>]+>", "|", cell).strip(" |") for cell in found]


def test_cells_in_the_viewers_zone_and_formats_escaped(workspace, owner, owner_client):
    owner.time_zone = "America/New_York"
    owner.date_format = "m/d/Y"
    owner.time_format = "g:i A"
    owner.save()
    rounding_on(workspace, "UP", 15)
    client = ClientFactory(workspace=workspace, name="Acme & <Sons>")
    project = ProjectFactory(workspace=workspace, client=client, name="Web <b>site</b>")
    task = TaskFactory(workspace=workspace, project=project, name='Fix "quotes"')
    tagged = entry(
        workspace,
        owner,
        seconds=3000,  # 0:50:00, rounded up to 1:00:00
        description="<script>alert(1)</script>",
        project=project,
        task=task,
        hourly_rate_cents=123456,
    )
    for name in ("zeta", "alpha & beta"):
        TimeEntryTag.objects.create(
            workspace=workspace, time_entry=tagged, tag=TagFactory(workspace=workspace, name=name)
        )
    bare = entry(workspace, owner, hours=1, seconds=3600, description="", billable=False)

    html = text(owner_client.get(url(workspace, MARCH)))
    assert "<script>alert(1)</script>" not in html
    row = row_of(html, tagged.pk)
    assert 'title="Tracked 0:50:00"' in row
    assert cells(row)[:10] == [
        "03/02/2026",  # 09:00 UTC is 4:00 AM in New York, still March 2nd
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "Web &lt;b&gt;site&lt;/b&gt;|Acme &amp; &lt;Sons&gt;||Task: Fix &quot;quotes&quot;",
        "alpha &amp; beta| |zeta",
        owner.full_name or owner.email,
        "4:00 AM \N{EN DASH} 4:50 AM",
        "1:00:00",
        "Billable",
        "1,234.56 USD",
        "1,234.56 USD",
    ]
    assert cells(row_of(html, bare.pk))[:10] == [
        "03/02/2026",
        "(no description)",
        "Without project",
        "",
        owner.full_name or owner.email,
        "5:00 AM \N{EN DASH} 6:00 AM",
        "1:00:00",
        "Non-billable",
        "60.00 USD",
        "\N{EM DASH}",
    ]
    # The single-row view writes the same row.
    single = owner_client.get(
        reverse("reports:entry_row", kwargs={"ws": workspace.pk, "pk": tagged.pk})
    )
    assert row_of(text(single), tagged.pk) == row.replace(f"?q={_q(html)}", "?q=")


def _q(html):
    return re.search(r"\?q=([^\"]*)\"", html).group(1)


def test_edit_links_follow_the_rules_and_others_rows_are_not_found(
    workspace, owner, member, member_client
):
    own = entry(workspace, member, description="mine")
    locked = entry(workspace, member, hours=1, description="locked", is_locked=True)
    theirs = entry(workspace, owner, hours=2, description="theirs")
    html = text(member_client.get(url(workspace, MARCH)))
    assert "Edit</a>" in row_of(html, own.pk)
    assert "Edit</a>" not in row_of(html, locked.pk)
    assert f"row-{theirs.pk}" not in html
    single = reverse("reports:entry_row", kwargs={"ws": workspace.pk, "pk": theirs.pk})
    assert member_client.get(single).status_code == 404
