"""Connecting a workspace to QuickBooks through the emulator running as a real process: the
Integrations page, Connect -> consent -> callback, every refusal (plan, payroll, Simple Start,
state, denied consent, reused code), disconnect/reconnect with links, the reconnect banner, the
REST API, and no secret in logs or the audit log."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
import requests
import time_machine
from cryptography.fernet import Fernet
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from quickbooks_sync.models import CustomerLink
from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import QBOConnection
from quickbooks_sync.qbo.errors import QBOInvalidGrant
from quickbooks_sync.qbo.oauth import QBOAuth
from quickbooks_sync.qbo.types import TokenSet
from quickbooks_sync.services.connection import ConnectionUnavailable
from quickbooks_sync.services.connection import connection_call
from quickbooks_sync.services.connection import qbo_config
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.sandbox_process import SandboxProcess
from tests.sandbox_process import submit_consent
from tests.tracking.factories import ClientFactory
from workspaces.models import AuditLog
from workspaces.models import Membership
from workspaces.models import Workspace

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("qbo_settings")]


@pytest.fixture
def realm(sandbox: SandboxProcess) -> str:
    return sandbox.create_company(name=f"Flow Co {uuid.uuid4().hex[:8]}")


def page_url(workspace) -> str:
    return reverse("quickbooks:integrations", kwargs={"ws": workspace.id})


def start(client: Client, workspace) -> str:
    """Press "Connect to QuickBooks": the authorization URL at the emulator."""
    response = client.post(reverse("quickbooks:connect", kwargs={"ws": workspace.id}))
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"])


def back_from_intuit(client: Client, location: str, **kwargs):
    """Follow Intuit's redirect to our callback in the test client."""
    parts = urlsplit(location)
    assert parts.path == reverse("quickbooks_public:callback"), location
    return client.get(parts.path + "?" + parts.query, **kwargs)


def consent(sandbox: SandboxProcess, url: str, realm: str) -> str:
    return sandbox.approve(url, realm)


def connect_through_pages(client: Client, workspace, sandbox: SandboxProcess, realm: str):
    return back_from_intuit(client, consent(sandbox, start(client, workspace), realm))


def token_alive(sandbox: SandboxProcess, realm: str, access_token: str) -> bool:
    response = requests.get(
        f"{sandbox.api_url_v3}/company/{realm}/companyinfo/{realm}",
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        timeout=10,
    )
    return response.status_code == 200


# -- the page -----------------------------------------------------------------------------------


def test_page_before_connecting_says_what_the_seed_says(admin_client_, workspace) -> None:
    response = admin_client_.get(page_url(workspace))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Invite all users" in html
    assert "identical to their display names in QuickBooks" in html
    assert "Essentials, Plus or Advanced" in html
    assert "QuickBooks Desktop" in html and "Simple Start" in html
    assert "Payroll" in html
    assert "Connect to QuickBooks" in html
    old = reverse("workspaces:settings_integrations", kwargs={"ws": workspace.id})
    assert admin_client_.get(old)["Location"] == page_url(workspace)


def test_members_and_outsiders_are_kept_out(member_client, outsider_client, client, workspace):
    connect = reverse("quickbooks:connect", kwargs={"ws": workspace.id})
    assert member_client.get(page_url(workspace)).status_code == 403
    assert member_client.post(connect).status_code == 403
    assert outsider_client.get(page_url(workspace)).status_code == 404
    assert outsider_client.post(connect).status_code == 404
    assert client.get(page_url(workspace)).status_code == 302  # to the login page
    assert (
        "Settings"
        not in member_client.get(reverse("tracking:tracker", kwargs={"ws": workspace.id}))
        .content.decode()
        .split("<main")[0]
    )


@pytest.mark.parametrize("plan", [Workspace.Plan.FREE, Workspace.Plan.BASIC])
def test_free_and_basic_plans_are_refused_on_the_page_and_the_connect_url(
    owner_client, workspace, plan
) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(plan=plan)
    html = owner_client.get(page_url(workspace)).content.decode()
    assert "needs the Standard, Pro or Enterprise plan" in html
    assert reverse("workspaces:settings_plan", kwargs={"ws": workspace.id}) in html
    assert "Connect to QuickBooks</button>" not in html
    response = owner_client.post(reverse("quickbooks:connect", kwargs={"ws": workspace.id}))
    assert response.status_code == 403
    assert "needs the Standard, Pro or Enterprise plan" in response.content.decode()


