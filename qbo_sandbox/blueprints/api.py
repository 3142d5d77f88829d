"""The Accounting API under /v3/company/<realm>/: every request goes through, in order, the
bearer token check (401), the rate limits (429), an injected fault if one is armed, the
`requestid` replay cache, then the Accounting engine."""

from __future__ import annotations

import re
import time
from typing import Any

from flask import Blueprint
from flask import Response
from flask import g
from flask import request

from qbo_sandbox.accounting import check_batch_bids_for_requestid
from qbo_sandbox.blueprints.oauth import bearer_grant
from qbo_sandbox.cdc import change_data_capture
from qbo_sandbox.chaos import Fault
from qbo_sandbox.faults import QBOFault
from qbo_sandbox.limits import Throttled
from qbo_sandbox.oauth import ACCOUNTING_SCOPE
from qbo_sandbox.parts import Parts
from qbo_sandbox.request_body import parse_json_body
from qbo_sandbox.request_body import request_text
from qbo_sandbox.responses import AUTH_FAILED_BODY
from qbo_sandbox.responses import DROP_KEY
from qbo_sandbox.responses import Outcome
from qbo_sandbox.responses import fault_body
from qbo_sandbox.responses import json_response
from qbo_sandbox.responses import outcome_response
from qbo_sandbox.responses import qbo_time
from qbo_sandbox.responses import system_fault
from qbo_sandbox.responses import throttle_fault
from qbo_sandbox.responses import unsupported
from qbo_sandbox.responses import unsupported_media_type

API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
REQUEST_ID_MAX = 50
BATCH_REQUEST_ID_MAX = 36


def _refused_as_read_only(outcome: Outcome) -> bool:
    """A 403, or a batch with an item refused for a read-only subscription (code 3100)."""
    if outcome.status == 403:
        return True
    items = outcome.body.get("BatchItemResponse") if isinstance(outcome.body, dict) else None
    return any(
        isinstance(item, dict)
        and any(e.get("code") == "3100" for e in (item.get("Fault") or {}).get("Error", []))
        for item in items or []
    )


def _entity_of(rest: str, query_text: str | None) -> str | None:
    if query_text is not None:
        match = re.search(r"\bfrom\s+([A-Za-z]+)", query_text, re.IGNORECASE)
        return match.group(1) if match else None
    return rest.split("/", 1)[0] or None


