"""Correcting sent TimeActivities through a batch, as the integration's "Update in QuickBooks"
and "Delete from QuickBooks" do: sparse updates and deletes checked against the SyncToken (5010)
and the closing date (6210), answered once per requestid; and the control interface's edit, which
changes a TimeActivity as a person in QuickBooks would (so an app's SyncToken goes stale)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from quickbooks import QuickBooks

from tests.qbo_sandbox.test_http_api import company_url
from tests.qbo_sandbox.test_http_api import new_customer
from tests.qbo_sandbox.test_http_api import new_employee
from tests.sandbox_process import SandboxProcess

pytestmark = pytest.mark.sandbox


def create_activity(qb: QuickBooks, **fields: Any) -> dict[str, Any]:
    employee = new_employee(qb, "Ada", f"Lovelace {uuid.uuid4().hex[:6]}")
    body = {
        "NameOf": "Employee",
        "EmployeeRef": {"value": employee.Id},
        "TxnDate": "2026-03-10",
        "Hours": 1,
        "Minutes": 15,
        "Description": "Design review",
        **fields,
    }
    created: dict[str, Any] = qb.post(company_url(qb, "timeactivity"), json.dumps(body))[
        "TimeActivity"
    ]
    return created


def batch(qb: QuickBooks, items: list[dict[str, Any]], request_id: str) -> dict[str, Any]:
    body = json.dumps({"BatchItemRequest": items})
    answer: dict[str, Any] = qb.make_request(
        "POST", company_url(qb, "batch"), body, request_id=request_id
    )
    return {item["bId"]: item for item in answer["BatchItemResponse"]}


def delete(bid: str, activity: dict[str, Any]) -> dict[str, Any]:
    body = {"Id": activity["Id"], "SyncToken": "0"}
    return {"bId": bid, "operation": "delete", "TimeActivity": body}


def read(qb: QuickBooks, activity_id: str) -> dict[str, Any]:
    got: dict[str, Any] = qb.get(company_url(qb, f"timeactivity/{activity_id}"))["TimeActivity"]
    return got


def code(answer: dict[str, Any]) -> str:
    return str(answer["Fault"]["Error"][0]["code"])


def test_a_sparse_update_in_a_batch_changes_only_the_fields_given(qb: QuickBooks) -> None:
    activity = create_activity(qb)
    sparse = {"Id": activity["Id"], "SyncToken": "0", "sparse": True, "Hours": 2, "Minutes": 5}
    answers = batch(
        qb, [{"bId": "1", "operation": "update", "TimeActivity": sparse}], str(uuid.uuid4())
    )
    updated = answers["1"]["TimeActivity"]
    assert (updated["Hours"], updated["Minutes"], updated["SyncToken"]) == (2, 5, "1")
    assert updated["Description"] == "Design review"  # not given: kept
    assert updated["EmployeeRef"]["value"] == activity["EmployeeRef"]["value"]
    assert read(qb, activity["Id"])["Hours"] == 2


def test_a_full_update_clears_what_it_leaves_out(qb: QuickBooks) -> None:
    customer = new_customer(qb, f"Client {uuid.uuid4().hex[:6]}")
    activity = create_activity(qb, CustomerRef={"value": customer.Id})
    full = {
        "Id": activity["Id"],
        "SyncToken": "0",
        "NameOf": "Employee",
        "EmployeeRef": activity["EmployeeRef"],
        "TxnDate": "2026-03-10",
        "Hours": 1,
        "Minutes": 15,
        "Description": "No customer now",
    }
    answers = batch(
        qb, [{"bId": "1", "operation": "update", "TimeActivity": full}], str(uuid.uuid4())
    )
    assert "CustomerRef" not in answers["1"]["TimeActivity"]


def test_stale_sync_token_and_closed_books_fail_their_item_only(
    qb: QuickBooks, sandbox: SandboxProcess, realm: str
) -> None:
    fresh = create_activity(qb)
    stale = create_activity(qb, TxnDate="2026-04-01")
    closed = create_activity(qb, TxnDate="2026-01-15")
    moved = create_activity(qb, TxnDate="2026-04-02")
    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": "2026-01-31"}, expect=200)

    def update(bid: str, activity: dict[str, Any], token: str, **fields: Any) -> dict[str, Any]:
        body = {"Id": activity["Id"], "SyncToken": token, "sparse": True, **fields}
        return {"bId": bid, "operation": "update", "TimeActivity": body}

    answers = batch(
        qb,
        [
            update("1", fresh, "0", Description="ok"),
            update("2", stale, "3", Description="stale"),
            update("3", closed, "0", Description="closed"),
            update("4", moved, "0", TxnDate="2026-01-20"),  # into the closed period
            delete("5", closed),
        ],
        str(uuid.uuid4()),
    )
    assert answers["1"]["TimeActivity"]["Description"] == "ok"
    assert code(answers["2"]) == "5010"
    assert code(answers["3"]) == "6210"
    assert code(answers["4"]) == "6210"
    assert code(answers["5"]) == "6210"
    assert read(qb, stale["Id"])["Description"] == "Design review"
    assert read(qb, moved["Id"])["TxnDate"] == "2026-04-02"


def test_a_repeated_requestid_answers_the_first_update_and_delete_again(qb: QuickBooks) -> None:
    updated = create_activity(qb)
    deleted = create_activity(qb)
    items = [
        {
            "bId": "u",
            "operation": "update",
            "TimeActivity": {"Id": updated["Id"], "SyncToken": "0", "sparse": True, "Hours": 3},
        },
        delete("d", deleted),
    ]
    request_id = str(uuid.uuid4())
    first = batch(qb, items, request_id)
    again = batch(qb, items, request_id)  # executed again it would be 5010 and 610
    assert again == first
    assert first["u"]["TimeActivity"]["SyncToken"] == "1"
    assert first["d"]["TimeActivity"] == {"status": "Deleted", "Id": deleted["Id"], "domain": "QBO"}
    assert read(qb, updated["Id"])["SyncToken"] == "1"
    # A new requestid executes: the old SyncToken is stale now, the deleted one is gone.
    third = batch(qb, items, str(uuid.uuid4()))
    assert (code(third["u"]), code(third["d"])) == ("5010", "610")


def test_the_control_interface_edits_as_a_person_in_quickbooks(
    qb: QuickBooks, sandbox: SandboxProcess, realm: str
) -> None:
    activity = create_activity(qb)
    edited = sandbox.control(
        "PATCH",
        f"/companies/{realm}/entities/TimeActivity/{activity['Id']}",
        {"Description": "Edited in QuickBooks", "SyncToken": "99"},
        expect=200,
    )
    assert (edited["Description"], edited["SyncToken"]) == ("Edited in QuickBooks", "1")
    assert edited["Hours"] == 1
    missing = sandbox.control(
        "PATCH", f"/companies/{realm}/entities/TimeActivity/99999", {"Hours": 2}, expect=400
    )
    assert missing["Fault"]["Error"][0]["code"] == "610"
    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": "2026-12-31"}, expect=200)
    closed = sandbox.control(
        "PATCH",
        f"/companies/{realm}/entities/TimeActivity/{activity['Id']}",
        {"Hours": 2},
        expect=400,
    )
    assert closed["Fault"]["Error"][0]["code"] == "6210"
