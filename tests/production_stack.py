"""The production profile for real, for the tests and the serving benchmark: gunicorn as
docker-compose.yml's `web` runs it (gunicorn.conf.py, DEBUG off, whitenoise), a Celery worker and
beat as its `worker` and `beat` run, on a PostgreSQL database and a Redis of the caller's.

    with ProductionStack(tmp_path, database_url=..., redis_url=...) as stack:
        stack.get("/login/")      # as the TLS proxy passes it on: X-Forwarded-Proto: https

Nothing here is a test double: the processes are the ones a deployment runs; only the TLS proxy
in front is played by the requests carrying the header it sets.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

from tests.process_support import StartsAndStops
from tests.process_support import free_port

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
FIELD_KEY = "u0rR4Hc1m6QvJ7nZlD7y4mBqgC9D3r3V8bK9qkqGf7A="


def production_env(
    *, database_url: str, redis_url: str, broker_url: str, static_root: Path, **extra: str
) -> dict[str, str]:
    """Compose's app environment with this machine's database and Redis: production settings
    (nothing of the test run's development profile is inherited)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "QBO_", "SECURE_", "CELERY_")) and k != "DEBUG"
    }
    env.update({k: str(v) for k, v in SERVICES["web"]["environment"].items()})
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "DJANGO_SETTINGS_MODULE": "timetracker.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": broker_url,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEY": FIELD_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_ROOT": str(static_root),
            # An Intuit app's values (placeholders: the walk does not call QuickBooks).
            "QBO_CLIENT_ID": "production-test-client-id",
            "QBO_CLIENT_SECRET": "production-test-client-secret",
            "QBO_ENVIRONMENT": "sandbox",
            "LOG_LEVEL": "INFO",
        }
    )
    env.update(extra)
    return env


class ProductionStack(StartsAndStops):
    def __init__(
        self,
        directory: Path,
        *,
        database_url: str,
        redis_url: str,
        broker_url: str,
        workers: int = 2,
        celery: bool = True,
        static_root: Path | None = None,
        **extra: str,
    ) -> None:
        self.directory = directory
        self.port = free_port()
        self.celery = celery
        self.env = production_env(
            database_url=database_url,
            redis_url=redis_url,
            broker_url=broker_url,
            static_root=static_root or directory / "static",
            WEB_CONCURRENCY=str(workers),
            **extra,
        )
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.base_url = f"http://127.0.0.1:{self.port}"

    # -- processes --------------------------------------------------------------------------

    def _start(self, name: str, command: list[str]) -> None:
        with (self.directory / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self, name: str) -> str:
        path = self.directory / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> ProductionStack:
        # What the Dockerfile does at build time, and compose's `migrate`.
        for command in (
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            SERVICES["migrate"]["command"],
        ):
            subprocess.run(command, cwd=ROOT, env=self.env, check=True, timeout=300)
        web = [
            f"127.0.0.1:{self.port}" if part == "0.0.0.0:8000" else part
            for part in SERVICES["web"]["command"]
        ]
        self._start("web", web)
        if self.celery:
            self._start("worker", [*SERVICES["worker"]["command"], "--concurrency=1"])
            beat = [
                str(self.directory / "celerybeat-schedule")
                if part == "/app/var/celerybeat-schedule"
                else part
                for part in SERVICES["beat"]["command"]
            ]
            self._start("beat", beat)
        self.wait_until_serving()
        return self

    def wait_until_serving(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited:\n{self.log(name)[-4000:]}")
            with contextlib.suppress(requests.RequestException):
                if self.get("/login/", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not serve in {timeout}s:\n{self.log('web')[-4000:]}")

    def stop(self) -> None:
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.processes.clear()

    def __enter__(self) -> ProductionStack:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    # -- requests, as the TLS proxy passes them on ---------------------------------------------

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"X-Forwarded-Proto": "https", **(extra or {})}

    def get(self, path: str, **kwargs: object) -> requests.Response:
        headers = self.headers(kwargs.pop("headers", None))  # type: ignore[arg-type]
        kwargs.setdefault("allow_redirects", False)
        return requests.get(self.base_url + path, headers=headers, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, **kwargs: object) -> requests.Response:
        headers = self.headers(kwargs.pop("headers", None))  # type: ignore[arg-type]
        # A browser posting over HTTPS sends its origin; CSRF checks it.
        headers.setdefault("Origin", self.origin)
        headers.setdefault("Referer", self.origin + path)
        kwargs.setdefault("allow_redirects", False)
        return requests.post(self.base_url + path, headers=headers, **kwargs)  # type: ignore[arg-type]
