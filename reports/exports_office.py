"""XLSX and PDF exports of the Detailed report: the same rows (filters, sort, rounding per entry)
and the same totals as the page, read through `reports.selectors`.

Unlike the CSV these are whole documents built before they are sent, so each has a row limit: a
larger set is refused with a message that says to narrow the filters or use the CSV.

- XLSX (openpyxl, write-only mode, so rows go to a temporary file, not a tree in memory): typed
  cells (dates, hours and money as numbers) and text that is never read as a formula.
- PDF (reportlab): landscape A4, a header (workspace, dates, rounding), the totals, then the
  table with its header row repeated and "Page n of m" at the foot of every page.
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reports.exports import CHUNK_SIZE, CSV_HEADER, _hms
from reports.filters import DetailedFilters, FilterError, viewer_tz
from reports.rounding import workspace_rounding
from reports.selectors import DetailedTotals, Sort, detailed_entries, detailed_totals
from reports.templatetags.report_format import money
from workspaces.models import Membership

XLSX_MAX_ROWS = 200_000
PDF_MAX_ROWS = 5_000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"

XLSX_HEADER = CSV_HEADER  # the same columns as the CSV, in the same order


def _check_size(totals: DetailedTotals, limit: int, kind: str) -> None:
    if totals.entry_count > limit:
        raise FilterError(
            f"The report has {totals.entry_count:,} entries; a {kind} export holds at most "
            f"{limit:,}. Narrow the filters or export CSV.",
            field="export",
        )


def export_filename(filters: DetailedFilters, extension: str) -> str:
    return f"detailed-report-{filters.start.isoformat()}-{filters.end.isoformat()}.{extension}"


def _rounding_note(membership: Membership) -> str:
    rounding = workspace_rounding(membership.workspace)
    if rounding is None:
        return ""
    return f"Rounding is on ({rounding.label}): durations and amounts are rounded per entry."


def _amounts_text(totals: DetailedTotals, currency: str) -> str:
    if not totals.amounts:
        return money(0, currency)
    return ", ".join(money(a.cents, a.currency) for a in totals.amounts)


# --- XLSX -----------------------------------------------------------------------------------


def _text_cell(sheet: Worksheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    # openpyxl stores a string starting with "=" as a formula; a description is never one.
    cell.data_type = "s"
    return cell


def _xlsx_row(sheet: Worksheet, entry: Any, time_zone: zoneinfo.ZoneInfo) -> list[Any]:
    start: dt.datetime = entry.start.astimezone(time_zone)
    end: dt.datetime = entry.end.astimezone(time_zone)
    project = entry.project
    seconds = int(entry.report_seconds)
    date_cell = WriteOnlyCell(sheet, value=start.date())
    date_cell.number_format = "yyyy-mm-dd"
    hours_cell = WriteOnlyCell(sheet, value=round(seconds / 3600, 4))
    hours_cell.number_format = "0.00"
    rate_cell = WriteOnlyCell(sheet, value=entry.hourly_rate_cents / 100)
    rate_cell.number_format = "#,##0.00"
    amount = entry.report_amount_cents if entry.billable else 0
    amount_cell = WriteOnlyCell(sheet, value=int(amount) / 100)
    amount_cell.number_format = "#,##0.00"
    return [
        date_cell,
        start.strftime("%H:%M:%S"),
        end.strftime("%H:%M:%S"),
        _text_cell(sheet, entry.description),
        _text_cell(sheet, project.name if project else ""),
        _text_cell(sheet, project.client.name if project and project.client else ""),
        _text_cell(sheet, entry.task.name if entry.task else ""),
        _text_cell(sheet, ", ".join(tag.name for tag in entry.tags.all())),
        _text_cell(sheet, entry.user.full_name),
        _text_cell(sheet, entry.user.email),
        "Yes" if entry.billable else "No",
        _hms(seconds),
        hours_cell,
        rate_cell,
        amount_cell,
        entry.currency,
    ]


def detailed_xlsx(*, membership: Membership, filters: DetailedFilters, sort: Sort) -> bytes:
    """The report as an XLSX workbook: one row per entry, then the totals below the table.
    FilterError when the filtered set is larger than XLSX_MAX_ROWS."""
    totals = detailed_totals(membership=membership, filters=filters)
    _check_size(totals, XLSX_MAX_ROWS, "XLSX")
    time_zone = viewer_tz(membership.user)
    entries = detailed_entries(membership=membership, filters=filters, sort=sort)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Detailed report")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in XLSX_HEADER:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for entry in entries.iterator(chunk_size=CHUNK_SIZE):
        sheet.append(_xlsx_row(sheet, entry, time_zone))
    sheet.append([])
    label = WriteOnlyCell(sheet, value="Total")
    label.font = bold
    sheet.append([label, f"{totals.entry_count} entries"])
    sheet.append(["Total time", _hms(totals.total_seconds), round(totals.total_seconds / 3600, 2)])
    sheet.append(
        ["Billable time", _hms(totals.billable_seconds), round(totals.billable_seconds / 3600, 2)]
    )
    for amount in totals.amounts:
        sheet.append(["Amount", amount.cents / 100, amount.currency])
    if not totals.amounts:
        sheet.append(["Amount", 0, membership.workspace.currency])
    note = _rounding_note(membership)
    if note:
        sheet.append([note])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- PDF ------------------------------------------------------------------------------------

PDF_COLUMNS = [
    ("Date", 20),
    ("Time", 22),
    ("Description", 55),
    ("Project / client / task", 46),
    ("Tags", 28),
    ("Member", 32),
    ("Duration", 18),
    ("Billable", 14),
    ("Rate", 18),
    ("Amount", 20),
]


class _NumberedCanvas(Canvas):
    """A canvas that knows the page count when it writes each page's footer: pages are kept
    until the document ends, then each is written with "Page n of m"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        count = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont("Helvetica", 8)
            self.setFillColor(colors.grey)
            width = self._pagesize[0]
            self.drawRightString(width - 12 * mm, 8 * mm, f"Page {self._pageNumber} of {count}")
            super().showPage()
        super().save()


