"""A sync and a send of the same company at once, through a REAL Celery worker (two processes:
one runs the sync, the other the send) against the QBO emulator with QuickBooks' real limits on
the real clock (500 requests a minute, 10 a second, 10 at once, 40 batches a minute).

Every call to QuickBooks takes a slot of the company's rate limiter (the session is the one
door), so the sync's reads and employee creations and the send's batches share the company's
limits and QuickBooks answers none of them 429. (Before the door only the send's batches took a
slot: a sync creating employees alone made more than 10 requests a second.)"""

from __future__ import annotations

from urllib.parse import urlsplit

from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import SyncJob
from quickbooks_sync.services.sync import sync_start
from tests.factories import membership_of
from tests.quickbooks_sync import send_helpers as send
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.connection_helpers import emulator_marks
from tests.quickbooks_sync.worker_process import running_worker
from tests.quickbooks_sync.worker_process import worker_env
from tests.sandbox_process import SandboxProcess
from workspaces.models import Membership
from workspaces.models import User

# QuickBooks' own limits on the real clock, in the emulator (the other tests lift its 10 a
# second) and in the worker's limiter (QBO_RATE_TIME_SCALE=1).
pytestmark = emulator_marks(rate_per_second=10, transaction=True)

NEW_MEMBERS = 30  # employees the sync creates: three seconds' worth of QuickBooks' 10 a second
ENTRIES = 90  # three batches


def test_a_sync_during_a_send_draws_no_429(
    workspace, owner, member, sandbox: SandboxProcess, realm: str, tmp_path
) -> None:
    connect_workspace(workspace, sandbox, realm, user=owner)
    send.link_member(workspace, member, sandbox, realm)
    for n in range(NEW_MEMBERS):
        user = User.objects.create_user(
            email=f"person{n}@example.com", full_name=f"Person Number{n:02d}"
        )
        Membership.objects.create(workspace=workspace, user=user, role=Membership.Role.MEMBER)
    entries = send.many_entries(workspace, member, None, ENTRIES, tag="with-sync")
    env = worker_env(sandbox, QBO_RATE_TIME_SCALE=1, QBO_TIMEOUT_SECONDS=5)

    # Two worker processes: one takes the sync, the other the send, started together.
    with running_worker(tmp_path, env, concurrency=2) as worker:
        kind = SyncJob.Kind.CREATE_EMPLOYEES
        sync = sync_start(membership=membership_of(workspace, owner), kind=kind)
        sent = send.wait_for_job(send.start_send(workspace, owner), timeout=90, worker=worker)
        send.wait_until(lambda: not SyncJob.objects.get(pk=sync.pk).is_active, timeout=90)
    synced = SyncJob.objects.get(pk=sync.pk)

    log = sandbox.control("GET", f"/requests?realm={realm}&limit=5000")["requests"]
    throttled = [r for r in log if r["status"] == 429]
    assert throttled == [], f"{len(throttled)} requests drew a 429"
    # Both ran at once: QuickBooks received employee creations between the send's batches.
    batches = sorted(r["at"] for r in log if urlsplit(r["path"]).path.endswith("/batch"))
    creations = sorted(
        r["at"]
        for r in log
        if r["method"] == "POST" and urlsplit(r["path"]).path.endswith("/employee")
    )
    assert len(batches) == ENTRIES // 30
    assert len(creations) == NEW_MEMBERS + 1  # the owner had no employee yet either
    assert creations[0] < batches[-1] and batches[0] < creations[-1]
    # And both did all their work, the send exactly once.
    assert synced.state == SyncJob.State.SUCCEEDED, synced.error
    assert EmployeeLink.objects.filter(workspace=workspace).count() == NEW_MEMBERS + 2
    assert sent.state == "SUCCEEDED", sent.error
    result = send.landed(sandbox, realm, entries, send.ledger_of(workspace))
    assert (result.missing, result.doubled, result.ledger_mismatch) == ([], [], [])
