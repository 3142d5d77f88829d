"""XLSX and PDF exports of the Detailed report, and the pieces every report's XLSX and PDF share
(the heading, the totals, the page-numbered PDF, the row limits): the Summary and Weekly
exports in `reports.exports_summary` build on them.

The Detailed exports hold the same rows (filters, sort, rounding per entry) and the same totals
as the page, read through `reports.selectors`.

Unlike the CSV these are whole documents built before they are sent, so each has a row limit: a
larger set is refused with a message that says to narrow the filters or use the CSV.

- XLSX (openpyxl, write-only mode, so rows go to a temporary file, not a tree in memory): typed
  cells (dates, hours and money as numbers) and text that is never read as a formula.
- PDF (reportlab): landscape A4, a heading (workspace, dates, filters, rounding), the totals,
  then the table with its header row repeated and "Page n of m" at the foot of every page.
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape
from reportlab.lib.styles import StyleSheet1
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable
from reportlab.platypus import LongTable
from reportlab.platypus import Paragraph
from reportlab.platypus import SimpleDocTemplate
from reportlab.platypus import Spacer
from reportlab.platypus import Table
from reportlab.platypus import TableStyle

from reports.charts import bucket_bars
from reports.exports import CHUNK_SIZE
from reports.exports import _hms
from reports.exports import detailed_header
from reports.filters import DetailedFilters
from reports.filters import FilterError
from reports.filters import TagMode
from reports.filters import viewer_tz
from reports.pdf_charts import bars_drawing
from reports.rounding import workspace_rounding
from reports.selectors import DetailedTotals
from reports.selectors import Sort
from reports.selectors import detailed_entries
from reports.selectors import detailed_totals
from reports.summary import time_buckets
from reports.templatetags.report_format import money
from tracking.models import Client
from tracking.models import Project
from tracking.models import Tag
from tracking.models import Task
from workspaces.models import Membership
from workspaces.text import text_for_export

XLSX_MAX_ROWS = 200_000
PDF_MAX_ROWS = 5_000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"


def check_size(count: int, limit: int, kind: str, noun: str = "entries") -> None:
    """FilterError when a document would hold more than `limit` rows."""
    if count > limit:
        raise FilterError(
            f"The report has {count:,} {noun}; a {kind} export holds at most "
            f"{limit:,}. Narrow the filters or export CSV.",
            field="export",
        )


def export_filename(filters: DetailedFilters, extension: str, report: str = "detailed") -> str:
    return f"{report}-report-{filters.start.isoformat()}-{filters.end.isoformat()}.{extension}"


def rounding_note(membership: Membership) -> str:
    rounding = workspace_rounding(membership.workspace)
    if rounding is None:
        return ""
    return f"Rounding is on ({rounding.label}): durations and amounts are rounded per entry."


def amounts_text(totals: DetailedTotals, currency: str) -> str:
    if not totals.amounts:
        return money(0, currency)
    return ", ".join(money(a.cents, a.currency) for a in totals.amounts)


def _names(rows: Any, ids: Sequence[str], key: str = "pk", name: str = "name") -> list[str]:
    """Names in the order the ids were given (an id no longer found is left out)."""
    found = dict(rows.filter(**{f"{key}__in": ids}).values_list(key, name))
    return [found[i] for i in ids if i in found]


def filters_text(*, membership: Membership, filters: DetailedFilters) -> str:
    """The filters other than the dates, in words ("" when there are none): what an export's
    reader needs to know the rows were chosen by. One query per kind of id given."""
    ws = membership.workspace_id
    parts: list[str] = []

    def add(label: str, names: list[str], without: str | None = None) -> None:
        if without:
            names = [*names, without]
        if names:
            parts.append(f"{label}: {', '.join(names)}")

    if filters.members:
        rows = Membership.objects.filter(workspace_id=ws, user_id__in=filters.members)
        found = {
            user_id: full_name or email
            for user_id, full_name, email in rows.values_list(
                "user_id", "user__full_name", "user__email"
            )
        }
        add("Members", [found[i] for i in filters.members if i in found])
    clients = Client.objects.filter(workspace_id=ws)
    add(
        "Clients",
        _names(clients, filters.clients) if filters.clients else [],
        "Without client" if filters.without_client else None,
    )
    projects = Project.objects.filter(workspace_id=ws)
    add(
        "Projects",
        _names(projects, filters.projects) if filters.projects else [],
        "Without project" if filters.without_project else None,
    )
    if filters.tasks:
        add("Tasks", _names(Task.objects.filter(workspace_id=ws), filters.tasks))
    if filters.tags:
        label = "Tags" if filters.tag_mode == TagMode.CONTAINS else "Tags (none of)"
        add(label, _names(Tag.objects.filter(workspace_id=ws), filters.tags))
    if filters.billable is not None:
        parts.append("Billable only" if filters.billable else "Non-billable only")
    if filters.description:
        parts.append(f'Description contains "{filters.description}"')
    if filters.approval is not None:
        parts.append(f"Approval: {filters.approval.label}")
    return "; ".join(parts)


def heading_lines(
    *, membership: Membership, filters: DetailedFilters, extra: Sequence[str] = ()
) -> list[str]:
    """What every export states under its title: the dates and time zone, anything the report
    adds (its grouping), the filters, and whether rounding is on."""
    time_zone = viewer_tz(membership.user)
    lines = [f"{filters.start.isoformat()} to {filters.end.isoformat()} ({time_zone})", *extra]
    described = filters_text(membership=membership, filters=filters)
    if described:
        lines.append(f"Filters: {described}")
    note = rounding_note(membership)
    if note:
        lines.append(note)
    return lines


# --- XLSX -----------------------------------------------------------------------------------


def text_cell(sheet: Worksheet, value: str) -> WriteOnlyCell:
    # openpyxl refuses control characters (IllegalCharacterError): text stored before they
    # were refused, or a filter typed into the URL, loses them here.
    cell = WriteOnlyCell(sheet, value=text_for_export(value))
    # openpyxl stores a string starting with "=" as a formula; a name is never one.
    cell.data_type = "s"
    return cell


def bold_cells(sheet: Worksheet, values: Iterable[Any]) -> list[WriteOnlyCell]:
    bold = Font(bold=True)
    cells = []
    for value in values:
        cell = text_cell(sheet, value) if isinstance(value, str) else WriteOnlyCell(sheet, value)
        cell.font = bold
        cells.append(cell)
    return cells


def number_cell(sheet: Worksheet, value: Any, number_format: str) -> WriteOnlyCell:
    """A number (or date) cell shown in `number_format`."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def pdf_text(value: str) -> str:
    """`value` as a reportlab Paragraph's markup, without control characters."""
    return escape(text_for_export(value))


