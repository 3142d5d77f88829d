"""Exports of the Summary and Weekly reports: CSV (streamed lines), XLSX and PDF, built on the
shared pieces of `reports.exports_office` (heading, totals, page-numbered PDF, row limits).

The numbers are the pages' own: `summary_groups` and `summary_totals` for the Summary,
`weekly_grid` for the Weekly, so the page, its exports and the Reports API cannot disagree.

- Summary XLSX: a heading (workspace, dates, grouping, filters, rounding), the grouped table
  (a row per group, then its subgroups under it, the group repeated so the sheet sorts and
  filters), durations as h:mm:ss and decimal hours, one amount column per currency, then the
  totals as in the Detailed export.
- Summary PDF: the heading and totals, then the table with subgroups indented.
- Weekly XLSX and PDF: rows by the seven days of the week with row and day totals; XLSX cells
  are durations Excel sums and shows as [h]:mm:ss.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable
from reportlab.platypus import Paragraph
from reportlab.platypus import Spacer

from reports import exports_office as office
from reports.charts import summary_charts
from reports.exports import _Echo
from reports.exports import _hms
from reports.exports import _text
from reports.filters import DetailedFilters
from reports.pdf_charts import bars_drawing
from reports.pdf_charts import share_drawing
from reports.selectors import DetailedTotals
from reports.summary import GroupBy
from reports.summary import SummaryGroup
from reports.summary import WeeklyGrid
from reports.summary import summary_groups
from reports.summary import summary_totals
from reports.summary import weekly_grid
from reports.templatetags.report_format import money
from workspaces.models import Membership

SUMMARY_CSV_HEADER = [
    "Group",
    "Subgroup",
    "Duration (h:mm:ss)",
    "Duration (decimal hours)",
    "Billable duration (h:mm:ss)",
    "Amount",
]
TAG_NOTE = (
    "An entry with several tags counts under each of them, so the groups can add up to more "
    "than the total."
)


def grouping_text(group_by: GroupBy, sub_group_by: GroupBy | None) -> str:
    then = f", then by {sub_group_by.label.lower()}" if sub_group_by else ""
    return f"Grouped by {group_by.label.lower()}{then}"


def group_name(group: SummaryGroup) -> str:
    """The group's name as the page shows it: a task with its project, a member with e-mail."""
    return f"{group.label} · {group.detail}" if group.detail else group.label


def _row_count(groups: list[SummaryGroup]) -> int:
    return len(groups) + sum(len(g.children) for g in groups)


# --- CSV ------------------------------------------------------------------------------------


def _summary_csv_row(first: SummaryGroup, second: SummaryGroup | None) -> list[str]:
    group = second or first
    return [
        _text(first.label),
        _text(second.label) if second else "",
        _hms(group.seconds),
        f"{group.seconds / 3600:.2f}",
        _hms(group.billable_seconds),
        group.amount_text,
    ]


def summary_csv_lines(groups: list[SummaryGroup]) -> Iterator[str]:
    """One line per group (the subgroup column empty), then one per subgroup under it."""
    writer = csv.writer(_Echo())
    yield writer.writerow(SUMMARY_CSV_HEADER)
    for first in groups:
        yield writer.writerow(_summary_csv_row(first, None))
        for second in first.children:
            yield writer.writerow(_summary_csv_row(first, second))


def weekly_csv_lines(grid: WeeklyGrid, by: GroupBy) -> Iterator[str]:
    """Header with the seven dates, a row per member/project, then the day totals; h:mm:ss."""
    writer = csv.writer(_Echo())
    yield writer.writerow([by.label, *(d.isoformat() for d in grid.days), "Total"])
    for row in grid.rows:
        yield writer.writerow(
            [_text(row.label), *(_hms(s) for s in row.day_seconds), _hms(row.seconds)]
        )
    yield writer.writerow(["Total", *(_hms(s) for s in grid.day_totals), _hms(grid.seconds)])


# --- Summary XLSX ---------------------------------------------------------------------------


def _contents(
    membership: Membership,
    filters: DetailedFilters,
    group_by: GroupBy,
    sub_group_by: GroupBy | None,
    groups: list[SummaryGroup] | None,
    limit: int,
    kind: str,
) -> tuple[list[SummaryGroup], DetailedTotals]:
    """The groups (read unless given) and the totals of a Summary export; FilterError past
    `limit` rows."""
    if groups is None:
        groups = summary_groups(
            membership=membership, filters=filters, group_by=group_by, sub_group_by=sub_group_by
        )
    office.check_size(_row_count(groups), limit, kind, "rows")
    totals = summary_totals(
        membership=membership, filters=filters, group_by=group_by, groups=groups
    )
    return groups, totals


def _heading(
    membership: Membership, filters: DetailedFilters, group_by: GroupBy, sub: GroupBy | None
) -> list[str]:
    return office.heading_lines(
        membership=membership, filters=filters, extra=[grouping_text(group_by, sub)]
    )


