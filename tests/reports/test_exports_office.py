"""XLSX and PDF exports of the Detailed report: parsed back and compared with the page's table
(every page of it) and totals; same filters, sort and rounding; members get only their own rows;
an outsider gets a 404; a bad filter is a 400."""

# ruff: noqa: F811  (the `entries` fixture is imported from the CSV tests and used as a parameter)
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from reports import exports_office
from tests.reports.exports import cell_hms
from tests.reports.exports import cell_seconds
from tests.reports.exports import pdf_page_count
from tests.reports.exports import pdf_text
from tests.reports.exports import workbook_rows
from tests.reports.test_detailed_csv import MARCH
from tests.reports.test_detailed_csv import entries  # noqa: F401
from tests.reports.test_detailed_csv import report_url
from tests.reports.test_detailed_csv import table_rows
from tests.tracking.factories import TimeEntryFactory

pytestmark = pytest.mark.django_db


def test_xlsx_matches_the_table_on_every_page_and_the_totals(
    workspace,
    owner,
    owner_client,
    entries,
):
    query = f"{MARCH}&sort=-amount"
    table = []
    for page in (1, 2):
        html = owner_client.get(report_url(workspace, "detailed", f"{query}&page={page}"))
        table += table_rows(html.content.decode())
    response = owner_client.get(report_url(workspace, "detailed_xlsx", query))
    assert response.status_code == 200
    assert response["Content-Type"] == exports_office.XLSX_CONTENT_TYPE
    assert (
        'filename="detailed-report-2026-03-01-2026-03-31.xlsx"' in response["Content-Disposition"]
    )
    header, rows, totals = workbook_rows(response)
    assert header[:4] == ["Project", "Client", "Description", "Task"]
    assert len(rows) == len(table) == len(entries) == 63
    col = {name: i for i, name in enumerate(header)}
    for cells, row in zip(table, rows, strict=True):
        date, description, project, tags, member, times, duration, billable, rate, amount, _ = cells
        assert row[col["Start Date"]].date().isoformat() == date
        # Kept as text, not run as a formula (=SUM(A1:A9) is a description).
        assert row[col["Description"]] == description
        if row[col["Project"]]:
            assert project == f"{row[col['Project']]}|{row[col['Client']]}"
        else:
            assert project == "Without project"
        assert (row[col["Tags"]] or "") == tags
        assert row[col["User"]] == member
        assert times == f"{row[col['Start Time']][:5]} \u2013 {row[col['End Time']][:5]}"
        assert cell_hms(row[col["Duration (h)"]]) == duration
        rate_cell, amount_cell = col["Billable Rate (USD)"], col["Billable Amount (USD)"]
        assert row[rate_cell] == pytest.approx(float(rate.split()[0].replace(",", "")))
        if billable == "Billable":
            assert row[amount_cell] == pytest.approx(float(amount.split()[0].replace(",", "")))
        else:
            assert row[amount_cell] == 0
    seconds = sum(cell_seconds(r[col["Duration (h)"]]) for r in rows)
    assert all(cell_seconds(r[col["Duration (h)"]]) % 360 == 0 for r in rows)  # 6 min up
    html = owner_client.get(report_url(workspace, "detailed", query)).content.decode()
    total = f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    assert f'id="total-time">{total}<' in html
    by_label = {r[0]: r for r in totals if r and r[0]}
    assert by_label["Total"][1] == "63 entries"
    assert cell_hms(by_label["Total time"][1]) == total
    cents = sum(round(r[col["Billable Amount (USD)"]] * 100) for r in rows)
    assert round(by_label["Amount"][1] * 100) == cents
    assert by_label["Amount"][2] == "USD"
    assert any("Rounding is on (6 min, up)" in str(r[0]) for r in totals)


def test_xlsx_keeps_the_filters_and_a_member_sees_only_their_own(
    workspace,
    member,
    member_client,
    entries,
):
    response = member_client.get(report_url(workspace, "detailed_xlsx", f"{MARCH}&billable=yes"))
    header, rows, _ = workbook_rows(response)
    col = {name: i for i, name in enumerate(header)}
    expected = [e for e in entries if e.user_id == member.pk and e.billable]
    assert expected and len(rows) == len(expected)
    assert {r[col["Email"]] for r in rows} == {member.email}
    assert {r[col["Billable"]] for r in rows} == {"Yes"}


