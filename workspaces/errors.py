"""The one application error type that services raise.

A single handler turns it into a JSON error (API) or a form/page message (HTML views);
services never build HTTP responses themselves.
"""

from __future__ import annotations


class ApplicationError(Exception):
    """Bad input or a broken business rule; `status` is the HTTP status it maps to."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code if code is not None else self.status


class PermissionDenied(ApplicationError):
    status = 403


class NotFound(ApplicationError):
    status = 404
