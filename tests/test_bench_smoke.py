"""Every benchmark in bench/ runs at its smoke size, so none can rot unseen.

A benchmark is a bench/*.py with a `__main__` block (the others are its helpers). Each runs as
its own process, as one would run it by hand, with `--smoke`, on this test run's PostgreSQL
server, each in a private database (created and dropped by the benchmark, named with this
run's prefix) and a private Redis. The test asserts only that it finishes, prints its figures
and prints its check line (a benchmark checks what it measured, e.g. every entry once in
QuickBooks, and stops otherwise): never the figures' values, which vary by machine.

A new benchmark fails here until it has a smoke size (bench/bench_run.py's parse_args) and its
figures and check are listed in EXPECTED.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
TIMEOUT = 240  # seconds a benchmark may take at its smoke size, on a busy 2-core machine

pytestmark = pytest.mark.bench

NUMBER = r"\d[\d,]*(\.\d+)?"


@dataclass(frozen=True)
class Expected:
    figures: tuple[str, ...]  # a line matching each must appear (regular expressions)
    check: str  # the check line, after "check: "


EXPECTED = {
    "api_throughput.py": Expected(
        figures=(
            rf"^in-process, one thread, no HTTP: start/stop {NUMBER} ms a request, "
            rf"list {NUMBER} ms a request",
            rf"^start \+ stop a timer \(each request\) +{NUMBER} req/s .* queries/request "
            rf"{NUMBER}\+{NUMBER} .* ratio to 50 req/s: {NUMBER}",
            rf"^list a user's 50 latest entries +{NUMBER} req/s .* ratio to 50 req/s: {NUMBER}",
        ),
        check=r"every request answered as expected",
    ),
    "qbo_sandbox_throughput.py": Expected(
        figures=(
            rf"TimeActivity create: +{NUMBER} requests/s .* ratio +{NUMBER}x",
            rf"30-item batch: +{NUMBER} requests/s = +{NUMBER} TimeActivities/s .* ratio "
            rf"+{NUMBER}x",
        ),
        check=r"the emulator holds every TimeActivity it answered for, once",
    ),
    "qbo_send_throughput.py": Expected(
        figures=(
            rf"whole job: +{NUMBER} TimeActivities/min = {NUMBER} x ceiling",
            rf"sustained: +{NUMBER} TimeActivities/min = {NUMBER} x ceiling",
            # updates mixed with new entries: creates and updates a minute together
            rf"mixed sustained: +{NUMBER} TimeActivities/min = (n/a|{NUMBER}) x ceiling",
            # 2 companies at once with 1 worker: seconds, rate, x ceiling, slowest's sustained
            rf"^ +1 +{NUMBER} +{NUMBER} +{NUMBER} +(n/a|{NUMBER}) +{NUMBER} \(<= 40\)",
        ),
        check=r"every entry exactly once in QuickBooks",
    ),
    "qbo_many_companies.py": Expected(
        figures=tuple(
            # companies at once with 1 and 2 workers: seconds, rate, x ceiling, slowest's
            # sustained, a company's most batches and requests in any minute, 429s
            rf"^ +{workers} +{NUMBER} +{NUMBER} +{NUMBER} +(n/a|{NUMBER}) +{NUMBER} \(<= 40\) "
            rf"+{NUMBER} \(<= 500\) +{NUMBER}$"
            for workers in (1, 2)
        ),
        check=r"every entry exactly once in QuickBooks",
    ),
    "reports_detailed.py": Expected(
        figures=tuple(
            rf"^{case} +{route} +Django +{NUMBER} ms .* hand-written SQL +{NUMBER} ms +ratio"
            for case, route in (
                ("Detailed, last month, everyone", "page"),
                ("Detailed, last month, everyone", "api"),
                ("Detailed, one member, 365 days", "page"),
                ("Detailed, one member, 365 days", "api"),
                ("Summary, project > member, 365 days, everyone", "page"),
            )
        )
        + tuple(
            rf"^Dashboard, {case} +page +Django +{NUMBER} ms .* limit 100 ms"
            for case in (
                "this week, everyone",
                "this month, everyone",
                "this month, one member",
                "this week, as a member",
            )
        ),
        check=r"the hand-written SQL gives the selectors' answer",
    ),
    "reports_floor.py": Expected(
        figures=tuple(
            rf"^{re.escape(name)} +{NUMBER} ms \(of it SQL +{NUMBER} ms\)"
            for name in (
                "empty page view (session, user, membership)",
                "empty page rendering base.html",
                "empty Reports API view (DRF)",
            )
        ),
        check=r"the three views turn away a visitor who is not logged in",
    ),
    "serve_throughput.py": Expected(
        figures=(
            *(
                rf"^{re.escape(name)} +{NUMBER} +{NUMBER}ms +{NUMBER}ms \| +{NUMBER}ms "
                rf"+{NUMBER}ms \| +{NUMBER}ms +{NUMBER}ms \| +{NUMBER} +0$"
                for name in (
                    "API: a user's 50 latest entries",
                    "API: timer start + stop (2 requests)",
                    "Detailed report, first page (owner)",
                )
            ),
            rf"^serving ratio .* worst {NUMBER}: .* the stated limit of 1\.5",
        ),
        check=r"every request through gunicorn was answered 2xx",
    ),
    "reports_csv_export.py": Expected(
        figures=(rf"^CSV export .*: {NUMBER} rows in {NUMBER} s = {NUMBER} rows/s; peak RSS",),
        check=r"one CSV row per entry the Detailed report counts",
    ),
}


def benchmarks() -> list[str]:
    """The scripts of bench/ (a file with a `__main__` block), by file name."""
    return sorted(
        path.name
        for path in BENCH.glob("*.py")
        if re.search(r"^if __name__ == .__main__.:", path.read_text(), re.MULTILINE)
    )


def server_connection() -> psycopg2.extensions.connection:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("the benchmarks need PostgreSQL: set DATABASE_URL (make test does)")
    conn = psycopg2.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


def databases_named(prefix: str) -> list[str]:
    conn = server_connection()
    with conn.cursor() as cur:
        cur.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s) ORDER BY 1", [prefix]
        )
        names = [row[0] for row in cur.fetchall()]
    conn.close()
    return names


@dataclass(frozen=True)
class Run:
    env: dict[str, str]
    prefix: str
    template: str


@pytest.fixture(scope="module")
def smoke_env() -> Iterator[Run]:
    """The environment of the benchmarks: this run's PostgreSQL server, a database prefix of
    this run's own, one migrated template database they copy (a migration per benchmark would
    take longer than the benchmark), no Redis of the suite's (each starts its own)."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    server = (
        f"postgres://{db.get('USER') or 'postgres'}{password}@{db.get('HOST') or '127.0.0.1'}"
        f":{db.get('PORT') or 5432}/"
    )
    prefix = f"tt_smoke_{secrets.token_hex(4)}"
    template = f"{prefix}_template"
    conn = server_connection()
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{template}"')
    env = {key: value for key, value in os.environ.items() if not key.startswith("BENCH_")}
    env.update(
        {
            "PYTHONUNBUFFERED": "1",
            "BENCH_DATABASE_URL": server,
            "BENCH_DATABASE_PREFIX": prefix,
            "BENCH_DATABASE_TEMPLATE": template,
        }
    )
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            cwd=ROOT,
            env={**env, "DATABASE_URL": server + template},
            check=True,
            timeout=TIMEOUT,
        )
        yield Run(env=env, prefix=prefix, template=template)
    finally:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        conn.close()


