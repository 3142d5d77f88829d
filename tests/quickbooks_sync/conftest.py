"""Fixtures for QuickBooks tests against the emulator as a real process.

`sandbox` is one emulator per test module (faults armed by one module never reach another);
`qbo_settings` points the QBO_* settings at it; `realm` is a new company in it for each test;
`linked_connection` connects the workspace to that company with the member linked to an
employee; `workers` collects the worker processes a test starts itself.
A module uses them with `pytestmark = emulator_marks()` (connection_helpers) or
`pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("qbo_settings")]`; the sandbox
marker's keywords are the emulator's settings (`emulator_marks(time_scale=60)`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from quickbooks_sync.models import QBOConnection
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.connection_helpers import point_settings_at
from tests.quickbooks_sync.connection_helpers import qbo_sandbox_process
from tests.quickbooks_sync.send_helpers import link_member
from tests.quickbooks_sync.worker_process import Worker
from tests.quickbooks_sync.worker_process import broker_for_this_process
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


@pytest.fixture
def linked_connection(
    workspace, owner, member, sandbox: SandboxProcess, realm: str
) -> QBOConnection:
    """The workspace connected to `realm` by the owner, the member linked to an employee."""
    made = connect_workspace(workspace, sandbox, realm, user=owner)
    link_member(workspace, member, sandbox, realm)
    return made


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    """Workers a test starts itself (`workers.append(Worker(...).start())`) on this process's
    broker; whatever is left is stopped at the end."""
    started: list[Worker] = []
    with broker_for_this_process():
        yield started
        for worker in started:
            worker.stop()
