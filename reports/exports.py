"""Exports of the Detailed report. CSV is streamed: rows are read from the database in chunks
and written as they come, so memory stays flat however many entries there are.

Values are the report's: durations and amounts rounded per entry exactly as the table shows
them; dates and times in the viewer's time zone.
"""

from __future__ import annotations

import csv
import datetime as dt
import zoneinfo
from collections.abc import Iterable, Iterator
from typing import Any

from reports.templatetags.report_format import money

CSV_HEADER = [
    "Date",
    "Start",
    "End",
    "Description",
    "Project",
    "Client",
    "Task",
    "Tags",
    "Member",
    "Email",
    "Billable",
    "Duration (h:mm:ss)",
    "Duration (decimal hours)",
    "Rate",
    "Amount",
    "Currency",
]
CHUNK_SIZE = 2000
# A cell a spreadsheet would run as a formula (OWASP "CSV injection") gets a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _hms(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def csv_row(entry: Any, time_zone: zoneinfo.ZoneInfo) -> list[str]:
    """One entry of `detailed_entries` (annotated, related rows loaded) as CSV cells."""
    start: dt.datetime = entry.start.astimezone(time_zone)
    end: dt.datetime = entry.end.astimezone(time_zone)
    project = entry.project
    seconds = int(entry.report_seconds)
    return [
        start.date().isoformat(),
        start.strftime("%H:%M:%S"),
        end.strftime("%H:%M:%S"),
        _text(entry.description),
        _text(project.name) if project else "",
        _text(project.client.name) if project and project.client else "",
        _text(entry.task.name) if entry.task else "",
        _text(", ".join(tag.name for tag in entry.tags.all())),
        _text(entry.user.full_name),
        entry.user.email,
        "Yes" if entry.billable else "No",
        _hms(seconds),
        f"{seconds / 3600:.2f}",
        money(entry.hourly_rate_cents).replace(",", ""),
        money(entry.report_amount_cents).replace(",", "") if entry.billable else "0.00",
        entry.currency,
    ]


class _Echo:
    """A file-like object whose write() hands the line back (csv.writer needs a file)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(entries: Iterable[Any], time_zone: zoneinfo.ZoneInfo) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for entry in entries:
        yield writer.writerow(csv_row(entry, time_zone))
