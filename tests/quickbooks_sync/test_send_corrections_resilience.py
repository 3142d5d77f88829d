"""Updates and deletes of sent TimeActivities hold exactly once under the same faults as
sending: a real Celery worker process (beat inside) corrects through the QBO emulator running as
a real server while it injects faults (lost answers, 5xx, a 429 storm), someone changes a
TimeActivity in QuickBooks meanwhile (5010) or the books close (6210). (A worker killed with
SIGKILL: test_send_corrections_crash.py.) Exactly once shows in QuickBooks itself: an update
applied twice would leave a SyncToken of 2 (or fail on the stale 1), a delete applied twice
would answer 610."""

from __future__ import annotations

import datetime as dt

import pytest

from quickbooks_sync.models import SendItem
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SentEntry
from quickbooks_sync.services.send_corrections import correction_start
from tests.factories import membership_of
from tests.quickbooks_sync.connection_helpers import emulator_marks
from tests.quickbooks_sync.send_helpers import filters_for
from tests.quickbooks_sync.send_helpers import many_entries
from tests.quickbooks_sync.send_helpers import start_send
from tests.quickbooks_sync.send_helpers import time_activities
from tests.quickbooks_sync.send_helpers import wait_for_job
from tests.quickbooks_sync.test_send_resilience import ENTRIES
from tests.quickbooks_sync.test_send_resilience import arm
from tests.quickbooks_sync.worker_process import module_worker
from tracking.models import TimeEntry

pytestmark = emulator_marks(time_scale=60, transaction=True)

worker = module_worker()


def sent_and_edited(workspace, owner, member, worker, tag: str) -> list[TimeEntry]:
    """ENTRIES entries sent by the worker, then each made 5 minutes longer and re-described."""
    entries = many_entries(workspace, member, None, ENTRIES, tag=tag)
    assert wait_for_job(start_send(workspace, owner), worker=worker).state == "SUCCEEDED"
    for e in entries:
        e.end += dt.timedelta(minutes=5)
        e.duration_seconds += 300
        e.description += "-fixed"
        e.save()
    return entries


def start(workspace, owner, kind: str, keys: list[str] | None = None) -> str:
    membership = membership_of(workspace, owner)
    job = correction_start(membership=membership, kind=kind, filters=filters_for(), entry_keys=keys)
    return str(job.pk)


def assert_updated_once(sandbox, realm, workspace, entries, job: SendJob) -> None:
    assert job.state == "SUCCEEDED", job.error
    assert (job.sent_count, job.failed_count) == (len(entries), 0)
    held = {a["Id"]: a for a in time_activities(sandbox, realm)}
    assert len(held) == len(entries)  # nothing created, nothing lost
    ledger = {s.entry_key: s for s in SentEntry.objects.filter(workspace=workspace)}
    for e in entries:
        sent = ledger[e.pk]
        activity = held[sent.qbo_time_activity_id]
        assert (activity["Description"], activity["Minutes"]) == (e.description, 20)
        assert activity["SyncToken"] == sent.sync_token == "1"  # applied exactly once
        assert sent.version == 2


@pytest.mark.parametrize("kind", ["500", "503", "drop", "429"])
def test_updates_under_faults_apply_once(
    worker, workspace, owner, member, linked_connection, sandbox, realm, kind
):
    entries = sent_and_edited(workspace, owner, member, worker, tag=f"u{kind}")
    # 5xx three times; a lost answer after QBO executed both batches; a storm of throttles.
    arm(sandbox, realm, kind, count={"drop": 2, "429": 5}.get(kind, 3))

    job = wait_for_job(start(workspace, owner, "UPDATE"), worker=worker)

    assert_updated_once(sandbox, realm, workspace, entries, job)
    request_ids = set(job.batches.values_list("request_id", flat=True))
    assert len(request_ids) == 2
    if kind == "drop":
        log = sandbox.control("GET", f"/requests?realm={realm}&limit=100")["requests"]
        asked = [r["request_id"] for r in log if r["request_id"] in request_ids]
        assert len(asked) == 4  # each lost answer asked again with its own request id


@pytest.mark.parametrize("kind", ["503", "drop"])
def test_deletes_under_faults_apply_once(
    worker, workspace, owner, member, linked_connection, sandbox, realm, kind
):
    entries = many_entries(workspace, member, None, ENTRIES, tag=f"d{kind}")
    assert wait_for_job(start_send(workspace, owner), worker=worker).state == "SUCCEEDED"
    arm(sandbox, realm, kind, count=2)

    job = wait_for_job(start(workspace, owner, "DELETE", [e.pk for e in entries]), worker=worker)

    assert job.state == "SUCCEEDED", job.error
    assert (job.sent_count, job.failed_count) == (ENTRIES, 0)  # no 610: none deleted twice
    assert time_activities(sandbox, realm) == []
    assert SentEntry.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 0


def test_a_stale_sync_token_and_closed_books_with_a_worker(
    worker, workspace, owner, member, linked_connection, sandbox, realm
):
    entries = sent_and_edited(workspace, owner, member, worker, tag="mixed")
    ledger = {s.entry_key: s for s in SentEntry.objects.filter(workspace=workspace)}
    stale = ledger[entries[0].pk].qbo_time_activity_id
    sandbox.control(
        "PATCH",
        f"/companies/{realm}/entities/TimeActivity/{stale}",
        {"Description": "Edited in QuickBooks"},
        expect=200,
    )

    job = wait_for_job(start(workspace, owner, "UPDATE"), worker=worker)

    assert (job.state, job.sent_count, job.failed_count) == ("SUCCEEDED", ENTRIES - 1, 1)
    item = SendItem.objects.get(job_id=job.pk, entry_key=entries[0].pk)
    assert (item.reason, item.qbo_holds["Description"]) == ("qbo_5010", "Edited in QuickBooks")
    held = {a["Id"]: a for a in time_activities(sandbox, realm)}
    assert held[stale]["Description"] == "Edited in QuickBooks"  # not overwritten

    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": "2026-12-31"}, expect=200)
    closed = wait_for_job(start(workspace, owner, "DELETE", [e.pk for e in entries]), worker=worker)
    assert (closed.state, closed.sent_count, closed.failed_count) == ("SUCCEEDED", 0, ENTRIES)
    assert set(SendItem.objects.filter(job_id=closed.pk).values_list("reason", flat=True)) == {
        "qbo_6210"
    }
    assert len(time_activities(sandbox, realm)) == ENTRIES
