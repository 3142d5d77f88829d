"""The sync's REST API and pages: who may start and read jobs, the answers' shapes, the pages'
progress fragment, result tables and confirmation steps. Jobs are run in-process here (no
worker: on_commit does not fire inside a test transaction); test_sync_worker.py runs a worker."""

from __future__ import annotations

import uuid
from html import unescape

import pytest
from django.test import Client as DjangoClient
from django.urls import reverse

from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SyncJob
from quickbooks_sync.services.connection import PLAN_REQUIRED
from quickbooks_sync.services.sync import sync_run
from tests.api.conftest import api_client_for
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.connection_helpers import stored_connection
from tests.quickbooks_sync.sync_support import seed
from tests.quickbooks_sync.sync_support import sub
from tests.sandbox_process import SandboxProcess
from tests.tracking.factories import ProjectFactory
from workspaces.models import Workspace

Kind = SyncJob.Kind


def api(ws: str, tail: str) -> str:
    return f"/api/v1/workspaces/{ws}/quickbooks/{tail}"


@pytest.fixture
def fake_connection(workspace, owner) -> QBOConnection:
    """A connected row without a reachable company: enough to start (not run) jobs."""
    return stored_connection(workspace, connected_by=owner)


@pytest.fixture
def admin_api(admin):
    return api_client_for(admin)


def test_admin_starts_a_sync_gets_202_and_a_second_press_answers_the_same_job(
    workspace, fake_connection, admin_api
) -> None:
    response = admin_api.post(api(workspace.pk, "sync"))
    assert response.status_code == 202
    body = response.json()
    assert body["kind"] == "SYNC" and body["state"] == "QUEUED"
    assert body["progress"] == {
        "stage": "Waiting for a worker",
        "done": 0,
        "total": 0,
        "percent": 0,
    }
    assert body["result"] == {} and body["error"] == ""

    again = admin_api.post(api(workspace.pk, "sync"))
    assert again.status_code == 202 and again.json()["id"] == body["id"]
    busy = admin_api.post(api(workspace.pk, "create-missing-users"))
    assert busy.status_code == 409
    assert "still running" in busy.json()["message"] and busy.json()["code"] == 409

    job = admin_api.get(api(workspace.pk, f"jobs/{body['id']}"))
    assert job.status_code == 200 and job.json()["id"] == body["id"]
    assert SyncJob.objects.count() == 1


@pytest.mark.parametrize(
    ("tail", "kind"),
    [
        ("create-missing-users", "CREATE_EMPLOYEES"),
        ("create-missing-customers", "CREATE_CUSTOMERS"),
    ],
)
def test_the_create_actions_start_their_own_job_kind(
    workspace, fake_connection, admin_api, tail: str, kind: str
) -> None:
    response = admin_api.post(api(workspace.pk, tail))
    assert response.status_code == 202 and response.json()["kind"] == kind


def test_not_connected_is_a_400_with_message_and_code(workspace, admin_api) -> None:
    for tail in ("sync", "create-missing-users", "create-missing-customers"):
        response = admin_api.post(api(workspace.pk, tail))
        assert response.status_code == 400
        assert response.json() == {
            "message": (
                "This workspace is not connected to QuickBooks Online. "
                "An admin can connect it in Settings > Integrations."
            ),
            "code": 400,
        }
    assert not SyncJob.objects.exists()


def test_members_get_403_and_other_workspaces_404(
    workspace, fake_connection, member, outsider, other_workspace, owner
) -> None:
    member_api = api_client_for(member)
    outsider_api = api_client_for(outsider)
    job = SyncJob.objects.create(workspace=workspace, kind=Kind.SYNC)
    for tail in ("sync", "create-missing-users", "create-missing-customers"):
        assert member_api.post(api(workspace.pk, tail)).status_code == 403
        assert outsider_api.post(api(workspace.pk, tail)).status_code == 404
    assert member_api.get(api(workspace.pk, f"jobs/{job.pk}")).status_code == 403
    assert outsider_api.get(api(workspace.pk, f"jobs/{job.pk}")).status_code == 404
    # The outsider's own workspace does not reach another workspace's job either.
    own = outsider_api.get(api(other_workspace.pk, f"jobs/{job.pk}"))
    assert own.status_code == 404 and own.json()["code"] == 404
    assert api_client_for(owner).get(api(workspace.pk, "jobs/not-an-id")).status_code == 404
    assert SyncJob.objects.count() == 1


