"""Fault injection through the control interface, seen by the unmodified clients."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
from quickbooks import QuickBooks
from quickbooks.exceptions import QuickbooksException
from quickbooks.exceptions import SevereException
from quickbooks.objects.customer import Customer

from tests.sandbox_process import SandboxProcess

pytestmark = pytest.mark.sandbox


def arm(sandbox: SandboxProcess, realm: str, kind: str, **options: object) -> None:
    sandbox.control("POST", "/faults", {"kind": kind, "realm": realm, **options}, expect=201)


def customer_url(qb: QuickBooks) -> str:
    return f"{qb.api_url}/company/{qb.company_id}/customer"


def create(qb: QuickBooks, name: str, request_id: str | None = None) -> dict[str, object]:
    result: dict[str, object] = qb.post(
        customer_url(qb), json.dumps({"DisplayName": name}), request_id=request_id
    )
    return result


def raw_create(qb: QuickBooks, name: str, *, request_id: str, timeout: float) -> requests.Response:
    return requests.post(
        customer_url(qb),
        params={"minorversion": "75", "requestid": request_id},
        data=json.dumps({"DisplayName": name}),
        headers={
            "Authorization": f"Bearer {qb.session.access_token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
        timeout=timeout,
    )


@pytest.mark.parametrize("kind", ["500", "503"])
def test_server_errors_are_answered_and_nothing_is_executed(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks, kind: str
) -> None:
    arm(sandbox, realm, kind)
    response = raw_create(qb, "Not saved", request_id=str(uuid.uuid4()), timeout=10)
    assert response.status_code == int(kind)
    assert response.json()["Fault"]["type"] == "SystemFault"
    assert Customer.count(qb=qb) == 0
    arm(sandbox, realm, kind)
    with pytest.raises(SevereException):
        create(qb, "Not saved either")
    create(qb, "Saved")  # the fault was spent
    assert Customer.count(qb=qb) == 1


def test_an_injected_429(sandbox: SandboxProcess, realm: str, qb: QuickBooks) -> None:
    arm(sandbox, realm, "429", count=2)
    for _ in range(2):
        with pytest.raises(QuickbooksException) as excinfo:
            create(qb, "Throttled")
        assert excinfo.value.error_code == 3001
    create(qb, "Fine")
    assert Customer.count(qb=qb) == 1


def test_a_hang_outlasts_the_client_timeout_and_executes_nothing(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks
) -> None:
    arm(sandbox, realm, "hang", seconds=1.5)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        raw_create(qb, "Hung", request_id=str(uuid.uuid4()), timeout=0.5)
    assert time.monotonic() - started < 1.4
    time.sleep(1.3)
    assert Customer.count(qb=qb) == 0


def test_a_dropped_response_was_executed_and_its_requestid_replays_it(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks
) -> None:
    arm(sandbox, realm, "drop")
    request_id = str(uuid.uuid4())
    with pytest.raises(requests.ConnectionError):
        raw_create(qb, "Lost answer", request_id=request_id, timeout=10)
    assert [c.DisplayName for c in Customer.all(qb=qb)] == ["Lost answer"]

    retried = create(qb, "Lost answer", request_id=request_id)
    assert retried["Customer"]["DisplayName"] == "Lost answer"  # type: ignore[index]
    assert Customer.count(qb=qb) == 1
    log = sandbox.control("GET", f"/requests?realm={realm}&limit=20")["requests"]
    assert any(entry["fault_code"] == "drop" for entry in log)

    # The same through python-quickbooks' own (keep-alive) session.
    arm(sandbox, realm, "drop")
    with pytest.raises(requests.ConnectionError):
        create(qb, "Lost through the client")
    assert Customer.count(qb=qb) == 2


def test_faults_can_target_an_entity_or_a_path(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks
) -> None:
    arm(sandbox, realm, "500", entity="TimeActivity")
    arm(sandbox, realm, "503", path="/preferences")
    create(qb, "Customers are untouched")
    with pytest.raises(SevereException):
        qb.query("SELECT * FROM TimeActivity")
    with pytest.raises(SevereException):
        qb.get(f"{qb.api_url}/company/{realm}/preferences")
    assert qb.query("SELECT * FROM TimeActivity")["QueryResponse"] == {}
    assert sandbox.control("GET", "/faults")["faults"] == []


def test_faults_of_another_company_do_not_fire(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks
) -> None:
    other = sandbox.create_company(name="Elsewhere")
    arm(sandbox, other, "500")
    create(qb, "Unaffected")
    assert [f["realm"] for f in sandbox.control("GET", "/faults")["faults"]] == [other]
    sandbox.control("DELETE", "/faults")


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "404"},
        {"kind": "500", "count": 0},
        {"kind": "500", "seconds": 3},
        {"kind": "hang", "seconds": -1},
        {"kind": "500", "colour": "red"},
    ],
)
def test_bad_fault_requests_are_refused(sandbox: SandboxProcess, body: dict[str, object]) -> None:
    sandbox.control("POST", "/faults", body, expect=400)
    assert sandbox.control("GET", "/faults")["faults"] == []
