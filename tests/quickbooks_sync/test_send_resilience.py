"""Exactly once, whatever happens: a real Celery worker process (beat inside) sends to the QBO
emulator running as a real server while the emulator injects faults. After each, every selected
entry exists exactly once among the company's TimeActivities, and an entry is marked sent exactly
when it exists there.

(A worker killed with SIGKILL and two concurrent sends: test_send_crash.py.)"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SendBatch
from quickbooks_sync.qbo.oauth import QBOAuth
from quickbooks_sync.services.connection import qbo_config
from tests.quickbooks_sync.connection_helpers import emulator_marks
from tests.quickbooks_sync.send_helpers import landed
from tests.quickbooks_sync.send_helpers import ledger_of
from tests.quickbooks_sync.send_helpers import link_member
from tests.quickbooks_sync.send_helpers import many_entries
from tests.quickbooks_sync.send_helpers import start_send
from tests.quickbooks_sync.send_helpers import wait_for_job
from tests.quickbooks_sync.send_helpers import wait_until
from tests.quickbooks_sync.sync_support import arm_fault
from tests.quickbooks_sync.worker_process import module_worker
from tests.sandbox_process import SandboxProcess

# Time scale 60: QBO's throttle windows (a minute) last a second, as the worker's limiter.
pytestmark = emulator_marks(time_scale=60, transaction=True)

ENTRIES = 45  # two batches: one full, one not

worker = module_worker()  # one Celery worker process (beat inside) for the module


def arm(sandbox: SandboxProcess, realm: str, kind: str, **options: Any) -> None:
    """A fault on the batch requests (the sends) only."""
    arm_fault(sandbox, realm, kind, path="batch", **options)


def assert_exactly_once(sandbox, realm, workspace, entries, job) -> None:
    assert job.state == "SUCCEEDED", job.error
    assert (job.sent_count, job.failed_count) == (len(entries), 0)
    result = landed(sandbox, realm, entries, ledger_of(workspace))
    assert result.missing == []
    assert result.doubled == []
    assert result.ledger_mismatch == []


@pytest.mark.parametrize("status", ["500", "503"])
def test_server_errors_are_retried_with_the_same_request_id(
    worker, workspace, owner, member, linked_connection, sandbox, realm, status
):
    entries = many_entries(workspace, member, None, ENTRIES, tag=f"e{status}")
    arm(sandbox, realm, status, count=3)

    job = wait_for_job(start_send(workspace, owner), worker=worker)

    assert_exactly_once(sandbox, realm, workspace, entries, job)
    assert max(SendBatch.objects.filter(job=job).values_list("attempts", flat=True)) == 4


def test_a_hang_past_the_timeout_is_sent_again(
    worker, workspace, owner, member, linked_connection, sandbox, realm
):
    entries = many_entries(workspace, member, None, ENTRIES, tag="hang")
    arm(sandbox, realm, "hang", count=1, seconds=2.5)  # the worker's timeout is 1 s

    job = wait_for_job(start_send(workspace, owner), worker=worker)

    assert_exactly_once(sandbox, realm, workspace, entries, job)


def test_a_lost_response_after_qbo_executed_is_answered_from_the_request_id(
    worker, workspace, owner, member, linked_connection, sandbox, realm
):
    entries = many_entries(workspace, member, None, ENTRIES, tag="drop")
    arm(sandbox, realm, "drop", count=2)  # both batches created in QBO, both answers lost

    job = wait_for_job(start_send(workspace, owner), worker=worker)

    assert_exactly_once(sandbox, realm, workspace, entries, job)
    log = sandbox.control("GET", f"/requests?realm={realm}&limit=50")["requests"]
    batch_ids = [r["request_id"] for r in log if urlsplit(r["path"]).path.endswith("/batch")]
    # The two lost answers were asked again with the same request id (QBO answered from its
    # store): two requests more than batches, and no request id outside the outbox.
    request_ids = set(job.batches.values_list("request_id", flat=True))
    assert set(batch_ids) == request_ids
    assert len(batch_ids) == len(request_ids) + 2


def test_a_429_storm_backs_off_and_finishes(
    worker, workspace, owner, member, linked_connection, sandbox, realm
):
    entries = many_entries(workspace, member, None, ENTRIES, tag="throttle")
    arm(sandbox, realm, "429", count=5)

    job = wait_for_job(start_send(workspace, owner), worker=worker)

    assert_exactly_once(sandbox, realm, workspace, entries, job)


def test_an_access_token_expiring_mid_job_is_refreshed_once(
    worker, workspace, owner, member, linked_connection, sandbox, realm
):
    entries = many_entries(workspace, member, None, ENTRIES, tag="expiry")
    old_access = linked_connection.access_token
    arm(sandbox, realm, "hang", count=1, seconds=2.5)
    job_id = start_send(workspace, owner)
    # While the first batch hangs, QBO expires the token: the retry gets a 401, refreshes.
    wait_until(lambda: SendBatch.objects.filter(job_id=job_id, attempts__gte=1).exists())
    sandbox.control("POST", f"/companies/{realm}/expire-tokens")

    job = wait_for_job(job_id, worker=worker)

    assert_exactly_once(sandbox, realm, workspace, entries, job)
    linked_connection.refresh_from_db()
    assert linked_connection.status == QBOConnection.Status.CONNECTED
    assert linked_connection.access_token != old_access


def test_refresh_token_rotation_with_two_jobs_refreshing_at_once(
    worker, workspace, owner, admin, member, linked_connection, sandbox, realm
):
    # The emulator hands out a new refresh token on every refresh and the old one dies at once:
    # two workers refreshing with the same old token would lose the connection.
    link_member(workspace, admin, sandbox, realm)
    mine = many_entries(workspace, member, None, ENTRIES, tag="rot-m")
    theirs = many_entries(workspace, admin, None, ENTRIES, tag="rot-a")
    sandbox.control("POST", f"/companies/{realm}/expire-tokens")
    old_refresh = linked_connection.refresh_token

    first = start_send(workspace, owner, members=(str(member.pk),))
    second = start_send(workspace, owner, members=(str(admin.pk),))
    jobs = [wait_for_job(first, worker=worker), wait_for_job(second, worker=worker)]

    for job, entries in zip(jobs, (mine, theirs), strict=True):
        assert_exactly_once(sandbox, realm, workspace, entries, job)
    linked_connection.refresh_from_db()
    assert linked_connection.status == QBOConnection.Status.CONNECTED
    assert linked_connection.refresh_token != old_refresh
    # The stored refresh token is the live one.
    assert QBOAuth(qbo_config()).refresh(linked_connection.refresh_token).refresh_token
