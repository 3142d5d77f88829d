"""The emulator's HTTP face: OAuth 2.0 endpoints, the Accounting API under /v3, the control
interface under /_sandbox/ and the demo web pages. A Flask app served by waitress (threaded).

Every /v3 request goes through, in order: bearer token check (401), rate limits (429), an
injected fault if one is armed, the `requestid` replay cache, then the Accounting engine.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import math
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Flask, Response, g, render_template, request
from werkzeug.exceptions import HTTPException

from qbo_sandbox.chaos import Chaos, Fault
from qbo_sandbox.config import Settings
from qbo_sandbox.faults import QBOFault
from qbo_sandbox.journal import Journal
from qbo_sandbox.limits import RateLimiter, Throttled
from qbo_sandbox.oauth import ACCOUNTING_SCOPE, KNOWN_SCOPES, OAuth, OAuthError

log = logging.getLogger("qbo_sandbox.requests")

API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
REQUEST_ID_MAX = 50
BATCH_REQUEST_ID_MAX = 36
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
    from qbo_sandbox.store import response_time

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


def not_utf8() -> QBOFault:
    # What Intuit answers for a payload that is not UTF-8 ("Fix common errors", code 500).
    return unsupported(
        "Operation com.sun.org.apache.xerces.internal.impl.io.MalformedByteSequenceException: "
        "Invalid byte 1 of 1-byte UTF-8 sequence is not supported."
    )


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


class DropConnection:
    """WSGI middleware: when a view marked the request, close the client's connection instead
    of sending the response (the work is done; the answer is lost)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        result = self.app(environ, start_response)
        if not environ.get(DROP_KEY):
            return result
        close = getattr(result, "close", None)
        if close is not None:
            close()
        checker = environ.get("waitress.client_disconnected")
        channel = getattr(checker, "__self__", None)
        sock = getattr(channel, "socket", None)
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            from waitress.channel import ClientDisconnected  # type: ignore[import-untyped]

            raise ClientDisconnected("response dropped on purpose (qbo_sandbox fault)")
        # Not under waitress (e.g. a test client): make the failure loud all the same.
        raise ConnectionAbortedError("response dropped on purpose (qbo_sandbox fault)")


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


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, client_secret = decoded.partition(":")
    return (client_id, client_secret) if sep else None


