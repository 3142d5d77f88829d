"""Webhook tests' fixtures: a real receiver process on a loopback port, and (for the delivery
tests) a real Celery worker that delivers to it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox_process import ROOT


class Receiver:
    def __init__(self, directory: Path) -> None:
        self.log = directory / "received.jsonl"
        self.log.touch()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.webhooks.receiver", str(self.log)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("PORT "), line
        self.base_url = f"http://127.0.0.1:{int(line.split()[1])}"

    def requests(self) -> list[dict]:
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def wait_for(self, count: int, timeout: float = 30.0, path: str = "") -> list[dict]:
        """The requests to paths starting with `path`, once there are at least `count`."""
        deadline = time.monotonic() + timeout
        while True:
            got = [r for r in self.requests() if r["path"].startswith(path)]
            if len(got) >= count or time.monotonic() > deadline:
                return got
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    r = Receiver(tmp_path)
    yield r
    r.stop()


@pytest.fixture(autouse=True)
def _loopback_webhooks_allowed(settings):
    """The receiver listens on loopback, which webhooks refuse unless the operator allows it
    (the SSRF tests turn it off again)."""
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
