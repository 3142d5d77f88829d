"""How fast the QBO emulator takes time entries, against the ceiling QuickBooks sets the product.

    .venv/bin/python bench/qbo_sandbox_throughput.py [--seconds 10] [--clients 10] [--smoke]

Starts `python -m qbo_sandbox serve` as its own process (a fresh SQLite file, throttles lifted),
connects through the real OAuth flow, then for a fixed time sends from `--clients` threads (QBO
allows 10 requests at once per company and app):

1. single TimeActivity creates (`POST /v3/company/{realm}/timeactivity`);
2. batches of 30 TimeActivity creates (`POST .../batch`).

It prints requests and TimeActivities per second and the ratio to QBO's own limits per company:
500 requests a minute for single calls, and 40 batches x 30 items = 1,200 TimeActivities a
minute through batches, the most the product can ever push. A ratio well above 1 means the
emulator is not the bottleneck of a benchmark or a demo. Then it checks that the emulator holds
every TimeActivity it answered for, once. `--smoke`: 2 clients, 1 s each. Not a test: numbers
vary by machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intuitlib.client import AuthClient  # noqa: E402
from intuitlib.enums import Scopes  # noqa: E402

from bench import bench_run  # noqa: E402
from tests.sandbox_process import SandboxProcess  # noqa: E402
from tests.sandbox_process import submit_consent  # noqa: E402

REQUESTS_PER_MINUTE_LIMIT = 500  # QBO, per company and app
BATCH_ITEMS_PER_MINUTE_LIMIT = 40 * 30  # 40 batch requests a minute, 30 items each
LIFTED = {
    "rate_per_minute": 10_000_000,
    "rate_per_second": 10_000_000,
    "concurrent": 1000,
    "batch_per_minute": 10_000_000,
}


def connect(sandbox: SandboxProcess) -> tuple[str, str]:
    """A company and an access token for it, through the consent page and token endpoint."""
    realm = sandbox.create_company(name="Throughput Co")
    client = AuthClient(
        "sandbox-client-id",
        "sandbox-client-secret",
        "http://127.0.0.1:8000/quickbooks/callback",
        sandbox.discovery_url,
    )
    url = client.get_authorization_url([Scopes.ACCOUNTING], state_token="bench")
    location = submit_consent(url, realm_id=realm).headers["Location"]
    code = parse_qs(urlsplit(location).query)["code"][0]
    client.get_bearer_token(code, realm_id=realm)
    return realm, str(client.access_token)


def run_for(seconds: float, clients: int, call: Callable[[requests.Session, int], int]) -> int:
    """Call `call(session, n)` from `clients` threads until time is up; the units it returned."""
    deadline = time.monotonic() + seconds
    totals = [0] * clients
    failures: list[str] = []

    def worker(index: int) -> None:
        session = requests.Session()
        n = 0
        while time.monotonic() < deadline and not failures:
            try:
                totals[index] += call(session, index * 1_000_000 + n)
            except AssertionError as error:
                failures.append(str(error))
            n += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"a request failed: {failures[0]}")
    return sum(totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    parser.add_argument("--clients", type=int, default=10, help="threads sending at once")
    args = bench_run.parse_args(parser, smoke={"seconds": 1.0, "clients": 2})

    with (
        tempfile.TemporaryDirectory() as tmp,
        SandboxProcess(Path(tmp) / "qbo.sqlite3", settings=LIFTED) as sandbox,
    ):
        realm, token = connect(sandbox)
        base = f"{sandbox.api_url_v3}/company/{realm}"
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        employee = requests.post(
            f"{base}/employee", json={"DisplayName": "Bench Employee"}, headers=headers, timeout=30
        ).json()["Employee"]

        def activity(n: int, kind: str) -> dict[str, object]:
            return {
                "NameOf": "Employee",
                "EmployeeRef": {"value": employee["Id"]},
                "TxnDate": "2026-11-02",
                "Hours": 1,
                "Minutes": n % 60,
                "Description": f"Bench {kind} entry {n}",
            }

        def single(session: requests.Session, n: int) -> int:
            response = session.post(
                f"{base}/timeactivity?minorversion=75",
                data=json.dumps(activity(n, "single")),
                headers=headers,
                timeout=30,
            )
            assert response.status_code == 200, response.text[:300]
            return 1

        def batch(session: requests.Session, n: int) -> int:
            items = [
                {
                    "bId": str(i),
                    "operation": "create",
                    "TimeActivity": activity(n * 30 + i, "batch"),
                }
                for i in range(30)
            ]
            response = session.post(
                f"{base}/batch?minorversion=75",
                data=json.dumps({"BatchItemRequest": items}),
                headers=headers,
                timeout=60,
            )
            assert response.status_code == 200, response.text[:300]
            answers = response.json()["BatchItemResponse"]
            assert all("TimeActivity" in a for a in answers), json.dumps(answers)[:300]
            return 1

        singles = run_for(args.seconds, args.clients, single)
        batches = run_for(args.seconds, args.clients, batch)
        held = sandbox.control("GET", f"/companies/{realm}/entities/TimeActivity")
        rows = held if isinstance(held, list) else next(iter(held.values()), [])
        descriptions = [row.get("Description") for row in rows]

    single_rate = singles / args.seconds
    batch_rate = batches / args.seconds
    item_rate = batch_rate * 30
    single_ratio = single_rate * 60 / REQUESTS_PER_MINUTE_LIMIT
    item_ratio = item_rate * 60 / BATCH_ITEMS_PER_MINUTE_LIMIT
    print(f"qbo_sandbox throughput, {args.clients} clients, {args.seconds:g} s each")
    print(
        f"  TimeActivity create: {single_rate:8.1f} requests/s = {single_rate * 60:9.0f}/min;"
        f" limit {REQUESTS_PER_MINUTE_LIMIT}/min -> ratio {single_ratio:6.1f}x"
    )
    print(
        f"  30-item batch:       {batch_rate:8.1f} requests/s = {item_rate:7.1f} TimeActivities/s"
        f" = {item_rate * 60:9.0f}/min; limit {BATCH_ITEMS_PER_MINUTE_LIMIT}/min"
        f" -> ratio {item_ratio:6.1f}x"
    )
    answered = singles + 30 * batches
    if len(rows) != answered or len(set(descriptions)) != len(descriptions):
        raise SystemExit(
            f"check failed: the emulator holds {len(rows)} TimeActivities "
            f"({len(descriptions) - len(set(descriptions))} doubled) for {answered} answered"
        )
    print(f"check: the emulator holds every TimeActivity it answered for, once ({answered:,})")


if __name__ == "__main__":
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")  # loopback emulator only
    main()
