"""The HTTP answers of the report exports, shared by the report pages and the Reports API: a
file to download (CSV streamed, XLSX and PDF whole) and, on the pages, the plain-text
refusal of a filter the export cannot use (`refuses_bad_filters`)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from functools import wraps
from typing import Concatenate
from typing import ParamSpec
from typing import cast

from django.http import HttpResponse
from django.http import StreamingHttpResponse
from django.views.decorators.http import require_GET

from reports.exports_office import PDF_CONTENT_TYPE
from reports.exports_office import XLSX_CONTENT_TYPE
from reports.filters import FilterError
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view

P = ParamSpec("P")


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


def report_file(
    export: str,
    name: Callable[[str], str],
    csv_lines: Callable[[], Iterable[str]],
    xlsx: Callable[..., bytes],
    pdf: Callable[..., bytes],
    **report: object,
) -> HttpResponse:
    """The file of a report in the `export` format (CSV, XLSX or PDF, as the API's exportType):
    CSV streams `csv_lines()`, XLSX and PDF are `xlsx(**report)` and `pdf(**report)` whole;
    `name(extension)` is the file's name."""
    if export == "CSV":
        return csv_attachment(csv_lines(), name("csv"))
    build, content_type = {"XLSX": (xlsx, XLSX_CONTENT_TYPE), "PDF": (pdf, PDF_CONTENT_TYPE)}[
        export
    ]
    return attachment(build(**report), content_type, name(export.lower()))


def refuses_bad_filters(
    export: Callable[Concatenate[WorkspaceRequest, P], HttpResponse],
) -> Callable[Concatenate[WorkspaceRequest, P], HttpResponse]:
    """A page's export answers a FilterError (a filter it cannot use, too large a report)
    with the message as plain text, status 400."""

    @wraps(export)
    def refusing(request: WorkspaceRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return export(request, *args, **kwargs)
        except FilterError as exc:
            return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")

    return refusing


View = Callable[..., HttpResponse]


def export_views(
    export: Callable[[WorkspaceRequest, str], HttpResponse], report: str
) -> tuple[View, View, View]:
    """A report page's Export CSV, XLSX and PDF views (GET, any member of the workspace):
    `export(request, format)` answers the file in that format (`report_file`) with the page's
    filters, and a filter it cannot use is refused as plain text (`refuses_bad_filters`)."""
    refusing = refuses_bad_filters(export)

    def download_view(export_format: str, name: str) -> View:
        @require_GET
        @workspace_view()
        def download(request: WorkspaceRequest) -> HttpResponse:
            return refusing(request, export_format)

        # Named as if written in the page's module (detailed_csv, detailed_xlsx_export...), for
        # tracebacks, logs and resolve().
        download.__name__ = download.__qualname__ = name
        download.__module__ = export.__module__
        return download

    return (
        download_view("CSV", f"{report}_csv"),
        download_view("XLSX", f"{report}_xlsx_export"),
        download_view("PDF", f"{report}_pdf_export"),
    )
