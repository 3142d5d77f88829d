"""The API's one error shape: `{"message": "...", "code": <int>}` with the proper status.

Every error goes through here: the services' ApplicationError (400/403/404), Django's Http404
and PermissionDenied, and DRF's own (validation, parse, authentication, 404, 405, 406, 415,
throttling). `code` is the HTTP status unless the service gave a more specific one; an unknown
path's is Clockify's 3000 (`api_not_found`).
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.http import HttpRequest
from django.http import JsonResponse
from django.urls import Resolver404
from django.urls import resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from workspaces.errors import ApplicationError


def _first_message(detail: Any, path: str = "") -> str:
    """The first message of a DRF error detail, prefixed with the field it is about."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            sub = f"{path}.{name}" if path and name else (name or path)
            return _first_message(value, sub)
        return "Invalid input."
    if isinstance(detail, list):
        for index, value in enumerate(detail):
            sub = f"{path}[{index}]" if isinstance(value, dict | list) else path
            return _first_message(value, sub)
        return "Invalid input."
    message = str(detail)
    return f"{path}: {message}" if path else message


def error_response(
    message: str, status_code: int, code: int | None = None, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        {"message": message, "code": code if code is not None else status_code},
        status=status_code,
        headers=headers,
    )


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = _response_for(exc)
    if response is not None:
        set_rollback()  # nothing half-done stays when a request runs in a transaction
    return response


def _response_for(exc: Exception) -> Response | None:
    if isinstance(exc, ApplicationError):
        return error_response(exc.message, exc.status, exc.code)
    if isinstance(exc, Http404):
        return error_response("Not found.", status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        return error_response(str(exc) or "Not allowed.", status.HTTP_403_FORBIDDEN)
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 handling and logging apply
    headers: dict[str, str] = {}
    if isinstance(exc, exceptions.Throttled):
        # DRF's own sentence rounds the wait down ("available in 0 seconds") while the header
        # rounds it up: say the one number the client is told to wait.
        seconds = max(1, math.ceil(getattr(exc, "wait", None) or 0))
        headers["Retry-After"] = str(seconds)
        message = (
            f"Too many requests with this key: retry after {seconds} "
            f"second{'s' if seconds != 1 else ''}."
        )
        return error_response(message, exc.status_code, headers=headers)
    auth_header = getattr(exc, "auth_header", None)  # set by APIView.handle_exception for 401s
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    if isinstance(exc, exceptions.NotAuthenticated):
        message = "Authentication required: send your API key in the X-Api-Key header."
    else:
        message = _first_message(exc.detail)
    return error_response(message, exc.status_code, headers=headers or None)


# Clockify's own code for a path it has no route for (its answer is a 404 with
# `{"message": "No static resource v1/...", "code": 3000}`, as recorded by public clients).
UNKNOWN_ROUTE_CODE = 3000


@csrf_exempt
def api_not_found(request: HttpRequest, unmatched: str = "") -> JsonResponse:
    """The last route of each API tree (/api/, /reports/): an unknown path answers in the API's
    error shape, whatever the method.

    Exempt from CSRF: CsrfViewMiddleware would otherwise refuse every POST, PUT, PATCH and
    DELETE here with Django's HTML 403 page before this view runs. The view reads nothing,
    changes nothing and reveals nothing but the path it was given, so there is nothing for a
    forged request to abuse; every real endpoint is a DRF view, matched before this one, whose
    session authentication still enforces the CSRF token on writes."""
    message = f"No API endpoint at {request.path}."
    if request.path.endswith("/") and _is_endpoint(request.path_info.rstrip("/")):
        message += f" Did you mean {request.path.rstrip('/')} (without the trailing slash)?"
    return JsonResponse({"message": message, "code": UNKNOWN_ROUTE_CODE}, status=404)


def _is_endpoint(path: str) -> bool:
    try:
        return resolve(path).func is not api_not_found
    except Resolver404:
        return False
