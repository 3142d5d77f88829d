"""quickbooks_sync.qbo (OAuth and the Accounting API session) against the QBO emulator as a
real server process."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Iterator
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest

from quickbooks_sync.qbo.errors import QBOAuthError
from quickbooks_sync.qbo.errors import QBOInvalidGrant
from quickbooks_sync.qbo.errors import QBOThrottled
from quickbooks_sync.qbo.errors import QBOTransientError
from quickbooks_sync.qbo.errors import QBOValidationError
from quickbooks_sync.qbo.oauth import QBOAuth
from quickbooks_sync.qbo.session import QBOSession
from quickbooks_sync.qbo.types import QBOConfig
from quickbooks_sync.qbo.types import TokenSet
from tests.quickbooks_sync.sync_support import arm_fault
from tests.quickbooks_sync.sync_support import qbo_project
from tests.quickbooks_sync.sync_support import seed
from tests.quickbooks_sync.sync_support import stored
from tests.quickbooks_sync.sync_support import sub
from tests.sandbox_process import SandboxProcess

pytestmark = pytest.mark.sandbox

REDIRECT_URI = "http://127.0.0.1:8000/quickbooks/callback"


@pytest.fixture
def realm(sandbox: SandboxProcess) -> str:
    return sandbox.create_company(name=f"Client Co {uuid.uuid4().hex[:8]}")


@pytest.fixture(autouse=True)
def _no_faults_left(sandbox: SandboxProcess) -> Iterator[None]:
    yield
    sandbox.control("DELETE", "/faults")


@pytest.fixture
def config(sandbox: SandboxProcess) -> QBOConfig:
    return QBOConfig(
        client_id="sandbox-client-id",
        client_secret="sandbox-client-secret",
        redirect_uri=REDIRECT_URI,
        environment=sandbox.discovery_url,
        api_base_url=sandbox.base_url,
        timeout=5,
    )


def callback(location: str) -> dict[str, str]:
    assert location.startswith(REDIRECT_URI), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def connect(sandbox: SandboxProcess, config: QBOConfig, realm: str) -> TokenSet:
    auth = QBOAuth(config)
    params = callback(sandbox.approve(auth.authorization_url("st-1"), realm))
    return auth.exchange_code(params["code"])


@pytest.fixture
def tokens(sandbox: SandboxProcess, config: QBOConfig, realm: str) -> TokenSet:
    return connect(sandbox, config, realm)


@pytest.fixture
def session(config: QBOConfig, realm: str, tokens: TokenSet) -> QBOSession:
    return QBOSession(config, realm_id=realm, access_token=tokens.access_token)


def activity(employee_id: str, customer_id: str, day: str, minutes: int) -> dict[str, Any]:
    return {
        "NameOf": "Employee",
        "EmployeeRef": {"value": employee_id},
        "CustomerRef": {"value": customer_id},
        "TxnDate": day,
        "Hours": minutes // 60,
        "Minutes": minutes % 60,
        "BillableStatus": "NotBillable",
        "Description": f"work {minutes}",
    }


# -- OAuth ------------------------------------------------------------------------------------


def test_connect_through_the_consent_page_and_read_the_company(
    sandbox: SandboxProcess, config: QBOConfig, realm: str
) -> None:
    auth = QBOAuth(config)
    url = auth.authorization_url("state-abc")
    query = parse_qs(urlsplit(url).query)
    assert query["state"] == ["state-abc"]
    assert query["scope"] == ["com.intuit.quickbooks.accounting"]
    assert query["redirect_uri"] == [REDIRECT_URI]

    params = callback(sandbox.approve(url, realm))
    assert params["state"] == "state-abc"
    assert params["realmId"] == realm

    before = datetime.now(UTC)
    tokens = auth.exchange_code(params["code"])
    assert tokens.access_token and tokens.refresh_token
    # Intuit: access token 1 hour, refresh token about 100 days.
    assert (
        timedelta(minutes=59)
        < tokens.access_token_expires_at - before
        < timedelta(hours=1, minutes=1)
    )
    assert tokens.refresh_token_expires_at - before > timedelta(days=99)
    assert tokens.access_token not in repr(tokens)
    assert tokens.refresh_token not in repr(tokens)
    assert config.client_secret not in repr(config)

    info = QBOSession(config, realm_id=realm, access_token=tokens.access_token).company_info()
    assert info.company_name.startswith("Client Co ")
    assert info.offering_sku == "QuickBooks Online Plus"
    assert info.plan_supported and not info.is_simple_start
    assert info.payroll_enabled is False
    assert info.subscription_status == "SUBSCRIBED"


def test_company_info_shows_simple_start_and_payroll(
    sandbox: SandboxProcess, config: QBOConfig
) -> None:
    realm = sandbox.create_company(name="Small Books", sku="Simple Start", payroll=True)
    tokens = connect(sandbox, config, realm)
    info = QBOSession(config, realm_id=realm, access_token=tokens.access_token).company_info()
    assert info.is_simple_start and not info.plan_supported
    assert info.payroll_enabled is True


def test_a_reused_code_is_an_invalid_grant(
    sandbox: SandboxProcess, config: QBOConfig, realm: str
) -> None:
    auth = QBOAuth(config)
    code = callback(sandbox.approve(auth.authorization_url("s"), realm))["code"]
    auth.exchange_code(code)
    with pytest.raises(QBOInvalidGrant) as excinfo:
        auth.exchange_code(code)
    assert excinfo.value.retryable is False
    assert "connect to QuickBooks again" in excinfo.value.human_message


def test_refresh_rotates_the_refresh_token_and_the_old_one_dies(
    config: QBOConfig, realm: str, tokens: TokenSet
) -> None:
    auth = QBOAuth(config)
    fresh = auth.refresh(tokens.refresh_token)
    assert fresh.refresh_token != tokens.refresh_token
    assert fresh.access_token != tokens.access_token
    session = QBOSession(config, realm_id=realm, access_token=fresh.access_token)
    assert session.company_info().company_name.startswith("Client Co ")

    with pytest.raises(QBOInvalidGrant):
        auth.refresh(tokens.refresh_token)  # superseded, no grace
    again = auth.refresh(fresh.refresh_token)
    assert again.refresh_token not in {fresh.refresh_token, tokens.refresh_token}


def test_an_expired_access_token_is_an_auth_error_and_a_refresh_cures_it(
    sandbox: SandboxProcess, config: QBOConfig, realm: str, tokens: TokenSet
) -> None:
    session = QBOSession(config, realm_id=realm, access_token=tokens.access_token)
    sandbox.control("POST", f"/companies/{realm}/expire-tokens")
    with pytest.raises(QBOAuthError) as excinfo:
        session.company_info()
    assert excinfo.value.code == "3200"
    assert excinfo.value.http_status == 401
    assert excinfo.value.retryable is True

    fresh = QBOAuth(config).refresh(tokens.refresh_token)
    info = QBOSession(config, realm_id=realm, access_token=fresh.access_token).company_info()
    assert info.offering_sku == "QuickBooks Online Plus"


def test_revoking_ends_both_tokens(config: QBOConfig, realm: str, tokens: TokenSet) -> None:
    auth = QBOAuth(config)
    auth.revoke(tokens.refresh_token)
    with pytest.raises(QBOAuthError):
        QBOSession(config, realm_id=realm, access_token=tokens.access_token).company_info()
    with pytest.raises(QBOInvalidGrant):
        auth.refresh(tokens.refresh_token)


def test_an_unreachable_discovery_document_is_transient(config: QBOConfig) -> None:
    from dataclasses import replace

    from tests.sandbox_process import free_port

    dead = replace(config, environment=f"http://127.0.0.1:{free_port()}/.well-known/x")
    with pytest.raises(QBOTransientError) as excinfo:
        QBOAuth(dead).authorization_url("s")
    assert excinfo.value.code == "connection"


# -- reads ------------------------------------------------------------------------------------


def test_paging_reads_every_employee_and_customer_active_or_not(
    sandbox: SandboxProcess, realm: str, session: QBOSession
) -> None:
    for i in range(7):
        seed(sandbox, realm, "Employee", DisplayName=f"Person {i}", Active=i % 3 != 0)
    top = seed(sandbox, realm, "Customer", DisplayName="Acme")
    web = sub(sandbox, realm, "Web", top)
    sub(sandbox, realm, "Pages", web)
    project = qbo_project(sandbox, realm, "Launch", top)
    for i in range(4):
        seed(sandbox, realm, "Customer", DisplayName=f"Solo {i}", Active=i != 1)

    employees = session.employees(page_size=3)
    assert sorted(e.display_name for e in employees) == [f"Person {i}" for i in range(7)]
    assert {e.display_name for e in employees if not e.active} == {
        "Person 0",
        "Person 3",
        "Person 6",
    }

    customers = {c.display_name: c for c in session.customers(page_size=2)}
    assert set(customers) == {"Acme", "Web", "Pages", "Launch"} | {f"Solo {i}" for i in range(4)}
    assert customers["Pages"].parent_id == web["Id"]
    assert customers["Pages"].level == 2
    assert customers["Web"].parent_id == top["Id"]
    assert customers["Acme"].parent_id is None
    assert customers["Launch"].is_project and customers["Launch"].id == project["Id"]
    assert customers["Solo 1"].active is False
    # Exactly the emulator's records, nothing doubled across page edges.
    assert len(session.customers(page_size=2)) == len(stored(sandbox, realm, "Customer"))


def test_preferences_and_service_items(sandbox: SandboxProcess, config: QBOConfig) -> None:
    realm = sandbox.create_company(name="Closed Co", book_close_date="2026-03-31")
    tokens = connect(sandbox, config, realm)
    session = QBOSession(config, realm_id=realm, access_token=tokens.access_token)
    assert session.preferences().book_close_date == date(2026, 3, 31)

    seed(sandbox, realm, "Item", Name="Consulting", Type="Service")
    seed(sandbox, realm, "Item", Name="Widget", Type="NonInventory")
    assert [item.name for item in session.service_items()] == ["Consulting"]


def test_preferences_without_a_closing_date(session: QBOSession) -> None:
    assert session.preferences().book_close_date is None


# -- writes -----------------------------------------------------------------------------------


def test_create_employee_and_a_duplicate_name_is_a_validation_error(
    sandbox: SandboxProcess, realm: str, session: QBOSession
) -> None:
    created = session.create_employee(
        display_name="Ann O'Neil", given_name="Ann", family_name="O'Neil"
    )
    assert created.id and created.display_name == "Ann O'Neil" and created.family_name == "O'Neil"
    assert session.employee_by_display_name("Ann O'Neil") == created

    seed(sandbox, realm, "Customer", DisplayName="Bo Lee")
    with pytest.raises(QBOValidationError) as excinfo:
        session.create_employee(display_name="bo  lee", given_name="Bo", family_name="Lee")
    error = excinfo.value
    assert error.code == "6240"
    assert error.http_status == 400
    assert error.retryable is False
    assert "already exists" in error.human_message
    assert [e["DisplayName"] for e in stored(sandbox, realm, "Employee")] == ["Ann O'Neil"]


def test_create_customer_under_a_parent(session: QBOSession) -> None:
    parent = session.create_customer(display_name="Globex")
    child = session.create_customer(display_name="Globex Web", parent_id=parent.id)
    assert child.parent_id == parent.id and child.level == 1
    assert child.fully_qualified_name == "Globex:Globex Web"


# -- sending TimeActivities ---------------------------------------------------------------------


@pytest.fixture
def people(sandbox: SandboxProcess, realm: str) -> tuple[str, str]:
    employee = seed(sandbox, realm, "Employee", DisplayName="Cy Worker")
    customer = seed(sandbox, realm, "Customer", DisplayName="Initech")
    return str(employee["Id"]), str(customer["Id"])


def test_a_batch_replayed_after_a_lost_answer_creates_nothing_twice(
    sandbox: SandboxProcess, realm: str, session: QBOSession, people: tuple[str, str]
) -> None:
    employee, customer = people
    items = [(str(i), activity(employee, customer, "2026-11-02", 30 + i)) for i in range(1, 31)]
    request_id = str(uuid.uuid4())

    arm_fault(sandbox, realm, "drop", path="/batch")
    with pytest.raises(QBOTransientError) as excinfo:
        session.send_time_activities(request_id=request_id, items=items)
    assert excinfo.value.retryable is True
    executed = stored(sandbox, realm, "TimeActivity")
    assert len(executed) == 30  # QBO did the work; only the answer was lost

    results = session.send_time_activities(request_id=request_id, items=items)
    assert all(r.ok for r in results.values())
    assert sorted(r.time_activity_id or "" for r in results.values()) == sorted(
        str(t["Id"]) for t in executed
    )
    assert len(stored(sandbox, realm, "TimeActivity")) == 30
    by_id = {str(t["Id"]): t for t in executed}
    assert by_id[results["7"].time_activity_id or ""]["Minutes"] == 37


def test_one_refused_item_does_not_fail_the_others(
    sandbox: SandboxProcess, realm: str, session: QBOSession, people: tuple[str, str]
) -> None:
    employee, customer = people
    items = [
        ("a", activity(employee, customer, "2026-11-02", 60)),
        ("b", activity("99999", customer, "2026-11-02", 60)),
    ]
    results = session.send_time_activities(request_id=str(uuid.uuid4()), items=items)
    assert results["a"].ok and results["a"].time_activity_id
    error = results["b"].error
    assert isinstance(error, QBOValidationError)
    assert error.code == "2500"
    assert "Sync users and customers again" in error.human_message
    assert len(stored(sandbox, realm, "TimeActivity")) == 1


def test_closed_books_refuse_an_entry_on_or_before_the_closing_date(
    sandbox: SandboxProcess, config: QBOConfig
) -> None:
    realm = sandbox.create_company(name="Closed Books Co", book_close_date="2026-06-30")
    tokens = connect(sandbox, config, realm)
    session = QBOSession(config, realm_id=realm, access_token=tokens.access_token)
    employee = seed(sandbox, realm, "Employee", DisplayName="Di Closed")["Id"]
    customer = seed(sandbox, realm, "Customer", DisplayName="Umbrella")["Id"]
    results = session.send_time_activities(
        request_id=str(uuid.uuid4()),
        items=[
            ("closed", activity(employee, customer, "2026-06-30", 90)),
            ("open", activity(employee, customer, "2026-07-01", 90)),
        ],
    )
    error = results["closed"].error
    assert isinstance(error, QBOValidationError)
    assert error.code == "6210" and error.retryable is False
    assert "Close the books" in error.human_message
    assert results["open"].ok


def test_bad_batches_are_refused_before_anything_is_sent(
    sandbox: SandboxProcess, realm: str, session: QBOSession, people: tuple[str, str]
) -> None:
    employee, customer = people
    one = activity(employee, customer, "2026-11-02", 60)
    with pytest.raises(ValueError, match=r"1\.\.30"):
        session.send_time_activities(request_id="r1", items=[(str(i), one) for i in range(31)])
    with pytest.raises(ValueError, match="unique"):
        session.send_time_activities(request_id="r2", items=[("1", one), ("1", one)])
    with pytest.raises(ValueError, match="request_id"):
        session.send_time_activities(request_id="x" * 37, items=[("1", one)])
    assert stored(sandbox, realm, "TimeActivity") == []


# -- failures ---------------------------------------------------------------------------------


def test_429_is_throttled(sandbox: SandboxProcess, realm: str, session: QBOSession) -> None:
    arm_fault(sandbox, realm, "429")
    with pytest.raises(QBOThrottled) as excinfo:
        session.employees()
    assert excinfo.value.code == "3001"
    assert excinfo.value.http_status == 429
    assert excinfo.value.retryable is True
    assert excinfo.value.retry_after_seconds == 60
    assert session.employees() == []  # the fault was spent


@pytest.mark.parametrize("kind", ["500", "503"])
def test_server_errors_are_transient(
    sandbox: SandboxProcess, realm: str, session: QBOSession, kind: str
) -> None:
    arm_fault(sandbox, realm, kind)
    with pytest.raises(QBOTransientError) as excinfo:
        session.create_customer(display_name="Not saved")
    assert excinfo.value.http_status == int(kind)
    assert excinfo.value.retryable is True
    assert stored(sandbox, realm, "Customer") == []


def test_a_hang_times_out_as_a_transient_error(
    sandbox: SandboxProcess, config: QBOConfig, realm: str, tokens: TokenSet
) -> None:
    from dataclasses import replace

    session = QBOSession(
        replace(config, timeout=1), realm_id=realm, access_token=tokens.access_token
    )
    arm_fault(sandbox, realm, "hang", seconds=4)
    started = time.monotonic()
    with pytest.raises(QBOTransientError) as excinfo:
        session.company_info()
    assert excinfo.value.code == "timeout"
    assert time.monotonic() - started < 3.5


def test_failures_are_logged_without_tokens(
    sandbox: SandboxProcess,
    realm: str,
    tokens: TokenSet,
    session: QBOSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sandbox.control("POST", f"/companies/{realm}/expire-tokens")
    with caplog.at_level(logging.DEBUG), pytest.raises(QBOAuthError):
        session.company_info()
    assert "3200" in caplog.text
    assert tokens.access_token not in caplog.text
    assert tokens.refresh_token not in caplog.text


# -- transport --------------------------------------------------------------------------------


def test_insecure_transport_is_allowed_only_for_a_loopback_http_base(config: QBOConfig) -> None:
    from dataclasses import replace

    remote = replace(config, api_base_url="https://quickbooks.api.intuit.com")
    QBOSession(remote, realm_id="1", access_token="t")
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ
    plain_remote = replace(config, api_base_url="http://qbo.example.com")
    QBOSession(plain_remote, realm_id="1", access_token="t")
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ

    QBOSession(config, realm_id="1", access_token="t")
    assert os.environ["OAUTHLIB_INSECURE_TRANSPORT"] == "1"
    assert remote.api_url_v3 == "https://quickbooks.api.intuit.com/v3"


def test_a_read_only_subscription_refuses_writes_but_not_reads(
    sandbox: SandboxProcess, realm: str, session: QBOSession
) -> None:
    sandbox.control("PATCH", f"/companies/{realm}", {"subscription_status": "SUSPENDED"})
    assert session.company_info().subscription_status == "SUSPENDED"
    with pytest.raises(QBOValidationError) as excinfo:
        session.create_customer(display_name="Refused")
    assert excinfo.value.code == "3100"
    assert excinfo.value.http_status == 403
    assert "read-only" in excinfo.value.human_message
    assert stored(sandbox, realm, "Customer") == []
