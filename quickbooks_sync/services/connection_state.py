"""The OAuth `state` of "Connect to QuickBooks": bound to the browser session, the user and the
workspace, single-use, valid for 10 minutes.

The state is signed (django.core.signing, so it cannot be forged or edited) and carries a random
nonce that is also kept in the session; redeeming it removes the nonce, so an answer replayed from
the browser history or another browser is refused (RFC 6749 §10.12: CSRF on the redirect URI).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import MutableMapping
from typing import Any

from django.core import signing

from workspaces.errors import ApplicationError

STATE_SALT = "quickbooks_sync.oauth.state"
STATE_MAX_AGE_SECONDS = 600
SESSION_KEY = "quickbooks_oauth_states"
MAX_PENDING = 5  # connection requests one session may have open at once

AGAIN = "Nothing was saved. Start again with “Connect to QuickBooks” in Settings > Integrations."


class OAuthStateRefused(ApplicationError):
    """The answer from QuickBooks cannot be matched to a connection request started here."""

    status = 400


def oauth_state_issue(*, session: MutableMapping[str, Any], user_id: str, workspace_id: str) -> str:
    """A new state for one connection request; remembered in `session`."""
    now = int(time.time())
    pending: dict[str, int] = {
        nonce: issued
        for nonce, issued in dict(session.get(SESSION_KEY) or {}).items()
        if issued > now - STATE_MAX_AGE_SECONDS
    }
    nonce = secrets.token_urlsafe(16)
    pending[nonce] = now
    newest = sorted(pending.items(), key=lambda item: item[1])[-MAX_PENDING:]
    session[SESSION_KEY] = dict(newest)
    return signing.dumps({"n": nonce, "u": str(user_id), "w": str(workspace_id)}, salt=STATE_SALT)


def oauth_state_redeem(*, session: MutableMapping[str, Any], user_id: str, state: str) -> str:
    """The workspace id the state was issued for; the state cannot be used again."""
    if not state:
        raise OAuthStateRefused(
            "QuickBooks answered without a state, so the answer cannot be matched to a "
            f"connection request. {AGAIN}"
        )
    try:
        data = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise OAuthStateRefused(
            f"The connection request expired: it is valid for 10 minutes. {AGAIN}"
        ) from None
    except signing.BadSignature:
        raise OAuthStateRefused(
            "The answer from QuickBooks does not match a connection request started here "
            f"(its state is not valid). {AGAIN}"
        ) from None
    if not isinstance(data, dict) or not {"n", "u", "w"} <= data.keys():
        raise OAuthStateRefused(f"The connection request is not valid. {AGAIN}")
    if data["u"] != str(user_id):
        raise OAuthStateRefused(f"This connection request was started by another user. {AGAIN}")
    pending = dict(session.get(SESSION_KEY) or {})
    if pending.pop(str(data["n"]), None) is None:
        raise OAuthStateRefused(
            "This connection request was already used, or was started in another browser "
            f"session. {AGAIN}"
        )
    session[SESSION_KEY] = pending
    return str(data["w"])
