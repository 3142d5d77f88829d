"""Correcting what was sent: "Update in QuickBooks" and "Delete from QuickBooks". The mapping
(what differs, the sparse or full update body) as pure functions; then in process against the
QBO emulator as a real server: updates and deletes through the outbox, a stale SyncToken read
again instead of overwritten, closed books reported per entry, the ledger's versions, roles,
plan and tenants. (Worker processes and faults: test_send_corrections_resilience.py.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from quickbooks_sync.mapping import held_values
from quickbooks_sync.mapping import time_activity_changes
from quickbooks_sync.mapping import time_activity_delete
from quickbooks_sync.mapping import time_activity_update
from quickbooks_sync.models import SendItem
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SentEntry
from quickbooks_sync.models import SentVersion
from quickbooks_sync.services.send import UNCHANGED
from quickbooks_sync.services.send_batches import send_run
from quickbooks_sync.services.send_corrections import NOTHING_TO_UPDATE
from quickbooks_sync.services.send_corrections import correction_preview
from quickbooks_sync.services.send_corrections import correction_start
from tests.factories import membership_of
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.connection_helpers import stored_connection
from tests.quickbooks_sync.send_helpers import filters_for
from tests.quickbooks_sync.send_helpers import many_entries
from tests.quickbooks_sync.send_helpers import start_send
from tests.quickbooks_sync.send_helpers import time_activities
from tests.sandbox_process import SandboxProcess
from workspaces.errors import ApplicationError
from workspaces.errors import PermissionDenied
from workspaces.models import AuditLog

SENT: dict[str, Any] = {
    "NameOf": "Employee",
    "EmployeeRef": {"value": "5"},
    "TxnDate": "2026-03-10",
    "Hours": 1,
    "Minutes": 15,
    "BillableStatus": "Billable",
    "HourlyRate": 120.0,
    "Description": "Design review",
    "CustomerRef": {"value": "9"},
}


# -- the mapping ---------------------------------------------------------------------------------


def test_nothing_differs_nothing_to_update() -> None:
    assert time_activity_changes(SENT, dict(SENT)) == []
    assert time_activity_update(activity_id="7", sync_token="0", held=SENT, today=SENT) is None


def test_changed_fields_go_as_a_sparse_update_with_the_sync_token() -> None:
    today = {**SENT, "Minutes": 30, "Description": "Design review, part 2", "HourlyRate": 125}
    changes = time_activity_changes(SENT, today)
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("Duration", 75, 90),
        ("Description", "Design review", "Design review, part 2"),
        ("HourlyRate", 12000, 12500),
    ]
    body = time_activity_update(activity_id="7", sync_token="3", held=SENT, today=today)
    assert body == {
        "Id": "7",
        "SyncToken": "3",
        "sparse": True,
        "Hours": 1,
        "Minutes": 30,
        "Description": "Design review, part 2",
        "HourlyRate": 125,
    }


def test_a_field_that_must_be_cleared_makes_a_full_update() -> None:
    today = {k: v for k, v in SENT.items() if k not in ("CustomerRef", "HourlyRate")}
    today["BillableStatus"] = "NotBillable"
    body = time_activity_update(activity_id="7", sync_token="1", held=SENT, today=today)
    assert body == {"Id": "7", "SyncToken": "1", "sparse": False, **today}
    assert "CustomerRef" not in body


def test_a_rate_on_non_billable_time_is_no_difference() -> None:
    held = {**SENT, "BillableStatus": "NotBillable", "HourlyRate": 0}
    today = {k: v for k, v in held.items() if k != "HourlyRate"}
    assert time_activity_changes(held, today) == []
    assert time_activity_update(activity_id="7", sync_token="1", held=held, today=today) is None


def test_what_qbo_answers_reduces_to_the_fields_sent() -> None:
    answered = {
        **SENT,
        "Id": "7",
        "SyncToken": "4",
        "EmployeeRef": {"value": "5", "name": "Mia"},
        "CustomerRef": {"value": "9", "name": "Acme:Web"},
        "Taxable": False,
        "MetaData": {},
        "domain": "QBO",
    }
    assert held_values(answered) == SENT
    assert time_activity_delete(activity_id="7", sync_token="4") == {"Id": "7", "SyncToken": "4"}


# -- through the emulator -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _short_backoff(settings) -> None:
    settings.QBO_SEND_BACKOFF_SECONDS = 0.05


def sent_entries(workspace, owner, member, count: int, tag: str):
    entries = many_entries(workspace, member, None, count, tag=tag)
    assert send_run(job_id=start_send(workspace, owner)) is True
    assert SentEntry.objects.filter(workspace=workspace).count() == count
    return entries


def by_id(sandbox: SandboxProcess, realm: str) -> dict[str, dict[str, Any]]:
    return {a["Id"]: a for a in time_activities(sandbox, realm)}


def correct(workspace, user, kind: str, keys=None) -> SendJob:
    job = correction_start(
        membership=membership_of(workspace, user), kind=kind, filters=filters_for(), entry_keys=keys
    )
    assert send_run(job_id=job.pk) is True
    job.refresh_from_db()
    return job


@pytest.mark.sandbox
@pytest.mark.usefixtures("qbo_settings")
def test_update_all_changed_updates_only_what_differs_and_keeps_every_version(
    workspace, owner, member, linked_connection, sandbox, realm
):
    entries = sent_entries(workspace, owner, member, 35, "upd")
    for e in entries[:31]:  # two batches' worth
        e.end = e.end + dt.timedelta(minutes=5)
        e.duration_seconds += 300
        e.description += " (fixed)"
        e.save()

    preview = correction_preview(
        membership=membership_of(workspace, owner), kind="UPDATE", filters=filters_for()
    )
    assert len(preview.go) == 31
    assert preview.not_going_json()[UNCHANGED]["entries"] == 4
    assert [c.label for c in preview.go[0].changes] == ["Duration", "Description"]

    job = correct(workspace, owner, "UPDATE")

    assert (job.kind, job.state, job.sent_count, job.failed_count) == ("UPDATE", "SUCCEEDED", 31, 0)
    held = by_id(sandbox, realm)
    assert len(held) == 35  # nothing created
    for e in entries:
        sent = SentEntry.objects.get(entry_key=e.pk)
        activity = held[sent.qbo_time_activity_id]
        changed = e in entries[:31]
        assert activity["Minutes"] == (20 if changed else 15)
        assert activity["Description"].endswith("(fixed)") is changed
        assert (sent.sync_token, sent.version) == (("1", 2) if changed else ("0", 1))
        assert activity["SyncToken"] == sent.sync_token
    versions = SentVersion.objects.filter(sent_entry__entry_key=entries[0].pk).order_by("version")
    assert [(v.operation, v.values["Minutes"]) for v in versions] == [
        ("create", 15),
        ("update", 20),
    ]
    assert AuditLog.objects.filter(event="quickbooks.update_started", workspace=workspace).exists()
    # Nothing differs any more.
    with pytest.raises(ApplicationError, match=NOTHING_TO_UPDATE):
        correct(workspace, owner, "UPDATE")


@pytest.mark.sandbox
@pytest.mark.usefixtures("qbo_settings")
def test_a_stale_sync_token_is_read_again_not_overwritten(
    workspace, owner, member, linked_connection, sandbox, realm
):
    entries = sent_entries(workspace, owner, member, 2, "stale")
    edited = SentEntry.objects.get(entry_key=entries[0].pk)
    # Someone changes the TimeActivity in QuickBooks meanwhile.
    sandbox.control(
        "PATCH",
        f"/companies/{realm}/entities/TimeActivity/{edited.qbo_time_activity_id}",
        {"Description": "Changed in QuickBooks", "Hours": 2},
        expect=200,
    )
    for e in entries:
        e.description += " here"
        e.save()

    job = correct(workspace, owner, "UPDATE")

    assert (job.state, job.sent_count, job.failed_count) == ("SUCCEEDED", 1, 1)
    item = SendItem.objects.get(job=job, entry_key=entries[0].pk)
    assert (item.state, item.reason) == ("FAILED", "qbo_5010")
    assert item.qbo_holds["Description"] == "Changed in QuickBooks"
    assert "nothing was overwritten" in item.message
    activity = by_id(sandbox, realm)[edited.qbo_time_activity_id]
    assert (activity["Description"], activity["Hours"]) == ("Changed in QuickBooks", 2)
    # The ledger holds what QuickBooks has now, so the sent view compares with it ...
    edited.refresh_from_db()
    assert (edited.sync_token, edited.values_sent["Hours"]) == ("1", 2)
    assert list(edited.versions.values_list("operation", flat=True).order_by("version")) == [
        "create",
        "read",
    ]
    # ... and an explicit second update overwrites it, with the SyncToken read.
    again = correct(workspace, owner, "UPDATE", keys=[entries[0].pk])
    assert (again.sent_count, again.failed_count) == (1, 0)
    activity = by_id(sandbox, realm)[edited.qbo_time_activity_id]
    assert (activity["Description"], activity["Hours"], activity["Minutes"]) == (
        entries[0].description,
        0,
        15,
    )


@pytest.mark.sandbox
@pytest.mark.usefixtures("qbo_settings")
def test_closed_books_are_reported_per_entry(
    workspace, owner, member, linked_connection, sandbox, realm
):
    entries = sent_entries(workspace, owner, member, 2, "closed")
    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": "2026-12-31"}, expect=200)
    for e in entries:
        e.description += " late"
        e.save()

    job = correct(workspace, owner, "UPDATE")

    assert (job.state, job.sent_count, job.failed_count) == ("SUCCEEDED", 0, 2)
    items = SendItem.objects.filter(job=job)
    assert {(i.reason, "books are closed" in i.message) for i in items} == {("qbo_6210", True)}
    assert all(s.version == 1 for s in SentEntry.objects.filter(workspace=workspace))
    deleted = correct(workspace, owner, "DELETE", keys=[entries[0].pk])
    assert (deleted.sent_count, deleted.failed_count) == (0, 1)
    assert len(time_activities(sandbox, realm)) == 2


@pytest.mark.sandbox
@pytest.mark.usefixtures("qbo_settings")
def test_delete_deleted_and_chosen_entries_and_record_it(
    workspace, owner, member, linked_connection, sandbox, realm
):
    entries = sent_entries(workspace, owner, member, 4, "del")
    gone_here = entries[0]
    gone_key = gone_here.pk
    gone_here.delete()

    preview = correction_preview(
        membership=membership_of(workspace, owner), kind="DELETE", filters=filters_for()
    )
    assert [c.entry_key for c in preview.go] == [gone_key]  # deleted here, within the dates

    job = correct(workspace, owner, "DELETE")
    assert (job.kind, job.sent_count) == ("DELETE", 1)
    chosen = correct(workspace, owner, "DELETE", keys=[entries[1].pk, gone_key, "nope"])
    assert (chosen.sent_count, chosen.failed_count) == (1, 0)
    assert chosen.not_sent == {
        "deleted_in_qbo": {"entries": 1, "seconds": 900},
        "not_sent_yet": {"entries": 1, "seconds": 0},
    }

    left = {a["Description"] for a in time_activities(sandbox, realm)}
    assert left == {entries[2].description, entries[3].description}
    for key in (gone_key, entries[1].pk):
        sent = SentEntry.objects.get(entry_key=key)
        assert sent.deleted_at is not None and sent.version == 2
        last = sent.versions.order_by("-version").first()
        assert last is not None and last.operation == "delete"
    # Still sent once: a deleted TimeActivity's entry is never sent again.
    with pytest.raises(ApplicationError):
        start_send(workspace, owner, members=(str(member.pk),), description=entries[1].description)


def test_delete_all_deleted_here_takes_the_connected_company_and_the_pages_cap(
    workspace, owner, owner_client, monkeypatch
):
    """Sent to company A, reconnected to company B: "Delete from QuickBooks" for the deleted
    entries lists B's rows only, no more than the sent view lists (its cap), and the same."""
    from django.utils import timezone

    from quickbooks_sync.services import send_corrections

    monkeypatch.setattr(send_corrections, "MAX_CHOSEN", 2)
    stored_connection(workspace, realm_id="B", last_synced_at=timezone.now())
    for realm, n in (("A", 0), ("A", 1), ("B", 2), ("B", 3), ("B", 4)):
        SentEntry.objects.create(
            workspace=workspace,
            time_entry=None,
            entry_key=f"{realm.lower()}{n:023d}",
            realm_id=realm,
            qbo_time_activity_id=f"{realm}-{n}",
            sync_token="0",
            values_sent={**SENT, "TxnDate": f"2026-03-{9 + n % 2:02d}"},
        )
    filters = filters_for()
    listed = send_corrections.deleted_here(
        workspace_id=workspace.pk, realm_id="B", start=filters.start, end=filters.end
    )
    assert [s.realm_id for s in listed] == ["B", "B"]

    preview = correction_preview(
        membership=membership_of(workspace, owner), kind="DELETE", filters=filters
    )
    assert [c.entry_key for c in preview.go] == [s.entry_key for s in listed]
    assert preview.not_going == {}  # A's rows are not "sent to another company": not there

    query = "kind=delete&range=custom&start=2026-03-08&end=2026-03-12"
    page = owner_client.get(
        reverse("quickbooks:corrections_confirm", args=[workspace.pk]) + "?" + query
    )
    text = page.content.decode()
    assert 'id="correction-count">2<' in text
    assert "TimeActivity A-" not in text and 'id="correction-reasons"' not in text
    sent_view = owner_client.get(
        reverse("quickbooks:send_report", args=[workspace.pk])
        + "?range=custom&start=2026-03-08&end=2026-03-12&show=sent"
    ).content.decode()
    assert {
        k
        for k in (s.entry_key for s in SentEntry.objects.all())
        if f'id="qbo-deleted-{k}"' in sent_view
    } == {s.entry_key for s in listed}


