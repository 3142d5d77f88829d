"""The Detailed report's CSV export: streamed, same filters, sort and rounding as the page; parsed
back and compared with the table, row by row over every page, and with the totals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import dateformat

from reports.exports import date_and_time
from tests.factories import rounding_on
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TimeEntryFactory
from tracking.models import TimeEntryTag
from workspaces.models import User

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 13, 5, tzinfo=dt.UTC)
MARCH = "start=2026-03-01&end=2026-03-31"


class TableRows(HTMLParser):
    """The text of each cell of each report row (<tr id="row-...">)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.in_row = False
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr" and dict(attrs).get("id", "").startswith("row-"):
            self.in_row = True
            self.rows.append([])
        elif tag == "td" and self.in_row:
            self.cell = []
        elif tag == "span" and self.cell is not None and dict(attrs).get("class") == "sub":
            self.cell.append("|")

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr":
            self.in_row = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html: str) -> list[list[str]]:
    parser = TableRows()
    parser.feed(html)
    return parser.rows


def csv_rows(response) -> list[dict[str, str]]:
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def entries(workspace, owner, member):
    rounding_on(workspace, "UP", 6)
    owner.time_zone = "Europe/Berlin"
    owner.save()
    acme = ClientFactory(workspace=workspace, name="Acme, Inc.")
    website = ProjectFactory(workspace=workspace, client=acme, name="Website")
    urgent = TagFactory(workspace=workspace, name="urgent")
    made = []
    for i in range(63):
        start = START + dt.timedelta(hours=7 * i)
        seconds = 301 + 997 * i
        e = TimeEntryFactory(
            workspace=workspace,
            user=owner if i % 4 else member,
            project=website if i % 3 else None,
            description=["=SUM(A1:A9)", 'Said "hi", left', "plain"][i % 3],
            billable=i % 5 != 0,
            start=start,
            seconds=seconds,
            hourly_rate_cents=7550 + i,
            currency="USD",
        )
        if i % 2:
            TimeEntryTag.objects.create(workspace=workspace, time_entry=e, tag=urgent)
        made.append(e)
    return made


def report_url(workspace, name, query):
    return reverse(f"reports:{name}", kwargs={"ws": workspace.pk}) + "?" + query


def test_csv_matches_the_table_on_every_page_and_the_totals(
    workspace, owner, owner_client, entries
):
    query = f"{MARCH}&sort=-amount"
    table = []
    for page in (1, 2):
        html = owner_client.get(report_url(workspace, "detailed", f"{query}&page={page}"))
        table += table_rows(html.content.decode())
    exported = csv_rows(owner_client.get(report_url(workspace, "detailed_csv", query)))
    assert len(exported) == len(table) == len(entries)
    for cells, line in zip(table, exported, strict=True):
        date, description, project, tags, member, times, duration, billable, rate, amount, _ = cells
        assert line["Start Date"] == date
        assert line["Description"].removeprefix("'") == description
        if line["Project"]:
            assert project == f"{line['Project']}|{line['Client']}"
        else:
            assert project == "Without project"
        assert line["Tags"] == tags
        assert line["User"] == member
        assert times == f"{line['Start Time'][:5]} \u2013 {line['End Time'][:5]}"
        assert line["Duration (h)"] == duration
        assert line["Billable"] == ("Yes" if billable == "Billable" else "No")
        # The page separates thousands with commas; the CSV keeps plain numbers.
        assert f"{line['Billable Rate (USD)']} {line['Currency']}" == rate.replace(",", "")
        if billable == "Billable":
            assert f"{line['Billable Amount (USD)']} {line['Currency']}" == amount.replace(",", "")
        else:
            assert line["Billable Amount (USD)"] == "0.00"
    # Rounded up to 6 minutes per entry, and summed: the page's totals.
    html = owner_client.get(report_url(workspace, "detailed", query)).content.decode()
    seconds = 0
    for line in exported:
        h, m, s = (int(x) for x in line["Duration (h)"].split(":"))
        assert (m * 60 + s) % 360 == 0
        seconds += h * 3600 + m * 60 + s
    total = f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    assert f'id="total-time">{total}<' in html
    amount = sum(Decimal(line["Billable Amount (USD)"]) for line in exported)
    assert f'id="total-amount">{amount:,.2f} USD<' in html