def blueprint(parts: Parts) -> Blueprint:
    settings, store, accounting, oauth = parts.settings, parts.store, parts.accounting, parts.oauth
    journal, limiter, chaos = parts.journal, parts.limiter, parts.chaos
    bp = Blueprint("api", __name__)

    def execute(realm: str, rest: str, query_text: str | None) -> Outcome:
        """Run one API call against the Accounting engine: an answer or a QBO fault."""
        method = request.method
        parts = rest.split("/")
        try:
            if parts[0] == "companyinfo" and len(parts) == 2 and method == "GET":
                if parts[1] != realm:
                    raise QBOFault("610", "Object Not Found", f"CompanyInfo {parts[1]} not found")
                body = accounting.company_info(realm)
            elif rest == "preferences" and method == "GET":
                body = accounting.preferences(realm)
            elif rest == "query" and method in ("GET", "POST"):
                if not query_text or not query_text.strip():
                    raise QBOFault("4000", "Error parsing query", "QueryParserError: no query")
                body = accounting.query(realm, query_text)
            elif rest == "cdc" and method == "GET":
                body = change_data_capture(
                    store,
                    realm,
                    entities=request.args.get("entities"),
                    changed_since=request.args.get("changedSince"),
                    lookback_days=settings.cdc_lookback_days,
                    max_objects=settings.cdc_max_objects,
                    inactive=settings.cdc_inactive,
                )
            elif rest == "batch" and method == "POST":
                body = accounting.batch(realm, json_body())
            elif len(parts) == 1 and parts[0] and method == "POST":
                operation = request.args.get("operation")
                if operation == "delete":
                    body = accounting.delete(realm, parts[0], json_body())
                elif operation in (None, "", "create", "update"):
                    body = accounting.save(realm, parts[0], json_body())
                else:
                    raise unsupported(f"Operation {operation} is not supported.")
            elif len(parts) == 2 and parts[1] and method == "GET":
                body = accounting.read(realm, parts[0], parts[1])
            else:
                raise unsupported(f"{method} /{rest} is not supported by the API.")
        except QBOFault as fault:
            return Outcome(fault.http_status, fault_body(fault))
        if isinstance(body, dict) and "time" not in body:
            body = {**body, "time": qbo_time()}
        return Outcome(200, body)

    def json_body() -> Any:
        mimetype = request.mimetype
        if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
            raise unsupported_media_type(mimetype)
        return parse_json_body(request.get_data())

    def check_request_id(request_id: str, rest: str) -> None:
        limit = BATCH_REQUEST_ID_MAX if rest == "batch" else REQUEST_ID_MAX
        if len(request_id) > limit:
            raise QBOFault(
                "2010",
                "Request has invalid or unsupported property",
                f"requestid must be at most {limit} characters.",
                element="requestid",
            )
        if rest == "batch":
            try:
                body = parse_json_body(request.get_data())
            except QBOFault:
                return  # the engine answers a malformed batch
            check_batch_bids_for_requestid(body)

    def hang(fault: Fault) -> Response:
        seconds = fault.seconds if fault.seconds is not None else settings.hang_seconds
        time.sleep(seconds)
        g.fault_code = "hang"
        request.environ[DROP_KEY] = True
        return Response(b"", status=504)

    # Every method reaches the view, so a PUT or DELETE is checked for its token first and then
    # answered as QBO answers an unsupported operation, not with a bare 405.
    @bp.route("/v3/company/<realm>/<path:rest>", methods=API_METHODS)
    def api(realm: str, rest: str) -> Response:
        g.realm = realm
        # minorversion: accepted; anything below 75 (or missing) is served as 75.
        # python-quickbooks sends the entity segment lowercase; accept any case, keep ids.
        head, _, tail = rest.strip("/").partition("/")
        rest = head.lower() + ("/" + tail if tail else "")
        grant = bearer_grant(oauth)
        if (
            grant is None
            or grant["realm_id"] != realm
            or ACCOUNTING_SCOPE not in grant["scope"].split()
            or store.company_get(realm) is None
        ):
            g.fault_code = "3200"
            return json_response(AUTH_FAILED_BODY, 401)
        g.client_id = grant["client_id"]
        query_text: str | None = None
        if rest == "query":
            try:
                query_text = (
                    request.args.get("query", "")
                    if request.method == "GET"
                    else request_text(request.get_data())
                )
            except QBOFault as fault:
                return outcome_response(Outcome(fault.http_status, fault_body(fault)))
        try:
            with limiter.admit((realm, grant["client_id"]), batch=rest == "batch"):
                return admitted(realm, rest, query_text)
        except Throttled:
            return outcome_response(Outcome(429, fault_body(throttle_fault())))

    def admitted(realm: str, rest: str, query_text: str | None) -> Response:
        fault = chaos.take(realm, request.path, _entity_of(rest, query_text))
        if fault is not None and fault.kind in ("500", "503"):
            return outcome_response(
                Outcome(int(fault.kind), fault_body(system_fault(int(fault.kind))))
            )
        if fault is not None and fault.kind == "429":
            return outcome_response(Outcome(429, fault_body(throttle_fault())))
        if fault is not None and fault.kind == "hang":
            return hang(fault)
        # An empty requestid is no requestid (it must not make every such call one replay).
        request_id = request.args.get("requestid") or None
        if request_id is None:
            outcome = execute(realm, rest, query_text)
        else:
            g.request_id = request_id
            try:
                check_request_id(request_id, rest)
            except QBOFault as error:
                return outcome_response(Outcome(error.http_status, fault_body(error)))
            with journal.exclusive(realm, request_id):
                replay = journal.replay_get(realm, request_id)
                if replay is not None:
                    outcome = Outcome(*replay)
                else:
                    outcome = execute(realm, rest, query_text)
                    # Stored: what the call did. Not stored: server errors and a refusal for
                    # a read-only subscription (a retry after resubscribing must execute).
                    if outcome.status < 500 and not _refused_as_read_only(outcome):
                        journal.replay_put(realm, request_id, outcome.status, outcome.body)
        response = outcome_response(outcome)
        if fault is not None and fault.kind == "drop":
            g.fault_code = "drop"
            request.environ[DROP_KEY] = True
        return response

    return bp
