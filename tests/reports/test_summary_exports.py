"""XLSX and PDF exports of the Summary and Weekly reports: parsed back and compared with the
page's groups and totals (and the Weekly grid), with the heading naming the dates, grouping,
filters and rounding; a member's exports hold only their time; bad input is a 400, an outsider
a 404, too large a report a 400 that says to narrow it."""

# ruff: noqa: F811  (the `dataset` fixture is imported from the Summary tests and used as a parameter)
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from reports import exports_office
from reports.exports_summary import group_name
from reports.filters import DateRange
from reports.filters import DetailedFilters
from reports.summary import GroupBy
from reports.summary import weekly_grid
from tests.factories import membership_of
from tests.factories import rounding_on
from tests.reports.entries import entry
from tests.reports.exports import cell_hms
from tests.reports.exports import hms
from tests.reports.exports import pdf_page_count
from tests.reports.exports import pdf_text
from tests.reports.exports import sheet_parts
from tests.reports.test_summary import MARCH_QUERY
from tests.reports.test_summary import dataset  # noqa: F401
from tests.reports.test_summary import march_groups
from tests.tracking.factories import ProjectFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)


def url(workspace, name, query=""):
    return f"{reverse(f'reports:{name}', kwargs={'ws': workspace.pk})}?{query}"


def page_totals(client, workspace, query):
    html = client.get(url(workspace, "summary", query)).content.decode()
    total = re.search(r'id="total-time">([^<]+)<', html).group(1)
    amount = re.search(r'id="total-amount">([^<]+)<', html).group(1)
    return total, amount


def test_summary_xlsx_matches_the_groups_and_the_page_totals(
    workspace, owner, owner_client, dataset
):
    rounding_on(workspace, "NEAREST", 15)
    query = f"{MARCH_QUERY}&group=project&sub_group=member"
    response = owner_client.get(url(workspace, "summary_xlsx", query))
    assert (
        'filename="summary-report-2026-03-01-2026-03-31.xlsx"' in (response["Content-Disposition"])
    )
    heading, header, rows, totals = sheet_parts(response, "Project")
    assert heading[0] == f"Summary report: {workspace.name}"
    assert heading[1].startswith("2026-03-01 to 2026-03-31 (")
    assert "Grouped by project, then by member" in heading
    assert any("Rounding is on (15 min, nearest)" in line for line in heading)
    assert header == [
        "Project",
        "Member",
        "Duration (h:mm:ss)",
        "Duration (decimal hours)",
        "Billable duration (h:mm:ss)",
        "Billable duration (decimal hours)",
        "Amount (USD)",
    ]
    groups = march_groups(workspace, owner, GroupBy.PROJECT, GroupBy.MEMBER)
    expected = []
    for g in groups:
        cents = sum(a.cents for a in g.amounts)
        expected.append([group_name(g), None, hms(g.seconds), g.billable_seconds, cents])
        for c in g.children:
            cents = sum(a.cents for a in c.amounts)
            expected.append(
                [group_name(g), group_name(c), hms(c.seconds), c.billable_seconds, cents]
            )
    # Durations are numbers (timedeltas as openpyxl reads them), never text.
    got = [[r[0], r[1], cell_hms(r[2]), cell_hms(r[4]), round(r[6] * 100)] for r in rows]
    assert got == [[*e[:3], hms(e[3]), e[4]] for e in expected]
    for r in rows:  # decimal hours are the [h]:mm:ss
        assert r[3] == pytest.approx(r[2].total_seconds() / 3600, abs=0.0001)
        assert r[5] == pytest.approx(r[4].total_seconds() / 3600, abs=0.0001)
    # Rounded per entry (15 min): every duration is whole quarter hours.
    assert all(r[2].total_seconds() % 900 == 0 for r in rows)

    total, amount = page_totals(owner_client, workspace, query)
    by_label = {r[0]: r for r in totals if r and r[0]}
    assert cell_hms(by_label["Total time"][1]) == total
    assert f"{by_label['Amount'][1]:,.2f} {by_label['Amount'][2]}" == amount
    top = [r for r in rows if r[1] is None]
    assert sum(round(r[6] * 100) for r in top) == round(by_label["Amount"][1] * 100)


def test_summary_xlsx_keeps_the_filters_and_names_them(workspace, owner, owner_client, dataset):
    website = next(e.project for e in dataset if e.project and e.project.name == "Website")
    query = f"{MARCH_QUERY}&group=date&sub_group=none&project={website.pk}&billable=yes"
    heading, header, rows, _ = sheet_parts(
        owner_client.get(url(workspace, "summary_xlsx", query)), "Date"
    )
    assert "Filters: Projects: Website; Billable only" in heading
    expected = {e.start.date(): 0 for e in dataset if e.project == website and e.billable}
    for e in dataset:
        if e.project == website and e.billable:
            expected[e.start.date()] += e.duration_seconds
    # Date groups are date cells, in calendar order.
    assert [(r[0].date(), cell_hms(r[2])) for r in rows] == [
        (d, hms(s)) for d, s in sorted(expected.items())
    ]
    assert header[1] is None or header[1] == ""


