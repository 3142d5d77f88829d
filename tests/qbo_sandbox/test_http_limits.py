"""QBO's throttles, per company and app, on a server started with small limits."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from quickbooks import QuickBooks
from quickbooks.exceptions import QuickbooksException

from tests.qbo_sandbox.conftest import REDIRECT_URI
from tests.qbo_sandbox.conftest import connect
from tests.qbo_sandbox.conftest import emulator
from tests.qbo_sandbox.conftest import quickbooks
from tests.sandbox_process import SandboxProcess

pytestmark = pytest.mark.sandbox

SMALL = {"rate_per_minute": 4, "rate_per_second": 100, "concurrent": 2, "batch_per_minute": 2}


limited = emulator("limited", **SMALL)


@pytest.fixture
def limits(limited: SandboxProcess) -> Iterator[None]:
    """Start every test from the limits the server was started with (and no usage)."""
    limited.control(
        "PUT",
        "/limits",
        {
            "per_minute": SMALL["rate_per_minute"],
            "per_second": SMALL["rate_per_second"],
            "concurrent": SMALL["concurrent"],
            "batch_per_minute": SMALL["batch_per_minute"],
            "time_scale": 1.0,
        },
    )
    yield
    limited.control("DELETE", "/faults")


def connected(process: SandboxProcess) -> QuickBooks:
    realm = process.create_company(name="Throttled Co")
    return quickbooks(process, connect(process, realm), realm)


def info_url(qb: QuickBooks) -> str:
    return f"{qb.api_url}/company/{qb.company_id}/preferences"


def raw_get(qb: QuickBooks, timeout: float = 10) -> requests.Response:
    return requests.get(
        info_url(qb),
        headers={
            "Authorization": f"Bearer {qb.session.access_token}",
            "Accept": "application/json",
        },
        timeout=timeout,
    )


def test_settings_from_the_environment_are_the_limits(
    limited: SandboxProcess, limits: None
) -> None:
    current = limited.control("GET", "/limits")
    assert current["per_minute"] == 4 and current["concurrent"] == 2


def test_requests_per_minute_per_company(limited: SandboxProcess, limits: None) -> None:
    qb, other = connected(limited), connected(limited)
    for _ in range(4):
        qb.get(info_url(qb))
    response = raw_get(qb)
    assert response.status_code == 429
    error = response.json()["Fault"]["Error"][0]
    assert error["code"] == "3001"
    assert error["Message"] == "message=ThrottleExceeded; errorCode=003001; statusCode=429"
    with pytest.raises(QuickbooksException) as excinfo:
        qb.get(info_url(qb))
    assert excinfo.value.error_code == 3001
    # Another company is counted apart.
    assert other.get(info_url(other))["Preferences"]


def test_time_scale_shortens_the_minute(limited: SandboxProcess, limits: None) -> None:
    limited.control("PUT", "/limits", {"per_minute": 2, "time_scale": 60})
    qb = connected(limited)
    qb.get(info_url(qb))
    qb.get(info_url(qb))
    assert raw_get(qb).status_code == 429
    time.sleep(1.1)  # a "minute" at time scale 60
    assert raw_get(qb).status_code == 200


def test_requests_per_second(limited: SandboxProcess, limits: None) -> None:
    limited.control("PUT", "/limits", {"per_second": 2, "per_minute": 100})
    qb = connected(limited)
    statuses = [raw_get(qb).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    time.sleep(1.1)
    assert raw_get(qb).status_code == 200


def test_batch_requests_per_minute(limited: SandboxProcess, limits: None) -> None:
    limited.control("PUT", "/limits", {"per_minute": 100})
    qb = connected(limited)
    url = f"{qb.api_url}/company/{qb.company_id}/batch"
    body = json.dumps({"BatchItemRequest": [{"bId": "1", "Query": "SELECT * FROM Customer"}]})
    qb.post(url, body)
    qb.post(url, body)
    with pytest.raises(QuickbooksException) as excinfo:
        qb.post(url, body)
    assert excinfo.value.error_code == 3001
    assert qb.get(info_url(qb))["Preferences"]  # single requests still pass


def test_concurrent_requests(limited: SandboxProcess, limits: None) -> None:
    limited.control("PUT", "/limits", {"per_minute": 100})
    qb = connected(limited)
    limited.control(
        "POST", "/faults", {"kind": "hang", "count": 2, "realm": qb.company_id, "seconds": 1.5}
    )
    errors: list[Exception] = []

    def hanging() -> None:
        try:
            raw_get(qb, timeout=5)
        except requests.RequestException as error:
            errors.append(error)

    threads = [threading.Thread(target=hanging) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    assert raw_get(qb).status_code == 429  # two are in flight
    for thread in threads:
        thread.join()
    assert len(errors) == 2
    assert raw_get(qb).status_code == 200


def test_bad_limits_are_refused(limited: SandboxProcess, limits: None) -> None:
    limited.control("PUT", "/limits", {"per_minute": 0}, expect=400)
    limited.control("PUT", "/limits", {"per_hour": 5}, expect=400)
    assert limited.control("GET", "/limits")["per_minute"] == 4


def test_limits_are_per_app_too_and_a_throttled_write_is_not_executed(
    limited: SandboxProcess, limits: None
) -> None:
    realm = limited.create_company(name="Two Apps Co")
    qb = quickbooks(limited, connect(limited, realm), realm)
    app = limited.control(
        "POST", "/apps", {"name": "Second App", "redirect_uris": [REDIRECT_URI]}, expect=201
    )
    second = quickbooks(
        limited,
        connect(limited, realm, client_id=app["client_id"], client_secret=app["client_secret"]),
        realm,
    )
    customer_url = f"{qb.api_url}/company/{realm}/customer"
    for n in range(4):
        qb.post(customer_url, json.dumps({"DisplayName": f"Counted {n}"}))
    with pytest.raises(QuickbooksException) as excinfo:
        qb.post(customer_url, json.dumps({"DisplayName": "Throttled"}))
    assert excinfo.value.error_code == 3001
    # The other app has its own budget on the same company, and sees no "Throttled" customer.
    names = [
        c["DisplayName"]
        for c in second.query("SELECT * FROM Customer")["QueryResponse"]["Customer"]
    ]
    assert names == [f"Counted {n}" for n in range(4)]