def run_smoke(script: str, env: dict[str, str]) -> tuple[int, str]:
    """Run bench/<script> --smoke; its exit status and output (stdout, then stderr). Past the
    timeout it gets SIGTERM, so it drops its database and stops its processes."""
    process = subprocess.Popen(
        [sys.executable, str(BENCH / script), "--smoke"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)
        try:
            out, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        pytest.fail(f"bench/{script} --smoke took over {TIMEOUT} s:\n{out}\n{err[-3000:]}")
    return process.returncode, f"{out}\n--- stderr ---\n{err}"


@pytest.mark.parametrize("script", benchmarks())
def test_benchmark_runs_at_its_smoke_size(script: str, smoke_env: Run) -> None:
    expected = EXPECTED.get(script)
    if expected is None:
        pytest.fail(
            f"bench/{script} is a benchmark this test does not know: give it a smoke size "
            "(bench_run.parse_args(parser, smoke={...})), a `check: ...` line it prints once "
            "its check held, and list its figures and check in EXPECTED here"
        )
    status, output = run_smoke(script, smoke_env.env)
    assert status == 0, f"bench/{script} --smoke exited with {status}:\n{output[-6000:]}"
    stdout = output.split("\n--- stderr ---\n")[0]
    missing = [
        pattern for pattern in expected.figures if not re.search(pattern, stdout, re.MULTILINE)
    ]
    assert not missing, f"bench/{script} printed none of the figures {missing}:\n{stdout}"
    assert re.search(rf"^check: {expected.check}", stdout, re.MULTILINE), (
        f"bench/{script} printed no check line 'check: {expected.check}':\n{stdout}"
    )
    left = [name for name in databases_named(smoke_env.prefix) if name != smoke_env.template]
    assert not left, f"bench/{script} left its database(s) behind: {left}"


def test_every_expectation_is_a_benchmark_and_there_are_some() -> None:
    """EXPECTED names no script that is gone, and discovery finds the benchmarks."""
    found = benchmarks()
    assert set(EXPECTED) <= set(found), set(EXPECTED) - set(found)
    assert "bench_run.py" not in found and "bench_database.py" not in found
