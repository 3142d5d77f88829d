"""Clockify's paging: `page` (1-based) and `page-size` (default 50) in the query string, the
answer a plain JSON array.

An over-large `page-size` is capped at MAX_PAGE_SIZE, not refused (as Clockify does); a page
past the end is an empty array. A `page` or `page-size` that is not a positive whole number is a
400. No COUNT query is run: one more row than asked is fetched to tell whether a next page
exists, answered in the `Last-Page: true|false` header.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import TypeVar

from django.db.models import Model
from django.db.models import QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workspaces.errors import ApplicationError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 5000
MAX_PAGE = 1_000_000
PAGE_PARAM = "page"
PAGE_SIZE_PARAM = "page-size"

_T = TypeVar("_T", bound=Model)


def _positive_int(request: Request, name: str, default: int, maximum: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    digits = raw.lstrip("0")
    if not (raw.isascii() and raw.isdigit()) or not digits:
        raise ApplicationError(f"{name} must be a whole number of at least 1.", field=name)
    too_long = len(digits) > 12  # past any maximum: never build a huge int from a query string
    value = 0 if too_long else int(digits)
    if too_long or (maximum is not None and value > maximum):
        if name == PAGE_SIZE_PARAM and maximum is not None:
            return maximum  # capped, not refused
        limit = f"at most {maximum}" if maximum is not None else "smaller"
        raise ApplicationError(f"{name} can be {limit}.", field=name)
    return value


def page_params(request: Request) -> tuple[int, int]:
    """(page, page_size) from the query string, validated and capped."""
    page = _positive_int(request, PAGE_PARAM, 1, MAX_PAGE)
    size = _positive_int(request, PAGE_SIZE_PARAM, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    return page, size


class PageNumberArrayPagination(BasePagination):
    """`page`/`page-size` in, a plain array out (see the module's doc)."""

    last_page: bool = True

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: APIView | None = None
    ) -> list[Any]:
        page, size = page_params(request)
        offset = (page - 1) * size
        rows = list(queryset[offset : offset + size + 1])
        self.last_page = len(rows) <= size
        return rows[:size]

    def get_paginated_response(self, data: Any) -> Response:
        return Response(data, headers={"Last-Page": "true" if self.last_page else "false"})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return schema

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": PAGE_PARAM,
                "required": False,
                "in": "query",
                "description": "Page number, 1-based; a page past the end is an empty array.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            },
            {
                "name": PAGE_SIZE_PARAM,
                "required": False,
                "in": "query",
                "description": f"Items per page; larger values are capped at {MAX_PAGE_SIZE}.",
                "schema": {"type": "integer", "minimum": 1, "default": DEFAULT_PAGE_SIZE},
            },
        ]


def paginate(queryset: QuerySet[_T], request: Request) -> tuple[list[_T], bool]:
    """The page's rows and whether it is the last page, for views without a paginator."""
    paginator = PageNumberArrayPagination()
    rows = paginator.paginate_queryset(queryset, request)
    return rows, paginator.last_page


def page_parameters() -> list[Any]:
    """The paging query parameters for `extend_schema(parameters=...)` of list views."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiParameter

    return [
        OpenApiParameter(
            PAGE_PARAM,
            OpenApiTypes.INT,
            description="Page number, 1-based; a page past the end is an empty array.",
            default=1,
        ),
        OpenApiParameter(
            PAGE_SIZE_PARAM,
            OpenApiTypes.INT,
            description=f"Items per page (default {DEFAULT_PAGE_SIZE}); capped at {MAX_PAGE_SIZE}.",
            default=DEFAULT_PAGE_SIZE,
        ),
    ]


def paginated_response(data: Any, *, last_page: bool) -> Response:
    return Response(data, headers={"Last-Page": "true" if last_page else "false"})
