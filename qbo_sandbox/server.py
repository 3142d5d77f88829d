"""The emulator's HTTP face, a Flask app served by waitress (threaded): four blueprints (see
qbo_sandbox/blueprints/) over one set of parts (qbo_sandbox/parts.py): Intuit's OAuth 2.0
endpoints, the Accounting API under /v3, the control interface under /_sandbox/ and the demo
web pages. The app itself keeps the request log and answers errors in the shape of each part.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import time
import uuid
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any

from flask import Flask
from flask import Response
from flask import g
from flask import request
from werkzeug.exceptions import HTTPException

from qbo_sandbox.blueprints import api
from qbo_sandbox.blueprints import control
from qbo_sandbox.blueprints import oauth
from qbo_sandbox.blueprints import pages
from qbo_sandbox.blueprints.oauth import bearer_grant
from qbo_sandbox.config import Settings
from qbo_sandbox.parts import Parts
from qbo_sandbox.responses import AUTH_FAILED_BODY
from qbo_sandbox.responses import DROP_KEY
from qbo_sandbox.responses import Outcome
from qbo_sandbox.responses import body_too_large
from qbo_sandbox.responses import fault_body
from qbo_sandbox.responses import json_response
from qbo_sandbox.responses import outcome_response
from qbo_sandbox.responses import system_fault
from qbo_sandbox.responses import unsupported

log = logging.getLogger("qbo_sandbox.requests")


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


def create_app(settings: Settings) -> Flask:
    app = Flask(__name__)
    # Werkzeug refuses a longer body (413) before reading it; /v3 answers QBO's fault for it.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    parts = Parts.create(settings)
    journal = parts.journal
    app.extensions["qbo_sandbox"] = parts
    app.wsgi_app = DropConnection(app.wsgi_app)  # type: ignore[method-assign]
    app.register_blueprint(oauth.blueprint(parts))
    app.register_blueprint(api.blueprint(parts))
    app.register_blueprint(control.blueprint(parts))
    app.register_blueprint(pages.blueprint(parts))

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

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        if request.path.startswith("/v3/"):
            # QBO-shaped, like every /v3 answer: 401 without a live token (checked first, as
            # Intuit's gateway does), a too-large body, or an unknown path.
            if status != 413 and bearer_grant(parts.oauth) is None:
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
