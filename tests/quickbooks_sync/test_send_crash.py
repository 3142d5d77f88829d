"""A worker killed with SIGKILL in the middle of a send, and two admins sending overlapping
filters at once: nothing lost, nothing doubled (real worker processes, the emulator as a real
server)."""

from __future__ import annotations

import threading

from django.db import connection as db_connection

from quickbooks_sync.models import SendBatch
from quickbooks_sync.models import SendItem
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SentEntry
from tests.quickbooks_sync.connection_helpers import emulator_marks
from tests.quickbooks_sync.send_helpers import landed
from tests.quickbooks_sync.send_helpers import ledger_of
from tests.quickbooks_sync.send_helpers import link_member
from tests.quickbooks_sync.send_helpers import many_entries
from tests.quickbooks_sync.send_helpers import start_send
from tests.quickbooks_sync.send_helpers import time_activities
from tests.quickbooks_sync.send_helpers import wait_for_job
from tests.quickbooks_sync.send_helpers import wait_until
from tests.quickbooks_sync.sync_support import arm_fault
from tests.quickbooks_sync.worker_process import Worker
from tests.quickbooks_sync.worker_process import worker_env
from workspaces.errors import ApplicationError

pytestmark = emulator_marks(time_scale=60, transaction=True)


def test_a_worker_killed_after_qbo_executed_a_batch_is_resumed_without_doubles(
    workspace, owner, member, sandbox, linked_connection, realm, workers, tmp_path
):
    entries = many_entries(workspace, member, None, 70, tag="kill")
    # QBO creates the first batch's TimeActivities but the answer is lost; the worker then waits
    # 3 s before asking again, and is killed while it waits.
    arm_fault(sandbox, realm, "drop", path="batch")
    slow = worker_env(sandbox, QBO_SEND_BACKOFF_SECONDS=3, QBO_SEND_RESUME_SECONDS=3600)
    first = Worker(tmp_path, slow, concurrency=1).start()
    workers.append(first)
    job_id = start_send(workspace, owner)
    wait_until(
        lambda: SendBatch.objects.filter(job_id=job_id).exclude(last_error="").exists(),
        timeout=30,
    )

    first.kill()

    job = SendJob.objects.get(pk=job_id)
    assert job.state == "RUNNING"
    assert len(time_activities(sandbox, realm)) == 30  # in QBO ...
    assert not SentEntry.objects.exists()  # ... and not (yet) marked sent

    second = Worker(tmp_path, worker_env(sandbox)).start()  # its beat resumes stale jobs
    workers.append(second)
    job = wait_for_job(job_id, worker=second)

    assert job.state == "SUCCEEDED", job.error
    assert job.sent_count == 70
    result = landed(sandbox, realm, entries, ledger_of(workspace))
    assert (result.missing, result.doubled, result.ledger_mismatch) == ([], [], [])
    assert "resuming it" in second.output()


def test_two_admins_sending_overlapping_filters_at_once_send_each_entry_once(
    workspace, owner, admin, member, sandbox, linked_connection, realm, workers, tmp_path
):
    link_member(workspace, admin, sandbox, realm)
    entries = many_entries(workspace, member, None, 40, tag="both") + many_entries(
        workspace, admin, None, 20, tag="admin-only"
    )
    barrier = threading.Barrier(2)
    jobs: list[str] = []
    refused: list[str] = []

    def press_send(user, filters) -> None:
        try:
            barrier.wait(timeout=10)
            jobs.append(start_send(workspace, user, **filters))
        except ApplicationError as exc:
            refused.append(exc.message)
        finally:
            db_connection.close()

    threads = [
        threading.Thread(target=press_send, args=(owner, {})),
        threading.Thread(target=press_send, args=(admin, {"members": (str(member.pk),)})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Whoever came second found the member's entries taken (or everything, and was refused).
    selected = SendItem.objects.filter(state="PENDING").values_list("entry_key", flat=True)
    assert sorted(selected) == sorted(e.pk for e in entries)
    assert len(jobs) + len(refused) == 2

    workers.append(Worker(tmp_path, worker_env(sandbox)).start())
    for job_id in jobs:
        assert wait_for_job(job_id, worker=workers[0]).state == "SUCCEEDED"
    result = landed(sandbox, realm, entries, ledger_of(workspace))
    assert (result.missing, result.doubled, result.ledger_mismatch) == ([], [], [])