# -- connect ------------------------------------------------------------------------------------


def test_connect_stores_the_company_and_shows_it(
    admin_client_, admin, workspace, sandbox: SandboxProcess, realm: str, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    url = start(admin_client_, workspace)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(sandbox.base_url)
    assert query["redirect_uri"] == ["http://127.0.0.1:8000/quickbooks/callback/"]
    response = back_from_intuit(admin_client_, consent(sandbox, url, realm), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    connection = QBOConnection.objects.get(workspace=workspace)
    assert connection.status == QBOConnection.Status.CONNECTED
    assert connection.realm_id == realm
    assert connection.company_name.startswith("Flow Co ")
    assert connection.company_plan == "QuickBooks Online Plus"
    assert connection.connected_by == admin
    assert connection.access_token and connection.refresh_token
    assert connection.access_token_expires_at and connection.refresh_token_expires_at
    assert f"Connected to QuickBooks company “{connection.company_name}”" in html
    assert realm in html and "Disconnect" in html
    # Encrypted at rest: the column does not hold the token.
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, refresh_token FROM quickbooks_sync_qboconnection WHERE id = %s",
            [connection.id],
        )
        stored_access, stored_refresh = cursor.fetchone()
    assert connection.access_token not in stored_access
    assert connection.refresh_token not in stored_refresh
    entry = AuditLog.objects.get(workspace=workspace, event="quickbooks.connected")
    assert entry.actor == admin and entry.details["realm_id"] == realm
    secrets = [connection.access_token, connection.refresh_token, "sandbox-client-secret"]
    audit = str(list(AuditLog.objects.filter(workspace=workspace).values()))
    logged = caplog.text
    for secret in secrets:
        assert secret not in audit
        assert secret not in logged
    # The tokens work: the stored connection reads the company.
    name = connection_call(
        workspace_id=workspace.id, operation=lambda q: q.company_info().company_name
    )
    assert name == connection.company_name


@pytest.mark.parametrize(
    ("company", "expected"),
    [
        (
            {"sku": "Simple Start"},
            "doesn't work with QuickBooks Desktop or the QuickBooks Online Simple Start",
        ),
        ({"payroll": True}, "Payroll feature enabled"),
    ],
    ids=["simple-start", "payroll"],
)
def test_simple_start_and_payroll_companies_are_refused_and_the_token_revoked(
    owner_client, workspace, sandbox: SandboxProcess, company, expected, monkeypatch
) -> None:
    realm = sandbox.create_company(name=f"Refused {uuid.uuid4().hex[:6]}", **company)
    issued: list[str] = []
    original = QBOAuth.exchange_code

    def spy(self, code):
        tokens = original(self, code)
        issued.append(tokens.access_token)
        return tokens

    monkeypatch.setattr(QBOAuth, "exchange_code", spy)
    response = connect_through_pages(owner_client, workspace, sandbox, realm)
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert expected in html and "Nothing was saved" in html
    assert html.count("Payroll") <= 1  # the refusal says it once
    assert not QBOConnection.objects.filter(workspace=workspace).exists()
    assert not AuditLog.objects.filter(workspace=workspace, event__startswith="quickbooks").exists()
    assert len(issued) == 1
    assert not token_alive(sandbox, realm, issued[0])  # revoked at the emulator


def test_a_plan_that_lost_quickbooks_in_between_is_refused(
    owner_client, workspace, sandbox: SandboxProcess, realm: str
) -> None:
    url = start(owner_client, workspace)
    Workspace.objects.filter(pk=workspace.pk).update(plan=Workspace.Plan.BASIC)
    response = back_from_intuit(owner_client, consent(sandbox, url, realm))
    assert response.status_code == 403
    assert "needs the Standard, Pro or Enterprise plan" in response.content.decode()
    assert not QBOConnection.objects.exists()


def test_denied_consent_saves_nothing(owner_client, workspace, sandbox: SandboxProcess, realm):
    url = start(owner_client, workspace)
    denied = submit_consent(url, realm_id=realm, action="cancel")
    assert "error=access_denied" in denied.headers["Location"]
    response = back_from_intuit(owner_client, denied.headers["Location"])
    assert response.status_code == 400
    assert "consent was denied" in response.content.decode()
    assert not QBOConnection.objects.exists()


def test_state_must_be_present_genuine_fresh_unused_and_yours(
    owner_client, owner, admin, workspace, sandbox: SandboxProcess, realm: str
) -> None:
    callback = reverse("quickbooks_public:callback")

    def refused(client: Client, query: str, text: str) -> None:
        response = client.get(callback + "?" + query)
        assert response.status_code == 400, response.content.decode()[:500]
        assert text in response.content.decode()
        assert not QBOConnection.objects.exists()

    refused(owner_client, f"code=x&realmId={realm}", "answered without a state")

    location = consent(sandbox, start(owner_client, workspace), realm)
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    tampered = params["state"][:-3] + ("AAA" if not params["state"].endswith("AAA") else "BBB")
    refused(
        owner_client,
        f"code={params['code']}&realmId={realm}&state={tampered}",
        "does not match a connection request",
    )
    # Another admin of the same workspace, in their own session, cannot use it.
    other = Client()
    other.force_login(admin)
    refused(other, urlsplit(location).query, "started by another user")
    # The owner's own answer works once...
    assert back_from_intuit(owner_client, location).status_code == 302
    QBOConnection.objects.all().delete()
    # ... and not twice.
    refused(owner_client, urlsplit(location).query, "already used")


def test_an_expired_state_is_refused(owner_client, workspace, sandbox: SandboxProcess, realm):
    with time_machine.travel("2026-03-01 10:00:00Z", tick=True) as traveller:
        location = consent(sandbox, start(owner_client, workspace), realm)
        traveller.shift(timedelta(minutes=10, seconds=5))
        response = back_from_intuit(owner_client, location)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not QBOConnection.objects.exists()


def test_a_state_from_another_session_of_the_same_user_is_refused(
    owner, workspace, sandbox: SandboxProcess, realm
) -> None:
    first, second = Client(), Client()
    first.force_login(owner)
    second.force_login(owner)
    location = consent(sandbox, start(first, workspace), realm)
    response = back_from_intuit(second, location)
    assert response.status_code == 400
    assert "another browser session" in response.content.decode()


def test_a_reused_code_is_refused_with_a_clear_error(
    owner_client, workspace, sandbox: SandboxProcess, realm: str
) -> None:
    location = consent(sandbox, start(owner_client, workspace), realm)
    code = parse_qs(urlsplit(location).query)["code"][0]
    QBOAuth(qbo_config()).exchange_code(code)  # someone used the code already
    response = back_from_intuit(owner_client, location)
    assert response.status_code == 400
    assert "already used or has expired" in response.content.decode()
    assert not QBOConnection.objects.exists()
    with pytest.raises(QBOInvalidGrant):
        QBOAuth(qbo_config()).exchange_code(code)


# -- disconnect and reconnect ---------------------------------------------------------------------


def link_mia(workspace, member, realm: str) -> EmployeeLink:
    """Mia (the member) linked to employee 55 of `realm`."""
    return EmployeeLink.objects.create(
        workspace=workspace,
        membership=Membership.objects.get(workspace=workspace, user=member),
        realm_id=realm,
        qbo_employee_id="55",
        qbo_display_name="Mia Member",
    )


@pytest.fixture
def linked(workspace, owner, member, sandbox: SandboxProcess, realm: str):
    connection = connect_workspace(workspace, sandbox, realm, user=owner)
    link_mia(workspace, member, realm)
    client = ClientFactory(workspace=workspace, name="Globex")
    CustomerLink.objects.create(
        workspace=workspace,
        kind=CustomerLink.Kind.CLIENT,
        client=client,
        realm_id=realm,
        qbo_customer_id="7",
        qbo_display_name="Globex",
    )
    return connection


def test_disconnect_revokes_deletes_tokens_and_keeps_links(
    owner_client, owner, workspace, sandbox: SandboxProcess, realm: str, linked
) -> None:
    access = linked.access_token
    page = owner_client.get(page_url(workspace)).content.decode()
    assert 'data-confirm="Disconnect from QuickBooks company' in page
    response = owner_client.post(
        reverse("quickbooks:disconnect", kwargs={"ws": workspace.id}), follow=True
    )
    assert "Disconnected from QuickBooks" in response.content.decode()
    linked.refresh_from_db()
    assert linked.status == QBOConnection.Status.DISCONNECTED
    assert linked.access_token == "" and linked.refresh_token == ""
    assert linked.disconnected_at is not None
    assert not token_alive(sandbox, realm, access)
    assert EmployeeLink.objects.filter(workspace=workspace).count() == 1
    assert CustomerLink.objects.filter(workspace=workspace).count() == 1
    entry = AuditLog.objects.get(workspace=workspace, event="quickbooks.disconnected")
    assert entry.actor == owner and entry.details["revoked_at_intuit"] is True
    # The page now warns before connecting another company, and reconnecting keeps the links.
    page = owner_client.get(page_url(workspace)).content.decode()
    assert "If you connect a <strong>different</strong> company" in page
    connect_through_pages(owner_client, workspace, sandbox, realm)
    linked.refresh_from_db()
    assert linked.status == QBOConnection.Status.CONNECTED
    assert EmployeeLink.objects.filter(workspace=workspace, realm_id=realm).count() == 1
    assert CustomerLink.objects.filter(workspace=workspace, realm_id=realm).count() == 1


def test_disconnect_goes_on_when_intuit_fails_to_revoke(
    owner_client, workspace, linked, monkeypatch, caplog
) -> None:
    def down(self, token):
        from quickbooks_sync.qbo.errors import QBOTransientError

        raise QBOTransientError(code="connection", message="ConnectionError")

    monkeypatch.setattr(QBOAuth, "revoke", down)
    caplog.set_level(logging.WARNING)
    refresh = linked.refresh_token
    response = owner_client.post(reverse("quickbooks:disconnect", kwargs={"ws": workspace.id}))
    assert response.status_code == 302
    linked.refresh_from_db()
    assert linked.status == QBOConnection.Status.DISCONNECTED and linked.refresh_token == ""
    assert "revoke failed" in caplog.text and refresh not in caplog.text


def test_disconnect_with_unreadable_tokens_says_it_could_not_revoke_and_how_to(
    owner_client, workspace, sandbox: SandboxProcess, realm: str, linked, settings
) -> None:
    access = linked.access_token
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()  # replaced, not rotated
    response = owner_client.post(
        reverse("quickbooks:disconnect", kwargs={"ws": workspace.id}), follow=True
    )
    page = unescape(response.content.decode())
    assert "could not be revoked at Intuit" in page
    assert "cannot be decrypted" in page
    assert "Apps > My apps" in page and "Disconnect" in page
    row = QBOConnection.objects.defer("access_token", "refresh_token").get(pk=linked.pk)
    assert row.status == QBOConnection.Status.DISCONNECTED
    assert token_alive(sandbox, realm, access)  # indeed still authorized at Intuit
    entry = AuditLog.objects.get(workspace=workspace, event="quickbooks.disconnected")
    assert entry.details["revoked_at_intuit"] is False
    assert "could not be revoked at Intuit" in entry.details["what_to_do"]
    audit_page = owner_client.get(reverse("workspaces:audit_log", args=[workspace.id]))
    assert "could not be revoked at Intuit" in audit_page.content.decode()
    # The Integrations page keeps saying it until the workspace connects again.
    again = owner_client.get(page_url(workspace)).content.decode()
    assert 'data-testid="qbo-not-revoked"' in again


def test_connecting_a_different_company_drops_the_old_links(
    owner_client, workspace, sandbox: SandboxProcess, realm: str, linked
) -> None:
    owner_client.post(reverse("quickbooks:disconnect", kwargs={"ws": workspace.id}))
    other = sandbox.create_company(name=f"Other Co {uuid.uuid4().hex[:6]}")
    response = connect_through_pages(owner_client, workspace, sandbox, other)
    assert response.status_code == 302
    html = owner_client.get(response["Location"]).content.decode()
    assert "1 user link(s) and 1 client/project link(s) to it were dropped" in html
    linked.refresh_from_db()
    assert linked.realm_id == other and linked.status == QBOConnection.Status.CONNECTED
    assert not EmployeeLink.objects.filter(workspace=workspace).exists()
    assert not CustomerLink.objects.filter(workspace=workspace).exists()
    entry = AuditLog.objects.filter(workspace=workspace, event="quickbooks.connected").latest("id")
    assert entry.details["dropped_employee_links"] == 1


@pytest.fixture
def issued(monkeypatch) -> list[TokenSet]:
    """Every token set the code exchange hands out, in order."""
    tokens: list[TokenSet] = []
    original = QBOAuth.exchange_code

    def spy(self, code):
        result = original(self, code)
        tokens.append(result)
        return result

    monkeypatch.setattr(QBOAuth, "exchange_code", spy)
    return tokens


def two_consents(client: Client, workspace, sandbox: SandboxProcess, first: str, second: str):
    """ "Connect" pressed twice (two states), then each consent approved: two answers."""
    first_url, second_url = start(client, workspace), start(client, workspace)
    return consent(sandbox, first_url, first), consent(sandbox, second_url, second)


def test_a_second_connect_to_another_company_is_refused_and_its_grant_revoked(
    owner_client, workspace, member, sandbox: SandboxProcess, realm: str, issued
) -> None:
    other = sandbox.create_company(name=f"Other Co {uuid.uuid4().hex[:6]}")
    to_first, to_other = two_consents(owner_client, workspace, sandbox, realm, other)
    assert back_from_intuit(owner_client, to_first).status_code == 302
    connected = QBOConnection.objects.get(workspace=workspace)
    link_mia(workspace, member, realm)

    response = back_from_intuit(owner_client, to_other)

    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert f"already connected to QuickBooks (“{connected.company_name}”)" in html
    assert "Disconnect it first" in html and "Nothing was saved" in html
    after = QBOConnection.objects.get(workspace=workspace)
    assert (after.status, after.realm_id, after.refresh_token) == (
        QBOConnection.Status.CONNECTED,
        realm,
        connected.refresh_token,
    )
    assert EmployeeLink.objects.filter(workspace=workspace, realm_id=realm).count() == 1
    assert len(issued) == 2
    assert token_alive(sandbox, realm, issued[0].access_token)
    assert not token_alive(sandbox, other, issued[1].access_token)  # the refused grant
    assert AuditLog.objects.filter(workspace=workspace, event="quickbooks.connected").count() == 1


def test_a_second_connect_to_the_same_company_keeps_the_newest_grant_and_revokes_the_old(
    owner_client, workspace, member, sandbox: SandboxProcess, realm: str, issued
) -> None:
    to_first, to_second = two_consents(owner_client, workspace, sandbox, realm, realm)
    assert back_from_intuit(owner_client, to_first).status_code == 302
    link_mia(workspace, member, realm)

    response = back_from_intuit(owner_client, to_second, follow=True)

    assert "Connected to QuickBooks company" in response.content.decode()
    connection = QBOConnection.objects.get(workspace=workspace)
    assert connection.status == QBOConnection.Status.CONNECTED
    assert connection.refresh_token == issued[1].refresh_token
    assert not token_alive(sandbox, realm, issued[0].access_token)  # the replaced grant
    assert token_alive(sandbox, realm, issued[1].access_token)
    assert EmployeeLink.objects.filter(workspace=workspace, realm_id=realm).count() == 1
    name = connection_call(
        workspace_id=workspace.id, operation=lambda q: q.company_info().company_name
    )
    assert name == connection.company_name


def test_tokens_no_key_decrypts_are_cured_by_reconnecting(
    owner_client, workspace, sandbox: SandboxProcess, realm: str, linked, settings
) -> None:
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()  # replaced, not rotated
    with pytest.raises(ConnectionUnavailable, match="FIELD_ENCRYPTION_KEY"):
        connection_call(workspace_id=workspace.id, operation=lambda q: q.company_info())

    response = connect_through_pages(owner_client, workspace, sandbox, realm)

    assert response.status_code == 302, unescape(response.content.decode())[:2000]
    connection = QBOConnection.objects.get(workspace=workspace)  # readable again
    assert connection.status == QBOConnection.Status.CONNECTED and connection.problem == ""
    assert EmployeeLink.objects.filter(workspace=workspace, realm_id=realm).count() == 1
    assert connection_call(workspace_id=workspace.id, operation=lambda q: q.company_info())


def test_a_plan_downgraded_while_connected_still_lets_admins_disconnect(
    owner_client, workspace, linked
) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(plan=Workspace.Plan.FREE)
    html = owner_client.get(page_url(workspace)).content.decode()
    assert "needs the Standard, Pro or Enterprise plan" in html
    assert "Disconnect</button>" in html
    assert (
        owner_client.post(reverse("quickbooks:disconnect", kwargs={"ws": workspace.id})).status_code
        == 302
    )


def test_connect_while_connected_is_refused(owner_client, workspace, linked) -> None:
    response = owner_client.post(reverse("quickbooks:connect", kwargs={"ws": workspace.id}))
    assert response.status_code == 400
    assert "already connected" in response.content.decode()


# -- needs reconnecting: banner -------------------------------------------------------------------


def test_invalid_grant_shows_a_banner_to_admins_on_every_page(
    owner_client, member_client, workspace, linked
) -> None:
    QBOAuth(qbo_config()).revoke(linked.refresh_token)
    QBOConnection.objects.filter(pk=linked.pk).update(access_token_expires_at=None)
    with pytest.raises(Exception, match="needs reconnecting"):
        connection_call(workspace_id=workspace.id, operation=lambda q: q.company_info())
    linked.refresh_from_db()
    assert linked.status == QBOConnection.Status.NEEDS_RECONNECT
    for name in ("tracking:tracker", "reports:detailed", "workspaces:team"):
        html = owner_client.get(reverse(name, kwargs={"ws": workspace.id})).content.decode()
        assert 'data-testid="qbo-reconnect-banner"' in html, name
        assert "connect to QuickBooks again" in html
    tracker = reverse("tracking:tracker", kwargs={"ws": workspace.id})
    assert "qbo-reconnect-banner" not in member_client.get(tracker).content.decode()
    page = owner_client.get(page_url(workspace)).content.decode()
    assert "Reconnect to QuickBooks" in page


def test_the_banner_costs_one_query_for_admins_and_none_for_members(
    owner_client, member_client, workspace, linked
) -> None:
    tracker = reverse("tracking:tracker", kwargs={"ws": workspace.id})
    owner_client.get(tracker)
    member_client.get(tracker)
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(db) as admin_queries:
        owner_client.get(tracker)
    with CaptureQueriesContext(db) as member_queries:
        member_client.get(tracker)
    banner = [
        q for q in admin_queries.captured_queries if "quickbooks_sync_qboconnection" in q["sql"]
    ]
    assert len(banner) == 1
    assert not [
        q for q in member_queries.captured_queries if "quickbooks_sync_qboconnection" in q["sql"]
    ]


# -- REST API -------------------------------------------------------------------------------------


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_api_status_and_disconnect(
    owner, member, outsider, workspace, sandbox: SandboxProcess, realm: str, linked
) -> None:
    url = reverse("api-quickbooks", kwargs={"ws": workspace.id})
    body = api_for(owner).get(url).json()
    assert body["connected"] is True and body["status"] == "CONNECTED"
    assert body["realmId"] == realm and body["companyName"] == linked.company_name
    assert body["companyPlan"] == "QuickBooks Online Plus"
    assert body["connectedBy"] == owner.id and body["connectedAt"].endswith("Z")
    assert body["problem"] is None and body["lastSyncedAt"] is None
    assert "Token" not in str(body) and linked.access_token not in str(body)
    assert api_for(member).get(url).status_code == 403
    assert api_for(member).delete(url).status_code == 403
    assert api_for(outsider).get(url).status_code == 404
    gone = api_for(owner).delete(url)
    assert gone.status_code == 200 and gone.json()["status"] == "DISCONNECTED"
    again = api_for(owner).delete(url)
    assert again.status_code == 409 and "not connected" in again.json()["message"]


def test_api_status_before_connecting(admin, workspace) -> None:
    url = reverse("api-quickbooks", kwargs={"ws": workspace.id})
    body = api_for(admin).get(url).json()
    assert body == {
        "connected": False,
        "status": "NOT_CONNECTED",
        "realmId": None,
        "companyName": None,
        "companyPlan": None,
        "problem": None,
        "connectedBy": None,
        "connectedAt": None,
        "disconnectedAt": None,
        "lastSyncedAt": None,
    }
