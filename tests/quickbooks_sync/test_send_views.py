"""Send to QuickBooks, pages and REST API, against the QBO emulator as a real server (jobs are
run in-process with send_run: on_commit does not fire inside a test transaction; the browser
test runs a real worker): the Detailed report's QuickBooks button and view, the confirmation
with counts by reason, the job's progress fragment and outcome, Retry failed, "changed since
sent" in the sent view and the edit forms, the delete warning, the service item setting, and
roles, tenants, CSRF and bad filters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection as db_connection
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SentEntry
from quickbooks_sync.services.send_batches import send_run
from tests.api.conftest import api_client_for
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.connection_helpers import stored_connection
from tests.quickbooks_sync.send_helpers import entry
from tests.quickbooks_sync.send_helpers import ledger_row
from tests.quickbooks_sync.send_helpers import link_member
from tests.quickbooks_sync.send_helpers import linked_project
from tests.quickbooks_sync.send_helpers import many_entries
from tests.quickbooks_sync.send_helpers import seed
from tests.quickbooks_sync.send_helpers import time_activities
from tests.quickbooks_sync.sync_support import arm_fault
from tests.sandbox_process import SandboxProcess
from workspaces.models import AuditLog

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("qbo_settings")]

UTC = dt.UTC
DAY = dt.date(2026, 3, 10)
FILTER = "range=custom&start=2026-03-08&end=2026-03-12"
BODY = {"dateRangeStart": "2026-03-08T00:00:00Z", "dateRangeEnd": "2026-03-13T00:00:00Z"}


@pytest.fixture
def connection(workspace, owner, sandbox: SandboxProcess, realm: str) -> QBOConnection:
    return connect_workspace(workspace, sandbox, realm, user=owner)


@pytest.fixture
def entries(workspace, member, admin, connection, sandbox, realm):
    """Two sendable entries of the member and one billable without a project."""
    link_member(workspace, member, sandbox, realm)
    project, _ = linked_project(workspace, sandbox, realm, "Website", parent="Acme")
    at = dt.datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    return {
        "design": entry(
            workspace, member, start=at, seconds=3600, project=project, description="Design"
        ),
        "review": entry(
            workspace,
            member,
            start=at + dt.timedelta(hours=2),
            seconds=1800,
            project=project,
            billable=True,
            rate_cents=5000,
            description="Review",
        ),
        "loose": entry(
            workspace,
            member,
            start=at + dt.timedelta(hours=4),
            seconds=900,
            billable=True,
            description="Loose end",
        ),
    }


def page_url(workspace, name: str, **kwargs: str) -> str:
    return reverse(f"quickbooks:{name}", kwargs={"ws": workspace.pk, **kwargs})


def api(workspace, tail: str) -> str:
    return f"/api/v1/workspaces/{workspace.pk}/quickbooks/{tail}"


def text(response) -> str:
    return response.content.decode()


def run_latest(workspace) -> SendJob:
    job = SendJob.objects.filter(workspace=workspace).latest("created_at")
    assert send_run(job_id=job.pk) is True
    job.refresh_from_db()
    return job


# --- the button ----------------------------------------------------------------------------


def test_the_quickbooks_button_shows_for_owner_and_admins_of_a_connected_workspace(
    workspace, owner_client, admin_client_, member_client
):
    detailed = reverse("reports:detailed", kwargs={"ws": workspace.pk}) + "?" + FILTER
    assert 'id="quickbooks-view"' not in text(owner_client.get(detailed))  # not connected
    connection = stored_connection(workspace, realm_id="1")
    for client in (owner_client, admin_client_):
        page = text(client.get(detailed))
        link = re.search(r'id="quickbooks-view" href="([^"]+)"', page)
        assert link is not None
        assert link.group(1) == page_url(workspace, "send_report") + "?" + FILTER.replace(
            "&", "&amp;"
        )
    assert 'id="quickbooks-view"' not in text(member_client.get(detailed))
    # The button and the reconnect banner (both on this page for admins) read the row once.
    with CaptureQueriesContext(db_connection) as queries:
        owner_client.get(detailed)
    assert sum("quickbooks_sync_qboconnection" in q["sql"] for q in queries.captured_queries) == 1
    connection.status = QBOConnection.Status.NEEDS_RECONNECT
    connection.save()
    page = text(owner_client.get(detailed))
    assert 'id="quickbooks-view"' not in page
    assert "needs reconnecting" in page.lower()
    connection.status = QBOConnection.Status.DISCONNECTED
    connection.save()
    assert 'id="quickbooks-view"' not in text(owner_client.get(detailed))


# --- the whole flow on the pages -------------------------------------------------------------


def test_view_confirm_send_outcome_and_sent_view(
    workspace, owner_client, member_client, entries, sandbox, realm
):
    report = page_url(workspace, "send_report") + "?" + FILTER
    page = text(owner_client.get(report))
    assert "Showing not sent entries" in page and "Show sent entries" in page
    for e in entries.values():
        assert f'id="qbo-row-{e.pk}"' in page

    confirm = page_url(workspace, "send_confirm") + "?" + FILTER
    page = text(owner_client.get(confirm))
    assert re.search(r'id="send-entries">2<', page)
    assert re.search(r'id="send-hours">1:30:00<', page)
    assert 'data-reason="billable_without_project"' in page
    assert "Billable without a project" in page
    assert SendJob.objects.count() == 0  # a preview saves nothing

    response = owner_client.post(confirm)
    job = SendJob.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert response["Location"] == page_url(workspace, "send_job", job_id=job.pk)
    status_url = page_url(workspace, "send_job_status", job_id=job.pk)
    fragment = text(owner_client.get(status_url))
    assert 'data-state="QUEUED"' in fragment and 'hx-trigger="every 1s"' in fragment
    assert "<progress" in fragment

    job = run_latest(workspace)
    assert job.state == "SUCCEEDED" and job.sent_count == 2
    page = text(owner_client.get(page_url(workspace, "send_job", job_id=job.pk)))
    assert 'data-state="SUCCEEDED"' in page and "hx-trigger" not in page
    assert re.search(r'id="outcome-sent">2 entries', page)
    assert page.count('data-state="SENT"') == 2
    assert f'data-entry="{entries["loose"].pk}"' in page
    assert "Billable without a project" in page

    # Not sent view: only the refused one is left; the sent view has the TimeActivity ids.
    page = text(owner_client.get(report))
    assert f'id="qbo-row-{entries["loose"].pk}"' in page
    assert f'id="qbo-row-{entries["design"].pk}"' not in page
    sent = text(owner_client.get(report + "&show=sent"))
    assert "Showing sent entries" in sent
    ids = {a["Description"]: a["Id"] for a in time_activities(sandbox, realm)}
    for name in ("design", "review"):
        assert f'id="qbo-row-{entries[name].pk}"' in sent
        assert f'<td class="time-activity-id">{ids[entries[name].description]}</td>' in sent
    assert "Changed since sent" not in sent

    # Edited after sending: marked in the sent view, and the edit forms say QBO keeps the values.
    design = entries["design"]
    design.description = "Design (fixed)"
    design.updated_at = timezone.now()
    design.save()
    sent = text(owner_client.get(report + "&show=sent"))
    assert sent.count("changed-since-sent") == 1
    form = text(member_client.get(reverse("tracking:entry_edit", args=[workspace.pk, design.pk])))
    assert "Changed since it was sent to QuickBooks" in form
    assert "QuickBooks keeps the values that were sent" in form
    row_edit = text(owner_client.get(reverse("reports:entry_edit", args=[workspace.pk, design.pk])))
    assert "Changed since it was sent to QuickBooks" in row_edit
    review_form = text(
        member_client.get(
            reverse("tracking:entry_edit", args=[workspace.pk, entries["review"].pk]),
            headers={"HX-Request": "true"},
        )
    )
    assert "Sent to QuickBooks on" in review_form and "Changed since" not in review_form
    loose_form = text(
        member_client.get(reverse("tracking:entry_edit", args=[workspace.pk, entries["loose"].pk]))
    )
    assert "QuickBooks" not in loose_form


def test_deleting_a_sent_entry_warns_that_quickbooks_keeps_it(
    workspace, member, member_client, entries, owner, sandbox, realm
):
    from quickbooks_sync.services.send import send_start
    from tests.quickbooks_sync.send_helpers import filters_for
    from workspaces.models import Membership

    ms = Membership.objects.select_related("workspace", "user").get(workspace=workspace, user=owner)
    send_start(membership=ms, filters=filters_for())
    run_latest(workspace)
    # Entries of March 2026 show in the tracker with enough weeks.
    weeks = (timezone.now().date() - DAY).days // 7 + 2
    page = text(
        member_client.get(reverse("tracking:tracker", args=[workspace.pk]) + f"?weeks={weeks}")
    )
    sent = SentEntry.objects.get(entry_key=entries["design"].pk)
    design_row = page[page.index(f'id="entry-{entries["design"].pk}"') :]
    design_row = design_row[: design_row.index("</div>\n", design_row.index("Delete"))]
    assert f"It was sent to QuickBooks (TimeActivity {sent.qbo_time_activity_id})" in design_row
    loose_row = page[page.index(f'id="entry-{entries["loose"].pk}"') :]
    loose_row = loose_row[: loose_row.index('data-confirm="Delete this entry?"') + 40]
    assert "sent to QuickBooks" not in loose_row
    # Deleting is allowed; the record of what QuickBooks holds stays.
    response = member_client.post(
        reverse("tracking:entry_delete", args=[workspace.pk, entries["design"].pk])
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.time_entry_id is None and sent.qbo_time_activity_id


def test_a_refusal_is_shown_per_entry_with_what_to_do_and_retry_failed_sends_it(
    workspace, owner_client, entries, sandbox, realm
):
    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": "2026-03-10"})
    owner_client.post(page_url(workspace, "send_confirm") + "?" + FILTER)
    job = run_latest(workspace)
    assert job.failed_count == 2
    page = text(owner_client.get(page_url(workspace, "send_job", job_id=job.pk)))
    assert page.count('data-state="FAILED"') == 2
    assert "Close the books" in page
    assert 'id="retry-failed"' in page
    # One line opens the outcome; the refusals are grouped by what QuickBooks said.
    assert re.search(r'id="outcome-line".*Sent 0 of 2 entries \(0:00:00\); 2 refused', page)
    refusals = page.split('id="outcome-refusals"', 1)[1].split("</table>", 1)[0]
    assert refusals.count("<tr>") == 2  # the header and one reason for both entries
    assert "Close the books" in refusals and '<td class="num">2</td>' in refusals

    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": None})
    response = owner_client.post(page_url(workspace, "send_retry", job_id=job.pk))
    assert response.status_code == 302
    job = run_latest(workspace)
    assert (job.state, job.sent_count, job.failed_count) == ("SUCCEEDED", 2, 0)
    page = text(owner_client.get(page_url(workspace, "send_job", job_id=job.pk)))
    assert 'id="retry-failed"' not in page
    # Nothing left to retry: said on the page, nothing changes.
    follow = owner_client.post(page_url(workspace, "send_retry", job_id=job.pk), follow=True)
    assert "Nothing to retry" in text(follow)


def test_nothing_to_send_is_said_and_saves_nothing(workspace, owner_client, connection):
    confirm = page_url(workspace, "send_confirm") + "?" + FILTER
    page = text(owner_client.get(confirm))
    assert 'id="nothing-to-send"' in page and 'id="send-confirm"' not in page
    response = owner_client.post(confirm)
    assert response.status_code == 400
    assert "No entries within these filters can be sent" in text(response)
    assert SendJob.objects.count() == 0


def test_pages_refuse_members_outsiders_other_workspaces_and_bad_filters(
    workspace, other_workspace, owner, owner_client, member_client, outsider_client, entries
):
    job = SendJob.objects.create(workspace=workspace, realm_id="1")
    other = SendJob.objects.create(workspace=other_workspace, realm_id="1")
    urls = [
        page_url(workspace, "send_report") + "?" + FILTER,
        page_url(workspace, "send_confirm") + "?" + FILTER,
        page_url(workspace, "send_job", job_id=job.pk),
        page_url(workspace, "send_job_status", job_id=job.pk),
        page_url(workspace, "service_item"),
    ]
    for url in urls:
        assert member_client.get(url).status_code == 403, url
        assert outsider_client.get(url).status_code == 404, url
    assert member_client.post(page_url(workspace, "send_confirm") + "?" + FILTER).status_code == 403
    assert member_client.post(page_url(workspace, "send_retry", job_id=job.pk)).status_code == 403
    assert SendJob.objects.count() == 2
    # Another workspace's job, or no job at all: 404.
    assert owner_client.get(page_url(workspace, "send_job", job_id=other.pk)).status_code == 404
    assert owner_client.get(page_url(workspace, "send_job", job_id="nope")).status_code == 404
    assert owner_client.post(page_url(workspace, "send_retry", job_id=other.pk)).status_code == 404
    # Bad filters: the view says which; the send is not started.
    bad = owner_client.get(page_url(workspace, "send_report") + "?range=custom&start=2026-03-08")
    assert bad.status_code == 400 and "needs both a start and an end" in text(bad)
    response = owner_client.post(page_url(workspace, "send_confirm") + "?project=zzz", follow=True)
    assert "is not a project id" in text(response)
    assert SendJob.objects.count() == 2
    # CSRF: a POST without the token is refused.
    strict = DjangoClient(enforce_csrf_checks=True)
    strict.force_login(owner)
    assert strict.post(page_url(workspace, "send_confirm") + "?" + FILTER).status_code == 403
    assert SendJob.objects.count() == 2


# --- the service item ------------------------------------------------------------------------


def test_service_item_is_chosen_from_the_companys_service_items(
    workspace, owner, owner_client, member_client, connection, sandbox, realm
):
    hours = seed(sandbox, realm, "Item", Name="Hours", Type="Service")
    seed(sandbox, realm, "Item", Name="Widget", Type="NonInventory")
    seed(sandbox, realm, "Item", Name="Old rate", Type="Service", Active=False)
    page = text(owner_client.get(page_url(workspace, "service_item")))
    assert f'<option value="{hours["Id"]}">Hours</option>' in page
    assert "Widget" not in page and "Old rate" not in page
    integrations = text(owner_client.get(page_url(workspace, "integrations")))
    assert "sent without a service item" in integrations

    response = owner_client.post(page_url(workspace, "service_item"), {"service_item": "999999"})
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.service_item_id == ""
    followed = owner_client.get(response["Location"])
    assert "not an active Service item" in text(followed)

    owner_client.post(page_url(workspace, "service_item"), {"service_item": hours["Id"]})
    connection.refresh_from_db()
    assert (connection.service_item_id, connection.service_item_name) == (hours["Id"], "Hours")
    integrations = text(owner_client.get(page_url(workspace, "integrations")))
    assert 'data-testid="qbo-service-item">Hours<' in integrations
    assert AuditLog.objects.filter(event="quickbooks.service_item_set", target="Hours").exists()
    assert (
        member_client.post(page_url(workspace, "service_item"), {"service_item": ""}).status_code
        == 403
    )
    owner_client.post(page_url(workspace, "service_item"), {"service_item": ""})
    connection.refresh_from_db()
    assert connection.service_item_id == "" and connection.service_item_name == ""


# --- REST API --------------------------------------------------------------------------------


def test_api_preview_start_follow_outcomes_and_sent_entries(
    workspace, owner, admin, entries, sandbox, realm
):
    client = api_client_for(admin)
    preview = client.post(api(workspace, "sends/preview"), BODY, format="json")
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert (body["entries"], body["duration"]) == (2, 5400)
    assert body["notSent"] == [
        {
            "reason": "billable_without_project",
            "name": "Billable without a project",
            "message": body["notSent"][0]["message"],
            "entries": 1,
            "duration": 900,
        }
    ]
    assert "project" in body["notSent"][0]["message"]

    started = client.post(api(workspace, "sends"), BODY, format="json")
    assert started.status_code == 202, started.content
    job = started.json()
    assert job["state"] == "QUEUED" and job["selected"] == {"entries": 2, "duration": 5400}
    assert ["start", "2026-03-08"] in job["filters"]
    assert client.get(api(workspace, f"sends/{job['id']}")).json()["progress"]["percent"] == 0

    run_latest(workspace)
    done = client.get(api(workspace, f"sends/{job['id']}")).json()
    assert done["state"] == "SUCCEEDED" and done["sent"] == {"entries": 2, "duration": 5400}
    assert done["progress"] == {"done": 2, "total": 2, "percent": 100}

    items = client.get(api(workspace, f"sends/{job['id']}/entries"))
    assert items.status_code == 200 and items["Last-Page"] == "true"
    by_entry = {i["timeEntryId"]: i for i in items.json()}
    ids = {a["Description"]: a["Id"] for a in time_activities(sandbox, realm)}
    assert by_entry[entries["design"].pk]["timeActivityId"] == ids["Design"]
    assert by_entry[entries["loose"].pk]["state"] == "SKIPPED"
    assert by_entry[entries["loose"].pk]["timeActivityId"] is None
    only_sent = client.get(api(workspace, f"sends/{job['id']}/entries?state=SENT&page-size=1"))
    assert len(only_sent.json()) == 1 and only_sent["Last-Page"] == "false"
    assert client.get(api(workspace, f"sends/{job['id']}/entries?state=nope")).status_code == 400

    retry = client.post(api(workspace, f"sends/{job['id']}/retry-failed"))
    assert retry.status_code == 400 and "Nothing to retry" in retry.json()["message"]

    entries["review"].billable = False
    entries["review"].updated_at = timezone.now()
    entries["review"].save()
    sent = client.get(api(workspace, "sent-entries")).json()
    assert {s["timeEntryId"]: s["changedSinceSent"] for s in sent} == {
        entries["design"].pk: False,
        entries["review"].pk: True,
    }
    review = next(s for s in sent if s["timeEntryId"] == entries["review"].pk)
    assert review["timeActivityId"] == ids["Review"] and review["jobId"] == job["id"]
    assert review["valuesSent"]["BillableStatus"] == "Billable" and not review["entryDeleted"]

    again = client.post(api(workspace, "sends"), BODY, format="json")
    assert again.status_code == 400
    assert again.json()["message"] == "No entries within these filters can be sent to QuickBooks."


def test_api_refuses_members_outsiders_other_workspaces_and_bad_filters(
    workspace, other_workspace, member, outsider, admin, entries
):
    job = SendJob.objects.create(workspace=workspace, realm_id="1")
    other = SendJob.objects.create(workspace=other_workspace, realm_id="1")
    member_api, outsider_api, admin_api = (api_client_for(u) for u in (member, outsider, admin))
    calls = [
        ("post", "sends/preview"),
        ("post", "sends"),
        ("get", f"sends/{job.pk}"),
        ("get", f"sends/{job.pk}/entries"),
        ("post", f"sends/{job.pk}/retry-failed"),
        ("get", "sent-entries"),
    ]
    for method, tail in calls:
        assert (
            getattr(member_api, method)(api(workspace, tail), BODY, format="json").status_code
            == 403
        )
        assert (
            getattr(outsider_api, method)(api(workspace, tail), BODY, format="json").status_code
            == 404
        )
    for tail in (f"sends/{other.pk}", f"sends/{other.pk}/entries", "sends/not-an-id"):
        assert admin_api.get(api(workspace, tail)).status_code == 404
    assert admin_api.post(api(workspace, f"sends/{other.pk}/retry-failed")).status_code == 404
    bad = admin_api.post(
        api(workspace, "sends"),
        {**BODY, "projects": {"ids": ["0123456789abcdef01234567"]}},
        format="json",
    )
    assert bad.status_code == 400 and "no project" in bad.json()["message"]
    reversed_dates = {"dateRangeStart": BODY["dateRangeEnd"], "dateRangeEnd": "2026-03-01"}
    assert admin_api.post(api(workspace, "sends"), reversed_dates, format="json").status_code == 400
    assert admin_api.post(api(workspace, "sends"), {}, format="json").status_code == 400
    assert SendJob.objects.count() == 2


def test_api_on_a_workspace_not_connected_says_so(workspace, admin, member):
    client = api_client_for(admin)
    response = client.post(api(workspace, "sends/preview"), BODY, format="json")
    assert response.status_code == 400
    assert "Connect this workspace to QuickBooks" in response.json()["message"]
    assert client.get(api(workspace, "sent-entries")).json() == []


# --- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_views_and_lists_run_the_same_queries_for_few_or_many_entries(
    workspace, owner, owner_client, admin, member, django_assert_max_num_queries, count
):
    """Ledger rows written directly (no emulator needed): the sent view, the job's outcome page
    and the sent-entries API each run a fixed number of queries."""
    from quickbooks_sync.models import SendItem
    from tests.tracking.factories import ProjectFactory

    stored_connection(workspace, realm_id="1")
    project = ProjectFactory(workspace=workspace)
    job = SendJob.objects.create(
        workspace=workspace, realm_id="1", state=SendJob.State.SUCCEEDED, selected_count=count
    )
    for n, made in enumerate(many_entries(workspace, member, project, count, tag="e")):
        ledger_row(
            made, realm_id="1", activity_id=str(100 + n), entry_updated_at=made.updated_at, job=job
        )
        SendItem.objects.create(
            workspace=workspace,
            job=job,
            time_entry=made,
            entry_key=made.pk,
            state=SendItem.State.SENT if n % 2 else SendItem.State.FAILED,
            message="" if n % 2 else "The books are closed.",
            seconds=made.duration_seconds,
        )
    sent_view = page_url(workspace, "send_report") + "?" + FILTER + "&show=sent"
    job_page = page_url(workspace, "send_job", job_id=job.pk)
    owner_client.get(sent_view)  # warm the session
    # (+1 on each page: every page's header reads the member's running timer; +1 for the
    # navigation's badge of weeks waiting for approval.)
    with django_assert_max_num_queries(15):
        page = text(owner_client.get(sent_view))
    assert page.count('class="time-activity-id"') == count
    # The job page: one more for its refusals grouped by reason.
    with django_assert_max_num_queries(12):
        page = text(owner_client.get(job_page))
    assert page.count("<tr data-state=") == count
    client = api_client_for(admin)
    with django_assert_max_num_queries(8):
        rows = client.get(api(workspace, "sent-entries?page-size=100")).json()
    assert len(rows) == count
    with django_assert_max_num_queries(9):
        items = client.get(api(workspace, f"sends/{job.pk}/entries?page-size=100")).json()
    assert len(items) == count


# --- fixes of an audit -------------------------------------------------------------------------


def test_a_send_that_gave_up_unanswered_offers_retry_failed_and_says_what_holds_its_entries(
    workspace, owner_client, entries, sandbox, realm, settings
):
    """QuickBooks never answers the batch: the job stops with its entries PENDING (whether QBO
    has them is unknown). The page offers "Retry failed", a new send says those entries are held
    by the stopped send (not "still running"), and Retry asks again with the same request id."""
    import contextlib

    from celery.exceptions import Retry

    from quickbooks_sync.models import SendBatch
    from quickbooks_sync.tasks.send import send_job_run

    settings.QBO_SEND_MAX_TRIES = 1
    settings.QBO_SEND_BACKOFF_SECONDS = 0.01
    arm_fault(sandbox, realm, "500", path="batch", count=1000)
    owner_client.post(page_url(workspace, "send_confirm") + "?" + FILTER)
    job = SendJob.objects.get(workspace=workspace)
    for _ in range(20):
        with contextlib.suppress(Retry):
            send_job_run(job.pk)
        job.refresh_from_db()
        if not job.is_active:
            break
    assert (job.state, job.failed_count) == ("FAILED", 0)

    page = text(owner_client.get(page_url(workspace, "send_job", job_id=job.pk)))
    assert 'id="retry-failed"' in page
    assert re.search(r'id="outcome-waiting">2<', page)
    assert "asks again with the same request id" in page
    api_job = api_client_for(owner_client_user(workspace)).get(api(workspace, f"sends/{job.pk}"))
    assert (api_job.json()["waiting"], api_job.json()["canRetry"]) == (2, True)
    confirm = text(owner_client.get(page_url(workspace, "send_confirm") + "?" + FILTER))
    assert 'data-reason="held_by_stopped_send"' in confirm
    assert "use Retry failed" in confirm
    assert "still running" not in confirm

    sandbox.control("DELETE", "/faults")
    owner_client.post(page_url(workspace, "send_retry", job_id=job.pk))
    job = run_latest(workspace)
    assert (job.state, job.sent_count) == ("SUCCEEDED", 2)
    assert SendBatch.objects.filter(job=job).count() == 1
    assert sorted(a["Description"] for a in time_activities(sandbox, realm)) == [
        "Design",
        "Review",
    ]
    page = text(owner_client.get(page_url(workspace, "send_job", job_id=job.pk)))
    assert 'id="retry-failed"' not in page


def owner_client_user(workspace):
    from workspaces.models import Membership

    return Membership.objects.get(workspace=workspace, role=Membership.Role.OWNER).user


def test_applying_rates_to_past_entries_marks_sent_entries_changed_and_locking_does_not(
    workspace, owner, owner_client, member, entries, sandbox, realm
):
    from tracking.models import TimeEntry
    from tracking.services.approvals import week_approve
    from tracking.services.approvals import week_reject
    from tracking.services.approvals import week_submit
    from tracking.services.rates import time_entries_reapply_rates
    from workspaces.models import Membership

    owner_client.post(page_url(workspace, "send_confirm") + "?" + FILTER)
    run_latest(workspace)
    sent_view = page_url(workspace, "send_report") + "?" + FILTER + "&show=sent"
    assert "changed-since-sent" not in text(owner_client.get(sent_view))

    # Approving the week locks its entries, reopening unlocks them: no change of what was sent.
    week = week_submit(
        membership=Membership.objects.get(workspace=workspace, user=member), week_start=DAY
    )
    owner_ms = Membership.objects.get(workspace=workspace, user=owner)
    week_approve(membership=owner_ms, approval_id=week.pk)
    assert TimeEntry.objects.get(pk=entries["design"].pk).is_locked
    assert "changed-since-sent" not in text(owner_client.get(sent_view))
    week_reject(membership=owner_ms, approval_id=week.pk, note="One more look")
    assert "changed-since-sent" not in text(owner_client.get(sent_view))

    Membership.objects.filter(workspace=workspace, user=member).update(hourly_rate_cents=9900)
    assert time_entries_reapply_rates(workspace=workspace, scope="member", user=member) == 3

    sent = text(owner_client.get(sent_view))
    assert sent.count("changed-since-sent") == 2
    assert re.search(rf'id="qbo-row-{entries["review"].pk}"[\s\S]*?changed-since-sent', sent)


def test_a_workspace_downgraded_while_connected_shows_no_send(workspace, owner_client, entries):
    workspace.plan = workspace.Plan.BASIC
    workspace.save(update_fields=["plan"])
    detailed = reverse("reports:detailed", kwargs={"ws": workspace.pk}) + "?" + FILTER
    assert 'id="quickbooks-view"' not in text(owner_client.get(detailed))
    page = text(owner_client.get(page_url(workspace, "send_report") + "?" + FILTER))
    assert 'id="qbo-plan-required"' in page and 'id="send-to-quickbooks"' not in page
    confirm = page_url(workspace, "send_confirm") + "?" + FILTER
    response = owner_client.post(confirm)
    assert response.status_code == 400
    assert "needs the Standard, Pro or Enterprise plan" in text(response)
    assert SendJob.objects.count() == 0
    api_response = api_client_for(owner_client_user(workspace)).post(
        api(workspace, "sends"), BODY, format="json"
    )
    assert api_response.status_code == 403
    assert "needs the Standard, Pro or Enterprise plan" in api_response.json()["message"]


def test_the_confirmation_counts_whole_minutes_when_the_workspace_does_not_round(
    workspace, owner_client, member, connection, sandbox, realm
):
    link_member(workspace, member, sandbox, realm)
    at = dt.datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    entry(workspace, member, start=at, seconds=3629, description="odd")  # 1:00:29 -> 60 min
    entry(workspace, member, start=at + dt.timedelta(hours=2), seconds=89, description="short")
    page = text(owner_client.get(page_url(workspace, "send_confirm") + "?" + FILTER))
    assert re.search(r'id="send-hours">1:01:00<', page)
    assert 'id="send-whole-minutes"' in page and "1:01:58 in the report" in page
