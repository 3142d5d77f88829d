"""The pages of correcting what was sent, against the QBO emulator as a real server (jobs run
in-process with send_run): the sent view's "QuickBooks holds" column and marked cells, the
confirmation listing each change, the job's outcome, the deleted-here list, and roles, tenants,
the plan and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SentEntry
from quickbooks_sync.services.send_batches import send_run
from tests.api.conftest import api_client_for
from tests.quickbooks_sync.send_helpers import entry
from tests.quickbooks_sync.send_helpers import ledger_row
from tests.quickbooks_sync.send_helpers import start_send
from tests.quickbooks_sync.send_helpers import time_activities
from workspaces.models import AuditLog

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("qbo_settings")]

FILTER = "range=custom&start=2026-03-08&end=2026-03-12"


@pytest.fixture
def sent(workspace, owner, member, linked_connection):
    at = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
    made = {
        name: entry(
            workspace, member, start=at + dt.timedelta(hours=n), seconds=3600, description=name
        )
        for n, name in enumerate(("Design", "Review", "Gone"))
    }
    assert send_run(job_id=start_send(workspace, owner)) is True
    return made


def url(workspace, name: str, **kwargs: str) -> str:
    return reverse(f"quickbooks:{name}", kwargs={"ws": workspace.pk, **kwargs})


def text(response) -> str:
    return response.content.decode()


def test_sent_view_shows_what_quickbooks_holds_and_update_goes_after_confirmation(
    workspace, owner, owner_client, sent, sandbox, realm
):
    design = sent["Design"]
    design.end += dt.timedelta(minutes=30)
    design.duration_seconds += 1800
    design.save()

    page = text(owner_client.get(url(workspace, "send_report") + f"?{FILTER}&show=sent"))
    assert 'data-differs="true"' in page
    assert '<li data-field="Duration"><strong>Duration:</strong> 1:00' in page
    assert "(here: 1:30)" in page
    assert 'class="num differs"' in page
    assert page.count("Same as here") == 2
    assert 'id="update-all-changed"' in page and 'id="delete-selected"' in page

    confirm = url(workspace, "corrections_confirm") + f"?kind=update&{FILTER}"
    page = text(owner_client.get(confirm))
    assert 'id="correction-count">1<' in page
    assert '<span class="was">1:00</span> → 1:30' in page
    assert "Same in QuickBooks" in page  # the two others, by reason
    assert SendJob.objects.filter(kind="UPDATE").count() == 0  # a preview saves nothing

    response = owner_client.post(
        url(workspace, "corrections_confirm"),
        {"kind": "update", "range": "custom", "start": "2026-03-08", "end": "2026-03-12"},
    )
    job = SendJob.objects.get(kind="UPDATE")
    assert response.status_code == 302
    assert response["Location"] == url(workspace, "send_job", job_id=job.pk)
    assert send_run(job_id=job.pk) is True
    page = text(owner_client.get(url(workspace, "send_job", job_id=job.pk)))
    assert "<h1>Update in QuickBooks</h1>" in page
    assert "Updated in QuickBooks 1 of 1 entry" in page
    activity = next(a for a in time_activities(sandbox, realm) if a["Description"] == "Design")
    assert (activity["Hours"], activity["Minutes"]) == (1, 30)
    page = text(owner_client.get(url(workspace, "send_report") + f"?{FILTER}&show=sent"))
    assert page.count("Same as here") == 3 and "version 2" in page
    assert AuditLog.objects.filter(event="quickbooks.update_started").count() == 1
    # The REST API says the job's kind and the ledger's versions.
    api = api_client_for(owner)
    base = f"/api/v1/workspaces/{workspace.pk}/quickbooks"
    assert api.get(f"{base}/sends/{job.pk}").json()["kind"] == "UPDATE"
    rows = {r["timeEntryId"]: r for r in api.get(f"{base}/sent-entries").json()}
    assert (rows[design.pk]["version"], rows[design.pk]["valuesSent"]["Minutes"]) == (2, 30)
    assert rows[design.pk]["updatedAt"] and rows[design.pk]["deletedFromQuickBooksAt"] is None


def test_deleted_entries_are_listed_and_deleted_from_quickbooks(
    workspace, owner_client, sent, sandbox, realm
):
    key = sent["Gone"].pk
    sent["Gone"].delete()
    page = text(owner_client.get(url(workspace, "send_report") + f"?{FILTER}&show=sent"))
    assert 'id="qbo-deleted-here"' in page and f'id="qbo-deleted-{key}"' in page

    confirm = url(workspace, "corrections_confirm") + f"?kind=delete&entry={key}&{FILTER}"
    page = text(owner_client.get(confirm))
    assert "Delete from QuickBooks?" in page and 'id="correction-count">1<' in page
    response = owner_client.post(
        url(workspace, "corrections_confirm"),
        {
            "kind": "delete",
            "entry": key,
            "range": "custom",
            "start": "2026-03-08",
            "end": "2026-03-12",
        },
    )
    assert response.status_code == 302
    assert send_run(job_id=SendJob.objects.get(kind="DELETE").pk) is True
    assert {a["Description"] for a in time_activities(sandbox, realm)} == {"Design", "Review"}
    assert SentEntry.objects.get(entry_key=key).deleted_at is not None
    page = text(owner_client.get(url(workspace, "send_report") + f"?{FILTER}&show=sent"))
    assert 'id="qbo-deleted-here"' not in page


def test_members_outsiders_and_bad_input_are_refused(
    workspace, owner_client, member_client, outsider_client, sent
):
    confirm = url(workspace, "corrections_confirm") + f"?kind=update&{FILTER}"
    assert member_client.get(confirm).status_code == 403
    assert member_client.post(confirm, {"kind": "update"}).status_code == 403
    assert outsider_client.get(confirm).status_code == 404
    none_chosen = owner_client.get(
        url(workspace, "corrections_confirm") + f"?kind=update&scope=selected&{FILTER}"
    )
    assert none_chosen.status_code == 400 and "Choose at least one entry" in text(none_chosen)
    bad_kind = owner_client.get(url(workspace, "corrections_confirm") + f"?kind=nope&{FILTER}")
    assert bad_kind.status_code == 400 and "Choose Update" in text(bad_kind)
    nothing = owner_client.post(
        url(workspace, "corrections_confirm"),
        {"kind": "update", "range": "custom", "start": "2026-03-08", "end": "2026-03-12"},
    )
    assert nothing.status_code == 400 and "No sent entry within these filters differs" in text(
        nothing
    )
    assert SendJob.objects.filter(kind__in=["UPDATE", "DELETE"]).count() == 0
    # Members never see the sent view (nor its buttons).
    assert (
        member_client.get(url(workspace, "send_report") + f"?{FILTER}&show=sent").status_code == 403
    )


def test_without_the_plan_the_buttons_are_gone_and_the_server_refuses(
    workspace, owner_client, sent
):
    workspace.plan = "FREE"
    workspace.save()
    page = text(owner_client.get(url(workspace, "send_report") + f"?{FILTER}&show=sent"))
    assert 'id="update-all-changed"' not in page and 'id="delete-selected"' not in page
    refused = owner_client.post(
        url(workspace, "corrections_confirm"),
        {
            "kind": "delete",
            "entry": sent["Design"].pk,
            "range": "custom",
            "start": "2026-03-08",
            "end": "2026-03-12",
        },
    )
    assert refused.status_code == 400 and "plan" in text(refused)
    assert SendJob.objects.filter(kind="DELETE").count() == 0


def test_the_sent_view_runs_the_same_queries_for_few_or_many_entries(
    workspace, owner, owner_client, member, linked_connection
):
    from django.db import connection as db_connection
    from django.test.utils import CaptureQueriesContext

    at = dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)
    sent_view = url(workspace, "send_report") + f"?{FILTER}&show=sent"
    owner_client.get(sent_view)  # warm the session
    counts = []
    for first, last in ((0, 3), (3, 30)):
        for n in range(first, last):
            made = entry(workspace, member, start=at + dt.timedelta(minutes=10 * n), seconds=300)
            ledger_row(
                made,
                realm_id=linked_connection.realm_id,
                activity_id=str(100 + n),
                values_sent={"TxnDate": "2026-03-10", "Hours": 0, "Minutes": 4},
            )
        with CaptureQueriesContext(db_connection) as queries:
            page = text(owner_client.get(sent_view))
        assert page.count('class="qbo-holds"') == last
        assert page.count("<strong>Duration:</strong> 0:04") == last
        counts.append(len(queries))
        # The connection row is read once for the page (banner, sync check, names, ...).
        reads = [
            q
            for q in queries.captured_queries
            if 'FROM "quickbooks_sync_qboconnection"' in q["sql"]
        ]
        assert len(reads) == 1, reads
    assert counts[0] == counts[1]


def test_a_stale_refusal_shows_what_quickbooks_holds_on_the_jobs_page(
    workspace, owner_client, member_client, sent, sandbox, realm
):
    review = sent["Review"]
    ledger = SentEntry.objects.get(entry_key=review.pk)
    sandbox.control(
        "PATCH",
        f"/companies/{realm}/entities/TimeActivity/{ledger.qbo_time_activity_id}",
        {"Description": "Theirs"},
        expect=200,
    )
    review.description = "Ours"
    review.save()
    owner_client.post(
        url(workspace, "corrections_confirm"),
        {"kind": "update", "range": "custom", "start": "2026-03-08", "end": "2026-03-12"},
    )
    job = SendJob.objects.get(kind="UPDATE")
    assert send_run(job_id=job.pk) is True

    page = text(owner_client.get(url(workspace, "send_job", job_id=job.pk)))
    assert 'data-testid="qbo-holds-now"' in page
    assert "QuickBooks holds <strong>Description:</strong> Theirs" in page
    assert "(to send: Ours)" in page and "nothing was overwritten" in page
    # The sent view now compares with what QuickBooks holds.
    page = text(owner_client.get(url(workspace, "send_report") + f"?{FILTER}&show=sent"))
    assert '<strong>Description:</strong> Theirs <span class="muted">(here: Ours)</span>' in page
    # Members see none of it: no QuickBooks view, no corrections on their report.
    report = text(member_client.get(reverse("reports:detailed", kwargs={"ws": workspace.pk})))
    assert "corrections" not in report and "Update in QuickBooks" not in report
    assert member_client.get(url(workspace, "send_job", job_id=job.pk)).status_code == 403