def _currencies(groups: list[SummaryGroup], totals: DetailedTotals, fallback: str) -> list[str]:
    found = {a.currency for a in totals.amounts}
    for group in groups:
        found.update(a.currency for a in group.amounts)
    return sorted(found) or [fallback]


def _label_cell(sheet: Worksheet, group: SummaryGroup) -> Any:
    if group.date is not None:
        return office.number_cell(sheet, group.date, "yyyy-mm-dd")
    return office.text_cell(sheet, group_name(group))


def _summary_xlsx_row(
    sheet: Worksheet,
    first: SummaryGroup,
    second: SummaryGroup | None,
    currencies: list[str],
) -> list[Any]:
    group = second or first
    cents = {a.currency: a.cents for a in group.amounts}
    cells = [
        _label_cell(sheet, first),
        _label_cell(sheet, second) if second else None,
        office.duration_cell(sheet, group.seconds),
        office.hours_cell(sheet, group.seconds),
        office.duration_cell(sheet, group.billable_seconds),
        office.hours_cell(sheet, group.billable_seconds),
        *(office.number_cell(sheet, cents.get(c, 0) / 100, "#,##0.00") for c in currencies),
    ]
    if second is None:  # a first-level row is bold, its subgroups under it are not
        bold = Font(bold=True)
        for cell in cells:
            if cell is not None:
                cell.font = bold
    return cells


def summary_xlsx(
    *,
    membership: Membership,
    filters: DetailedFilters,
    group_by: GroupBy,
    sub_group_by: GroupBy | None,
    groups: list[SummaryGroup] | None = None,
) -> bytes:
    """The Summary report as an XLSX workbook; FilterError past XLSX_MAX_ROWS rows. `groups`,
    when given, are `summary_groups` of the same arguments in another order (the API's sort)."""
    groups, totals = _contents(
        membership, filters, group_by, sub_group_by, groups, office.XLSX_MAX_ROWS, "XLSX"
    )
    workspace = membership.workspace
    currencies = _currencies(groups, totals, workspace.currency)

    workbook, sheet = office.new_workbook("Summary report")
    office.append_heading(
        sheet,
        f"Summary report: {workspace.name}",
        _heading(membership, filters, group_by, sub_group_by),
    )
    sheet.append(
        office.bold_cells(
            sheet,
            [
                group_by.label,
                sub_group_by.label if sub_group_by else "",
                "Duration (h:mm:ss)",
                "Duration (decimal hours)",
                "Billable duration (h:mm:ss)",
                "Billable duration (decimal hours)",
                *(f"Amount ({c})" for c in currencies),
            ],
        )
    )
    for first in groups:
        sheet.append(_summary_xlsx_row(sheet, first, None, currencies))
        for second in first.children:
            sheet.append(_summary_xlsx_row(sheet, first, second, currencies))
    office.append_totals(sheet, totals, workspace.currency)
    if GroupBy.TAG in (group_by, sub_group_by):
        sheet.append([TAG_NOTE])
    return office.workbook_bytes(workbook)


# --- Summary PDF ----------------------------------------------------------------------------

SUMMARY_PDF_WIDTHS = (140, 35, 35, 63)


def _amounts(group: SummaryGroup) -> str:
    return ", ".join(money(a.cents, a.currency) for a in group.amounts) or "-"


def summary_pdf(
    *,
    membership: Membership,
    filters: DetailedFilters,
    group_by: GroupBy,
    sub_group_by: GroupBy | None,
    groups: list[SummaryGroup] | None = None,
) -> bytes:
    """The Summary report as a PDF document; FilterError past PDF_MAX_ROWS rows. `groups` as
    for `summary_xlsx`."""
    groups, totals = _contents(
        membership, filters, group_by, sub_group_by, groups, office.PDF_MAX_ROWS, "PDF"
    )
    workspace = membership.workspace
    styles = office.pdf_styles()
    cell = styles["BodyText"].clone("cell", fontSize=7.5, leading=9)
    group_cell = cell.clone("group", fontName="Helvetica-Bold")
    sub_cell = cell.clone("sub", leftIndent=6 * mm)

    story: list[Flowable] = office.pdf_heading(
        styles,
        f"Summary report: {workspace.name}",
        _heading(membership, filters, group_by, sub_group_by),
        totals,
        workspace.currency,
    )
    if not groups:
        story.append(Paragraph("No entries match these filters.", styles["Normal"]))
        return office.pdf_bytes(story, f"Summary report {filters.start} to {filters.end}")

    chart, shares = summary_charts(
        membership=membership, filters=filters, group_by=group_by, groups=groups
    )
    story.append(bars_drawing(chart))
    if shares["legend"]:
        story.append(share_drawing(shares, f"Share of time by {group_by.label.lower()}"))
    story.append(Spacer(1, 3 * mm))
    header = group_by.label + (f" / {sub_group_by.label}" if sub_group_by else "")
    rows: list[list[Any]] = [[header, "Duration", "Billable", "Amount"]]
    group_rows = []
    for first in groups:
        group_rows.append(len(rows))
        rows.append(
            [
                Paragraph(office.pdf_text(group_name(first)), group_cell),
                _hms(first.seconds),
                _hms(first.billable_seconds),
                _amounts(first),
            ]
        )
        for second in first.children:
            rows.append(
                [
                    Paragraph(office.pdf_text(group_name(second)), sub_cell),
                    _hms(second.seconds),
                    _hms(second.billable_seconds),
                    _amounts(second),
                ]
            )
    bold = [("FONTNAME", (1, r), (-1, r), "Helvetica-Bold") for r in group_rows]
    shade = [("BACKGROUND", (0, r), (-1, r), colors.HexColor("#f6f6f6")) for r in group_rows]
    story.append(office.pdf_table(rows, SUMMARY_PDF_WIDTHS, numbers_from=1, extra=[*bold, *shade]))
    if GroupBy.TAG in (group_by, sub_group_by):
        story.append(Paragraph(office.pdf_text(TAG_NOTE), styles["Normal"]))
    return office.pdf_bytes(story, f"Summary report {filters.start} to {filters.end}")


