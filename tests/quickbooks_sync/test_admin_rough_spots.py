"""The admin's rough spots (issue 16), against the QBO emulator as a real server (jobs run
in-process: on_commit does not fire inside a test transaction; test_admin_rough_spots_browser.py
runs a real worker): the Rounding page says QuickBooks receives rounded time; the create-missing
actions sit on the Integrations tab and only with something to create; the QuickBooks view
guides to sync first; non-billable entries show no rate; "Retry failed" is not offered for
entries a later send delivered; the payroll refusal says its reason once
(test_connection_flow.py)."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse

from quickbooks_sync.models import SendBatch
from quickbooks_sync.models import SendItem
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SyncJob
from quickbooks_sync.services.send_batches import send_run
from tests.api.conftest import api_client_for
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.send_helpers import entry
from tests.quickbooks_sync.send_helpers import linked_project
from tests.quickbooks_sync.sync_support import membership_of
from tests.quickbooks_sync.sync_support import run_job
from tests.quickbooks_sync.sync_support import seed
from tests.sandbox_process import SandboxProcess
from tests.tracking.factories import ProjectFactory

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("qbo_settings")]

UTC = dt.UTC
FILTER = "range=custom&start=2026-03-08&end=2026-03-12"
AT = dt.datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def url(workspace, name: str, **kwargs: str) -> str:
    return reverse(f"quickbooks:{name}", kwargs={"ws": workspace.pk, **kwargs})


def text(response) -> str:
    return unescape(response.content.decode())


def run_sync(workspace, user) -> SyncJob:
    job = run_job(membership_of(workspace, user))
    assert job.state == SyncJob.State.SUCCEEDED, job.error
    return job


def run_latest_send(workspace) -> SendJob:
    job = SendJob.objects.filter(workspace=workspace).latest("created_at")
    assert send_run(job_id=job.pk) is True
    job.refresh_from_db()
    return job


def test_the_rounding_page_says_quickbooks_receives_rounded_time(workspace, owner_client):
    page = text(
        owner_client.get(reverse("workspaces:settings_rounding", kwargs={"ws": workspace.pk}))
    )
    assert "Time sent to QuickBooks is rounded too" in page


def test_create_buttons_sit_on_the_integrations_tab_only_with_something_to_create(
    workspace, owner, admin, member, owner_client, sandbox: SandboxProcess, realm: str
) -> None:
    connect_workspace(workspace, sandbox, realm, user=owner)
    ProjectFactory(workspace=workspace, name="Web")  # not the first sync's import
    for name in ("Olivia Owner", "Adam Admin"):
        seed(sandbox, realm, "Employee", DisplayName=name)
    seed(sandbox, realm, "Customer", DisplayName="Web")
    integrations = url(workspace, "integrations")

    page = text(owner_client.get(integrations))
    assert 'data-testid="qbo-sync-first"' in page
    assert 'data-testid="qbo-create-users"' not in page
    assert 'data-testid="qbo-create-customers"' not in page

    run_sync(workspace, owner)
    page = text(owner_client.get(integrations))
    assert "Create missing users (1)" in page  # Mia Member has no employee
    assert 'data-testid="qbo-create-customers"' not in page  # "Web" is linked: nothing to make
    assert 'data-testid="qbo-sync-first"' not in page

    # A second member named like the first cannot be created: no button for them.
    seed(sandbox, realm, "Employee", DisplayName="Mia Member")
    run_sync(workspace, owner)
    page = text(owner_client.get(integrations))
    assert 'data-testid="qbo-create-users"' not in page
    assert 'data-testid="qbo-nothing-missing"' in page

    # A failed latest job offers no create action built on stale data.
    SyncJob.objects.create(workspace=workspace, kind=SyncJob.Kind.SYNC, state="FAILED")
    page = text(owner_client.get(integrations))
    assert 'data-testid="qbo-create-missing"' not in page


def test_a_member_sharing_a_name_is_not_counted_as_creatable(
    workspace, owner, admin, member, owner_client, sandbox: SandboxProcess, realm: str
) -> None:
    connect_workspace(workspace, sandbox, realm, user=owner)
    ProjectFactory(workspace=workspace, name="Web")
    seed(sandbox, realm, "Customer", DisplayName="Web")
    seed(sandbox, realm, "Employee", DisplayName="Olivia Owner")
    seed(sandbox, realm, "Employee", DisplayName="Adam Admin")
    # Two members named like that employee: which one is meant is unknown, neither is linked,
    # and "Create missing users" cannot create them (they must be renamed apart first).
    member.full_name = "Adam Admin"
    member.save()
    job = run_sync(workspace, owner)
    assert len(job.result["membersWithoutEmployee"]) == 2
    page = text(owner_client.get(url(workspace, "integrations")))
    assert 'data-testid="qbo-create-users"' not in page
    assert 'data-testid="qbo-nothing-missing"' in page


def test_the_quickbooks_view_guides_to_sync_first_until_a_sync_links_members(
    workspace, owner, member, owner_client, sandbox: SandboxProcess, realm: str
) -> None:
    connect_workspace(workspace, sandbox, realm, user=owner)
    ProjectFactory(workspace=workspace, name="Web")
    seed(sandbox, realm, "Employee", DisplayName="Mia Member")
    entry(workspace, member, start=AT, seconds=1800, description="Design")
    view = url(workspace, "send_report") + "?" + FILTER
    confirm = url(workspace, "send_confirm") + "?" + FILTER

    page = text(owner_client.get(view))
    assert 'id="qbo-sync-first"' in page and 'id="send-to-quickbooks"' not in page
    assert url(workspace, "integrations") + "#qbo-sync" in page
    assert 'id="qbo-sync-first"' in text(owner_client.get(confirm))

    run_sync(workspace, owner)
    page = text(owner_client.get(view))
    assert 'id="qbo-sync-first"' not in page and 'id="send-to-quickbooks"' in page
    assert 'id="qbo-sync-first"' not in text(owner_client.get(confirm))


def test_a_non_billable_entry_shows_no_rate_in_the_quickbooks_view(
    workspace, owner, member, owner_client, sandbox: SandboxProcess, linked_connection, realm: str
) -> None:
    project, _ = linked_project(workspace, sandbox, realm, "Web")
    free = entry(
        workspace,
        member,
        start=AT,
        seconds=1800,
        project=project,
        rate_cents=7300,
        description="Internal",
    )
    paid = entry(
        workspace,
        member,
        start=AT + dt.timedelta(hours=1),
        seconds=1800,
        project=project,
        billable=True,
        rate_cents=5100,
        description="Client work",
    )
    page = text(owner_client.get(url(workspace, "send_report") + "?" + FILTER))
    free_row = page.split(f'id="qbo-row-{free.pk}"')[1].split("</tr>")[0]
    paid_row = page.split(f'id="qbo-row-{paid.pk}"')[1].split("</tr>")[0]
    assert "73" not in free_row and "without a rate" in free_row
    assert "51.00" in paid_row


def test_retry_failed_is_not_offered_for_entries_a_later_send_delivered(
    workspace,
    owner,
    admin,
    member,
    owner_client,
    sandbox: SandboxProcess,
    linked_connection,
    realm: str,
) -> None:
    project, _ = linked_project(workspace, sandbox, realm, "Web")
    for n in range(2):
        entry(
            workspace,
            member,
            start=AT + dt.timedelta(hours=n),
            seconds=1800,
            project=project,
            description=f"Work {n}",
        )
    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": "2026-03-10"})
    owner_client.post(url(workspace, "send_confirm") + "?" + FILTER)
    first = run_latest_send(workspace)
    assert first.failed_count == 2
    first_page = url(workspace, "send_job", job_id=first.pk)
    assert 'id="retry-failed"' in text(owner_client.get(first_page))

    # The admin opens the books and sends the same filter again instead of retrying.
    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": None})
    owner_client.post(url(workspace, "send_confirm") + "?" + FILTER)
    second = run_latest_send(workspace)
    assert second.pk != first.pk and second.sent_count == 2

    page = text(owner_client.get(first_page))
    assert 'id="retry-failed"' not in page
    assert page.count("Sent since by a later send") == 2
    api = api_client_for(admin)
    body = api.get(f"/api/v1/workspaces/{workspace.pk}/quickbooks/sends/{first.pk}").json()
    assert (body["failed"], body["canRetry"]) == (2, False)
    batches = SendBatch.objects.count()
    refused = owner_client.post(url(workspace, "send_retry", job_id=first.pk), follow=True)
    assert "Nothing to retry" in text(refused)
    first.refresh_from_db()
    assert first.state == SendJob.State.SUCCEEDED and SendBatch.objects.count() == batches
    assert SendItem.objects.filter(job=first, state=SendItem.State.FAILED).count() == 2

    # One refused entry of a send whose other entry a later send delivered: retry only it.
    third_entry = entry(
        workspace,
        member,
        start=AT + dt.timedelta(hours=3),
        seconds=900,
        project=project,
        description="Work 3",
    )
    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": "2026-03-10"})
    owner_client.post(url(workspace, "send_confirm") + "?" + FILTER)
    third = run_latest_send(workspace)
    assert third.failed_count == 1
    sandbox.control("PATCH", f"/companies/{realm}", {"book_close_date": None})
    assert 'id="retry-failed"' in text(
        owner_client.get(url(workspace, "send_job", job_id=third.pk))
    )
    owner_client.post(url(workspace, "send_retry", job_id=third.pk))
    third = run_latest_send(workspace)
    assert (third.sent_count, third.failed_count) == (1, 0)
    assert SendItem.objects.get(job=third, state="SENT").time_entry_id == third_entry.pk
