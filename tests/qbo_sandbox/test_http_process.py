"""The emulator as a process: restarts, the CLI next to a running server, concurrency, the
control guard and the demo pages."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from quickbooks.objects.customer import Customer
from quickbooks.objects.employee import Employee
from quickbooks.objects.timeactivity import TimeActivity

from tests.qbo_sandbox.conftest import connect
from tests.qbo_sandbox.conftest import quickbooks
from tests.sandbox_process import ROOT
from tests.sandbox_process import SandboxProcess

pytestmark = pytest.mark.sandbox


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qbo_sandbox", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_restart_keeps_companies_entities_and_tokens(tmp_path: Path) -> None:
    with SandboxProcess(tmp_path / "qbo.sqlite3") as process:
        realm = process.create_company(name="Durable Co")
        client = connect(process, realm)
        qb = quickbooks(process, client, realm)
        customer = Customer()
        customer.DisplayName = "Survivor"
        customer.save(qb=qb)

        process.restart()

        assert [c.DisplayName for c in Customer.all(qb=qb)] == ["Survivor"]
        client.refresh()
        assert client.access_token


def test_the_cli_creates_companies_while_the_server_runs(sandbox: SandboxProcess) -> None:
    result = cli(
        "company",
        "create",
        "--name",
        "CLI Co",
        "--sku",
        "Advanced",
        "--payroll",
        "--class-tracking",
        "--book-close-date",
        "2025-12-31",
        "--data",
        str(sandbox.data),
    )
    assert result.returncode == 0, result.stderr
    realm = json.loads(result.stdout)["realmId"]
    company = sandbox.control("GET", f"/companies/{realm}")
    fields = ("sku", "payroll", "class_tracking", "book_close_date")
    assert tuple(company[f] for f in fields) == ("Advanced", True, True, "2025-12-31")


def test_the_cli_refuses_bad_input(sandbox: SandboxProcess) -> None:
    before = len(sandbox.control("GET", "/companies")["companies"])
    data = ("--data", str(sandbox.data))
    bad_date = cli("company", "create", "--name", "X", "--book-close-date", "tomorrow", *data)
    bad_sku = cli("company", "create", "--name", "X", "--sku", "Gold", *data)
    no_classes = cli(
        "company", "create", "--name", "X", "--sku", "Essentials", "--class-tracking", *data
    )
    assert no_classes.returncode != 0 and "Plus or Advanced" in no_classes.stderr
    assert bad_date.returncode != 0 and "YYYY-MM-DD" in bad_date.stderr
    assert bad_sku.returncode != 0 and "invalid choice" in bad_sku.stderr
    assert len(sandbox.control("GET", "/companies")["companies"]) == before


def test_seed_demo_is_idempotent_and_shows_on_the_pages(sandbox: SandboxProcess) -> None:
    first = cli("seed-demo", "--data", str(sandbox.data))
    second = cli("seed-demo", "--data", str(sandbox.data))
    assert first.returncode == 0, first.stderr
    realm = json.loads(first.stdout)["realmId"]
    assert json.loads(second.stdout)["realmId"] == realm

    index = requests.get(sandbox.base_url + "/", timeout=10)
    assert index.status_code == 200 and f"/companies/{realm}" in index.text

    qb = quickbooks(sandbox, connect(sandbox, realm), realm)
    employee = Employee.all(qb=qb)[0]
    customer = Customer.filter(DisplayName="Checkout Flow", qb=qb)[0]
    activity = TimeActivity()
    activity.NameOf = "Employee"
    activity.EmployeeRef = employee.to_ref()
    activity.CustomerRef = customer.to_ref()
    activity.TxnDate = "2026-11-03"
    activity.Hours, activity.Minutes = 1, 45
    activity.Description = "Shown on the demo page"
    activity.save(qb=qb)

    page = requests.get(f"{sandbox.base_url}/companies/{realm}", timeout=10).text
    assert employee.DisplayName in page
    assert "Shown on the demo page" in page and "1:45" in page
    assert "Harbor Logistics:Website Redesign:Checkout Flow" in page or "Checkout Flow" in page
    # Deeper customers are indented further than their parents.
    depth = {
        name: float(pad)
        for pad, name in re.findall(r'padding-left: ([\d.]+)rem">(?:&#8627; )?([^<]+)<', page)
    }
    assert depth["Checkout Flow"] > depth["Website Redesign"] > depth["Harbor Logistics"]
    assert requests.get(f"{sandbox.base_url}/companies/nope", timeout=10).status_code == 404


def test_ten_requests_are_served_at_once(sandbox: SandboxProcess, realm: str) -> None:
    qb = quickbooks(sandbox, connect(sandbox, realm), realm)
    sandbox.control("POST", "/faults", {"kind": "hang", "count": 10, "realm": realm, "seconds": 1})
    url = f"{qb.api_url}/company/{realm}/preferences"
    finished: list[float] = []

    def call() -> None:
        try:
            requests.get(
                url, headers={"Authorization": f"Bearer {qb.session.access_token}"}, timeout=10
            )
        except requests.ConnectionError:
            finished.append(time.monotonic())

    started = time.monotonic()
    threads = [threading.Thread(target=call) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(finished) == 10  # every one was held for the hang, then cut
    assert max(finished) - started < 2.5  # ten 1-second hangs overlapped


def test_a_secret_guards_the_control_interface(tmp_path: Path) -> None:
    with SandboxProcess(tmp_path / "qbo.sqlite3", settings={"secret": "s3cret"}) as process:
        url = process.base_url + "/_sandbox/companies"
        assert requests.get(url, timeout=10).status_code == 401
        assert (
            requests.get(url, headers={"X-Sandbox-Secret": "nope"}, timeout=10).status_code == 401
        )
        ok = requests.post(
            url, json={"name": "Guarded"}, headers={"X-Sandbox-Secret": "s3cret"}, timeout=10
        )
        assert ok.status_code == 201
