"""Fixtures for QuickBooks tests against the emulator as a real process.

`sandbox` is one emulator per test module (faults armed by one module never reach another);
`qbo_settings` points the QBO_* settings at it; `realm` is a new company in it for each test.
A module uses them with
`pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("qbo_settings")]`; the sandbox
marker's keywords are the emulator's settings (`pytest.mark.sandbox(time_scale=60)`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.quickbooks_sync.connection_helpers import point_settings_at, qbo_sandbox_process
from tests.sandbox_process import SandboxProcess


@pytest.fixture(autouse=True)
def _restore_insecure_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    # The client sets OAUTHLIB_INSECURE_TRANSPORT for a loopback emulator; undo it after each
    # test so other test folders see the environment they expect (setenv first so that
    # monkeypatch records the original state and restores it).
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "")
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT")


@pytest.fixture(scope="module")
def sandbox(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SandboxProcess]:
    data_dir = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    marker = request.node.get_closest_marker("sandbox")
    with qbo_sandbox_process(data_dir, **(marker.kwargs if marker else {})) as process:
        yield process


@pytest.fixture
def qbo_settings(settings, sandbox: SandboxProcess) -> Iterator[None]:
    point_settings_at(settings, sandbox)
    yield
    sandbox.control("DELETE", "/faults")


@pytest.fixture
def realm(request: pytest.FixtureRequest, sandbox: SandboxProcess) -> str:
    """A new company in the emulator, named after the test module."""
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    return sandbox.create_company(name=f"{module} {uuid.uuid4().hex[:8]}")
