"""Sending time to QuickBooks, in process against the QBO emulator as a real server: what is
sent per entry, what is not and why, QBO's refusals and "Retry failed", the database's
exactly-once constraints, roles and tenants. (Worker processes, faults and crashes:
test_send_resilience.py.)"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid

import pytest
from celery.exceptions import Retry
from django.db import IntegrityError
from django.db import transaction

from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SendBatch
from quickbooks_sync.models import SendItem
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SentEntry
from quickbooks_sync.services.send import ALREADY_SENT
from quickbooks_sync.services.send import COMPANY_CHANGED
from quickbooks_sync.services.send import NOTHING_TO_SEND
from quickbooks_sync.services.send import send_job_get
from quickbooks_sync.services.send import send_preview
from quickbooks_sync.services.send import send_retry_failed
from quickbooks_sync.services.send import send_start
from quickbooks_sync.services.send_batches import send_run
from quickbooks_sync.tasks.send import MAX_RETRIES
from quickbooks_sync.tasks.send import send_job_run
from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.factories import membership_of
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.send_helpers import DAY
from tests.quickbooks_sync.send_helpers import entry
from tests.quickbooks_sync.send_helpers import filters_for
from tests.quickbooks_sync.send_helpers import ledger_row
from tests.quickbooks_sync.send_helpers import link_member
from tests.quickbooks_sync.send_helpers import linked_project
from tests.quickbooks_sync.send_helpers import many_entries
from tests.quickbooks_sync.send_helpers import seed
from tests.quickbooks_sync.send_helpers import time_activities
from tests.quickbooks_sync.sync_support import arm_fault
from tests.sandbox_process import SandboxProcess
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.errors import PermissionDenied
from workspaces.models import Membership

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("qbo_settings")]

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _short_backoff(settings) -> None:
    settings.QBO_SEND_BACKOFF_SECONDS = 0.05


@pytest.fixture
def connection(workspace, owner, sandbox: SandboxProcess, realm: str) -> QBOConnection:
    workspace.time_zone = "America/New_York"
    workspace.save(update_fields=["time_zone"])
    return connect_workspace(workspace, sandbox, realm, user=owner)


def by_description(sandbox: SandboxProcess, realm: str) -> dict[str, dict]:
    return {a["Description"]: a for a in time_activities(sandbox, realm)}


def test_each_entry_becomes_one_time_activity_with_the_reports_rounding(
    workspace, owner, admin, member, connection, sandbox, realm
):
    workspace.rounding_enabled = True
    workspace.rounding_mode = "NEAREST"
    workspace.rounding_minutes = 15
    workspace.save()
    member_employee = link_member(workspace, member, sandbox, realm)
    admin_employee = link_member(workspace, admin, sandbox, realm)
    project, customer = linked_project(workspace, sandbox, realm, "Website", parent="Acme")
    item = seed(sandbox, realm, "Item", Name="Consulting", Type="Service")
    connection.service_item_id = item["Id"]
    connection.save(update_fields=["service_item_id"])
    # 03:30 UTC on the 10th is 23:30 on the 9th in New York (EDT since March 8).
    billable = entry(
        workspace,
        member,
        start=dt.datetime(2026, 3, 10, 3, 30, tzinfo=UTC),
        seconds=4060,  # 1:07:40 -> 1:15 at 15 min nearest
        project=project,
        billable=True,
        rate_cents=7550,
        description="Design review",
    )
    plain = entry(
        workspace,
        admin,
        start=dt.datetime(2026, 3, 10, 15, 0, tzinfo=UTC),
        seconds=1000,  # 0:16:40 -> 0:15
        description="Admin work",
    )
    # 7:29 rounds to nothing at 15 min nearest: not sent, as the report shows 0:00.
    entry(
        workspace,
        member,
        start=dt.datetime(2026, 3, 10, 16, 0, tzinfo=UTC),
        seconds=449,
        project=project,
        description="Blip",
    )
    owner_ms = membership_of(workspace, owner)

    preview = send_preview(membership=owner_ms, filters=filters_for())
    assert (preview.entries, preview.seconds) == (2, 4500 + 900)
    assert {r: (c.entries, c.seconds) for r, c in preview.not_sent.items()} == {"too_short": (1, 0)}

    job = send_start(membership=owner_ms, filters=filters_for())
    assert (job.state, job.selected_count, job.selected_seconds) == ("QUEUED", 2, 5400)
    assert send_run(job_id=job.pk) is True

    job.refresh_from_db()
    assert (job.state, job.sent_count, job.failed_count, job.sent_seconds) == (
        "SUCCEEDED",
        2,
        0,
        5400,
    )
    sent = by_description(sandbox, realm)
    assert set(sent) == {"Design review", "Admin work"}
    design = sent["Design review"]
    assert design["NameOf"] == "Employee"
    assert design["EmployeeRef"]["value"] == member_employee
    assert design["CustomerRef"]["value"] == customer
    assert design["TxnDate"] == "2026-03-09"
    assert (design["Hours"], design["Minutes"]) == (1, 15)
    assert design["BillableStatus"] == "Billable"
    assert float(design["HourlyRate"]) == 75.5
    assert design["ItemRef"]["value"] == item["Id"]
    admin_work = sent["Admin work"]
    assert admin_work["EmployeeRef"]["value"] == admin_employee
    assert "CustomerRef" not in admin_work
    assert admin_work["TxnDate"] == "2026-03-10"
    assert (admin_work["Hours"], admin_work["Minutes"]) == (0, 15)
    assert admin_work["BillableStatus"] == "NotBillable"
    assert "HourlyRate" not in admin_work

    ledger = {s.entry_key: s for s in SentEntry.objects.all()}
    assert set(ledger) == {billable.pk, plain.pk}
    assert ledger[billable.pk].qbo_time_activity_id == design["Id"]
    assert ledger[billable.pk].sync_token == design["SyncToken"] == "0"
    assert ledger[billable.pk].values_sent["Hours"] == 1
    assert ledger[billable.pk].realm_id == realm
    assert ledger[plain.pk].qbo_time_activity_id == admin_work["Id"]

    # Sent once, never again: the preview now says why, and a second send has nothing to do.
    again = send_preview(membership=owner_ms, filters=filters_for())
    assert again.entries == 0
    assert again.not_sent[ALREADY_SENT].entries == 2
    with pytest.raises(ApplicationError, match=NOTHING_TO_SEND):
        send_start(membership=owner_ms, filters=filters_for())
    assert SendJob.objects.count() == 1
    assert len(time_activities(sandbox, realm)) == 2


def test_entries_not_sent_are_grouped_by_reason_over_all_pages(
    workspace, owner, admin, member, connection, sandbox, realm
):
    link_member(workspace, member, sandbox, realm)
    linked, _ = linked_project(workspace, sandbox, realm, "Linked")
    from tests.tracking.factories import ProjectFactory

    unlinked = ProjectFactory(workspace=workspace, name="Not in QuickBooks")
    at = dt.datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    many_entries(workspace, member, linked, 55, tag="ok")  # more than a report page
    entry(workspace, member, start=at, seconds=600, billable=True, description="no project")
    entry(workspace, member, start=at, seconds=24 * 3600, project=linked, description="long")
    entry(workspace, member, start=at, seconds=None, project=linked, description="running")
    entry(workspace, admin, start=at, seconds=1200, project=linked, description="admin")
    entry(workspace, member, start=at, seconds=1800, project=unlinked, description="unlinked")
    # An inactive member who was linked is sent like the rest.
    gone = UserFactory(full_name="Gina Gone")
    MembershipFactory(workspace=workspace, user=gone, status=Membership.Status.INACTIVE)
    link_member(workspace, gone, sandbox, realm)
    entry(workspace, gone, start=at, seconds=600, project=linked, description="inactive")

    preview = send_preview(membership=membership_of(workspace, admin), filters=filters_for())

    assert (preview.entries, preview.seconds) == (56, 55 * 900 + 600)
    assert {r: (c.entries, c.seconds) for r, c in preview.not_sent.items()} == {
        "billable_without_project": (1, 600),
        "too_long": (1, 24 * 3600),
        "running": (1, 0),
        "member_not_linked": (1, 1200),
        "project_not_linked": (1, 1800),
    }
    # The filters apply: only the member's entries.
    mine = send_preview(
        membership=membership_of(workspace, admin), filters=filters_for(members=(str(gone.pk),))
    )
    assert (mine.entries, mine.not_sent_entries) == (1, 0)

    job = send_start(membership=membership_of(workspace, owner), filters=filters_for())
    skipped = dict(
        SendItem.objects.filter(job=job, state="SKIPPED").values_list("reason", "message")
    )
    assert set(skipped) == set(preview.not_sent)
    assert "sync users" in skipped["member_not_linked"]
    assert SendItem.objects.filter(job=job, state="PENDING").count() == 56


def test_only_admins_of_a_connected_workspace_send(
    workspace, owner, member, outsider, other_workspace, connection
):
    with pytest.raises(PermissionDenied):
        send_preview(membership=membership_of(workspace, member), filters=filters_for())
    with pytest.raises(PermissionDenied):
        send_start(membership=membership_of(workspace, member), filters=filters_for())
    with pytest.raises(ApplicationError, match="Connect this workspace"):
        send_start(membership=membership_of(other_workspace, outsider), filters=filters_for())
    connection.status = QBOConnection.Status.NEEDS_RECONNECT
    connection.save(update_fields=["status"])
    with pytest.raises(ApplicationError, match="reconnecting"):
        send_preview(membership=membership_of(workspace, owner), filters=filters_for())
    job = SendJob.objects.create(workspace=workspace, realm_id=connection.realm_id)
    with pytest.raises(NotFound):
        send_job_get(membership=membership_of(other_workspace, outsider), job_id=job.pk)
    with pytest.raises(NotFound):
        send_job_get(membership=membership_of(workspace, owner), job_id="not-an-id")
    assert send_job_get(membership=membership_of(workspace, owner), job_id=job.pk) == job


def test_closed_books_fail_that_entry_with_qbos_reason_and_retry_sends_it(
    workspace, owner, member, connection, sandbox, realm
):
    link_member(workspace, member, sandbox, realm)
    project, _ = linked_project(workspace, sandbox, realm, "Books")
    closed_day = entry(
        workspace,
        member,
        start=dt.datetime.combine(DAY - dt.timedelta(days=1), dt.time(15), tzinfo=UTC),
        seconds=3600,
        project=project,
        description="closed",
    )
    entry(
        workspace,
        member,
        start=dt.datetime.combine(DAY, dt.time(15), tzinfo=UTC),
        seconds=3600,
        project=project,
        description="open",
    )
    book_close = (DAY - dt.timedelta(days=1)).isoformat()
    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": book_close})
    owner_ms = membership_of(workspace, owner)

    job = send_start(membership=owner_ms, filters=filters_for())
    send_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.state, job.sent_count, job.failed_count) == ("SUCCEEDED", 1, 1)
    failed = SendItem.objects.get(job=job, state="FAILED")
    assert failed.entry_key == closed_day.pk
    assert failed.reason == "qbo_6210"
    assert "Close the books" in failed.message
    assert set(by_description(sandbox, realm)) == {"open"}
    assert not SentEntry.objects.filter(entry_key=closed_day.pk).exists()

    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": None})
    job = send_retry_failed(membership=owner_ms, job_id=job.pk)
    assert job.state == "QUEUED"
    send_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.state, job.sent_count, job.failed_count) == ("SUCCEEDED", 2, 0)
    assert sorted(by_description(sandbox, realm)) == ["closed", "open"]
    with pytest.raises(ApplicationError, match="Nothing to retry"):
        send_retry_failed(membership=owner_ms, job_id=job.pk)


def test_a_lost_connection_stops_the_job_and_retry_finishes_it(
    workspace, owner, member, connection, sandbox, realm
):
    link_member(workspace, member, sandbox, realm)
    entries = many_entries(workspace, member, None, 3, tag="stop")
    job = send_start(membership=membership_of(workspace, owner), filters=filters_for())
    QBOConnection.objects.filter(pk=connection.pk).update(
        status=QBOConnection.Status.NEEDS_RECONNECT
    )

    send_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == "FAILED"
    assert "reconnecting" in job.error
    assert job.failed_count == 3
    assert time_activities(sandbox, realm) == []

    QBOConnection.objects.filter(pk=connection.pk).update(status=QBOConnection.Status.CONNECTED)
    send_retry_failed(membership=membership_of(workspace, owner), job_id=job.pk)
    send_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.sent_count) == ("SUCCEEDED", 3)
    assert sorted(by_description(sandbox, realm)) == sorted(e.description for e in entries)


def test_a_read_only_company_refuses_the_batch_and_nothing_is_marked_sent(
    workspace, owner, member, connection, sandbox, realm
):
    link_member(workspace, member, sandbox, realm)
    many_entries(workspace, member, None, 2, tag="ro")
    sandbox.control("PATCH", f"/companies/{realm}", {"subscription_status": "CANCELLED"})
    job = send_start(membership=membership_of(workspace, owner), filters=filters_for())
    send_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.failed_count, job.sent_count) == ("SUCCEEDED", 2, 0)
    assert set(SendItem.objects.filter(job=job).values_list("reason", flat=True)) == {"qbo_3100"}
    assert not SentEntry.objects.exists()


def test_the_database_refuses_a_second_send_of_an_entry(workspace, owner, member, connection):
    e = entry(workspace, member, start=dt.datetime(2026, 3, 10, tzinfo=UTC), seconds=600)
    job = SendJob.objects.create(workspace=workspace, realm_id=connection.realm_id)
    other = SendJob.objects.create(workspace=workspace, realm_id=connection.realm_id)

    ledger_row(e, realm_id=connection.realm_id, activity_id="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger_row(e, realm_id=connection.realm_id, activity_id="2")
    SendItem.objects.create(workspace=workspace, job=job, time_entry=e, entry_key=e.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        SendItem.objects.create(workspace=workspace, job=other, time_entry=e, entry_key=e.pk)
    # Deleting a sent entry keeps the record of what QuickBooks holds.
    SendItem.objects.all().delete()
    key = e.pk
    e.delete()
    kept = SentEntry.objects.get(entry_key=key)
    assert kept.time_entry is None


def test_a_qbo_that_keeps_failing_stops_the_job_and_retry_resends_the_same_batch(
    workspace, owner, member, connection, sandbox, realm, settings
):
    settings.QBO_SEND_MAX_TRIES = 2
    link_member(workspace, member, sandbox, realm)
    entries = many_entries(workspace, member, None, 3, tag="down")
    arm_fault(sandbox, realm, "500", path="batch", count=1000)
    job_id = send_start(membership=membership_of(workspace, owner), filters=filters_for()).pk

    runs = 0
    while SendJob.objects.get(pk=job_id).is_active and runs < 20:
        runs += 1
        # Called directly, the task raises Retry instead of scheduling its retry.
        with contextlib.suppress(Retry):
            send_job_run(job_id)

    job = SendJob.objects.get(pk=job_id)
    assert runs == MAX_RETRIES + 1
    assert job.state == "FAILED"
    assert "did not answer after repeated tries" in job.error
    batch = SendBatch.objects.get(job=job)
    assert batch.attempts == 2 * (MAX_RETRIES + 1)
    # Whether QBO has the batch is unknown to the product: its items stay PENDING (and so
    # cannot be picked up by another send) until "Retry failed" sends it with its request id.
    assert set(SendItem.objects.filter(job=job).values_list("state", flat=True)) == {"PENDING"}

    sandbox.control("DELETE", "/faults")
    send_retry_failed(membership=membership_of(workspace, owner), job_id=job_id)
    send_run(job_id=job_id)

    job.refresh_from_db()
    assert (job.state, job.sent_count, job.interruptions) == ("SUCCEEDED", 3, 0)
    assert SendBatch.objects.filter(job=job).count() == 1
    assert sorted(by_description(sandbox, realm)) == sorted(e.description for e in entries)


def test_a_send_never_goes_to_a_company_connected_after_it_started(
    workspace, owner, member, connection, sandbox, realm
):
    link_member(workspace, member, sandbox, realm)
    many_entries(workspace, member, None, 2, tag="moved")
    job = send_start(membership=membership_of(workspace, owner), filters=filters_for())
    other_realm = sandbox.create_company(name=f"Other Co {uuid.uuid4().hex[:8]}")
    connect_workspace(workspace, sandbox, other_realm, user=owner)

    send_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.state, job.error) == ("FAILED", COMPANY_CHANGED)
    assert time_activities(sandbox, realm) == time_activities(sandbox, other_realm) == []
    with pytest.raises(ApplicationError, match="different QuickBooks company"):
        send_retry_failed(membership=membership_of(workspace, owner), job_id=job.pk)


def test_an_answer_leaving_an_entry_out_asks_again_with_the_same_request_id(
    workspace, owner, member, connection, sandbox, realm, monkeypatch
):
    """QBO answers the batch without one of its items: whether it created that one is unknown,
    so the batch is asked again with its request id (QBO answers from its store), never with a
    new one. The answered items are recorded at once and not sent again."""
    from quickbooks_sync.qbo.session import QBOSession

    link_member(workspace, member, sandbox, realm)
    entries = many_entries(workspace, member, None, 3, tag="partial")
    real_call = QBOSession._call
    cut = {"left": 1}

    def answer_without_the_first_item(self, what, *args, **kwargs):
        data = real_call(self, what, *args, **kwargs)
        if what == "send time activities" and cut["left"]:
            cut["left"] -= 1
            data = {**data, "BatchItemResponse": data["BatchItemResponse"][1:]}
        return data

    monkeypatch.setattr(QBOSession, "_call", answer_without_the_first_item)
    job = send_start(membership=membership_of(workspace, owner), filters=filters_for())

    assert send_run(job_id=job.pk) is True

    job.refresh_from_db()
    assert (job.state, job.sent_count, job.failed_count) == ("SUCCEEDED", 3, 0)
    batch = SendBatch.objects.get(job=job)
    assert (batch.state, batch.attempts) == ("DONE", 2)
    log = sandbox.control("GET", f"/requests?realm={realm}&limit=20")["requests"]
    asked = [r["request_id"] for r in log if "/batch" in r["path"]]
    assert asked == [batch.request_id, batch.request_id]
    activities = by_description(sandbox, realm)
    assert sorted(activities) == sorted(e.description for e in entries)
    ledger = dict(SentEntry.objects.values_list("entry_key", "qbo_time_activity_id"))
    assert ledger == {e.pk: activities[e.description]["Id"] for e in entries}


def test_an_entry_without_an_answer_stays_pending_in_its_batch(
    workspace, owner, member, connection, sandbox, realm
):
    """_record_answer with a crafted answer: the entry left out keeps its batch (and request
    id) open; the others are recorded; a stopped job keeps it for "Retry failed"."""
    from quickbooks_sync.qbo.errors import QBOTransientError
    from quickbooks_sync.qbo.errors import QBOValidationError
    from quickbooks_sync.qbo.types import BatchItemResult
    from quickbooks_sync.services.send_batches import _next_batch
    from quickbooks_sync.services.send_batches import _record_answer

    link_member(workspace, member, sandbox, realm)
    many_entries(workspace, member, None, 3, tag="crafted")
    job = send_start(membership=membership_of(workspace, owner), filters=filters_for())
    batch = _next_batch(job)
    assert batch is not None
    missing = QBOTransientError(code="connection", message="no answer for this item")
    results = {
        "1": BatchItemResult(bid="1", time_activity_id="901", sync_token="0"),
        "2": BatchItemResult(bid="2", error=QBOValidationError(code="6210")),
        "3": BatchItemResult(bid="3", error=missing, answered=False),
    }

    assert _record_answer(batch, results) == 1

    batch.refresh_from_db()
    assert batch.state == "PENDING"
    states = dict(SendItem.objects.filter(batch=batch).values_list("bid", "state"))
    assert states == {"1": "SENT", "2": "FAILED", "3": "PENDING"}
    # The same answer again (another worker, the same request id) writes nothing twice.
    assert _record_answer(batch, results) == 1
    assert SentEntry.objects.count() == 1
    # The full answer closes the batch.
    assert _record_answer(batch, {"3": BatchItemResult(bid="3", time_activity_id="903")}) == 0
    batch.refresh_from_db()
    assert batch.state == "DONE"
    assert sorted(SentEntry.objects.values_list("qbo_time_activity_id", flat=True)) == [
        "901",
        "903",
    ]


def test_a_removed_member_who_was_linked_is_sent(workspace, owner, connection, sandbox, realm):
    gone = UserFactory(full_name="Rita Removed")
    MembershipFactory(workspace=workspace, user=gone, status=Membership.Status.REMOVED)
    employee = link_member(workspace, gone, sandbox, realm)
    entry(
        workspace,
        gone,
        start=dt.datetime(2026, 3, 10, 15, tzinfo=UTC),
        seconds=1800,
        description="removed",
    )

    preview = send_preview(membership=membership_of(workspace, owner), filters=filters_for())
    assert (preview.entries, preview.not_sent_entries) == (1, 0)
    job = send_start(membership=membership_of(workspace, owner), filters=filters_for())
    send_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.state, job.sent_count) == ("SUCCEEDED", 1)
    sent = by_description(sandbox, realm)["removed"]
    assert sent["EmployeeRef"]["value"] == employee
    assert (sent["Hours"], sent["Minutes"]) == (0, 30)


def test_a_401_in_the_middle_of_a_job_refreshes_the_token_exactly_once(
    workspace, owner, member, connection, sandbox, realm, monkeypatch
):
    from quickbooks_sync.services import send_batches as send_service

    link_member(workspace, member, sandbox, realm)
    entries = many_entries(workspace, member, None, 75, tag="mid401")  # three batches
    real_record = send_service._record_answer
    expired = []

    def expire_after_the_first_batch(batch, results):
        left = real_record(batch, results)
        if not expired:
            expired.append(batch.pk)
            sandbox.control("POST", f"/companies/{realm}/expire-tokens")
        return left

    monkeypatch.setattr(send_service, "_record_answer", expire_after_the_first_batch)
    first_logged = sandbox.control("GET", "/requests?limit=1")["requests"][0]["id"]
    job = send_start(membership=membership_of(workspace, owner), filters=filters_for())

    send_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.state, job.sent_count) == ("SUCCEEDED", 75)
    log = [
        r
        for r in sandbox.control("GET", "/requests?limit=200")["requests"]
        if r["id"] > first_logged
    ]
    refreshes = [r for r in log if r["path"].startswith("/oauth2/v1/tokens/bearer")]
    rejected = [r for r in log if r["status"] == 401]
    assert (len(refreshes), len(rejected)) == (1, 1)
    assert len(time_activities(sandbox, realm)) == len(entries)


def test_giving_up_leaves_a_job_another_worker_holds_alone(
    workspace, owner, member, connection, sandbox, realm
):
    from quickbooks_sync.services.send_batches import send_give_up
    from quickbooks_sync.services.send_lease import Lease as _Lease

    link_member(workspace, member, sandbox, realm)
    many_entries(workspace, member, None, 2, tag="held")
    job = send_start(membership=membership_of(workspace, owner), filters=filters_for())
    lease = _Lease(job.pk)
    assert lease.claim() is not None  # another worker took the job over and is sending

    assert send_give_up(job_id=job.pk, error="QuickBooks did not answer.") is False
    job.refresh_from_db()
    assert (job.state, job.error) == ("RUNNING", "")

    lease.release()
    assert send_give_up(job_id=job.pk, error="QuickBooks did not answer.") is True
    job.refresh_from_db()
    assert (job.state, job.error) == ("FAILED", "QuickBooks did not answer.")


def test_without_rounding_the_totals_are_the_whole_minutes_quickbooks_gets(
    workspace, owner, member, connection, sandbox, realm
):
    link_member(workspace, member, sandbox, realm)
    at = dt.datetime(2026, 3, 10, 15, tzinfo=UTC)
    for n, seconds in enumerate((89, 151, 3629)):  # 1:29 -> 1 min, 2:31 -> 3, 1:00:29 -> 60
        entry(
            workspace,
            member,
            start=at + dt.timedelta(hours=2 * n),
            seconds=seconds,
            description=f"odd-{n}",
        )

    preview = send_preview(membership=membership_of(workspace, owner), filters=filters_for())
    assert (preview.seconds, preview.report_seconds) == (64 * 60, 89 + 151 + 3629)
    job = send_start(membership=membership_of(workspace, owner), filters=filters_for())
    assert job.selected_seconds == 64 * 60
    send_run(job_id=job.pk)
    job.refresh_from_db()
    sent = sum(a["Hours"] * 3600 + a["Minutes"] * 60 for a in time_activities(sandbox, realm))
    assert job.sent_seconds == sent == 64 * 60


def test_a_workspace_whose_plan_lost_quickbooks_cannot_send(
    workspace, owner, member, connection, sandbox, realm
):
    from quickbooks_sync.selectors.send import can_send
    from quickbooks_sync.services.send import PLAN_REQUIRED

    link_member(workspace, member, sandbox, realm)
    many_entries(workspace, member, None, 2, tag="plan")
    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": DAY.isoformat()})
    job = send_start(membership=membership_of(workspace, owner), filters=filters_for())
    send_run(job_id=job.pk)
    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": None})
    assert SendJob.objects.get(pk=job.pk).failed_count == 2
    assert can_send(membership_of(workspace, owner))

    workspace.plan = workspace.Plan.FREE
    workspace.save(update_fields=["plan"])
    owner_ms = membership_of(workspace, owner)

    assert not can_send(owner_ms)
    for attempt in (
        lambda: send_preview(membership=owner_ms, filters=filters_for()),
        lambda: send_start(membership=owner_ms, filters=filters_for()),
        lambda: send_retry_failed(membership=owner_ms, job_id=job.pk),
    ):
        with pytest.raises(PermissionDenied, match="needs the Standard, Pro or Enterprise"):
            attempt()
    assert PLAN_REQUIRED.startswith("Sending time to QuickBooks")
    assert SendJob.objects.count() == 1
    assert SendJob.objects.get(pk=job.pk).state == "SUCCEEDED"
    assert time_activities(sandbox, realm) == []
