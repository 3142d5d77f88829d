"""OAuth 2.0 as Intuit runs it: registered apps, the consent step, authorization codes,
access and refresh tokens (qbo-facts.md §1). Its own tables in the emulator's SQLite file.

A *grant* is one connection of one app to one company: it is what an authorization code
creates, what refreshing keeps alive, and what revocation (or the reuse of its code) ends.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from qbo_sandbox.config import DEFAULT_CLIENT_ID
from qbo_sandbox.config import DEFAULT_CLIENT_SECRET
from qbo_sandbox.config import Settings
from qbo_sandbox.localdb import LocalDB

ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"
KNOWN_SCOPES = (
    ACCOUNTING_SCOPE,
    "com.intuit.quickbooks.payment",
    "openid",
    "profile",
    "email",
    "phone",
    "address",
)
CONSENT_TTL = 30 * 60

_SCHEMA = """
CREATE TABLE IF NOT EXISTS oauth_app (
    client_id TEXT PRIMARY KEY,
    client_secret TEXT NOT NULL,
    name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    any_loopback INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS oauth_consent (
    token TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    state TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS oauth_grant (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL,
    realm_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    refresh_token TEXT NOT NULL UNIQUE,
    refresh_issued_at REAL NOT NULL,
    refresh_expires_at REAL NOT NULL,
    prev_refresh_token TEXT,
    prev_valid_until REAL
);
CREATE INDEX IF NOT EXISTS oauth_grant_prev ON oauth_grant (prev_refresh_token);
CREATE INDEX IF NOT EXISTS oauth_grant_realm ON oauth_grant (realm_id);
CREATE TABLE IF NOT EXISTS oauth_code (
    code TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    realm_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    expires_at REAL NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    grant_id INTEGER
);
CREATE TABLE IF NOT EXISTS oauth_access (
    token TEXT PRIMARY KEY,
    grant_id INTEGER NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS oauth_access_grant ON oauth_access (grant_id);
"""


class OAuthError(Exception):
    """An error of the token or revocation endpoint: `{"error": ...}` with an HTTP status."""

    def __init__(self, error: str, status: int = 400) -> None:
        super().__init__(error)
        self.error = error
        self.status = status


class AppError(ValueError):
    """A bad app registration (control interface)."""


def is_loopback_uri(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and parts.hostname in ("127.0.0.1", "localhost", "::1")


def _app_row(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "client_id": row["client_id"],
        "client_secret": row["client_secret"],
        "name": row["name"],
        "redirect_uris": json.loads(row["redirect_uris"]),
        "any_loopback_redirect": bool(row["any_loopback"]),
    }


class OAuth:
    def __init__(
        self, path: str | Path, settings: Settings, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = LocalDB(path, _SCHEMA)
        self.settings = settings
        self.clock = clock
        with self.db.write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO oauth_app VALUES (?, ?, ?, ?, 1, ?)",
                (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, "Sandbox App", "[]", clock()),
            )

    # -- apps ---------------------------------------------------------------------------------

    def app_register(
        self,
        *,
        name: str,
        redirect_uris: list[str],
        client_id: str | None = None,
        client_secret: str | None = None,
        any_loopback_redirect: bool = False,
    ) -> dict[str, Any]:
        if not isinstance(name, str) or not name.strip():
            raise AppError("an app needs a name")
        if not isinstance(redirect_uris, list) or not all(
            isinstance(u, str) and urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc
            for u in redirect_uris
        ):
            raise AppError("redirect_uris must be a list of absolute http(s) URLs")
        if not redirect_uris and not any_loopback_redirect:
            raise AppError("an app needs at least one redirect URI")
        client_id = client_id or "AB" + secrets.token_hex(20)
        client_secret = client_secret or secrets.token_urlsafe(30)
        for value, label in ((client_id, "client_id"), (client_secret, "client_secret")):
            if not isinstance(value, str) or not value.strip() or len(value) > 200:
                raise AppError(f"{label} must be a non-empty string")
        with self.db.write() as conn:
            if conn.execute("SELECT 1 FROM oauth_app WHERE client_id = ?", (client_id,)).fetchone():
                raise AppError(f"an app with client_id {client_id} exists")
            conn.execute(
                "INSERT INTO oauth_app VALUES (?, ?, ?, ?, ?, ?)",
                (
                    client_id,
                    client_secret,
                    name.strip(),
                    json.dumps(redirect_uris),
                    int(any_loopback_redirect),
                    self.clock(),
                ),
            )
        app = self.app_get(client_id)
        assert app is not None
        return app

    def app_get(self, client_id: str) -> dict[str, Any] | None:
        row = (
            self.db.conn()
            .execute("SELECT * FROM oauth_app WHERE client_id = ?", (client_id,))
            .fetchone()
        )
        return _app_row(row) if row else None

    def app_list(self) -> list[dict[str, Any]]:
        rows = self.db.conn().execute("SELECT * FROM oauth_app ORDER BY created_at")
        return [_app_row(row) for row in rows]

    @staticmethod
    def redirect_allowed(app: dict[str, Any], redirect_uri: str) -> bool:
        if redirect_uri in app["redirect_uris"]:
            return True
        return bool(app["any_loopback_redirect"]) and is_loopback_uri(redirect_uri)

    def authenticate_client(self, client_id: str | None, client_secret: str | None) -> str:
        """The client id if the credentials are right, else `invalid_client` (HTTP 401)."""
        app = self.app_get(client_id) if client_id else None
        if app is None or not secrets.compare_digest(
            app["client_secret"].encode(), (client_secret or "").encode()
        ):
            raise OAuthError("invalid_client", 401)
        return str(app["client_id"])

    # -- the consent page ---------------------------------------------------------------------

    def consent_start(self, *, client_id: str, redirect_uri: str, scope: str, state: str) -> str:
        """Remember one rendering of the consent page; its token is the form's CSRF token."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.db.write() as conn:
            conn.execute("DELETE FROM oauth_consent WHERE expires_at < ?", (now,))
            conn.execute(
                "INSERT INTO oauth_consent VALUES (?, ?, ?, ?, ?, ?)",
                (token, client_id, redirect_uri, scope, state, now + CONSENT_TTL),
            )
        return token

    def consent_take(self, token: str) -> dict[str, Any] | None:
        """The consent request behind a form token, once (a replayed form is refused)."""
        with self.db.write() as conn:
            row = conn.execute("SELECT * FROM oauth_consent WHERE token = ?", (token,)).fetchone()
            if row is None:
                return None
            conn.execute("DELETE FROM oauth_consent WHERE token = ?", (token,))
        if row["expires_at"] < self.clock():
            return None
        return dict(row)

    def code_issue(self, *, client_id: str, realm_id: str, redirect_uri: str, scope: str) -> str:
        code = "AB11" + secrets.token_urlsafe(30)
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO oauth_code (code, client_id, realm_id, redirect_uri, scope,"
                " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    code,
                    client_id,
                    realm_id,
                    redirect_uri,
                    scope,
                    self.clock() + self.settings.code_ttl,
                ),
            )
        return code

    # -- tokens -------------------------------------------------------------------------------

    def _new_access(self, conn: sqlite3.Connection, grant_id: int, now: float) -> str:
        token = "eyJ" + secrets.token_urlsafe(96)
        conn.execute(
            "INSERT INTO oauth_access VALUES (?, ?, ?)",
            (token, grant_id, now + self.settings.access_token_ttl),
        )
        return token

    def _response(
        self, access: str, refresh: str, refresh_expires_at: float, now: float
    ) -> dict[str, Any]:
        # Exactly Intuit's keys: intuitlib copies each one onto the AuthClient.
        return {
            "x_refresh_token_expires_in": max(0, int(refresh_expires_at - now)),
            "access_token": access,
            "token_type": "bearer",
            "refresh_token": refresh,
            "expires_in": self.settings.access_token_ttl,
        }

    def exchange_code(self, client_id: str, code: str, redirect_uri: str) -> dict[str, Any]:
        now = self.clock()
        reused = False
        with self.db.write() as conn:
            row = conn.execute("SELECT * FROM oauth_code WHERE code = ?", (code,)).fetchone()
            if row is None or row["client_id"] != client_id:
                raise OAuthError("invalid_grant")
            if row["used"]:
                # RFC 6749 §4.1.2: a reused code revokes the tokens it issued.
                reused = True
                conn.execute("UPDATE oauth_grant SET revoked = 1 WHERE id = ?", (row["grant_id"],))
                conn.execute("DELETE FROM oauth_access WHERE grant_id = ?", (row["grant_id"],))
        if reused:
            raise OAuthError("invalid_grant")
        with self.db.write() as conn:
            row = conn.execute("SELECT * FROM oauth_code WHERE code = ?", (code,)).fetchone()
            if row["used"]:
                raise OAuthError("invalid_grant")
            if row["expires_at"] < now or row["redirect_uri"] != redirect_uri:
                raise OAuthError("invalid_grant")
            refresh = "RT1-" + secrets.token_urlsafe(36)
            refresh_expires_at = now + self.settings.refresh_token_ttl
            cursor = conn.execute(
                "INSERT INTO oauth_grant (client_id, realm_id, scope, created_at, refresh_token,"
                " refresh_issued_at, refresh_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (client_id, row["realm_id"], row["scope"], now, refresh, now, refresh_expires_at),
            )
            grant_id = int(cursor.lastrowid or 0)
            conn.execute(
                "UPDATE oauth_code SET used = 1, grant_id = ? WHERE code = ?", (grant_id, code)
            )
            access = self._new_access(conn, grant_id, now)
        return self._response(access, refresh, refresh_expires_at, now)

    def refresh(self, client_id: str, refresh_token: str) -> dict[str, Any]:
        now = self.clock()
        with self.db.write() as conn:
            grant = conn.execute(
                "SELECT * FROM oauth_grant WHERE refresh_token = ? AND refresh_expires_at > ?",
                (refresh_token, now),
            ).fetchone()
            if grant is None:
                grant = conn.execute(
                    "SELECT * FROM oauth_grant"
                    " WHERE prev_refresh_token = ? AND prev_valid_until > ?",
                    (refresh_token, now),
                ).fetchone()
            if grant is None or grant["revoked"] or grant["client_id"] != client_id:
                raise OAuthError("invalid_grant")
            current = grant["refresh_token"]
            if now - grant["refresh_issued_at"] >= self.settings.refresh_rotation:
                new = "RT1-" + secrets.token_urlsafe(36)
                conn.execute(
                    "UPDATE oauth_grant SET refresh_token = ?, refresh_issued_at = ?,"
                    " prev_refresh_token = ?, prev_valid_until = ? WHERE id = ?",
                    (new, now, current, now + self.settings.refresh_grace, grant["id"]),
                )
                current = new
            refresh_expires_at = now + self.settings.refresh_token_ttl
            conn.execute(
                "UPDATE oauth_grant SET refresh_expires_at = ? WHERE id = ?",
                (refresh_expires_at, grant["id"]),
            )
            conn.execute(
                "DELETE FROM oauth_access WHERE grant_id = ? AND expires_at < ?", (grant["id"], now)
            )
            access = self._new_access(conn, int(grant["id"]), now)
        return self._response(access, current, refresh_expires_at, now)

    def revoke(self, client_id: str, token: str) -> bool:
        """Revoke the grant an access or refresh token belongs to (both tokens stop working).
        False if the token is unknown (answered 200 all the same, as RFC 7009 says)."""
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT g.id, g.client_id FROM oauth_grant g WHERE g.refresh_token = ?"
                " OR g.prev_refresh_token = ? UNION SELECT g.id, g.client_id FROM oauth_access a"
                " JOIN oauth_grant g ON g.id = a.grant_id WHERE a.token = ?",
                (token, token, token),
            ).fetchone()
            if row is None:
                return False
            if row["client_id"] != client_id:
                raise OAuthError("invalid_request")
            conn.execute("UPDATE oauth_grant SET revoked = 1 WHERE id = ?", (row["id"],))
            conn.execute("DELETE FROM oauth_access WHERE grant_id = ?", (row["id"],))
        return True

    def access_check(self, token: str) -> dict[str, Any] | None:
        """The live grant (client_id, realm_id, scope) of an access token, or None."""
        row = (
            self.db.conn()
            .execute(
                "SELECT g.id, g.client_id, g.realm_id, g.scope FROM oauth_access a"
                " JOIN oauth_grant g ON g.id = a.grant_id"
                " WHERE a.token = ? AND a.expires_at > ? AND g.revoked = 0",
                (token, self.clock()),
            )
            .fetchone()
        )
        return dict(row) if row else None

    def connected(self, client_id: str, realm_id: str) -> bool:
        """Whether the app holds a live (not revoked, not expired) grant for the company:
        Intuit sends an app's webhooks only for the companies connected to it."""
        row = (
            self.db.conn()
            .execute(
                "SELECT 1 FROM oauth_grant WHERE client_id = ? AND realm_id = ? AND revoked = 0"
                " AND refresh_expires_at > ? LIMIT 1",
                (client_id, realm_id, self.clock()),
            )
            .fetchone()
        )
        return row is not None

    def expire_access_tokens(self, realm_id: str) -> int:
        """Make every access token of a company expired now (refresh tokens keep working)."""
        now = self.clock()
        with self.db.write() as conn:
            cursor = conn.execute(
                "UPDATE oauth_access SET expires_at = ? WHERE expires_at > ? AND grant_id IN"
                " (SELECT id FROM oauth_grant WHERE realm_id = ?)",
                (now, now, realm_id),
            )
        return cursor.rowcount

    def revoke_company(self, realm_id: str) -> None:
        """A deleted company takes its connections with it."""
        with self.db.write() as conn:
            conn.execute("UPDATE oauth_grant SET revoked = 1 WHERE realm_id = ?", (realm_id,))
            conn.execute(
                "DELETE FROM oauth_access WHERE grant_id IN"
                " (SELECT id FROM oauth_grant WHERE realm_id = ?)",
                (realm_id,),
            )
