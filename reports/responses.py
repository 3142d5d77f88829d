"""The HTTP answers of the report exports, shared by the report pages and the Reports API: a
file to download (CSV streamed, XLSX and PDF whole) and the plain-text refusal of a bad
filter on the pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from django.http import HttpResponse, StreamingHttpResponse

from reports.filters import FilterError


def attachment(body: bytes, content_type: str, name: str) -> HttpResponse:
    """A whole file (XLSX, PDF) to download as `name`."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def csv_attachment(lines: Iterable[str], name: str) -> HttpResponse:
    """A CSV file streamed line by line (constant memory), to download as `name`."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Typed as HttpResponse for the views' decorators; Django serves any HttpResponseBase.
    return cast(HttpResponse, response)


def filter_refused(exc: FilterError) -> HttpResponse:
    """A page export's answer to a filter it cannot use: the message as plain text, 400."""
    return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
