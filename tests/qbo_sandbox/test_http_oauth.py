"""OAuth 2.0 against the emulator process, with the unmodified intuitlib client."""

from __future__ import annotations

import re
import time

import pytest
import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError
from quickbooks.exceptions import AuthorizationException
from quickbooks.objects.company_info import CompanyInfo

from tests.qbo_sandbox.conftest import CLIENT_ID
from tests.qbo_sandbox.conftest import CLIENT_SECRET
from tests.qbo_sandbox.conftest import REDIRECT_URI
from tests.qbo_sandbox.conftest import auth_client
from tests.qbo_sandbox.conftest import authorize
from tests.qbo_sandbox.conftest import callback_params
from tests.qbo_sandbox.conftest import connect
from tests.qbo_sandbox.conftest import emulator
from tests.qbo_sandbox.conftest import quickbooks
from tests.sandbox_process import SandboxProcess
from tests.sandbox_process import submit_consent

pytestmark = pytest.mark.sandbox

DISCOVERY_KEYS = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "revocation_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
)


def api_get(sandbox: SandboxProcess, realm: str, token: str | None) -> requests.Response:
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.get(
        f"{sandbox.api_url_v3}/company/{realm}/companyinfo/{realm}?minorversion=75",
        headers=headers,
        timeout=10,
    )


def test_discovery_points_every_endpoint_at_the_emulator(sandbox: SandboxProcess) -> None:
    doc = requests.get(sandbox.discovery_url, timeout=10).json()
    for key in DISCOVERY_KEYS:
        assert doc[key].startswith(sandbox.base_url), key
    assert doc["response_types_supported"] == ["code"]
    assert set(doc["token_endpoint_auth_methods_supported"]) == {
        "client_secret_post",
        "client_secret_basic",
    }
    client = auth_client(sandbox)
    assert client.token_endpoint == doc["token_endpoint"]


def test_the_whole_dance_gives_tokens_that_read_the_chosen_company(
    sandbox: SandboxProcess, realm: str
) -> None:
    other = sandbox.create_company(name="Not this one")
    client, code = authorize(sandbox, realm)
    client.get_bearer_token(code, realm_id=realm)

    assert client.access_token and client.refresh_token
    assert client.expires_in == 3600
    assert 8_600_000 < client.x_refresh_token_expires_in <= 8_726_400
    assert client.id_token is None
    qb = quickbooks(sandbox, client, realm)
    info = CompanyInfo.get(realm, qb=qb)
    assert info.CompanyName == sandbox.control("GET", f"/companies/{realm}")["name"]
    # The token belongs to the company chosen on the consent page, not another one.
    assert api_get(sandbox, other, client.access_token).status_code == 401


def test_the_consent_page_names_the_app_and_lists_the_companies(
    sandbox: SandboxProcess, realm: str
) -> None:
    company = sandbox.control("GET", f"/companies/{realm}")
    url = auth_client(sandbox).get_authorization_url([Scopes.ACCOUNTING], state_token="s")
    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    assert "Sandbox App" in page.text
    assert f'value="{realm}"' in page.text and company["name"] in page.text
    assert "Connect" in page.text and "Cancel" in page.text


def test_cancel_redirects_with_access_denied_and_the_state(
    sandbox: SandboxProcess, realm: str
) -> None:
    url = auth_client(sandbox).get_authorization_url([Scopes.ACCOUNTING], state_token="xyz")
    params = callback_params(submit_consent(url, realm_id=realm, action="cancel"))
    assert params == {"error": "access_denied", "state": "xyz"}


def test_a_consent_form_works_once_and_needs_its_token(sandbox: SandboxProcess, realm: str) -> None:
    url = auth_client(sandbox).get_authorization_url([Scopes.ACCOUNTING], state_token="s")
    session = requests.Session()
    token = re.search(r'name="consent_token" value="([^"]+)"', session.get(url, timeout=10).text)
    assert token is not None
    form = {"consent_token": token.group(1), "action": "connect", "realm_id": realm}
    first = session.post(url, data=form, allow_redirects=False, timeout=10)
    assert first.status_code == 302
    replayed = session.post(url, data=form, allow_redirects=False, timeout=10)
    forged = session.post(
        url, data={**form, "consent_token": "forged"}, allow_redirects=False, timeout=10
    )
    for response in (replayed, forged):
        assert response.status_code == 403
        assert "Location" not in response.headers


