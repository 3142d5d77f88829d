"""The HTTP answers of the report exports, shared by the report pages and the Reports API: a
file to download (CSV streamed, XLSX and PDF whole) and, on the pages, the plain-text
refusal of a filter the export cannot use (`refuses_bad_filters`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.http import HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from reports.exports_office import PDF_CONTENT_TYPE, XLSX_CONTENT_TYPE
from reports.filters import FilterError
from workspaces.access import WorkspaceRequest, workspace_view

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
) -> HttpResponse | None:
    """The file a Reports API `exportType` asks for, None for JSON: CSV streams
    `csv_lines()`, XLSX and PDF are `xlsx(**report)` and `pdf(**report)` whole; `name(extension)`
    is the file's name."""
    if export == "CSV":
        return csv_attachment(csv_lines(), name("csv"))
    office = {"XLSX": (xlsx, XLSX_CONTENT_TYPE), "PDF": (pdf, PDF_CONTENT_TYPE)}
    if export not in office:
        return None
    build, content_type = office[export]
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


OfficeExport = Callable[[WorkspaceRequest, Callable[..., bytes], str, str], HttpResponse]
View = Callable[..., HttpResponse]


def office_export_views(
    export: OfficeExport, xlsx: Callable[..., bytes], pdf: Callable[..., bytes]
) -> tuple[View, View]:
    """A report page's Export XLSX and Export PDF views (GET, any member of the workspace):
    `export(request, build, extension, content_type)` answers the file built by `xlsx` or
    `pdf` from the page's filters."""

    def download_view(build: Callable[..., bytes], extension: str, content_type: str) -> View:
        @require_GET
        @workspace_view()
        def download(request: WorkspaceRequest) -> HttpResponse:
            return export(request, build, extension, content_type)

        # Named as if written in the page's module (detailed_xlsx_export...), for tracebacks,
        # logs and resolve().
        download.__name__ = download.__qualname__ = f"{build.__name__}_export"
        download.__module__ = export.__module__
        return download

    xlsx_view = download_view(xlsx, "xlsx", XLSX_CONTENT_TYPE)
    pdf_view = download_view(pdf, "pdf", PDF_CONTENT_TYPE)
    return xlsx_view, pdf_view
