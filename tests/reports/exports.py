"""Reading back what the reports' exports wrote: durations, XLSX sheets and PDF text."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zlib

from openpyxl import load_workbook

from reports import exports_office


def hms(seconds: int) -> str:
    """`seconds` as the reports show a duration: h:mm:ss."""
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def cell_seconds(value: dt.timedelta) -> int:
    """A duration cell's seconds: a number (a timedelta as openpyxl reads it), never text."""
    assert isinstance(value, dt.timedelta), f"{value!r} is not a number"
    return int(value.total_seconds())


def cell_hms(value: dt.timedelta) -> str:
    """A duration cell read back as h:mm:ss."""
    return hms(cell_seconds(value))


def workbook_rows(response) -> tuple[list[str], list[list], list[list]]:
    """Header, entry rows and the rows after the blank line (the totals)."""
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header, rest = rows[0], rows[1:]
    blank = next(i for i, r in enumerate(rest) if all(v is None for v in r))
    return header, rest[:blank], rest[blank + 1 :]


def sheet_parts(response, first_header):
    """Heading lines, header, table rows and the rows after the table (the totals)."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == exports_office.XLSX_CONTENT_TYPE
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    at = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    heading = [r[0] for r in rows[:at] if r and r[0]]
    rest = rows[at + 1 :]
    end = next((i for i, r in enumerate(rest) if all(v is None for v in r)), len(rest))
    return heading, rows[at], rest[:end], rest[end + 1 :]


def pdf_text(content: bytes) -> str:
    """The text drawn in a reportlab PDF: every content stream decoded (ASCII85, then Flate, as
    reportlab writes them) and the string operands of its text operators kept, one a line."""
    assert content.startswith(b"%PDF-")
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data[:-2])
        try:
            chunks.append(zlib.decompress(data).decode("latin-1"))
        except zlib.error:
            chunks.append(data.decode("latin-1"))
    strings = re.findall(r"\(((?:\\.|[^\\)])*)\)\s*Tj", "\n".join(chunks))
    return "\n".join(re.sub(r"\\(.)", r"\1", s) for s in strings)


def pdf_page_count(content: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", content))
