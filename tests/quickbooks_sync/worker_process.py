"""Product code in separate processes against the test database and the emulator: Celery
workers for the sync and send tests, and scripts for tests of what happens when several
processes act at once (token refresh).

    with running_worker(tmp_path, worker_env(sandbox)) as worker:   # enqueued tasks reach it
        ...; worker.kill()                                         # SIGKILL, no cleanup

    worker = module_worker(concurrency=1)     # a test module's `worker` fixture, one per module

    env = process_env(sandbox)                       # this test's DB, the emulator
    with DjangoScripts(script, env, count=2, directory=tmp_path) as scripts:
        scripts.wait_ready(); scripts.go(); outputs = scripts.results()

The test must use `transactional_db` (or `live_server`) so other processes see its rows; a
module-scoped worker fixture asks for `django_db_setup` first, so it gets the test database.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kombu.pools
import pytest
from django.conf import settings
from django.db import connection

from tests.process_support import StartsAndStops
from tests.sandbox_process import ROOT
from tests.sandbox_process import SandboxProcess
from timetracker.celery import app as celery_app

# Broker and rate limiter of the tests' workers. Messages left over from an earlier run (a worker
# killed mid-task) are harmless: they name jobs that no longer exist, and a run of those is a no-op.
REDIS_URL = os.environ.get("SEND_TEST_REDIS_URL") or (
    os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7"
)


def database_url() -> str:
    """The URL of the database this test process uses (test_<name>)."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def qbo_env(sandbox: SandboxProcess) -> dict[str, str]:
    """The QBO_* settings that make the product take the emulator for QuickBooks (with the
    emulator's built-in app)."""
    return {
        "QBO_SANDBOX_URL": sandbox.base_url,
        "QBO_ENVIRONMENT": sandbox.discovery_url,
        "QBO_API_BASE_URL": sandbox.base_url,
        "QBO_CLIENT_ID": "sandbox-client-id",
        "QBO_CLIENT_SECRET": "sandbox-client-secret",
    }


def process_env(sandbox: SandboxProcess, **overrides: Any) -> dict[str, str]:
    """An environment for `manage.py ...` or `celery -A timetracker worker`: this test's
    database and keys, the emulator as QuickBooks, the same Redis (REDIS_URL of the test run)."""
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
        **qbo_env(sandbox),
        "QBO_TIMEOUT_SECONDS": "10",
    }
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def worker_env(sandbox: SandboxProcess, **overrides: Any) -> dict[str, str]:
    """A worker's environment: process_env with Redis as broker and for the rate limiter, short
    timeouts and backoffs, and the limiter's minute lasting a second."""
    fast = {
        "CELERY_BROKER_URL": REDIS_URL,
        "REDIS_URL": REDIS_URL,
        "QBO_TIMEOUT_SECONDS": "1",
        "QBO_SEND_BACKOFF_SECONDS": "0.1",
        "QBO_SEND_STALE_SECONDS": "3",
        "QBO_SEND_RESUME_SECONDS": "1",
        "QBO_RATE_TIME_SCALE": "60",
    }
    return process_env(sandbox, **{**fast, **overrides})


class Worker:
    """`celery worker -B` (beat inside: the periodic resume runs too) as a process group, so
    SIGKILL takes its pool children with it."""

    def __init__(self, directory: Path, env: dict[str, str], *, concurrency: int = 2) -> None:
        self.directory = directory
        self.env = env
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None
        self.log = directory / f"worker-{uuid.uuid4().hex[:6]}.log"

    def start(self, timeout: float = 30.0) -> Worker:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "timetracker",
                    "worker",
                    "-B",
                    "-s",
                    str(self.directory / f"beat-{uuid.uuid4().hex[:6]}"),
                    f"--concurrency={self.concurrency}",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.output()}")
            if " ready." in self.output():
                return self
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"worker not ready in {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the worker and its children: no shutdown, no acks, no cleanup."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None


@contextlib.contextmanager
def broker_for_this_process(url: str = REDIS_URL) -> Iterator[None]:
    """Tasks enqueued by this (test) process go to `url`, where the test's workers listen;
    the app's cached connections are dropped on the way in and out."""
    conf = celery_app.conf
    names = ("broker_url", "broker_read_url", "broker_write_url", "broker_transport_options")
    saved = {name: conf[name] for name in names}

    def reset() -> None:
        kombu.pools.reset()  # kombu's registry of producer pools, keyed by connection
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.update(broker_url=url, broker_read_url=url, broker_write_url=url)
    conf.broker_transport_options = {}
    reset()
    try:
        assert celery_app.connection_for_write().as_uri().startswith("redis://")
        yield
    finally:
        reset()
        conf.update(saved)


@contextlib.contextmanager
def running_worker(
    directory: Path, env: dict[str, str], *, concurrency: int = 2
) -> Iterator[Worker]:
    """A started Worker that the tasks this process enqueues reach; stopped on the way out."""
    with broker_for_this_process():
        worker = Worker(directory, env, concurrency=concurrency).start()
        try:
            yield worker
        finally:
            worker.stop()


def module_worker(*, concurrency: int = 2, **overrides: Any) -> Any:
    """A module-scoped `worker` fixture (`worker = module_worker(concurrency=1)` in a test
    module): one running Worker for the module's tests, on worker_env(sandbox, **overrides)."""

    @pytest.fixture(scope="module", name="worker")
    def fixture(
        django_db_setup: None, sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[Worker]:
        env = worker_env(sandbox, **overrides)
        directory = tmp_path_factory.mktemp("worker")
        with running_worker(directory, env, concurrency=concurrency) as process:
            yield process

    return fixture


class DjangoScripts(StartsAndStops):
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

    def start(self) -> DjangoScripts:
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

    def stop(self) -> None:
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