@pytest.mark.parametrize(
    ("client_id", "redirect_uri", "message"),
    [
        ("no-such-app", REDIRECT_URI, "Unknown app"),
        (CLIENT_ID, "https://evil.example.com/callback", "not registered"),
    ],
)
def test_unknown_app_or_unregistered_redirect_is_an_error_page_not_a_redirect(
    sandbox: SandboxProcess, client_id: str, redirect_uri: str, message: str
) -> None:
    client = auth_client(sandbox, client_id=client_id, redirect_uri=redirect_uri)
    url = client.get_authorization_url([Scopes.ACCOUNTING], state_token="s")
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert message in response.text


def test_a_registered_app_is_limited_to_its_redirect_uris(
    sandbox: SandboxProcess, realm: str
) -> None:
    app = sandbox.control(
        "POST",
        "/apps",
        {"name": "Partner App", "redirect_uris": ["https://partner.example.com/cb"]},
        expect=201,
    )
    good = auth_client(
        sandbox,
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        redirect_uri="https://partner.example.com/cb",
    )
    page = requests.get(good.get_authorization_url([Scopes.ACCOUNTING]), timeout=10)
    assert page.status_code == 200 and "Partner App" in page.text
    loopback = auth_client(
        sandbox, client_id=app["client_id"], client_secret=app["client_secret"]
    ).get_authorization_url([Scopes.ACCOUNTING])
    assert requests.get(loopback, allow_redirects=False, timeout=10).status_code == 400
    sandbox.control("POST", "/apps", {"name": "", "redirect_uris": []}, expect=400)


def test_reusing_a_code_fails_and_revokes_what_it_issued(
    sandbox: SandboxProcess, realm: str
) -> None:
    client, code = authorize(sandbox, realm)
    client.get_bearer_token(code, realm_id=realm)
    first_access, first_refresh = client.access_token, client.refresh_token
    assert api_get(sandbox, realm, first_access).status_code == 200

    again = auth_client(sandbox)
    with pytest.raises(AuthClientError) as error:
        again.get_bearer_token(code, realm_id=realm)
    assert error.value.status_code == 400
    assert error.value.content and b"invalid_grant" in error.value.content

    assert api_get(sandbox, realm, first_access).status_code == 401
    with pytest.raises(AuthClientError) as refresh_error:
        client.refresh(refresh_token=first_refresh)
    assert refresh_error.value.status_code == 400


def test_a_code_only_works_with_its_redirect_uri(sandbox: SandboxProcess, realm: str) -> None:
    _, code = authorize(sandbox, realm)
    other = auth_client(sandbox, redirect_uri="http://localhost:9999/other")
    with pytest.raises(AuthClientError) as error:
        other.get_bearer_token(code, realm_id=realm)
    assert error.value.status_code == 400


def test_wrong_client_secret_is_invalid_client_401(sandbox: SandboxProcess, realm: str) -> None:
    client, code = authorize(sandbox, realm, client_secret="wrong")
    with pytest.raises(AuthClientError) as error:
        client.get_bearer_token(code, realm_id=realm)
    assert error.value.status_code == 401
    assert error.value.content and b'"invalid_client"' in error.value.content
    assert error.value.intuit_tid


def test_client_secret_post_is_accepted(sandbox: SandboxProcess, realm: str) -> None:
    _, code = authorize(sandbox, realm)
    response = requests.post(
        sandbox.base_url + "/oauth2/v1/tokens/bearer",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
        timeout=10,
    )
    assert response.status_code == 200
    assert set(response.json()) == {
        "access_token",
        "refresh_token",
        "expires_in",
        "x_refresh_token_expires_in",
        "token_type",
    }
    assert response.json()["token_type"] == "bearer"


def test_refresh_within_a_day_keeps_the_refresh_token_and_gives_a_new_access_token(
    sandbox: SandboxProcess, realm: str
) -> None:
    client = connect(sandbox, realm)
    access, refresh = client.access_token, client.refresh_token
    client.refresh()
    assert client.refresh_token == refresh
    assert client.access_token != access
    assert api_get(sandbox, realm, client.access_token).status_code == 200


def test_an_unknown_refresh_token_is_invalid_grant_400(sandbox: SandboxProcess) -> None:
    with pytest.raises(AuthClientError) as error:
        auth_client(sandbox).refresh(refresh_token="RT1-not-a-token")
    assert error.value.status_code == 400
    assert error.value.content == b'{"error": "invalid_grant"}'


@pytest.mark.parametrize("which", ["refresh_token", "access_token"])
def test_revoking_either_token_ends_both(sandbox: SandboxProcess, realm: str, which: str) -> None:
    client = connect(sandbox, realm)
    access, refresh = client.access_token, client.refresh_token
    assert client.revoke(token=getattr(client, which)) is True
    assert api_get(sandbox, realm, access).status_code == 401
    with pytest.raises(AuthClientError):
        client.refresh(refresh_token=refresh)


