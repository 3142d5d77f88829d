"""The control interface (`/_sandbox/...`, JSON): companies, entities, apps, faults, limits and
the request log, for tests and benchmarks.

Guard: with a secret set (QBO_SANDBOX_SECRET / --secret), every control request needs the
header `X-Sandbox-Secret: <secret>`; without one the control interface is open only when the
server binds to a loopback address, and refused otherwise."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint
from flask import Response
from flask import g
from flask import request

from qbo_sandbox import rules
from qbo_sandbox.faults import QBOFault
from qbo_sandbox.oauth import AppError
from qbo_sandbox.parts import Parts
from qbo_sandbox.responses import json_response
from qbo_sandbox.webhooks import check_config

SECRET_HEADER = "X-Sandbox-Secret"
COMPANY_CREATE_FIELDS = (
    "name",
    "sku",
    "payroll",
    "book_close_date",
    "subscription_status",
    "class_tracking",
)


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def blueprint(parts: Parts) -> Blueprint:
    store, oauth, journal = parts.store, parts.oauth, parts.journal
    limiter, chaos, settings = parts.limiter, parts.chaos, parts.settings
    webhooks = parts.webhooks

    bp = Blueprint("control", __name__, url_prefix="/_sandbox")

    def reply(body: Any, status: int = 200) -> Response:
        return json_response(body, status)

    @bp.before_request
    def guard() -> Response | None:
        if settings.secret:
            given = request.headers.get(SECRET_HEADER, "")
            if not secrets.compare_digest(given.encode(), settings.secret.encode()):
                return reply({"error": f"missing or wrong {SECRET_HEADER} header"}, 401)
        elif not settings.loopback:
            return reply(
                {"error": "the control interface needs QBO_SANDBOX_SECRET when not on loopback"},
                403,
            )
        return None

    @bp.errorhandler(ControlError)
    def control_error(error: ControlError) -> Response:
        return reply({"error": error.message}, error.status)

    @bp.errorhandler(QBOFault)
    def qbo_fault(fault: QBOFault) -> Response:
        return reply({"error": fault.detail, "Fault": fault.fault()}, fault.http_status)

    def payload() -> dict[str, Any]:
        body = request.get_json(silent=True)
        if body is None and not request.get_data():
            return {}
        if not isinstance(body, dict):
            raise ControlError("the body must be a JSON object")
        return body

    def company_or_404(realm_id: str) -> dict[str, Any]:
        company = store.company_get(realm_id)
        if company is None:
            raise ControlError(f"no company {realm_id}", 404)
        return dict(company)

    # -- companies ----------------------------------------------------------------------------

    @bp.get("/companies")
    def companies() -> Response:
        return reply({"companies": store.company_list()})

    @bp.post("/companies")
    def company_create() -> Response:
        body = payload()
        unknown = set(body) - set(COMPANY_CREATE_FIELDS)
        if unknown:
            raise ControlError(f"unknown field(s): {', '.join(sorted(unknown))}")
        if not isinstance(body.get("name"), str):
            raise ControlError("name is required")
        try:
            company = store.company_create(**body)
        except (ValueError, TypeError) as error:
            raise ControlError(str(error)) from None
        return reply(company, 201)

    @bp.get("/companies/<realm_id>")
    def company_detail(realm_id: str) -> Response:
        g.realm = realm_id
        return reply(company_or_404(realm_id))

    @bp.patch("/companies/<realm_id>")
    def company_update(realm_id: str) -> Response:
        g.realm = realm_id
        company_or_404(realm_id)
        try:
            company = store.company_update(realm_id, **payload())
        except (ValueError, TypeError) as error:
            raise ControlError(str(error)) from None
        return reply(company)

    @bp.post("/companies/<realm_id>/reset")
    def company_reset(realm_id: str) -> Response:
        g.realm = realm_id
        company_or_404(realm_id)
        store.company_reset(realm_id)
        journal.forget_company(realm_id)
        return reply(company_or_404(realm_id))

    @bp.delete("/companies/<realm_id>")
    def company_delete(realm_id: str) -> Response:
        g.realm = realm_id
        company_or_404(realm_id)
        store.company_delete(realm_id)
        oauth.revoke_company(realm_id)
        journal.forget_company(realm_id)
        return reply({"deleted": realm_id})

    @bp.post("/companies/<realm_id>/expire-tokens")
    def expire_tokens(realm_id: str) -> Response:
        g.realm = realm_id
        company_or_404(realm_id)
        return reply({"expired": oauth.expire_access_tokens(realm_id)})

    @bp.get("/companies/<realm_id>/entities/<entity>")
    def entities(realm_id: str, entity: str) -> Response:
        g.realm = realm_id
        company_or_404(realm_id)
        return reply({entity: rules.entity_list(store, realm_id, entity)})

    @bp.post("/companies/<realm_id>/entities/<entity>")
    def entity_seed(realm_id: str, entity: str) -> Response:
        g.realm = realm_id
        company_or_404(realm_id)
        return reply(rules.entity_seed(store, realm_id, entity, payload()), 201)

    @bp.patch("/companies/<realm_id>/entities/<entity>/<entity_id>")
    def entity_change(realm_id: str, entity: str, entity_id: str) -> Response:
        """A change made in QuickBooks' own screens (rename, deactivate...): a sparse update
        through the same rules, without the client's SyncToken."""
        g.realm = realm_id
        company_or_404(realm_id)
        return reply(rules.entity_change(store, realm_id, entity, entity_id, payload()))

    @bp.post("/demo")
    def demo() -> Response:
        from qbo_sandbox.demo import seed_demo

        realm_id = seed_demo(store)
        return reply(company_or_404(realm_id), 201)

    # -- apps ---------------------------------------------------------------------------------

    @bp.get("/apps")
    def apps() -> Response:
        return reply({"apps": oauth.app_list()})

    @bp.post("/apps")
    def app_register() -> Response:
        body = payload()
        try:
            app_row = oauth.app_register(
                name=body.get("name", ""),
                redirect_uris=body.get("redirect_uris", []),
                client_id=body.get("client_id"),
                client_secret=body.get("client_secret"),
                any_loopback_redirect=bool(body.get("any_loopback_redirect", False)),
            )
        except AppError as error:
            raise ControlError(str(error)) from None
        return reply(app_row, 201)

    # -- outgoing webhooks --------------------------------------------------------------------

    @bp.get("/webhooks")
    def webhook_list() -> Response:
        return reply({"webhooks": webhooks.configs()})

    @bp.put("/webhooks")
    def webhook_set() -> Response:
        try:
            config = check_config(payload())
        except ValueError as error:
            raise ControlError(str(error)) from None
        return reply(webhooks.configure(config).public())

    @bp.delete("/webhooks")
    def webhook_remove() -> Response:
        client_id = request.args.get("client_id", "sandbox-client-id")
        return reply({"removed": webhooks.remove(client_id)})

    @bp.get("/webhooks/deliveries")
    def webhook_deliveries() -> Response:
        return reply({"deliveries": webhooks.deliveries()})

    # -- faults, limits, the request log ------------------------------------------------------

    @bp.get("/faults")
    def faults() -> Response:
        return reply({"faults": chaos.list()})

    @bp.post("/faults")
    def fault_add() -> Response:
        body = payload()
        unknown = set(body) - {"kind", "count", "realm", "path", "entity", "seconds"}
        if unknown:
            raise ControlError(f"unknown field(s): {', '.join(sorted(unknown))}")
        try:
            fault = chaos.add(
                body.get("kind"),
                body.get("count", 1),
                realm=body.get("realm"),
                path=body.get("path"),
                entity=body.get("entity"),
                seconds=body.get("seconds"),
            )
        except ValueError as error:
            raise ControlError(str(error)) from None
        return reply(fault, 201)

    @bp.delete("/faults")
    def faults_clear() -> Response:
        return reply({"cleared": chaos.clear()})

    @bp.get("/limits")
    def limits() -> Response:
        return reply(limiter.configure())

    @bp.put("/limits")
    def limits_set() -> Response:
        try:
            return reply(limiter.configure(**payload()))
        except ValueError as error:
            raise ControlError(str(error)) from None

    @bp.get("/requests")
    def requests_log() -> Response:
        try:
            limit = int(request.args.get("limit", "100"))
        except ValueError:
            raise ControlError("limit must be a whole number") from None
        if not 1 <= limit <= 5000:
            raise ControlError("limit must be between 1 and 5000")
        return reply(
            {"requests": journal.requests(realm_id=request.args.get("realm"), limit=limit)}
        )

    return bp