DURATION_FORMAT = "[h]:mm:ss"  # past 24 hours, as Excel and LibreOffice show sums of time


def duration_cell(sheet: Worksheet, seconds: int) -> WriteOnlyCell:
    """A duration as a number Excel sums (a fraction of a day) shown as [h]:mm:ss, never text;
    next to it the reports also give decimal hours (hours_cell)."""
    return number_cell(sheet, dt.timedelta(seconds=int(seconds)), DURATION_FORMAT)


def hours_cell(sheet: Worksheet, seconds: int) -> WriteOnlyCell:
    """A duration in decimal hours (a number)."""
    return number_cell(sheet, round(int(seconds) / 3600, 4), "0.00")


def new_workbook(title: str) -> tuple[Workbook, Worksheet]:
    workbook = Workbook(write_only=True)
    return workbook, workbook.create_sheet(title)


def append_heading(sheet: Worksheet, title: str, lines: Iterable[str]) -> None:
    """The title and heading lines, one a row in the first column, then a blank row."""
    sheet.append(bold_cells(sheet, [title]))
    for line in lines:
        sheet.append([text_cell(sheet, line)])
    sheet.append([])


def append_totals(sheet: Worksheet, totals: DetailedTotals, currency: str) -> None:
    """The report's totals below its table: entries, time, billable time, amount per currency."""
    sheet.append([])
    sheet.append([*bold_cells(sheet, ["Total"]), f"{totals.entry_count} entries"])
    for label, seconds in (
        ("Total time", totals.total_seconds),
        ("Billable time", totals.billable_seconds),
    ):
        sheet.append([label, duration_cell(sheet, seconds), hours_cell(sheet, seconds)])
    for amount in totals.amounts:
        sheet.append(["Amount", amount.cents / 100, amount.currency])
    if not totals.amounts:
        sheet.append(["Amount", 0, currency])


def workbook_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_row(
    sheet: Worksheet, entry: Any, time_zone: zoneinfo.ZoneInfo, shows_rates: bool
) -> list[Any]:
    start: dt.datetime = entry.start.astimezone(time_zone)
    end: dt.datetime = entry.end.astimezone(time_zone)
    project = entry.project
    seconds = int(entry.report_seconds)
    amount = entry.report_amount_cents if entry.billable else 0
    return [  # detailed_header's columns, as the CSV's
        text_cell(sheet, project.name if project else ""),
        text_cell(sheet, project.client.name if project and project.client else ""),
        text_cell(sheet, entry.description),
        text_cell(sheet, entry.task.name if entry.task else ""),
        text_cell(sheet, entry.user.full_name),
        None,
        text_cell(sheet, entry.user.email),
        text_cell(sheet, ", ".join(tag.name for tag in entry.tags.all())),
        "Regular",
        "Yes" if entry.billable else "No",
        "No",
        None,
        number_cell(sheet, start.date(), "yyyy-mm-dd"),
        start.strftime("%H:%M:%S"),
        number_cell(sheet, end.date(), "yyyy-mm-dd"),
        end.strftime("%H:%M:%S"),
        duration_cell(sheet, seconds),
        hours_cell(sheet, seconds),
        number_cell(sheet, entry.hourly_rate_cents / 100, "#,##0.00") if shows_rates else None,
        number_cell(sheet, int(amount) / 100, "#,##0.00"),
        entry.currency,
    ]


