"""The sync through a REAL Celery worker process and the QBO emulator as a real process: started
through the API and polled until done; and in a browser, Sync on the Integrations page with its
progress bar (a QuickBooks timeout makes the worker retry, so the bar is seen), the result, and
"Create missing customers and projects" confirmed on its own page."""

from __future__ import annotations

import time
import uuid

import pytest
from django.urls import reverse

from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import SyncJob
from tests.api.conftest import api_client_for
from tests.browser_session import log_in
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.connection_helpers import emulator_marks
from tests.quickbooks_sync.sync_support import arm_fault
from tests.quickbooks_sync.sync_support import seed
from tests.quickbooks_sync.sync_support import sub
from tests.quickbooks_sync.worker_process import module_worker
from tests.sandbox_process import SandboxProcess
from tests.tracking.factories import ProjectFactory
from tracking.models import Project

pytestmark = emulator_marks(transaction=True)


# The client's timeout stays at process_env's 10 s (the fault below is a 2 s hang the sync must
# ride out).
worker = module_worker(concurrency=1, QBO_TIMEOUT_SECONDS=10)


@pytest.fixture
def realm(sandbox: SandboxProcess) -> str:
    realm_id = sandbox.create_company(name=f"Worker Co {uuid.uuid4().hex[:8]}")
    seed(sandbox, realm_id, "Employee", DisplayName="Olivia Owner")
    seed(sandbox, realm_id, "Employee", DisplayName="Adam Admin")
    top = seed(sandbox, realm_id, "Customer", DisplayName="Acme")
    sub(sandbox, realm_id, "Web", top)
    sub(sandbox, realm_id, "Mobile", top)
    return realm_id


def test_a_sync_started_through_the_api_is_run_by_a_worker(
    worker, workspace, owner, admin, member, sandbox: SandboxProcess, realm: str
) -> None:
    connect_workspace(workspace, sandbox, realm, user=owner)
    client = api_client_for(admin)
    base = f"/api/v1/workspaces/{workspace.pk}/quickbooks"
    started = client.post(f"{base}/sync")
    assert started.status_code == 202
    job_id = started.json()["id"]

    deadline = time.monotonic() + 60
    while True:
        body = client.get(f"{base}/jobs/{job_id}").json()
        if body["state"] in ("SUCCEEDED", "FAILED") or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert body["state"] == "SUCCEEDED", body
    assert body["progress"]["percent"] == 100
    result = body["result"]
    assert sorted(r["name"] for r in result["membersLinked"]) == ["Adam Admin", "Olivia Owner"]
    # No projects here at the first sync: the hierarchy was imported.
    assert result["firstSyncImport"]["failed"] == []
    assert sorted(Project.objects.filter(workspace=workspace).values_list("name", flat=True)) == [
        "Mobile",
        "Web",
    ]
    assert EmployeeLink.objects.filter(workspace=workspace).count() == 2


@pytest.mark.browser
def test_admin_syncs_in_the_browser_sees_progress_then_creates_missing_customers(
    worker, live_server, page, workspace, owner, admin, sandbox: SandboxProcess, realm: str
) -> None:
    connect_workspace(workspace, sandbox, realm, user=owner)
    ProjectFactory(workspace=workspace, name="Internal")  # not a first-sync import
    # QuickBooks hangs on the customer query once: the worker times out, says so, retries.
    arm_fault(sandbox, realm, "hang", seconds=2, entity="Customer", count=1)
    from playwright.sync_api import expect

    log_in(
        page, live_server, admin, reverse("quickbooks:integrations", kwargs={"ws": workspace.pk})
    )
    page.get_by_role("button", name="Sync", exact=True).click()

    expect(page.get_by_role("heading", name="Sync users and customers")).to_be_visible()
    expect(page.get_by_test_id("qbo-progress")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Trying again", timeout=20_000)
    result = page.get_by_test_id("qbo-result")
    expect(result).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("qbo-progress")).to_have_count(0)
    expect(page.get_by_test_id("qbo-members-linked")).to_contain_text("Olivia Owner")
    missing = page.get_by_test_id("qbo-customers-without-project")
    expect(missing).to_contain_text("Acme:Web")
    expect(page.get_by_test_id("qbo-projects-without-customer")).to_contain_text("Internal")

    # The result points to the Integrations tab, where the create actions sit.
    page.get_by_test_id("qbo-create-where").last.get_by_role("link").click()
    page.get_by_role("link", name="Create missing customers and projects").click()
    expect(
        page.get_by_role("heading", name="Create missing customers and projects here?")
    ).to_be_visible()
    expect(page.get_by_test_id("qbo-confirm-rows")).to_contain_text("Acme:Mobile")
    page.get_by_role("button", name="Create the clients and projects").click()

    expect(page.get_by_test_id("qbo-created-customers")).to_have_text(
        "1 client and 2 projects created.", timeout=30_000
    )
    expect(page.get_by_test_id("qbo-projects-linked")).to_contain_text("Acme:Mobile")
    assert SyncJob.objects.filter(kind=SyncJob.Kind.CREATE_CUSTOMERS).get().state == "SUCCEEDED"
    assert sorted(
        Project.objects.filter(workspace=workspace).values_list("name", "client__name")
    ) == [("Internal", None), ("Mobile", "Acme"), ("Web", "Acme")]