@pytest.mark.sandbox
@pytest.mark.usefixtures("qbo_settings")
def test_only_admins_of_a_plan_with_quickbooks_and_only_their_workspace(
    workspace, owner, member, linked_connection, sandbox, realm, other_workspace, outsider
):
    entries = sent_entries(workspace, owner, member, 1, "roles")
    entries[0].description = "changed"
    entries[0].save()
    with pytest.raises(PermissionDenied):
        correction_start(
            membership=membership_of(workspace, member), kind="UPDATE", filters=filters_for()
        )
    # Another connected workspace's owner names this workspace's entry: it is not found.
    other_workspace.plan = workspace.plan
    other_workspace.save()
    connect_workspace(other_workspace, sandbox, sandbox.create_company(name="Other"), user=outsider)
    with pytest.raises(ApplicationError, match="None of these entries"):
        correction_start(
            membership=membership_of(other_workspace, outsider),
            kind="DELETE",
            filters=filters_for(),
            entry_keys=[entries[0].pk],
        )
    workspace.plan = "FREE"
    workspace.save()
    with pytest.raises(ApplicationError, match="plan"):
        correction_start(
            membership=membership_of(workspace, owner), kind="UPDATE", filters=filters_for()
        )
    assert SendJob.objects.filter(kind__in=["UPDATE", "DELETE"]).count() == 0