def detailed_xlsx(*, membership: Membership, filters: DetailedFilters, sort: Sort) -> bytes:
    """The report as an XLSX workbook: one row per entry, then the totals below the table.
    FilterError when the filtered set is larger than XLSX_MAX_ROWS."""
    totals = detailed_totals(membership=membership, filters=filters)
    check_size(totals.entry_count, XLSX_MAX_ROWS, "XLSX")
    time_zone = viewer_tz(membership.user)
    entries = detailed_entries(membership=membership, filters=filters, sort=sort)

    workbook, sheet = new_workbook("Detailed report")
    sheet.freeze_panes = "A2"
    sheet.append(bold_cells(sheet, detailed_header(membership.workspace.currency)))
    for entry in entries.iterator(chunk_size=CHUNK_SIZE):
        sheet.append(_xlsx_row(sheet, entry, time_zone, membership.is_admin))
    append_totals(sheet, totals, membership.workspace.currency)
    described = filters_text(membership=membership, filters=filters)
    if described:
        sheet.append([text_cell(sheet, f"Filters: {described}")])
    note = rounding_note(membership)
    if note:
        sheet.append([note])
    return workbook_bytes(workbook)


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


class NumberedCanvas(Canvas):
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


def pdf_styles() -> StyleSheet1:
    return getSampleStyleSheet()


def pdf_heading(
    styles: StyleSheet1, title: str, lines: Iterable[str], totals: DetailedTotals, currency: str
) -> list[Flowable]:
    """The title, the heading lines and a small table of the totals."""
    story: list[Flowable] = [Paragraph(pdf_text(title), styles["Title"])]
    story += [Paragraph(pdf_text(line), styles["Normal"]) for line in lines]
    story.append(Spacer(1, 4 * mm))
    summary = Table(
        [
            ["Entries", "Total time", "Billable time", "Amount"],
            [
                str(totals.entry_count),
                _hms(totals.total_seconds),
                _hms(totals.billable_seconds),
                amounts_text(totals, currency),
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
    return [*story, summary, Spacer(1, 5 * mm)]


def pdf_table(
    rows: list[list[Any]], widths_mm: Sequence[float], *, numbers_from: int, extra: Sequence[Any]
) -> LongTable:
    """A table whose first row is its header, repeated on every page; columns from
    `numbers_from` on are right-aligned; `extra` adds TableStyle commands."""
    table = LongTable(rows, colWidths=[w * mm for w in widths_mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                # Tighter than reportlab's 3 pt: about 45 one-line rows a page instead of 33.
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("ALIGN", (numbers_from, 0), (-1, -1), "RIGHT"),
                *extra,
            ]
        )
    )
    return table


def pdf_bytes(story: list[Flowable], title: str) -> bytes:
    """The story as a landscape A4 document with "Page n of m" footers."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=15 * mm,
        title=title,
    )
    doc.build(story, canvasmaker=NumberedCanvas)
    return out.getvalue()


def _pdf_rows(
    entries: Iterable[Any], time_zone: zoneinfo.ZoneInfo, style: Any, shows_rates: bool
) -> list[Any]:
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
                Paragraph(pdf_text(entry.description), style),
                Paragraph("<br/>".join(pdf_text(part) for part in where), style),
                Paragraph(pdf_text(", ".join(tag.name for tag in entry.tags.all())), style),
                Paragraph(pdf_text(entry.user.full_name or entry.user.email), style),
                _hms(int(entry.report_seconds)),
                "Yes" if entry.billable else "No",
                money(entry.hourly_rate_cents, entry.currency) if shows_rates else "-",
                amount,
            ]
        )
    return rows


def detailed_pdf(*, membership: Membership, filters: DetailedFilters, sort: Sort) -> bytes:
    """The report as a PDF document. FilterError when the set is larger than PDF_MAX_ROWS."""
    totals = detailed_totals(membership=membership, filters=filters)
    check_size(totals.entry_count, PDF_MAX_ROWS, "PDF")
    time_zone = viewer_tz(membership.user)
    entries = detailed_entries(membership=membership, filters=filters, sort=sort)

    styles = pdf_styles()
    cell_style = styles["BodyText"].clone("cell", fontSize=7, leading=8.2)
    workspace = membership.workspace
    story = pdf_heading(
        styles,
        f"Detailed report: {workspace.name}",
        heading_lines(membership=membership, filters=filters),
        totals,
        workspace.currency,
    )
    rows = _pdf_rows(
        entries.iterator(chunk_size=CHUNK_SIZE), time_zone, cell_style, membership.is_admin
    )
    if rows:
        buckets = time_buckets(membership=membership, filters=filters)
        story += [bars_drawing(bucket_bars(buckets, membership.user)), Spacer(1, 3 * mm)]
        story.append(
            pdf_table(
                [[name for name, _ in PDF_COLUMNS], *rows],
                [width for _, width in PDF_COLUMNS],
                numbers_from=6,
                extra=(),
            )
        )
    else:
        story.append(Paragraph("No entries match these filters.", styles["Normal"]))
    return pdf_bytes(
        story, f"Detailed report {filters.start.isoformat()} to {filters.end.isoformat()}"
    )