def test_summary_xlsx_has_a_column_per_currency_and_neutralises_formulas(
    workspace, owner, owner_client
):
    project = ProjectFactory(workspace=workspace, name="=HYPERLINK(1)")
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    entry(workspace, owner, start, 3600, project=project, currency="USD", hourly_rate_cents=100)
    entry(workspace, owner, start, 7200, project=project, currency="EUR", hourly_rate_cents=100)
    query = f"{MARCH_QUERY}&group=project&sub_group=none"
    _, header, rows, totals = sheet_parts(
        owner_client.get(url(workspace, "summary_xlsx", query)), "Project"
    )
    assert header[-2:] == ["Amount (EUR)", "Amount (USD)"]
    three = dt.timedelta(hours=3)
    assert rows == [["=HYPERLINK(1)", None, three, 3.0, three, 3.0, 2.0, 1.0]]
    amounts = {r[2]: r[1] for r in totals if r and r[0] == "Amount"}
    assert amounts == {"EUR": 2.0, "USD": 1.0}


def test_summary_pdf_has_heading_groups_totals_and_page_numbers(
    workspace, owner, owner_client, dataset
):
    rounding_on(workspace, "NEAREST", 15)
    query = f"{MARCH_QUERY}&group=tag&sub_group=client"
    response = owner_client.get(url(workspace, "summary_pdf", query))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('summary-report-2026-03-01-2026-03-31.pdf"')
    text = pdf_text(response.content)
    assert f"Summary report: {workspace.name}" in text
    assert "2026-03-01 to 2026-03-31" in text
    assert "Grouped by tag, then by client" in text
    assert "Rounding is on (15 min, nearest)" in text
    assert "counts under each of them" in text  # the tag note
    pages = pdf_page_count(response.content)
    assert f"Page {pages} of {pages}" in text
    total, amount = page_totals(owner_client, workspace, query)
    assert total in text and amount in text
    groups = march_groups(workspace, owner, GroupBy.TAG, GroupBy.CLIENT)
    # Each group's and subgroup's name, then its duration and billable duration, in order.
    lines = text.splitlines()
    at = lines.index("Tag / Client")
    for g in [x for group in groups for x in (group, *group.children)]:
        at = lines.index(g.label, at + 1)
        assert lines[at + 1 : at + 3] == [hms(g.seconds), hms(g.billable_seconds)]
    # The charts, drawn in the PDF above the table: bars per day stacked by tag, the share of
    # time by tag with its legend (the page's figures).
    assert "Time per day by tag" in text and "Share of time by tag" in text
    html = owner_client.get(url(workspace, "summary", query)).content.decode()
    legend = re.findall(r"</span>([^<:]+: [\d.]+%)", html)
    assert legend and all(item in text for item in legend)


def test_summary_pdf_without_entries_says_so(workspace, owner_client):
    response = owner_client.get(url(workspace, "summary_pdf", "start=2020-01-01&end=2020-01-02"))
    assert response.status_code == 200
    assert "No entries match these filters." in pdf_text(response.content)


def test_a_members_summary_exports_hold_only_their_time(workspace, owner, member, member_client):
    project = ProjectFactory(workspace=workspace, name="Website")
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    entry(workspace, member, start, 1800, project=project)
    entry(workspace, owner, start, 7200, project=project)
    query = f"{MARCH_QUERY}&group=member&sub_group=project"
    _, _, rows, _ = sheet_parts(member_client.get(url(workspace, "summary_xlsx", query)), "Member")
    assert [(r[0], r[1], cell_hms(r[2])) for r in rows] == [
        ("Mia Member · " + member.email, None, "0:30:00"),
        ("Mia Member · " + member.email, "Website", "0:30:00"),
    ]
    text = pdf_text(member_client.get(url(workspace, "summary_pdf", query)).content)
    assert "Olivia" not in text and "2:30:00" not in text and "0:30:00" in text