def _pdf_rows(entries: Iterable[Any], time_zone: zoneinfo.ZoneInfo, style: Any) -> list[Any]:
    rows: list[Any] = []
    for entry in entries:
        start: dt.datetime = entry.start.astimezone(time_zone)
        end: dt.datetime = entry.end.astimezone(time_zone)
        project = entry.project
        where = [project.name if project else "Without project"]
        if project and project.client:
            where.append(project.client.name)
        if entry.task:
            where.append(entry.task.name)
        amount = money(entry.report_amount_cents, entry.currency) if entry.billable else "-"
        rows.append(
            [
                start.date().isoformat(),
                f"{start:%H:%M} - {end:%H:%M}",
                Paragraph(escape(entry.description), style),
                Paragraph("<br/>".join(escape(part) for part in where), style),
                Paragraph(escape(", ".join(tag.name for tag in entry.tags.all())), style),
                Paragraph(escape(entry.user.full_name or entry.user.email), style),
                _hms(int(entry.report_seconds)),
                "Yes" if entry.billable else "No",
                money(entry.hourly_rate_cents, entry.currency),
                amount,
            ]
        )
    return rows


def detailed_pdf(*, membership: Membership, filters: DetailedFilters, sort: Sort) -> bytes:
    """The report as a PDF document. FilterError when the set is larger than PDF_MAX_ROWS."""
    totals = detailed_totals(membership=membership, filters=filters)
    _check_size(totals, PDF_MAX_ROWS, "PDF")
    time_zone = viewer_tz(membership.user)
    entries = detailed_entries(membership=membership, filters=filters, sort=sort)

    styles = getSampleStyleSheet()
    cell_style = styles["BodyText"].clone("cell", fontSize=7.5, leading=9)
    workspace = membership.workspace
    story: list[Any] = [
        Paragraph(f"Detailed report: {escape(workspace.name)}", styles["Title"]),
        Paragraph(
            f"{filters.start.isoformat()} to {filters.end.isoformat()} ({escape(str(time_zone))})",
            styles["Normal"],
        ),
    ]
    note = _rounding_note(membership)
    if note:
        story.append(Paragraph(escape(note), styles["Normal"]))
    story.append(Spacer(1, 4 * mm))
    summary = Table(
        [
            ["Entries", "Total time", "Billable time", "Amount"],
            [
                str(totals.entry_count),
                _hms(totals.total_seconds),
                _hms(totals.billable_seconds),
                _amounts_text(totals, workspace.currency),
            ],
        ],
        hAlign="LEFT",
    )
    summary.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
            ]
        )
    )
    story += [summary, Spacer(1, 5 * mm)]

    rows = _pdf_rows(entries.iterator(chunk_size=CHUNK_SIZE), time_zone, cell_style)
    if rows:
        table = LongTable(
            [[name for name, _ in PDF_COLUMNS], *rows],
            colWidths=[width * mm for _, width in PDF_COLUMNS],
            repeatRows=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                    ("ALIGN", (6, 0), (-1, -1), "RIGHT"),
                ]
            )
        )
        story.append(table)
    else:
        story.append(Paragraph("No entries match these filters.", styles["Normal"]))

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=15 * mm,
        title=f"Detailed report {filters.start.isoformat()} to {filters.end.isoformat()}",
    )
    doc.build(story, canvasmaker=_NumberedCanvas)
    return out.getvalue()
