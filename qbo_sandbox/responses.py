"""How the emulator answers: JSON responses, QBO's fault bodies and the faults every part may
answer with (shared by the blueprints and the app's error handlers)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Response
from flask import g

from qbo_sandbox.faults import QBOFault
from qbo_sandbox.store import response_time

# Set on a request whose answer is to be lost on purpose (see server.DropConnection).
DROP_KEY = "qbo_sandbox.drop"

# QBO's 401 body (qbo-facts.md §3): lowercase keys, unlike every other fault.
AUTH_FAILED_BODY = {
    "fault": {
        "error": [
            {
                "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                "code": "3200",
            }
        ],
        "type": "AUTHENTICATION",
    }
}


def qbo_time() -> str:
    return response_time()


def fault_body(fault: QBOFault) -> dict[str, Any]:
    return {"Fault": fault.fault(), "time": qbo_time()}


def throttle_fault() -> QBOFault:
    return QBOFault(
        "3001",
        "message=ThrottleExceeded; errorCode=003001; statusCode=429",
        "The request limit was reached.  Try again later",
        http_status=429,
        fault_type="SERVICE",
    )


def system_fault(status: int) -> QBOFault:
    if status == 503:
        message, detail = "Service Unavailable", "The service is temporarily unavailable."
    else:
        message = "An application error has occurred while processing your request"
        detail = "System Failure Error: An unexpected error occurred while accessing or saving your data. Please wait a few minutes and try again."  # noqa: E501
    return QBOFault("10000", message, detail, http_status=status, fault_type="SystemFault")


def unsupported(detail: str) -> QBOFault:
    return QBOFault("500", "Unsupported Operation", detail, http_status=400)


def unsupported_media_type(mimetype: str) -> QBOFault:
    # Unverified: QBO also speaks XML; the emulator speaks JSON only, and says so.
    return QBOFault(
        "500",
        "Unsupported Operation",
        f"Content-Type {mimetype} is not supported here: send application/json.",
        http_status=415,
    )


def body_too_large(limit: int) -> QBOFault:
    # Unverified: Intuit documents no size limit for a JSON request; the emulator's is a setting.
    return QBOFault(
        "2010",
        "Request has invalid or unsupported property",
        f"The request body is larger than {limit} bytes.",
        http_status=413,
    )


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@dataclass
class Outcome:
    """What executing an API call produced (stored as is for requestid replays)."""

    status: int
    body: Any


def outcome_response(outcome: Outcome) -> Response:
    """An API answer, noting QBO's fault code (if any) for the request log."""
    body = outcome.body
    if isinstance(body, dict):
        fault = body.get("Fault") or body.get("fault")
        if isinstance(fault, dict):
            errors = fault.get("Error") or fault.get("error") or [{}]
            g.fault_code = errors[0].get("code")
    return json_response(body, outcome.status)
