"""ChangeDataCapture against the emulator as a real process, through python-quickbooks' own
`change_data_capture` call (the request Intuit documents: GET .../cdc?entities=&changedSince=)."""

from __future__ import annotations

import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from quickbooks import QuickBooks
from quickbooks.exceptions import QuickbooksException

from tests.qbo_sandbox.conftest import connect
from tests.qbo_sandbox.conftest import quickbooks
from tests.sandbox_process import SandboxProcess


def _since(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat(timespec="seconds")


def _cdc(qb: QuickBooks, entities: str, since: str) -> dict[str, Any]:
    result: dict[str, Any] = qb.change_data_capture(entities, since)
    return result


def _lists(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body["CDCResponse"][0]["QueryResponse"])


def _seed(sandbox: SandboxProcess, realm: str, entity: str, **fields: Any) -> dict[str, Any]:
    created: dict[str, Any] = sandbox.control(
        "POST", f"/companies/{realm}/entities/{entity}", fields, expect=201
    )
    return created


def _change(sandbox: SandboxProcess, realm: str, entity: str, entity_id: str, **fields: Any) -> Any:
    return sandbox.control("PATCH", f"/companies/{realm}/entities/{entity}/{entity_id}", fields)


def test_cdc_answers_what_changed_since_in_intuits_shape(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks
) -> None:
    old = _seed(sandbox, realm, "Employee", DisplayName="Old Timer")
    before = _since(seconds=-1)  # a moment after the first employee
    time.sleep(1.1)
    ann = _seed(sandbox, realm, "Employee", DisplayName="Ann Lee")
    acme = _seed(sandbox, realm, "Customer", DisplayName="Acme")
    renamed = _change(sandbox, realm, "Employee", ann["Id"], DisplayName="Ann Lee-Smith")
    assert renamed["SyncToken"] == "1"
    _change(sandbox, realm, "Customer", acme["Id"], Active=False)

    body = _cdc(qb, "Employee,Customer", before)
    assert "time" in body
    employees, customers = _lists(body)
    assert [e["DisplayName"] for e in employees["Employee"]] == ["Ann Lee-Smith"]
    assert employees["startPosition"] == 1 and employees["maxResults"] == 1
    assert old["Id"] not in [e["Id"] for e in employees["Employee"]]
    # A customer made inactive: QBO's deleted mark (setting cdc_inactive=deleted, the default).
    (stub,) = customers["Customer"]
    assert stub == {
        "domain": "QBO",
        "status": "Deleted",
        "Id": acme["Id"],
        "MetaData": {"LastUpdatedTime": stub["MetaData"]["LastUpdatedTime"]},
    }
    # An entity without changes answers an empty object in its place.
    assert _lists(_cdc(qb, "Vendor,Employee", before))[0] == {}


def test_cdc_refuses_a_lookback_past_30_days_and_bad_parameters(qb: QuickBooks) -> None:
    with pytest.raises(QuickbooksException) as old:
        _cdc(qb, "Employee", _since(days=31))
    assert old.value.error_code == 500
    assert "older than fixed days" in str(old.value.detail)
    assert _lists(_cdc(qb, "Employee", _since(days=29)))  # within the window: fine
    with pytest.raises(QuickbooksException) as time_activity:
        _cdc(qb, "TimeActivity", _since(hours=1))
    assert time_activity.value.error_code == 500  # Intuit: CDC does not cover TimeActivity
    with pytest.raises(QuickbooksException) as garbled:
        _cdc(qb, "Employee", "yesterday")
    assert garbled.value.error_code == 2010
    with pytest.raises(QuickbooksException) as missing:
        _cdc(qb, "", _since(hours=1))
    assert missing.value.error_code == 2020


def test_cdc_is_throttled_like_any_call_and_needs_the_companys_token(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks
) -> None:
    other = sandbox.create_company(name="Another")
    response = qb.session.get(
        f"{sandbox.api_url_v3}/company/{other}/cdc",
        params={"entities": "Employee", "changedSince": _since(hours=1)},
    )
    assert response.status_code == 401
    sandbox.control("POST", "/faults", {"kind": "429", "realm": realm, "path": "/cdc"}, expect=201)
    with pytest.raises(QuickbooksException) as throttled:
        _cdc(qb, "Employee", _since(hours=1))
    assert throttled.value.error_code == 3001
    log = sandbox.control("GET", f"/requests?realm={realm}&limit=5")["requests"]
    assert [row["status"] for row in log if "/cdc" in row["path"]] == [429]


@pytest.mark.parametrize("inactive", ["full"])
def test_cdc_caps_a_response_at_its_object_limit_and_can_answer_full_inactive_records(
    tmp_path: Path, inactive: str
) -> None:
    settings = {"rate_per_second": 1000, "cdc_max_objects": 3, "cdc_inactive": inactive}
    with SandboxProcess(tmp_path / "qbo.sqlite3", settings=settings) as sandbox:
        realm = sandbox.create_company(name="Many Changes")
        since = _since(seconds=5)
        for i in range(3):
            _seed(sandbox, realm, "Employee", DisplayName=f"Person {i}")
        gone = _seed(sandbox, realm, "Customer", DisplayName="Gone Co")
        _change(sandbox, realm, "Customer", gone["Id"], Active=False)
        qb = quickbooks(sandbox, connect(sandbox, realm), realm)

        customers, employees = _lists(_cdc(qb, "Customer,Employee", since))
        # The whole response holds at most 3 objects, filled in the listed order.
        assert [c["DisplayName"] for c in customers["Customer"]] == ["Gone Co"]
        assert customers["Customer"][0]["Active"] is False  # cdc_inactive=full
        assert employees["maxResults"] == 2 and employees["totalCount"] == 3
        assert [e["DisplayName"] for e in employees["Employee"]] == ["Person 0", "Person 1"]


def test_cdc_lists_vendors_renamed_made_inactive_and_created_beside_the_other_lists(
    sandbox: SandboxProcess, realm: str, qb: QuickBooks
) -> None:
    vera = _seed(sandbox, realm, "Vendor", DisplayName="Vera Vance")
    gone = _seed(sandbox, realm, "Vendor", DisplayName="Gone Supply")
    untouched = _seed(sandbox, realm, "Vendor", DisplayName="Paper Supply")
    before = _since(seconds=-1)
    time.sleep(1.1)
    _change(sandbox, realm, "Vendor", vera["Id"], DisplayName="Vera Vance-Ray")
    _change(sandbox, realm, "Vendor", gone["Id"], Active=False)
    carl = _seed(sandbox, realm, "Vendor", DisplayName="Carl Contractor")

    employees, vendors, customers = _lists(_cdc(qb, "Employee,Vendor,Customer", before))
    assert employees == {} and customers == {}
    rows = {row["Id"]: row for row in vendors["Vendor"]}
    assert untouched["Id"] not in rows
    assert rows[vera["Id"]]["DisplayName"] == "Vera Vance-Ray"
    assert rows[vera["Id"]]["SyncToken"] == "1"
    assert rows[carl["Id"]]["DisplayName"] == "Carl Contractor"
    # A vendor made inactive: QBO's deleted mark, as for any name list.
    assert rows[gone["Id"]]["status"] == "Deleted" and "DisplayName" not in rows[gone["Id"]]
    assert vendors["maxResults"] == 3