@pytest.mark.sandbox
@pytest.mark.usefixtures("qbo_settings")
def test_a_stale_refusal_recorded_by_a_worker_that_died_is_read_at_the_end(
    workspace, owner, member, linked_connection, sandbox, realm
):
    """QBO's 5010 was recorded, then the worker died before reading the TimeActivity again:
    the run that takes the job over reads it before the job finishes."""
    from quickbooks_sync.qbo.errors import QBOValidationError
    from quickbooks_sync.qbo.types import BatchItemResult
    from quickbooks_sync.services.send_batches import _next_batch
    from quickbooks_sync.services.send_batches import _record_answer

    entries = sent_entries(workspace, owner, member, 1, "died")
    sent = SentEntry.objects.get(entry_key=entries[0].pk)
    sandbox.control(
        "PATCH",
        f"/companies/{realm}/entities/TimeActivity/{sent.qbo_time_activity_id}",
        {"Description": "Theirs"},
        expect=200,
    )
    entries[0].description = "Ours"
    entries[0].save()
    job = correction_start(
        membership=membership_of(workspace, owner), kind="UPDATE", filters=filters_for()
    )
    batch = _next_batch(job)
    assert batch is not None
    stale = QBOValidationError(code="5010")
    assert _record_answer(batch, {"1": BatchItemResult(bid="1", error=stale)}) == 0
    item = SendItem.objects.get(job=job)
    assert (item.state, item.qbo_holds) == ("FAILED", {})

    assert send_run(job_id=job.pk) is True

    item.refresh_from_db()
    assert item.qbo_holds["Description"] == "Theirs"
    sent.refresh_from_db()
    assert (sent.values_sent["Description"], sent.sync_token, sent.version) == ("Theirs", "1", 2)
    assert SendJob.objects.get(pk=job.pk).state == "SUCCEEDED"
