"""Product code in separate processes against the test database and the emulator: for tests of
what happens when several workers act at once (token refresh, jobs).

    env = process_env(sandbox)                       # this test's DB, the emulator, a Redis db
    with DjangoScripts(script, env, count=2, directory=tmp_path) as scripts:
        scripts.wait_ready(); scripts.go(); outputs = scripts.results()

The test must use `transactional_db` (or `live_server`) so other processes see its rows.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from django.db import connection

from tests.sandbox_process import ROOT, SandboxProcess


def database_url() -> str:
    """The URL of the database this test process uses (test_<name>)."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def process_env(sandbox: SandboxProcess, **overrides: Any) -> dict[str, str]:
    """An environment for `manage.py ...` or `celery -A timetracker worker`: this test's
    database, the emulator as QuickBooks, the same Redis (REDIS_URL of the test run)."""
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database_url(),
        "QBO_SANDBOX_URL": sandbox.base_url,
        "QBO_ENVIRONMENT": sandbox.discovery_url,
        "QBO_API_BASE_URL": sandbox.base_url,
        "QBO_CLIENT_ID": "sandbox-client-id",
        "QBO_CLIENT_SECRET": "sandbox-client-secret",
        "QBO_TIMEOUT_SECONDS": "10",
    }
    env.update({k: str(v) for k, v in overrides.items()})
    return env


class DjangoScripts:
    """`count` processes running `manage.py shell -c <script>` at once.

    The script should print a line READY, wait until the file named by $GO_FILE exists, do its
    work and print its result; `go()` releases all of them at the same instant."""

    def __init__(self, script: str, env: dict[str, str], *, count: int, directory: Path) -> None:
        self.script = script
        self.env = env
        self.count = count
        self.directory = directory
        self.go_file = directory / "go"
        self.logs = [directory / f"script-{i}.log" for i in range(count)]
        self.processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> DjangoScripts:
        for i, log_path in enumerate(self.logs):
            env = {**self.env, "GO_FILE": str(self.go_file), "SCRIPT_INDEX": str(i)}
            with log_path.open("wb") as log:
                self.processes.append(
                    subprocess.Popen(
                        [sys.executable, "manage.py", "shell", "-c", self.script],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        return self

    def outputs(self) -> list[str]:
        return [p.read_text(errors="replace") if p.exists() else "" for p in self.logs]

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all("READY" in out for out in self.outputs()):
                return
            if any(p.poll() is not None for p in self.processes):
                break
            time.sleep(0.05)
        raise AssertionError(f"scripts not ready: {self.outputs()}")

    def go(self) -> None:
        self.go_file.touch()

    def results(self, timeout: float = 60.0) -> list[str]:
        for process in self.processes:
            process.wait(timeout=timeout)
        return self.outputs()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


# The body every DjangoScripts script starts with: announce readiness, wait for the go file.
WAIT_FOR_GO = """
import os, time
print("READY", flush=True)
while not os.path.exists(os.environ["GO_FILE"]):
    time.sleep(0.005)
"""