def test_csv_guards_formulas_and_quotes_commas(workspace, owner_client, entries):
    exported = csv_rows(owner_client.get(report_url(workspace, "detailed_csv", MARCH)))
    descriptions = {line["Description"] for line in exported}
    assert "'=SUM(A1:A9)" in descriptions
    assert 'Said "hi", left' in descriptions
    assert {line["Client"] for line in exported} >= {"Acme, Inc."}


def test_csv_respects_roles_filters_and_tenancy(
    workspace, member, member_client, outsider_client, entries
):
    exported = csv_rows(member_client.get(report_url(workspace, "detailed_csv", MARCH)))
    assert exported and {line["Email"] for line in exported} == {member.email}
    billable = csv_rows(
        member_client.get(report_url(workspace, "detailed_csv", f"{MARCH}&billable=no"))
    )
    assert billable and all(line["Billable"] == "No" for line in billable)
    assert len(billable) < len(exported)
    response = outsider_client.get(report_url(workspace, "detailed_csv", MARCH))
    assert response.status_code == 404
    bad = member_client.get(report_url(workspace, "detailed_csv", "range=someday"))
    assert bad.status_code == 400
    assert "Unknown date range" in bad.content.decode()


def test_export_link_carries_the_filters(workspace, owner_client, entries):
    html = owner_client.get(
        report_url(workspace, "detailed", f"{MARCH}&billable=yes&sort=member")
    ).content.decode()
    csv_url = reverse("reports:detailed_csv", kwargs={"ws": workspace.pk})
    assert (
        f'href="{csv_url}?range=custom&amp;start=2026-03-01&amp;end=2026-03-31'
        '&amp;billable=yes&amp;sort=member"' in html
    )


def test_csv_has_clockifys_columns_and_the_viewers_date_and_time_formats(
    workspace, owner, owner_client, entries
):
    """Scripts written for Clockify's export read it by its headers ("User", "Start Date",
    "Duration (decimal)", "Billable Amount (USD)"); dates and times follow the viewer's
    settings, as Clockify's do."""
    owner.date_format, owner.time_format = "m/d/Y", "g:i A"
    owner.save()
    response = owner_client.get(report_url(workspace, "detailed_csv", MARCH))
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0] == (
        "Project,Client,Description,Task,User,Group,Email,Tags,Type,Billable,Invoiced,"
        "Invoice ID,Start Date,Start Time,End Date,End Time,Duration (h),Duration (decimal),"
        "Billable Rate (USD),Billable Amount (USD),Currency"
    )
    for line in csv.DictReader(io.StringIO(body)):
        assert re.fullmatch(r"\d\d/\d\d/2026", line["Start Date"]), line
        assert re.fullmatch(r"\d{1,2}:\d\d:\d\d [AP]M", line["End Time"]), line
        assert (line["Type"], line["Invoiced"], line["Group"]) == ("Regular", "No", "")
        h, m, s = (int(x) for x in line["Duration (h)"].split(":"))
        assert line["Duration (decimal)"] == f"{(h * 3600 + m * 60 + s) / 3600:.2f}"


@pytest.mark.parametrize("date_format", [choice.value for choice in User.DateFormat])
@pytest.mark.parametrize("time_format", [choice.value for choice in User.TimeFormat])
@pytest.mark.parametrize("hour", [0, 9, 12, 13, 23])
def test_csv_dates_and_times_read_as_the_pages_format_them(date_format, time_format, hour):
    """The export's strftime patterns (fast on a million rows) say what Django's date
    formatting of the viewer's formats says, seconds added, for every format offered."""
    moment = dt.datetime(2026, 3, 4, hour, 5, 7)
    viewer = User(date_format=date_format, time_format=time_format)
    assert date_and_time(moment, viewer) == (
        dateformat.format(moment, date_format),
        dateformat.format(moment, time_format.replace("i", "i:s")),
    )