def test_pages_refuse_members_outsiders_and_posts_without_csrf(
    workspace, fake_connection, member_client, outsider_client, admin
) -> None:
    job = SyncJob.objects.create(workspace=workspace, kind=Kind.SYNC)
    urls = [
        reverse("quickbooks:sync_job", kwargs={"ws": workspace.pk, "job_id": job.pk}),
        reverse("quickbooks:sync_job_status", kwargs={"ws": workspace.pk, "job_id": job.pk}),
        reverse("quickbooks:create_missing_users", kwargs={"ws": workspace.pk}),
        reverse("quickbooks:create_missing_customers", kwargs={"ws": workspace.pk}),
    ]
    for url in urls:
        assert member_client.get(url).status_code == 403
        assert outsider_client.get(url).status_code == 404
    sync_url = reverse("quickbooks:sync", kwargs={"ws": workspace.pk})
    assert member_client.post(sync_url).status_code == 403
    assert outsider_client.post(sync_url).status_code == 404
    strict = DjangoClient(enforce_csrf_checks=True)
    strict.force_login(admin)
    assert strict.post(sync_url).status_code == 403
    assert SyncJob.objects.count() == 1


def test_not_connected_page_press_says_so(workspace, admin_client_) -> None:
    response = admin_client_.post(
        reverse("quickbooks:sync", kwargs={"ws": workspace.pk}), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(
        "quickbooks:integrations", kwargs={"ws": workspace.pk}
    )
    assert "not connected to QuickBooks Online" in response.content.decode()


def test_a_plan_without_quickbooks_is_a_403_on_the_api_and_a_message_on_the_page(
    workspace, fake_connection, admin_api, admin_client_
) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(plan=Workspace.Plan.FREE)
    for tail in ("sync", "create-missing-users", "create-missing-customers"):
        response = admin_api.post(api(workspace.pk, tail))
        assert response.status_code == 403
        assert response.json() == {"message": PLAN_REQUIRED, "code": 403}
    for name in ("sync", "create_missing_users", "create_missing_customers"):
        page = admin_client_.post(reverse(f"quickbooks:{name}", kwargs={"ws": workspace.pk}))
        assert page["Location"] == reverse("quickbooks:integrations", kwargs={"ws": workspace.pk})
        after = unescape(admin_client_.get(page["Location"]).content.decode())
        assert PLAN_REQUIRED in after  # the message, not only the page's plan notice
    assert not SyncJob.objects.exists()


# -- against the emulator ---------------------------------------------------------------------


@pytest.mark.sandbox
@pytest.mark.usefixtures("qbo_settings")
def test_sync_page_progress_result_and_confirmation_steps(
    workspace, owner, admin, member, admin_client_, sandbox: SandboxProcess
) -> None:
    realm = sandbox.create_company(name=f"Pages Co {uuid.uuid4().hex[:8]}")
    connect_workspace(workspace, sandbox, realm, user=owner)
    ProjectFactory(workspace=workspace, name="Internal")
    seed(sandbox, realm, "Employee", DisplayName="Olivia Owner")
    top = seed(sandbox, realm, "Customer", DisplayName="Acme")
    sub(sandbox, realm, "Web", top)
    ws = workspace.pk

    panel = admin_client_.get(reverse("quickbooks:integrations", kwargs={"ws": ws}))
    assert 'data-testid="qbo-sync-button"' in panel.content.decode()
    # Before a sync, nothing to create is known: the panel says to sync first.
    assert 'data-testid="qbo-sync-first"' in panel.content.decode()
    assert 'data-testid="qbo-create-users"' not in panel.content.decode()

    pressed = admin_client_.post(reverse("quickbooks:sync", kwargs={"ws": ws}))
    job = SyncJob.objects.get()
    assert pressed.status_code == 302
    assert pressed["Location"] == reverse(
        "quickbooks:sync_job", kwargs={"ws": ws, "job_id": job.pk}
    )
    page = admin_client_.get(pressed["Location"]).content.decode()
    assert "<progress" in page and 'hx-trigger="every 1s"' in page
    assert 'http-equiv="refresh"' in page  # without JavaScript the page reloads itself

    sync_run(job_id=job.pk)
    status_url = reverse("quickbooks:sync_job_status", kwargs={"ws": ws, "job_id": job.pk})
    fragment = admin_client_.get(status_url).content.decode()
    assert "hx-trigger" not in fragment  # finished: polling stops
    assert 'data-testid="qbo-members-linked"' in fragment and "Olivia Owner" in fragment
    assert 'data-testid="qbo-customers-without-project"' in fragment and "Acme:Web" in fragment
    assert "Internal" in fragment  # a project here with no QBO customer
    # The create actions sit on the Integrations tab (the seed's place), not on the result.
    assert 'data-testid="qbo-create-users"' not in fragment
    assert fragment.count('data-testid="qbo-create-where"') == 2
    compact = admin_client_.get(status_url + "?compact=1").content.decode()
    assert "See the result and what to do" in compact
    assert "Create missing users (2)" in compact  # Adam Admin and Mia Member
    assert "Create missing customers and projects (2)" in compact  # client Acme, project Web
    panel = admin_client_.get(reverse("quickbooks:integrations", kwargs={"ws": ws}))
    assert 'data-testid="qbo-sync-first"' not in panel.content.decode()
    assert "Create missing users (2)" in panel.content.decode()

    confirm_url = reverse("quickbooks:create_missing_customers", kwargs={"ws": ws})
    confirm = admin_client_.get(confirm_url).content.decode()
    assert "Create missing customers and projects here?" in confirm
    # Both what it creates: the client for "Acme" and the project for "Acme:Web" under it.
    assert (
        'Clients to create here: 1</h2>\n<ul data-testid="qbo-confirm-clients"><li>Acme</li>'
        in (confirm)
    )
    assert (
        'data-testid="qbo-confirm-projects"><li>Acme:Web <span class="muted">(client “Acme”)'
        in (confirm)
    )
    users_confirm = admin_client_.get(
        reverse("quickbooks:create_missing_users", kwargs={"ws": ws})
    ).content.decode()
    assert 'data-testid="qbo-confirm-members"><li>Adam Admin</li><li>Mia Member</li>' in (
        users_confirm
    )
    assert SyncJob.objects.count() == 1  # looking at the confirmation starts nothing
    started = admin_client_.post(confirm_url)
    created = SyncJob.objects.exclude(pk=job.pk).get()
    assert created.kind == Kind.CREATE_CUSTOMERS
    assert started["Location"].endswith(f"/jobs/{created.pk}/")
    # While it runs, asking for the other action lands on the running job with a message.
    other = admin_client_.post(
        reverse("quickbooks:create_missing_users", kwargs={"ws": ws}), follow=True
    )
    assert "still running" in other.content.decode()
    assert SyncJob.objects.count() == 2


def test_a_crash_in_the_task_fails_the_job_instead_of_leaving_it_busy(
    workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quickbooks_sync.tasks import sync as tasks

    def crash(*, job_id: str) -> None:
        SyncJob.objects.filter(pk=job_id).update(state=SyncJob.State.RUNNING)
        raise RuntimeError("a bug")

    job = SyncJob.objects.create(workspace=workspace, kind=Kind.SYNC)
    monkeypatch.setattr(tasks, "sync_run", crash)
    outcome = tasks.sync_job_run.apply(args=[job.pk])
    assert isinstance(outcome.result, RuntimeError)
    job.refresh_from_db()
    assert job.state == SyncJob.State.FAILED
    assert "unexpected error" in job.error


def test_tokens_no_key_decrypts_do_not_break_starting_a_sync_or_a_send(
    workspace, fake_connection, admin_api, settings
) -> None:
    """Starting needs only the connection's status: tokens encrypted with a key that was since
    replaced are found out (and the connection marked) by the job, not a 500 here."""
    from cryptography.fernet import Fernet

    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    assert admin_api.post(api(workspace.pk, "sync")).status_code == 202
    preview = admin_api.post(
        api(workspace.pk, "sends/preview"),
        {"dateRangeStart": "2026-03-01T00:00:00Z", "dateRangeEnd": "2026-03-02T00:00:00Z"},
        format="json",
    )
    assert preview.status_code == 200, preview.content