# --- Weekly ---------------------------------------------------------------------------------


def weekly_filename(filters: DetailedFilters, extension: str) -> str:
    return f"weekly-report-{filters.start.isoformat()}.{extension}"


def _weekly_heading(membership: Membership, filters: DetailedFilters, by: GroupBy) -> list[str]:
    rows = "members" if by == GroupBy.MEMBER else "projects"
    return office.heading_lines(
        membership=membership, filters=filters, extra=[f"Rows: {rows}, by day of the week"]
    )


def _day_header(day: dt.date) -> str:
    return f"{day:%a} {day.isoformat()}"


def weekly_xlsx(*, membership: Membership, filters: DetailedFilters, rows_by: GroupBy) -> bytes:
    """The Weekly report as an XLSX workbook: durations are typed ([h]:mm:ss), so they sum."""
    grid = weekly_grid(membership=membership, filters=filters, rows_by=rows_by)
    workbook, sheet = office.new_workbook("Weekly report")
    office.append_heading(
        sheet,
        f"Weekly report: {membership.workspace.name}",
        _weekly_heading(membership, filters, rows_by),
    )
    sheet.append(
        office.bold_cells(
            sheet, [rows_by.label, *map(_day_header, grid.days), "Total", "Total (decimal hours)"]
        )
    )

    def durations(seconds: tuple[int, ...], total: int) -> list[Any]:
        return [
            *(office.duration_cell(sheet, s) for s in (*seconds, total)),
            office.hours_cell(sheet, total),
        ]

    for row in grid.rows:
        sheet.append([office.text_cell(sheet, row.label), *durations(row.day_seconds, row.seconds)])
    total_row = durations(grid.day_totals, grid.seconds)
    for cell in total_row:
        cell.font = Font(bold=True)
    sheet.append([*office.bold_cells(sheet, ["Total"]), *total_row])
    return office.workbook_bytes(workbook)


WEEKLY_PDF_WIDTHS = (70, *([24] * 7), 27)


def weekly_pdf(*, membership: Membership, filters: DetailedFilters, rows_by: GroupBy) -> bytes:
    """The Weekly report as a PDF document: the heading and the grid with its totals."""
    grid = weekly_grid(membership=membership, filters=filters, rows_by=rows_by)
    office.check_size(len(grid.rows), office.PDF_MAX_ROWS, "PDF", "rows")
    styles = office.pdf_styles()
    cell = styles["BodyText"].clone("cell", fontSize=7.5, leading=9)
    story: list[Flowable] = [
        Paragraph(office.pdf_text(f"Weekly report: {membership.workspace.name}"), styles["Title"]),
        *(
            Paragraph(office.pdf_text(line), styles["Normal"])
            for line in _weekly_heading(membership, filters, rows_by)
        ),
    ]
    if not grid.rows:
        story.append(Paragraph("No time in this week.", styles["Normal"]))
        return office.pdf_bytes(story, f"Weekly report {filters.start}")

    rows: list[list[Any]] = [[rows_by.label, *map(_day_header, grid.days), "Total"]]
    for row in grid.rows:
        rows.append(
            [
                Paragraph(office.pdf_text(row.label), cell),
                *(_hms(s) if s else "-" for s in row.day_seconds),
                _hms(row.seconds),
            ]
        )
    rows.append(["Total", *(_hms(s) for s in grid.day_totals), _hms(grid.seconds)])
    last = len(rows) - 1
    story.append(
        office.pdf_table(
            rows,
            WEEKLY_PDF_WIDTHS,
            numbers_from=1,
            extra=[
                ("FONTNAME", (0, last), (-1, last), "Helvetica-Bold"),
                ("LINEABOVE", (0, last), (-1, last), 0.75, colors.grey),
            ],
        )
    )
    return office.pdf_bytes(story, f"Weekly report {filters.start}")
