"""Run the QBO emulator as a real server process for tests (any test folder may use it).

with SandboxProcess(tmp_path / "qbo.sqlite3") as sandbox:
    sandbox.discovery_url, sandbox.api_url_v3, sandbox.control("POST", "/companies", ...)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from tests.process_support import OneProcess
from tests.process_support import free_port

ROOT = Path(__file__).resolve().parent.parent


def submit_consent(
    authorization_url: str, *, realm_id: str | None, action: str = "connect"
) -> requests.Response:
    """What a person does on the emulator's consent page: pick a company, press Connect (or
    Cancel). Answers the form's response: a 302 to the app's redirect URI when all went well."""
    session = requests.Session()
    page = session.get(authorization_url, timeout=10)
    if page.status_code != 200:
        raise AssertionError(f"consent page -> {page.status_code}: {page.text[:500]}")
    token = re.search(r'name="consent_token" value="([^"]+)"', page.text)
    if token is None:
        raise AssertionError(f"no consent form on the page: {page.text[:500]}")
    form = {"consent_token": token.group(1), "action": action}
    if realm_id is not None:
        form["realm_id"] = realm_id
    return session.post(authorization_url, data=form, allow_redirects=False, timeout=10)


class SandboxProcess(OneProcess):
    """`python -m qbo_sandbox serve` on a free loopback port with its own data file.

    `settings` become QBO_SANDBOX_* environment variables (e.g. {"rate_per_minute": 5})."""

    def __init__(self, data: Path, *, settings: dict[str, Any] | None = None) -> None:
        self.data = Path(data)
        self.settings = dict(settings or {})
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.data.with_suffix(".log")

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self, timeout: float = 20.0) -> SandboxProcess:
        if os.environ.get("TEST_NO_EMULATOR"):
            # `make test-fast` deselects the tests marked `sandbox` and promises no emulator.
            raise RuntimeError(
                "this run starts no QBO emulator (TEST_NO_EMULATOR is set, as `make test-fast` "
                "does): mark the test that needs one with pytest.mark.sandbox"
            )
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.update({f"QBO_SANDBOX_{k.upper()}": str(v) for k, v in self.settings.items()})
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "qbo_sandbox",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--data",
                str(self.data),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"qbo_sandbox exited early:\n{self.output()}")
            try:
                requests.get(self.discovery_url, timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"qbo_sandbox did not start in {timeout}s:\n{self.output()}")

    def restart(self) -> SandboxProcess:
        self.stop()
        return self.start()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # -- addresses and helpers ----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def discovery_url(self) -> str:
        return self.base_url + "/.well-known/openid_configuration"

    @property
    def api_url_v3(self) -> str:
        return self.base_url + "/v3"

    def control(self, method: str, path: str, json: Any = None, expect: int | None = None) -> Any:
        """Call the control API; raise unless the status is `expect` (default: any 2xx)."""
        response = requests.request(
            method, self.base_url + "/_sandbox" + path, json=json, timeout=30
        )
        ok = response.status_code == expect if expect is not None else response.ok
        if not ok:
            raise AssertionError(
                f"{method} {path} -> {response.status_code}: {response.text[:500]}"
            )
        return response.json()

    def create_company(self, name: str = "Sandbox Co", **fields: Any) -> str:
        return str(self.control("POST", "/companies", {"name": name, **fields})["realmId"])

    def approve(self, authorization_url: str, realm_id: str) -> str:
        """Connect on the consent page; the callback URL (with code, state, realmId)."""
        response = submit_consent(authorization_url, realm_id=realm_id)
        if response.status_code != 302:
            raise AssertionError(f"consent -> {response.status_code}: {response.text[:500]}")
        return str(response.headers["Location"])
