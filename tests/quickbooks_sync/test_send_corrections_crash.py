"""A worker killed with SIGKILL in the middle of "Update in QuickBooks": resumed by another
worker, every update applied once (real worker processes, the emulator as a real server)."""

from __future__ import annotations

from pathlib import Path

from quickbooks_sync.models import SendBatch
from quickbooks_sync.models import SendJob
from tests.quickbooks_sync.connection_helpers import emulator_marks
from tests.quickbooks_sync.send_helpers import time_activities
from tests.quickbooks_sync.send_helpers import wait_for_job
from tests.quickbooks_sync.send_helpers import wait_until
from tests.quickbooks_sync.test_send_corrections_resilience import arm
from tests.quickbooks_sync.test_send_corrections_resilience import assert_updated_once
from tests.quickbooks_sync.test_send_corrections_resilience import sent_and_edited
from tests.quickbooks_sync.test_send_corrections_resilience import start
from tests.quickbooks_sync.worker_process import Worker
from tests.quickbooks_sync.worker_process import worker_env

pytestmark = emulator_marks(time_scale=60, transaction=True)


def test_a_worker_killed_after_qbo_applied_an_update_is_resumed_without_doubles(
    workspace, owner, member, linked_connection, sandbox, realm, workers, tmp_path: Path
):
    first = Worker(tmp_path, worker_env(sandbox), concurrency=1).start()
    workers.append(first)
    entries = sent_and_edited(workspace, owner, member, first, tag="kill")
    # QBO applies the first batch's updates but the answer is lost; the worker waits 3 s before
    # asking again, and is killed while it waits.
    first.stop()
    arm(sandbox, realm, "drop")
    slow = worker_env(sandbox, QBO_SEND_BACKOFF_SECONDS=3, QBO_SEND_RESUME_SECONDS=3600)
    killed = Worker(tmp_path, slow, concurrency=1).start()
    workers.append(killed)
    job_id = start(workspace, owner, "UPDATE")
    wait_until(
        lambda: SendBatch.objects.filter(job_id=job_id).exclude(last_error="").exists(),
        timeout=30,
    )

    killed.kill()

    assert SendJob.objects.get(pk=job_id).state == "RUNNING"
    tokens = [a["SyncToken"] for a in time_activities(sandbox, realm)]
    assert tokens.count("1") == 30  # applied in QBO, not yet in the ledger
    second = Worker(tmp_path, worker_env(sandbox)).start()  # its beat resumes stale jobs
    workers.append(second)
    job = wait_for_job(job_id, worker=second)

    assert_updated_once(sandbox, realm, workspace, entries, job)
    assert "resuming it" in second.output()
