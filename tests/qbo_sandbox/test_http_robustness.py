"""Bad input against the real server process: every answer is QBO-shaped, never a 500 with a
traceback or a hang, and nothing bad is saved. Also many writers on one company at once."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import pytest
import requests

from tests.qbo_sandbox.conftest import connect
from tests.qbo_sandbox.conftest import emulator
from tests.sandbox_process import SandboxProcess

pytestmark = pytest.mark.sandbox

MAX_BODY = 64 * 1024
LIFTED = {
    "rate_per_minute": 1_000_000,
    "rate_per_second": 1_000_000,
    "concurrent": 1000,
    "batch_per_minute": 1_000_000,
    "max_body_bytes": MAX_BODY,
}
AUTH_FAILED = {
    "fault": {
        "error": [
            {
                "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                "code": "3200",
            }
        ],
        "type": "AUTHENTICATION",
    }
}


server = emulator("server", **LIFTED)


class Api:
    """Raw HTTP to one company, with a live token: what any client could send."""

    def __init__(self, server: SandboxProcess, realm: str, token: str) -> None:
        self.server, self.realm, self.token = server, realm, token
        self.base = f"{server.api_url_v3}/company/{realm}"

    def call(
        self,
        method: str,
        path: str,
        *,
        data: bytes | str | None = None,
        content_type: str | None = "application/json",
        params: dict[str, str] | None = None,
        auth: bool = True,
    ) -> requests.Response:
        headers = {"Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        if content_type is not None:
            headers["Content-Type"] = content_type
        return requests.request(
            method,
            f"{self.base}/{path}",
            params={"minorversion": "75", **(params or {})},
            data=data,
            headers=headers,
            timeout=20,
        )

    def count(self, entity: str) -> int:
        response = self.call(
            "POST",
            "query",
            data=f"SELECT COUNT(*) FROM {entity} WHERE Active IN (true, false)"
            if entity != "TimeActivity"
            else "SELECT COUNT(*) FROM TimeActivity",
            content_type="application/text",
        )
        assert response.status_code == 200, response.text
        return int(response.json()["QueryResponse"]["totalCount"])


@pytest.fixture
def api(server: SandboxProcess) -> Api:
    realm = server.create_company(name=f"Robust {uuid.uuid4().hex[:8]}")
    client = connect(server, realm)
    return Api(server, realm, str(client.access_token))


def fault(response: requests.Response) -> dict[str, Any]:
    """The first error of a QBO fault answer (and proof the answer is one)."""
    assert response.headers["Content-Type"].startswith("application/json"), response.text
    body = response.json()
    assert set(body) == {"Fault", "time"}, body
    error: dict[str, Any] = body["Fault"]["Error"][0]
    assert error["code"].isdigit() and error["Message"]
    return error


def no_tracebacks(server: SandboxProcess) -> None:
    log = server.output()
    assert "Traceback" not in log
    assert "database is locked" not in log


# -- bodies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"DisplayName": ',  # cut short
        b'{"DisplayName": "x", "Balance": NaN}',  # not JSON, though Python would read it
        b'{"DisplayName": "x", "Notes": 1e400}',  # would come back as "Infinity"
        b"[" * 20_000 + b"]" * 20_000,  # deep enough to exhaust a recursive parser
        b"\x00\x01garbage",
    ],
    ids=["truncated", "nan", "infinite", "deeply-nested", "binary"],
)
def test_malformed_json_is_a_validation_fault_and_saves_nothing(
    server: SandboxProcess, api: Api, body: bytes
) -> None:
    response = api.call("POST", "customer", data=body)
    assert response.status_code == 400
    assert fault(response)["code"] == "2010"
    assert api.count("Customer") == 0
    no_tracebacks(server)


def test_a_body_that_is_not_utf8_is_refused_as_qbo_does(api: Api) -> None:
    response = api.call("POST", "customer", data='{"DisplayName": "Café"}'.encode("latin-1"))
    assert response.status_code == 400
    error = fault(response)
    assert error["code"] == "500" and "UTF-8" in error["Detail"]
    query = api.call(
        "POST",
        "query",
        data="SELECT * FROM Customer WHERE DisplayName = 'Café'".encode("latin-1"),
        content_type="application/text",
    )
    assert query.status_code == 400 and fault(query)["code"] == "500"
    assert api.count("Customer") == 0


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/xml", b"<Customer><DisplayName>X</DisplayName></Customer>"),
        ("application/x-www-form-urlencoded", b"DisplayName=X"),
        ("text/plain", b'{"DisplayName": "X"}'),
    ],
)
def test_a_body_that_is_not_json_is_refused_by_its_content_type(
    api: Api, content_type: str, body: bytes
) -> None:
    response = api.call("POST", "customer", data=body, content_type=content_type)
    assert response.status_code == 415
    assert content_type in fault(response)["Detail"]
    assert api.count("Customer") == 0


def test_json_with_a_charset_or_without_a_content_type_is_read(api: Api) -> None:
    with_charset = api.call(
        "POST",
        "customer",
        data=json.dumps({"DisplayName": "Charset Co"}),
        content_type="application/json; charset=utf-8",
    )
    assert with_charset.status_code == 200, with_charset.text
    bare = api.call(
        "POST", "customer", data=json.dumps({"DisplayName": "Bare Co"}), content_type=None
    )
    assert bare.status_code == 200, bare.text
    assert api.count("Customer") == 2


def test_a_huge_body_is_refused_before_it_is_read_and_the_server_goes_on(
    server: SandboxProcess, api: Api
) -> None:
    description = "x" * (MAX_BODY + 1)
    body = json.dumps({"NameOf": "Employee", "Hours": 1, "Description": description})
    response = api.call("POST", "timeactivity", data=body)
    assert response.status_code == 413
    assert str(MAX_BODY) in fault(response)["Detail"]
    batch = api.call("POST", "batch", data=b" " * (MAX_BODY * 3))
    assert batch.status_code == 413 and fault(batch)["code"] == "2010"
    assert api.call("GET", "preferences").status_code == 200
    no_tracebacks(server)


def test_bodies_of_the_wrong_shape_are_faults(api: Api) -> None:
    for body in ("[1, 2]", '"text"', "null", "17"):
        response = api.call("POST", "customer", data=body)
        assert response.status_code == 400, body
        assert fault(response)["code"] == "2020"
    for body in ('{"BatchItemRequest": {"bId": "1"}}', '{"BatchItemRequest": [1, 2]}'):
        response = api.call("POST", "batch", data=body)
        assert response.status_code == 400, body
        assert fault(response)["code"] == "2020"
    listed_bid = {"BatchItemRequest": [{"bId": ["1"], "operation": "create", "Customer": {}}]}
    response = api.call("POST", "batch", data=json.dumps(listed_bid))
    assert response.status_code == 400 and fault(response)["element"] == "bId"


# -- ids, realms, queries ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "entity_id", ["abc", "-1", "1.5", "9" * 30, "1" * 5000, "%E2%9C%93", "0x10"]
)
def test_odd_ids_are_not_found_never_a_crash(
    server: SandboxProcess, api: Api, entity_id: str
) -> None:
    read = api.call("GET", f"customer/{entity_id}", content_type=None)
    assert read.status_code == 400 and fault(read)["code"] == "610"
    update = api.call(
        "POST", "customer", data=json.dumps({"Id": entity_id, "SyncToken": "0", "DisplayName": "U"})
    )
    assert update.status_code == 400 and fault(update)["code"] == "610"
    delete = api.call(
        "POST",
        "timeactivity",
        data=json.dumps({"Id": entity_id, "SyncToken": "0"}),
        params={"operation": "delete"},
    )
    assert delete.status_code == 400 and fault(delete)["code"] == "610"
    child = {"DisplayName": "Child", "Job": True, "ParentRef": {"value": entity_id}}
    reference = api.call("POST", "customer", data=json.dumps(child))
    assert reference.status_code == 400 and fault(reference)["code"] == "2500"
    assert api.count("Customer") == 0
    no_tracebacks(server)


def test_an_unknown_realm_is_401_even_with_a_live_token(api: Api) -> None:
    for realm in ("123", "abc", "9" * 40):
        url = f"{api.server.api_url_v3}/company/{realm}/preferences"
        response = requests.get(url, headers={"Authorization": f"Bearer {api.token}"}, timeout=10)
        assert response.status_code == 401
        assert response.json() == AUTH_FAILED


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM Customer WHERE DisplayName = 'a\x00b'",
        "SELECT * FROM Customer WHERE DisplayName = 'Zoë ✓ 名前'",
        "SELECT * FROM Customer WHERE DisplayName LIKE '%%%'",
        "SELECT * FROM Customer WHERE DisplayName = 'x'; DROP TABLE entity",
        "SELECT * FROM Customer WHERE DisplayName = 'unterminated",
        "SELECT * FROM Customer WHERE Balance > " + "9" * 5000,
        "SELECT * FROM Customer STARTPOSITION " + "9" * 5000,
        "SELECT * FROM Customer WHERE Id IN (" + ", ".join(["'1'"] * 5000) + ")",
        'SELECT * FROM "Customer"',
        "%%%",
        "   ",
        "SELECT * FROM Customer WHERE " + " AND ".join(["Id > '0'"] * 500),
    ],
)
def test_odd_queries_answer_a_result_or_the_query_fault(
    server: SandboxProcess, api: Api, text: str
) -> None:
    for response in (
        api.call("POST", "query", data=text.encode(), content_type="application/text"),
        api.call("GET", "query", params={"query": text}, content_type=None),
    ):
        if response.status_code == 200:
            assert "QueryResponse" in response.json()
        else:
            assert response.status_code == 400, response.text
            assert fault(response)["code"] == "4000"
    no_tracebacks(server)


# -- authentication on every route -------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic Zm9vOmJhcg=="])
def test_every_api_route_needs_a_bearer_token(api: Api, header: str | None) -> None:
    routes = [
        ("GET", f"companyinfo/{api.realm}", {}),
        ("GET", "preferences", {}),
        ("GET", "query", {"query": "SELECT * FROM Customer"}),
        ("POST", "query", {}),
        ("GET", "customer/1", {}),
        ("POST", "customer", {}),
        ("POST", "timeactivity", {"operation": "delete"}),
        ("POST", "batch", {}),
        ("PUT", "customer", {}),
        ("DELETE", "customer/1", {}),
        ("GET", "no/such/thing", {}),
    ]
    for method, path, params in routes:
        headers = {"Content-Type": "application/json"}
        if header is not None:
            headers["Authorization"] = header
        response = requests.request(
            method,
            f"{api.base}/{path}",
            params=params,
            data=json.dumps({"DisplayName": "Sneaky"}),
            headers=headers,
            timeout=10,
        )
        assert response.status_code == 401, (method, path)
        assert response.json() == AUTH_FAILED, (method, path)
    for path in (f"/v3/company/{api.realm}", "/v3/", "/v3/company"):
        response = requests.get(api.server.base_url + path, timeout=10)
        assert response.status_code == 401 and response.json() == AUTH_FAILED, path
    userinfo = requests.get(api.server.base_url + "/v1/openid_connect/userinfo", timeout=10)
    assert userinfo.status_code == 401
    assert api.count("Customer") == 0


def test_other_methods_and_paths_answer_qbo_unsupported_operation(api: Api) -> None:
    for method, path in (("PUT", "customer"), ("DELETE", "customer/1"), ("PATCH", "query")):
        response = api.call(method, path, data="{}")
        assert response.status_code == 400, (method, path)
        assert fault(response)["code"] == "500"
    root = requests.get(
        api.server.base_url + "/v3/", headers={"Authorization": f"Bearer {api.token}"}, timeout=10
    )
    assert root.status_code == 400 and fault(root)["code"] == "500"


def test_an_empty_requestid_is_no_requestid(api: Api) -> None:
    for name in ("First", "Second"):
        response = api.call(
            "POST", "customer", data=json.dumps({"DisplayName": name}), params={"requestid": ""}
        )
        assert response.status_code == 200
        assert response.json()["Customer"]["DisplayName"] == name
    assert api.count("Customer") == 2


# -- many writers at once ----------------------------------------------------------------------


def test_ten_threads_creating_on_one_company_all_succeed(server: SandboxProcess, api: Api) -> None:
    employee = api.call("POST", "employee", data=json.dumps({"DisplayName": "Hammer Employee"}))
    employee_id = employee.json()["Employee"]["Id"]
    statuses: list[int] = []
    ids: list[str] = []
    lock = threading.Lock()

    def work(thread: int) -> None:
        session = requests.Session()
        for n in range(25):
            body: dict[str, Any]
            if n % 5 == 0:
                path, body = "customer", {"DisplayName": f"Hammer {thread}-{n}"}
            else:
                path = "timeactivity"
                body = {
                    "NameOf": "Employee",
                    "EmployeeRef": {"value": employee_id},
                    "TxnDate": "2026-11-02",
                    "Hours": 1,
                    "Minutes": n,
                }
            response = session.post(
                f"{api.base}/{path}",
                data=json.dumps(body),
                headers={
                    "Authorization": f"Bearer {api.token}",
                    "Content-Type": "application/json",
                },
                timeout=30,
            )
            with lock:
                statuses.append(response.status_code)
                if response.status_code == 200:
                    ids.append(path + ":" + next(iter(response.json().values()))["Id"])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 250
    assert len(set(ids)) == 250  # no Id handed out twice
    assert api.count("Customer") == 50
    assert api.count("TimeActivity") == 200
    no_tracebacks(server)


def test_a_like_pattern_full_of_wildcards_answers_at_once(api: Api) -> None:
    # As a regex (.*a.*a.*a.*a.*a.*c) this backtracked for ~30 s on this one name.
    created = api.call("POST", "customer", data=json.dumps({"DisplayName": "a" * 100}))
    assert created.status_code == 200
    text = "SELECT * FROM Customer WHERE DisplayName LIKE '" + "%a" * 40 + "%c'"
    started = time.monotonic()
    response = api.call("POST", "query", data=text, content_type="application/text")
    assert response.json()["QueryResponse"] == {}
    matching = "SELECT * FROM Customer WHERE DisplayName LIKE '" + "%a" * 40 + "%'"
    found = api.call("POST", "query", data=matching, content_type="application/text").json()
    assert found["QueryResponse"]["Customer"][0]["DisplayName"] == "a" * 100
    assert time.monotonic() - started < 2


def test_an_overlong_query_is_refused_before_it_is_parsed(api: Api) -> None:
    text = "SELECT * FROM Customer WHERE " + " AND ".join(["Id > '0'"] * 8_000)  # 104 kB
    started = time.monotonic()  # (by GET: this server takes bodies up to 64 kB only)
    response = api.call("GET", "query", params={"query": text}, content_type=None)
    assert response.status_code == 400
    assert fault(response)["code"] == "4000" and "100000" in fault(response)["Detail"]
    assert time.monotonic() - started < 2  # parsing it would take seconds
