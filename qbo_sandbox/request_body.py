"""Reading an Accounting API request body as QBO does: UTF-8 JSON, or QBO's fault."""

from __future__ import annotations

import json
import math
from typing import Any

from qbo_sandbox.faults import QBOFault
from qbo_sandbox.responses import unsupported


def not_utf8() -> QBOFault:
    # What Intuit answers for a payload that is not UTF-8 ("Fix common errors", code 500).
    return unsupported(
        "Operation com.sun.org.apache.xerces.internal.impl.io.MalformedByteSequenceException: "
        "Invalid byte 1 of 1-byte UTF-8 sequence is not supported."
    )


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400: JSON has no infinity, and answers must stay JSON
        raise ValueError(text)
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def request_text(raw: bytes) -> str:
    """A request body as text: UTF-8 or QBO's fault (never a guess with replacement chars)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise not_utf8() from None


def parse_json_body(raw: bytes) -> Any:
    """A JSON request body (empty: None), or the fault QBO answers for a malformed one."""
    text = request_text(raw)
    if not text.strip():
        return None
    try:
        return json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        # RecursionError: thousands of nested brackets. Both are a bad body, not a crash.
        raise QBOFault(
            "2010",
            "Request has invalid or unsupported property",
            "The request body is not valid JSON.",
        ) from None
