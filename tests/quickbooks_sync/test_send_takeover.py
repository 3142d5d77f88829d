"""Two workers on the same send job at once: a worker that looks dead (stuck in a request to
QuickBooks past the stale time) is taken over by another, which sends the same batch with the
same request id; the first one then finds its lease gone and stops. Nothing doubled. (Threads
in this process, the emulator as a real server.)"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from django.db import connection as db_connection

from quickbooks_sync.models import SendBatch
from quickbooks_sync.models import SendJob
from quickbooks_sync.services.send import send_jobs_resume_due
from quickbooks_sync.services.send_batches import send_run
from tests.quickbooks_sync.connection_helpers import emulator_marks
from tests.quickbooks_sync.send_helpers import landed
from tests.quickbooks_sync.send_helpers import ledger_of
from tests.quickbooks_sync.send_helpers import many_entries
from tests.quickbooks_sync.send_helpers import start_send
from tests.quickbooks_sync.send_helpers import wait_until
from tests.quickbooks_sync.sync_support import arm_fault

pytestmark = emulator_marks(transaction=True)


def test_a_worker_taking_over_a_stalled_one_sends_each_entry_once(
    workspace, owner, member, sandbox, linked_connection, realm, settings
):
    settings.QBO_SEND_STALE_SECONDS = 1.0
    settings.QBO_SEND_BACKOFF_SECONDS = 0.05
    entries = many_entries(workspace, member, None, 45, tag="takeover")
    # The first batch request hangs 3 s (within the client's 10 s timeout), then is dropped
    # unanswered: its worker shows no life meanwhile.
    arm_fault(sandbox, realm, "hang", seconds=3, path="batch", count=1)
    job_id = start_send(workspace, owner)
    outcomes: dict[str, object] = {}

    def worker(name: str) -> None:
        try:
            outcomes[name] = send_run(job_id=job_id)
        except BaseException as exc:  # reported by the assertion below
            outcomes[name] = exc
        finally:
            db_connection.close()

    stalled = threading.Thread(target=worker, args=("stalled",))
    stalled.start()
    wait_until(lambda: SendBatch.objects.filter(job_id=job_id, attempts__gte=1).exists())
    time.sleep(1.3)  # past the stale time while the first worker waits for QuickBooks
    assert send_jobs_resume_due() == [job_id]
    fresh = threading.Thread(target=worker, args=("fresh",))
    fresh.start()
    for thread in (stalled, fresh):
        thread.join(timeout=60)

    assert outcomes == {"stalled": True, "fresh": True}
    job = SendJob.objects.get(pk=job_id)
    assert (job.state, job.sent_count, job.failed_count) == ("SUCCEEDED", 45, 0)
    result = landed(sandbox, realm, entries, ledger_of(workspace))
    assert (result.missing, result.doubled, result.ledger_mismatch) == ([], [], [])
    log = sandbox.control("GET", f"/requests?realm={realm}&limit=50")["requests"]
    asked = [r["request_id"] for r in log if urlsplit(r["path"]).path.endswith("/batch")]
    batches = list(SendBatch.objects.filter(job_id=job_id).order_by("created_at", "pk"))
    # The stalled request (the emulator logs a hung one before reading its request id) and the
    # fresh worker's, both of the first batch; then the second batch, once.
    assert [b.attempts for b in batches] == [2, 1]
    assert len(asked) == 3
    assert sorted(filter(None, asked)) == sorted(b.request_id for b in batches)