def test_api_401_bodies_for_missing_and_unknown_tokens(sandbox: SandboxProcess, realm: str) -> None:
    for token in (None, "not-a-token"):
        response = api_get(sandbox, realm, token)
        assert response.status_code == 401
        assert response.json()["fault"]["error"][0]["code"] == "3200"
        assert response.json()["fault"]["type"] == "AUTHENTICATION"


def test_an_expired_access_token_is_401_until_refreshed(
    sandbox: SandboxProcess, realm: str
) -> None:
    client = connect(sandbox, realm)
    qb = quickbooks(sandbox, client, realm)
    assert CompanyInfo.get(realm, qb=qb).CompanyName.startswith("Test Co")
    assert sandbox.control("POST", f"/companies/{realm}/expire-tokens")["expired"] >= 1

    with pytest.raises(AuthorizationException) as error:
        CompanyInfo.get(realm, qb=qb)
    assert error.value.error_code == 401

    client.refresh()
    qb.session.token = {"access_token": client.access_token, "refresh_token": client.refresh_token}
    assert CompanyInfo.get(realm, qb=qb).CompanyName.startswith("Test Co")


def test_userinfo_answers_for_a_live_access_token(sandbox: SandboxProcess, realm: str) -> None:
    client = connect(sandbox, realm)
    info = client.get_user_info().json()
    assert info["email"] and info["sub"]
    with pytest.raises(AuthClientError):
        client.get_user_info(access_token="nope")


# -- rotation: a server whose refresh tokens rotate on every refresh ---------------------------


rotating = emulator("rotating", refresh_rotation=0, refresh_grace=0)
graceful = emulator("graceful", refresh_rotation=0, refresh_grace=3600)


def _connected(process: SandboxProcess) -> AuthClient:
    return connect(process, process.create_company(name="Rotation Co"))


def test_after_the_rotation_period_refresh_returns_a_new_value_and_the_old_one_dies(
    rotating: SandboxProcess,
) -> None:
    client = _connected(rotating)
    old = client.refresh_token
    client.refresh()
    assert client.refresh_token != old
    with pytest.raises(AuthClientError) as error:
        auth_client(rotating).refresh(refresh_token=old)
    assert error.value.status_code == 400
    client.refresh()  # the newest one works


def test_with_a_grace_period_the_superseded_refresh_token_still_works(
    graceful: SandboxProcess,
) -> None:
    client = _connected(graceful)
    old = client.refresh_token
    client.refresh()
    newest = client.refresh_token
    assert newest != old
    other = auth_client(graceful)
    other.refresh(refresh_token=old)
    assert other.access_token


# -- lifetimes: a server whose codes and tokens live a second or two ----------------------------


short_lived = emulator("short_lived", code_ttl=1, access_token_ttl=1, refresh_token_ttl=2)


def test_an_authorization_code_is_short_lived(short_lived: SandboxProcess) -> None:
    realm = short_lived.create_company(name="Slow Co")
    client, code = authorize(short_lived, realm)
    time.sleep(1.2)
    with pytest.raises(AuthClientError) as error:
        client.get_bearer_token(code, realm_id=realm)
    assert error.value.status_code == 400
    assert error.value.content and b"invalid_grant" in error.value.content


def test_access_tokens_expire_on_their_own_and_refresh_tokens_roll(
    short_lived: SandboxProcess,
) -> None:
    realm = short_lived.create_company(name="Rolling Co")
    client = connect(short_lived, realm)
    assert client.expires_in == 1 and client.x_refresh_token_expires_in == 2
    assert api_get(short_lived, realm, client.access_token).status_code == 200
    time.sleep(1.2)
    assert api_get(short_lived, realm, client.access_token).status_code == 401
    client.refresh()  # used within its 2 s: valid again for 2 s from now
    assert api_get(short_lived, realm, client.access_token).status_code == 200
    time.sleep(1.2)
    client.refresh()  # 2.4 s after it was issued, but only 1.2 s after its last use
    time.sleep(2.2)
    with pytest.raises(AuthClientError) as error:
        client.refresh()  # unused for longer than its lifetime
    assert error.value.status_code == 400


def test_a_token_without_the_accounting_scope_cannot_call_the_api(
    sandbox: SandboxProcess, realm: str
) -> None:
    client = auth_client(sandbox)
    url = client.get_authorization_url([Scopes.OPENID, Scopes.EMAIL], state_token="s")
    code = callback_params(submit_consent(url, realm_id=realm))["code"]
    client.get_bearer_token(code, realm_id=realm)
    assert client.get_user_info().status_code == 200
    response = api_get(sandbox, realm, client.access_token)
    assert response.status_code == 401
    assert response.json()["fault"]["error"][0]["code"] == "3200"