def test_weekly_xlsx_and_pdf_match_the_grid(workspace, owner, admin, member, owner_client):
    rounding_on(workspace, "NEAREST", 15)
    start = dt.datetime.combine(MONDAY, dt.time(9), tzinfo=dt.UTC)
    entry(workspace, owner, start, 1000)  # 16:40 -> 15:00
    entry(workspace, owner, start + dt.timedelta(days=2), 3600)
    entry(workspace, member, start + dt.timedelta(days=6), 2000)  # 33:20 -> 30:00
    entry(workspace, admin, start + dt.timedelta(days=7), 3600)  # next week
    heading, header, rows, _ = sheet_parts(
        owner_client.get(url(workspace, "weekly_xlsx", "week=2026-03-04")), "Member"
    )
    assert heading[0] == f"Weekly report: {workspace.name}"
    assert heading[1].startswith("2026-03-02 to 2026-03-08")
    assert any("Rounding is on" in line for line in heading)
    days = [MONDAY + dt.timedelta(days=i) for i in range(7)]
    assert header == [
        "Member",
        *(f"{d:%a %Y-%m-%d}" for d in days),
        "Total",
        "Total (decimal hours)",
    ]
    minutes = [[None if c is None else c.total_seconds() / 60 for c in r[1:9]] for r in rows]
    assert [r[9] for r in rows] == [0.5, 1.25, 1.75]
    assert [r[0] for r in rows] == ["Mia Member", "Olivia Owner", "Total"]
    assert minutes == [
        [0, 0, 0, 0, 0, 0, 30, 30],
        [15, 0, 60, 0, 0, 0, 0, 75],
        [15, 0, 60, 0, 0, 0, 30, 105],
    ]
    grid = weekly_grid(
        membership=membership_of(workspace, owner),
        filters=DetailedFilters(
            date_range=DateRange.CUSTOM, start=MONDAY, end=MONDAY + dt.timedelta(days=6)
        ),
        rows_by=GroupBy.MEMBER,
    )
    assert grid.seconds == 105 * 60

    response = owner_client.get(url(workspace, "weekly_pdf", "week=2026-03-04&by=project"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('weekly-report-2026-03-02.pdf"')
    text = pdf_text(response.content)
    assert "Weekly report:" in text and "Rows: projects, by day of the week" in text
    lines = text.splitlines()
    at = lines.index("Without project")
    assert lines[at + 1 : at + 9] == [
        "0:15:00",
        "-",
        "1:00:00",
        "-",
        "-",
        "-",
        "0:30:00",
        "1:45:00",
    ]
    at = lines.index("Total", at)
    days = ["0:15:00", "0:00:00", "1:00:00", "0:00:00", "0:00:00", "0:00:00", "0:30:00"]
    assert lines[at + 1 : at + 9] == [*days, "1:45:00"]
    empty = owner_client.get(url(workspace, "weekly_pdf", "week=2026-04-06"))
    assert "No time in this week." in pdf_text(empty.content)


def test_the_pages_link_to_the_exports_with_their_filters(workspace, owner_client, dataset):
    html = owner_client.get(
        url(workspace, "summary", f"{MARCH_QUERY}&billable=yes&group=client&sub_group=tag")
    ).content.decode()
    query = "&amp;".join(
        [
            "range=custom",
            "start=2026-03-01",
            "end=2026-03-31",
            "billable=yes",
            "group=client",
            "sub_group=tag",
        ]
    )
    for name in ("summary_csv", "summary_xlsx", "summary_pdf"):
        assert f'href="{url(workspace, name, query)}"' in html
    html = owner_client.get(url(workspace, "weekly", "week=2026-03-04&by=project")).content.decode()
    for name in ("weekly_csv", "weekly_xlsx", "weekly_pdf"):
        assert f'href="{url(workspace, name, "week=2026-03-02&amp;by=project")}"' in html


def test_bad_input_is_a_400_and_an_outsider_a_404(workspace, owner_client, outsider_client):
    for name, bad, reason in [
        ("summary_xlsx", "group=planet", "Group by one of"),
        ("summary_pdf", "start=2026-03-31&end=2026-03-01", "before the start"),
        ("weekly_xlsx", "week=2026-13-01", "The week must be a date"),
        ("weekly_pdf", "by=tag", "members or projects"),
    ]:
        response = owner_client.get(url(workspace, name, bad))
        assert response.status_code == 400 and reason in response.content.decode()
        assert outsider_client.get(url(workspace, name)).status_code == 404


def test_too_large_a_summary_export_is_refused_with_a_message(
    workspace, owner_client, dataset, monkeypatch
):
    monkeypatch.setattr(exports_office, "PDF_MAX_ROWS", 5)
    response = owner_client.get(
        url(workspace, "summary_pdf", f"{MARCH_QUERY}&group=project&sub_group=member")
    )
    assert response.status_code == 400
    assert "rows; a PDF export holds at most 5" in response.content.decode()
    assert "export CSV" in response.content.decode()


def test_xlsx_durations_are_numbers_formatted_h_mm_ss_never_text(workspace, owner, owner_client):
    """Every duration an XLSX export writes is a number a spreadsheet sums (a fraction of a
    day shown as [h]:mm:ss, so 30 hours read 30:00:00), beside decimal hours."""
    import io as _io

    from openpyxl import load_workbook

    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    entry(workspace, owner, start, 30 * 3600 - 1, project=ProjectFactory(workspace=workspace))
    for name, query in [
        ("detailed_xlsx", MARCH_QUERY),
        ("summary_xlsx", f"{MARCH_QUERY}&group=project&sub_group=member"),
        ("weekly_xlsx", "week=2026-03-02"),
    ]:
        book = load_workbook(_io.BytesIO(owner_client.get(url(workspace, name, query)).content))
        durations = [
            c for row in book.active.iter_rows() for c in row if c.number_format == "[h]:mm:ss"
        ]
        assert durations, name
        # Stored as numbers: openpyxl reads a number in a duration format back as a timedelta.
        assert all(isinstance(c.value, dt.timedelta) for c in durations), name
        assert any(c.value == dt.timedelta(seconds=30 * 3600 - 1) for c in durations), name
