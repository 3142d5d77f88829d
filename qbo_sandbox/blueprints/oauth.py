"""The OAuth 2.0 side of Intuit, emulated: discovery, the consent page, the token endpoint
(code exchange and refresh), revocation and userinfo (qbo-facts.md §1)."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from flask import Blueprint
from flask import Response
from flask import g
from flask import redirect
from flask import render_template
from flask import request

from qbo_sandbox.oauth import KNOWN_SCOPES
from qbo_sandbox.oauth import OAuth
from qbo_sandbox.oauth import OAuthError
from qbo_sandbox.parts import Parts
from qbo_sandbox.responses import AUTH_FAILED_BODY
from qbo_sandbox.responses import json_response


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


def bearer_grant(oauth: OAuth) -> dict[str, Any] | None:
    """The grant of the request's bearer token, or None (no token, or not a live one)."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    return oauth.access_check(header[7:].strip())


def blueprint(parts: Parts) -> Blueprint:
    store, oauth = parts.store, parts.oauth
    bp = Blueprint("oauth", __name__)

    def base_url() -> str:
        return request.host_url.rstrip("/")

    @bp.get("/.well-known/openid_configuration")
    @bp.get("/.well-known/openid_configuration/")
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

    @bp.get("/op/v1/jwks")
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

    @bp.get("/connect/oauth2")
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
            return redirect(_with_query(redirect_uri, error))
        scopes = request.args.get("scope", "").split()
        if not scopes or any(s not in KNOWN_SCOPES for s in scopes):
            return redirect(_with_query(redirect_uri, {"error": "invalid_scope", "state": state}))
        token = oauth.consent_start(
            client_id=client_id, redirect_uri=redirect_uri, scope=" ".join(scopes), state=state
        )
        return consent_page(token, client_id)

    @bp.post("/connect/oauth2")
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
            return redirect(_with_query(redirect_uri, {"error": "access_denied", "state": state}))
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
        return redirect(
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

    @bp.post("/oauth2/v1/tokens/bearer")
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

    @bp.post("/v2/oauth2/tokens/revoke")
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

    @bp.get("/v1/openid_connect/userinfo")
    def userinfo() -> Response:
        grant = bearer_grant(oauth)
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

    return bp