def _with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = parts.query + ("&" if parts.query else "") + urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def create_app(settings: Settings) -> Flask:
    from qbo_sandbox.accounting import Accounting, check_batch_bids_for_requestid
    from qbo_sandbox.store import Store

    app = Flask(__name__)
    # Werkzeug refuses a longer body (413) before reading it; /v3 answers QBO's fault for it.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    store = Store(settings.data)
    accounting = Accounting(store)
    oauth = OAuth(settings.data, settings)
    journal = Journal(
        settings.data, log_max=settings.request_log_max, replay_ttl=settings.replay_ttl
    )
    limiter = RateLimiter(settings)
    chaos = Chaos()
    app.extensions["qbo_sandbox"] = {
        "store": store,
        "oauth": oauth,
        "journal": journal,
        "limiter": limiter,
        "chaos": chaos,
        "settings": settings,
    }
    app.wsgi_app = DropConnection(app.wsgi_app)  # type: ignore[method-assign]

    # -- bookkeeping for every request --------------------------------------------------------

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        g.realm = None
        g.client_id = None
        g.fault_code = None
        g.request_id = None

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["intuit_tid"] = g.get("tid") or uuid.uuid4().hex
        if request.path.startswith("/static/"):
            return response
        duration_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        dropped = bool(request.environ.get(DROP_KEY))
        status = response.status_code
        fault_code = g.get("fault_code")
        log.info(
            "%s %s realm=%s status=%s fault=%s %.1fms%s",
            request.method,
            request.path,
            g.get("realm") or "-",
            status,
            fault_code or "-",
            duration_ms,
            " (response dropped)" if dropped else "",
        )
        journal.log(
            method=request.method,
            path=request.full_path.rstrip("?"),
            realm_id=g.get("realm"),
            client_id=g.get("client_id"),
            request_id=g.get("request_id"),
            status=status,
            fault_code=fault_code,
            duration_ms=duration_ms,
        )
        return response

    # -- OAuth 2.0 ----------------------------------------------------------------------------

    def base_url() -> str:
        return request.host_url.rstrip("/")

    @app.get("/.well-known/openid_configuration")
    @app.get("/.well-known/openid_configuration/")
    def discovery() -> Response:
        base = base_url()
        return json_response(
            {
                "issuer": base + "/op/v1",
                "authorization_endpoint": base + "/connect/oauth2",
                "token_endpoint": base + "/oauth2/v1/tokens/bearer",
                "userinfo_endpoint": base + "/v1/openid_connect/userinfo",
                "revocation_endpoint": base + "/v2/oauth2/tokens/revoke",
                "jwks_uri": base + "/op/v1/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile", "address", "phone"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "client_secret_basic",
                ],
                "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
            }
        )

    @app.get("/op/v1/jwks")
    def jwks() -> Response:
        # No id_token is ever issued (qbo-facts.md §1), so there is no key to publish.
        return json_response({"keys": []})

    def error_page(title: str, message: str, status: int = 400) -> tuple[str, int]:
        return render_template("error.html", title=title, message=message), status

    def consent_page(consent_token: str, client_id: str, error: str = "") -> tuple[str, int]:
        app_row = oauth.app_get(client_id)
        assert app_row is not None
        return render_template(
            "consent.html",
            app_name=app_row["name"],
            companies=store.company_list(),
            consent_token=consent_token,
            error=error,
        ), 400 if error else 200

    @app.get("/connect/oauth2")
    def authorize() -> Any:
        client_id = request.args.get("client_id", "")
        redirect_uri = request.args.get("redirect_uri", "")
        app_row = oauth.app_get(client_id) if client_id else None
        if app_row is None:
            return error_page("Unknown app", "No app with this client_id is registered.")
        if not redirect_uri or not oauth.redirect_allowed(app_row, redirect_uri):
            return error_page(
                "Invalid redirect URI",
                f"The redirect URI {redirect_uri!r} is not registered for {app_row['name']}.",
            )
        state = request.args.get("state", "")
        if request.args.get("response_type") != "code":
            error = {"error": "unsupported_response_type", "state": state}
            return app.redirect(_with_query(redirect_uri, error))
        scopes = request.args.get("scope", "").split()
        if not scopes or any(s not in KNOWN_SCOPES for s in scopes):
            return app.redirect(
                _with_query(redirect_uri, {"error": "invalid_scope", "state": state})
            )
        token = oauth.consent_start(
            client_id=client_id, redirect_uri=redirect_uri, scope=" ".join(scopes), state=state
        )
        return consent_page(token, client_id)

    @app.post("/connect/oauth2")
    def authorize_decision() -> Any:
        consent = oauth.consent_take(request.form.get("consent_token", ""))
        if consent is None:
            return error_page(
                "Consent expired",
                "This consent form has expired or was already submitted. Start again from the app.",
                403,
            )
        redirect_uri, state = consent["redirect_uri"], consent["state"]
        if request.form.get("action") == "cancel":
            return app.redirect(
                _with_query(redirect_uri, {"error": "access_denied", "state": state})
            )
        realm_id = request.form.get("realm_id", "")
        if request.form.get("action") != "connect" or store.company_get(realm_id) is None:
            token = oauth.consent_start(
                client_id=consent["client_id"],
                redirect_uri=redirect_uri,
                scope=consent["scope"],
                state=state,
            )
            return consent_page(token, consent["client_id"], "Choose a company to connect.")
        code = oauth.code_issue(
            client_id=consent["client_id"],
            realm_id=realm_id,
            redirect_uri=redirect_uri,
            scope=consent["scope"],
        )
        return app.redirect(
            _with_query(redirect_uri, {"code": code, "state": state, "realmId": realm_id})
        )

    def client_auth() -> str:
        credentials = _basic_credentials(request.headers.get("Authorization"))
        if credentials is None and "client_id" in request.form:
            credentials = (request.form["client_id"], request.form.get("client_secret", ""))
        if credentials is None:
            raise OAuthError("invalid_client", 401)
        g.client_id = credentials[0]
        return oauth.authenticate_client(*credentials)

    def oauth_error(error: OAuthError) -> Response:
        g.fault_code = error.error
        return json_response({"error": error.error}, error.status, {"Cache-Control": "no-store"})

    @app.post("/oauth2/v1/tokens/bearer")
    def token() -> Response:
        try:
            client_id = client_auth()
            grant_type = request.form.get("grant_type")
            if grant_type == "authorization_code":
                code = request.form.get("code")
                if not code:
                    raise OAuthError("invalid_request")
                body = oauth.exchange_code(client_id, code, request.form.get("redirect_uri", ""))
            elif grant_type == "refresh_token":
                refresh_token = request.form.get("refresh_token")
                if not refresh_token:
                    raise OAuthError("invalid_request")
                body = oauth.refresh(client_id, refresh_token)
            else:
                raise OAuthError("unsupported_grant_type")
        except OAuthError as error:
            return oauth_error(error)
        return json_response(body, 200, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    @app.post("/v2/oauth2/tokens/revoke")
    def revoke() -> Response:
        try:
            client_id = client_auth()
            payload = request.get_json(silent=True)
            token = payload.get("token") if isinstance(payload, dict) else None
            if not token and request.form.get("token"):
                token = request.form["token"]
            if not isinstance(token, str) or not token:
                raise OAuthError("invalid_request")
            oauth.revoke(client_id, token)
        except OAuthError as error:
            return oauth_error(error)
        return Response(b"", status=200)

    def bearer_grant() -> dict[str, Any] | None:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        return oauth.access_check(header[7:].strip())

    @app.get("/v1/openid_connect/userinfo")
    def userinfo() -> Response:
        grant = bearer_grant()
        if grant is None:
            g.fault_code = "3200"
            return json_response(AUTH_FAILED_BODY, 401)
        g.realm, g.client_id = grant["realm_id"], grant["client_id"]
        return json_response(
            {
                "sub": f"sandbox-user-{grant['realm_id']}",
                "email": "sandbox.user@example.com",
                "emailVerified": True,
                "givenName": "Sandbox",
                "familyName": "User",
            }
        )

    # -- the Accounting API -------------------------------------------------------------------

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

    def outcome_response(outcome: Outcome) -> Response:
        body = outcome.body
        if isinstance(body, dict):
            fault = body.get("Fault") or body.get("fault")
            if isinstance(fault, dict):
                errors = fault.get("Error") or fault.get("error") or [{}]
                g.fault_code = errors[0].get("code")
        return json_response(body, outcome.status)

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
    @app.route("/v3/company/<realm>/<path:rest>", methods=API_METHODS)
    def api(realm: str, rest: str) -> Response:
        g.realm = realm
        # minorversion: accepted; anything below 75 (or missing) is served as 75.
        # python-quickbooks sends the entity segment lowercase; accept any case, keep ids.
        head, _, tail = rest.strip("/").partition("/")
        rest = head.lower() + ("/" + tail if tail else "")
        grant = bearer_grant()
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

    # -- control interface and pages: see control.py ------------------------------------------

    from qbo_sandbox.control import register_control

    register_control(app)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        if request.path.startswith("/v3/"):
            # QBO-shaped, like every /v3 answer: 401 without a live token (checked first, as
            # Intuit's gateway does), a too-large body, or an unknown path.
            if status != 413 and bearer_grant() is None:
                g.fault_code = "3200"
                return json_response(AUTH_FAILED_BODY, 401)
            if status == 413:
                fault = body_too_large(settings.max_body_bytes)
            else:
                fault = unsupported(f"{request.method} {request.path} is not supported by the API.")
            return outcome_response(Outcome(fault.http_status, fault_body(fault)))
        if request.path.startswith(("/_sandbox/", "/oauth2/", "/v2/oauth2/", "/v1/")):
            body = {"error": "invalid_request" if status < 500 else "server_error"}
            if request.path.startswith("/_sandbox/"):
                body = {"error": error.description or str(error)}
            return json_response(body, status)
        return error

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        app.logger.exception("unexpected error")
        if request.path.startswith("/v3/"):
            return outcome_response(Outcome(500, fault_body(system_fault(500))))
        return json_response({"error": "internal error"}, 500)

    return app


def serve(settings: Settings) -> None:
    import waitress  # type: ignore[import-untyped]

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(settings)
    log.info("qbo_sandbox on http://%s:%s data=%s", settings.host, settings.port, settings.data)
    waitress.serve(
        app,
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        ident="qbo_sandbox",
        channel_timeout=max(120, int(settings.hang_seconds) + 30),
        # Waitress spools a body to disk before the app sees it; past this it answers 413
        # itself. Well above max_body_bytes, so the app answers QBO's fault for most.
        max_request_body_size=settings.max_body_bytes * 8,
    )