def test_pdf_has_header_totals_rows_and_page_numbers(
    workspace,
    owner,
    owner_client,
    entries,
):
    response = owner_client.get(report_url(workspace, "detailed_pdf", f"{MARCH}&sort=date"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    pages = pdf_page_count(response.content)
    assert pages >= 2  # 63 rows do not fit one landscape page
    text = pdf_text(response.content)
    assert f"Detailed report: {workspace.name}" in text
    assert "2026-03-01 to 2026-03-31" in text
    assert "Rounding is on (6 min, up)" in text
    for n in range(1, pages + 1):
        assert f"Page {n} of {pages}" in text
    # The table header is repeated on every page.
    assert text.count("Project / client / task") == pages
    # Totals as the page shows them.
    html = owner_client.get(report_url(workspace, "detailed", MARCH)).content.decode()
    total = re.search(r'id="total-time">([^<]+)<', html).group(1)
    amount = re.search(r'id="total-amount">([^<]+)<', html).group(1)
    assert total in text and amount in text
    # Every row's date and rounded duration, in date order.
    table = []
    for page in (1, 2):
        html = owner_client.get(report_url(workspace, "detailed", f"{MARCH}&sort=date&page={page}"))
        table += table_rows(html.content.decode())
    durations = re.findall(r"^\d+:\d\d:\d\d$", text, re.M)
    assert durations[-len(table) :] == [cells[6] for cells in table]
    dates = re.findall(r"^\d{4}-\d\d-\d\d$", text, re.M)
    assert dates[-len(table) :] == [cells[0] for cells in table]
    # Above the table, the bar chart of time per day, drawn in the PDF (its axis labels).
    assert "Time per day" in text and dates[0] == "2026-03-01"


def test_pdf_without_entries_says_so(workspace, owner_client):
    response = owner_client.get(
        report_url(workspace, "detailed_pdf", "start=2020-01-01&end=2020-01-02")
    )
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "No entries match these filters." in text
    assert "Page 1 of 1" in text


def test_exports_refuse_a_bad_filter_and_an_outsider(workspace, owner_client, outsider_client):
    for name in ("detailed_xlsx", "detailed_pdf"):
        bad = owner_client.get(report_url(workspace, name, "start=2026-03-31&end=2026-03-01"))
        assert bad.status_code == 400
        assert "before the start" in bad.content.decode()
        assert outsider_client.get(report_url(workspace, name, MARCH)).status_code == 404


def test_too_large_an_export_is_refused_with_a_message(
    workspace,
    owner_client,
    entries,
    monkeypatch,
):
    monkeypatch.setattr(exports_office, "PDF_MAX_ROWS", 10)
    response = owner_client.get(report_url(workspace, "detailed_pdf", MARCH))
    assert response.status_code == 400
    assert "63 entries" in response.content.decode()
    assert "export CSV" in response.content.decode()


def test_the_page_links_to_the_exports_with_its_filters(workspace, owner_client, entries):
    html = owner_client.get(report_url(workspace, "detailed", f"{MARCH}&billable=yes")).content
    for name in ("detailed_xlsx", "detailed_pdf"):
        url = reverse(f"reports:{name}", kwargs={"ws": workspace.pk})
        assert (
            f'href="{url}?range=custom&amp;start=2026-03-01&amp;end=2026-03-31&amp;billable=yes"'
            in html.decode()
        )


def test_dates_and_times_are_the_viewers(workspace, owner, owner_client):
    # A Berlin viewer: an entry at 23:30 UTC on 2 March starts at 00:30 on 3 March for them.
    owner.time_zone = "Europe/Berlin"
    owner.save()
    start = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)
    TimeEntryFactory(
        workspace=workspace,
        user=owner,
        start=start,
        seconds=2700,
    )
    late = owner_client.get(
        report_url(workspace, "detailed_xlsx", "start=2026-03-03&end=2026-03-03")
    )
    header, rows, _ = workbook_rows(late)
    at = [header.index(name) for name in ("Start Date", "Start Time", "End Time")]
    assert [(r[at[0]].date(), r[at[1]], r[at[2]]) for r in rows] == [
        (dt.date(2026, 3, 3), "00:30:00", "01:15:00")
    ]
    early = owner_client.get(
        report_url(workspace, "detailed_xlsx", "start=2026-03-02&end=2026-03-02")
    )
    assert workbook_rows(early)[1] == []
