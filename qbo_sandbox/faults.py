"""QuickBooks Online faults, as the Accounting API answers them (see shared qbo-facts.md §3)."""

from __future__ import annotations

from typing import Any

FAULT_TYPES = ("ValidationFault", "SystemFault", "AuthenticationFault", "AuthorizationFault")


class QBOFault(Exception):
    """One QBO error: `code` is its numeric code as a string, `http_status` the HTTP status."""

    def __init__(
        self,
        code: str | int,
        message: str,
        detail: str = "",
        *,
        element: str = "",
        http_status: int = 400,
        fault_type: str = "ValidationFault",
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = str(code)
        self.message = message
        self.detail = detail or message
        self.element = element
        self.http_status = http_status
        self.fault_type = fault_type

    def error(self) -> dict[str, Any]:
        return {
            "Message": self.message,
            "Detail": self.detail,
            "code": self.code,
            "element": self.element,
        }

    def fault(self) -> dict[str, Any]:
        """The `Fault` object (also used per item in a batch response)."""
        return {"Error": [self.error()], "type": self.fault_type}
