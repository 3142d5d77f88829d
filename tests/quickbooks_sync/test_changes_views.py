"""What changed in QuickBooks, against the emulator as a real process: a check run here (what
the task does) after changes made in "QuickBooks", what the Integrations tab shows, that nothing
linked changes until Sync; "Check now" and its role, tenant and plan checks; and the webhook
endpoint (signature, size, formats, debounce, a realm connected to several workspaces)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from quickbooks_sync.models import ChangeCheck
from quickbooks_sync.models import CustomerLink
from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SyncJob
from quickbooks_sync.services import changes as changes_services
from quickbooks_sync.services.changes import change_check_request
from quickbooks_sync.services.changes import change_check_run
from tests.api.conftest import api_client_for
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.factories import WorkspaceFactory
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.sync_support import membership_of
from tests.quickbooks_sync.sync_support import run_job
from tests.quickbooks_sync.sync_support import seed
from tests.quickbooks_sync.sync_support import sub
from tests.sandbox_process import SandboxProcess
from workspaces.models import AuditLog
from workspaces.models import Membership
from workspaces.models import Workspace

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("qbo_settings")]

TOKEN = "test-verifier-token"
WEBHOOK = "/quickbooks/webhooks/"


def signed(body: Any, token: str = TOKEN) -> dict[str, Any]:
    raw = json.dumps(body).encode()
    signature = base64.b64encode(hmac.new(token.encode(), raw, hashlib.sha256).digest()).decode()
    return {"data": raw, "content_type": "application/json", "HTTP_INTUIT_SIGNATURE": signature}


def cloud_event(realm: str, entity: str = "employee") -> list[dict[str, Any]]:
    return [
        {
            "specversion": "1.0",
            "id": "e1",
            "type": f"qbo.{entity}.updated.v1",
            "intuitaccountid": realm,
            "intuitentityid": "1",
        }
    ]


@pytest.fixture
def synced(workspace, owner, admin, member, sandbox: SandboxProcess, realm: str) -> dict[str, Any]:
    """A connected workspace, synced once: Olivia and Adam linked, Acme (client) and
    Acme:Web (project) imported and linked; Mia Member has no employee yet."""
    rows = {
        "olivia": seed(sandbox, realm, "Employee", DisplayName="Olivia Owner"),
        "adam": seed(sandbox, realm, "Employee", DisplayName="Adam Admin"),
    }
    rows["acme"] = seed(sandbox, realm, "Customer", DisplayName="Acme")
    rows["web"] = sub(sandbox, realm, "Web", rows["acme"])
    rows["realm"] = realm
    connect_workspace(workspace, sandbox, realm, user=owner)
    assert run_job(membership_of(workspace, admin)).state == "SUCCEEDED"
    assert EmployeeLink.objects.filter(workspace=workspace).count() == 2
    return rows


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float]]:
    """The checks handed to Celery (workspace id, countdown), instead of a broker."""
    calls: list[tuple[str, float]] = []
    monkeypatch.setattr(
        changes_services, "_enqueue", lambda ws, countdown: calls.append((ws, countdown))
    )
    return calls


@pytest.fixture
def check_here(django_capture_on_commit_callbacks) -> Any:
    """Ask for a check and run it here, as the task does (no broker): the finished row."""

    def run(workspace: Any, source: str = "BUTTON") -> ChangeCheck | None:
        with django_capture_on_commit_callbacks(execute=False):
            change_check_request(workspace_id=workspace.pk, source=source)
        return change_check_run(workspace_id=workspace.pk)

    return run


def _change(
    sandbox: SandboxProcess, realm: str, entity: str, row: dict[str, Any], **fields: Any
) -> None:
    sandbox.control("PATCH", f"/companies/{realm}/entities/{entity}/{row['Id']}", fields)


def _cdc_calls(sandbox: SandboxProcess, realm: str) -> int:
    log = sandbox.control("GET", f"/requests?realm={realm}&limit=200")["requests"]
    return sum(1 for row in log if "/cdc" in row["path"])


def test_a_check_reports_what_changed_and_nothing_changes_until_sync(
    workspace, admin, sandbox: SandboxProcess, synced, check_here
) -> None:
    realm = synced["realm"]
    _change(sandbox, realm, "Employee", synced["adam"], DisplayName="Adam Admin-Smith")
    _change(sandbox, realm, "Customer", synced["web"], Active=False)
    seed(sandbox, realm, "Employee", DisplayName="Mia Member")
    links_before = sorted(EmployeeLink.objects.values_list("qbo_employee_id", "qbo_display_name"))
    customers_before = sorted(CustomerLink.objects.values_list("qbo_customer_id", "kind"))

    check = check_here(workspace)

    assert check is not None and check.error == ""
    assert check.counts == {"new": 1, "renamed": 1, "deactivated": 1, "unlinked": 0}
    kinds = {row["kind"]: row for row in check.changes}
    assert kinds["renamed"]["oldName"] == "Adam Admin"
    assert kinds["renamed"]["name"] == "Adam Admin-Smith"
    assert kinds["deactivated"]["name"] == "Acme:Web"
    assert kinds["new"]["matches"] == "member “Mia Member”"
    assert _cdc_calls(sandbox, realm) == 1  # one call per check
    assert check.requested_at is None
    # Read-only: the links are as the sync left them.
    assert sorted(EmployeeLink.objects.values_list("qbo_employee_id", "qbo_display_name")) == (
        links_before
    )
    assert sorted(CustomerLink.objects.values_list("qbo_customer_id", "kind")) == customers_before

    page = client_for(admin).get(reverse("quickbooks:integrations", kwargs={"ws": workspace.pk}))
    html = page.content.decode()
    assert "Adam Admin-Smith" in html and "Deactivated customer" in html
    assert 'data-testid="qbo-changes-synced-since"' not in html

    # Sync brings them in; the panel then says its list predates the sync.
    assert run_job(membership_of(workspace, admin)).state == "SUCCEEDED"
    assert EmployeeLink.objects.get(qbo_employee_id=synced["adam"]["Id"]).qbo_display_name == (
        "Adam Admin-Smith"
    )
    page = client_for(admin).get(reverse("quickbooks:integrations", kwargs={"ws": workspace.pk}))
    assert 'data-testid="qbo-changes-synced-since"' in page.content.decode()


def test_check_now_is_for_admins_of_this_workspace_and_audited(
    workspace, admin, member, synced, enqueued, django_capture_on_commit_callbacks
) -> None:
    url = reverse("quickbooks:changes_check", kwargs={"ws": workspace.pk})
    assert client_for(member).post(url).status_code == 403
    assert (
        client_for(member)
        .get(reverse("quickbooks:changes_panel", kwargs={"ws": workspace.pk}))
        .status_code
        == 403
    )
    stranger = UserFactory(full_name="Sam Stranger")
    MembershipFactory(workspace=WorkspaceFactory(), user=stranger, role=Membership.Role.ADMIN)
    assert client_for(stranger).post(url).status_code == 404
    assert client_for(admin).get(url).status_code == 405
    assert enqueued == [] and not ChangeCheck.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(url)
    assert response.status_code == 302 and response["Location"].endswith("#qbo-changes")
    assert enqueued == [(workspace.pk, 0)]
    assert (
        AuditLog.objects.filter(workspace=workspace, event="quickbooks.changes_checked").count()
        == 1
    )
    # Pressed again while it waits: no second check.
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin).post(url)
    assert len(enqueued) == 1
    page = client_for(admin).get(reverse("quickbooks:integrations", kwargs={"ws": workspace.pk}))
    assert "Checking QuickBooks" in page.content.decode()


def test_check_now_needs_the_plan_and_a_first_sync(
    workspace, owner, admin, sandbox: SandboxProcess, realm: str, enqueued
) -> None:
    connect_workspace(workspace, sandbox, realm, user=owner)
    url = reverse("quickbooks:changes_check", kwargs={"ws": workspace.pk})
    response = client_for(admin).post(url, follow=True)
    assert "Sync first" in response.content.decode()
    Workspace.objects.filter(pk=workspace.pk).update(plan=Workspace.Plan.FREE)
    response = client_for(admin).post(url, follow=True)
    assert "paid feature" in response.content.decode()
    assert enqueued == []


def test_a_signed_notification_queues_one_check_per_connected_workspace(
    settings, workspace, admin, synced, realm: str, enqueued, django_capture_on_commit_callbacks
) -> None:
    settings.QBO_WEBHOOK_VERIFIER_TOKEN = TOKEN
    # The same company connected to a second workspace (synced), a third that never synced and
    # a fourth whose plan no longer includes QuickBooks.
    second, third = WorkspaceFactory(), WorkspaceFactory()
    fourth = WorkspaceFactory(plan=Workspace.Plan.FREE)
    last_sync = QBOConnection.objects.get(workspace=workspace).last_synced_at
    for other, synced_at in ((second, last_sync), (third, None), (fourth, last_sync)):
        QBOConnection.objects.create(
            workspace=other, realm_id=realm, company_name="Same", last_synced_at=synced_at
        )
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):  # a burst: one check each
            response = client.post(WEBHOOK, **signed(cloud_event(realm)))
            assert response.status_code == 200
    assert sorted(ws for ws, _ in enqueued) == sorted([workspace.pk, second.pk])
    assert {countdown for _, countdown in enqueued} == {settings.QBO_CHANGES_DEBOUNCE_SECONDS}
    assert ChangeCheck.objects.get(workspace=workspace).requested_source == "WEBHOOK"
    # The legacy format too, and an event of another entity queues nothing.
    ChangeCheck.objects.update(requested_at=None)
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(WEBHOOK, **signed(cloud_event(realm, "invoice"))).json() == {
            "companies": 0,
            "checksQueued": 0,
        }
        legacy = {
            "eventNotifications": [
                {"realmId": realm, "dataChangeEvent": {"entities": [{"name": "Customer"}]}}
            ]
        }
        assert client.post(WEBHOOK, **signed(legacy)).json()["checksQueued"] == 2


@pytest.mark.parametrize(
    "headers, status",
    [
        ({}, 401),  # no signature
        ({"HTTP_INTUIT_SIGNATURE": "bm90IGl0"}, 401),  # a wrong one
        ("other-token", 401),  # signed with another token
    ],
)
def test_an_unsigned_or_badly_signed_notification_is_refused(
    settings,
    synced,
    realm: str,
    enqueued,
    headers: Any,
    status: int,
    django_capture_on_commit_callbacks,
    client,
) -> None:
    settings.QBO_WEBHOOK_VERIFIER_TOKEN = TOKEN
    body = cloud_event(realm)
    if isinstance(headers, str):
        kwargs = signed(body, token=headers)
    else:
        kwargs = {"data": json.dumps(body), "content_type": "application/json", **headers}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(WEBHOOK, **kwargs)
    assert response.status_code == status
    assert enqueued == [] and not ChangeCheck.objects.exists()


def test_the_endpoint_is_off_without_a_token_and_refuses_odd_requests(
    settings, realm: str, enqueued, client
) -> None:
    settings.QBO_WEBHOOK_VERIFIER_TOKEN = ""
    assert client.post(WEBHOOK, **signed(cloud_event(realm))).status_code == 404
    settings.QBO_WEBHOOK_VERIFIER_TOKEN = TOKEN
    assert client.get(WEBHOOK).status_code == 405
    huge = signed({"x": "a" * (3 * 1024 * 1024)})
    assert client.post(WEBHOOK, **huge).status_code == 413
    garbled = signed("not a notification")
    assert client.post(WEBHOOK, **garbled).status_code == 400
    assert enqueued == []


def test_a_last_sync_past_30_days_is_checked_over_qbos_30_days_and_says_so(
    workspace, admin, synced, check_here
) -> None:
    long_ago = timezone.now() - timedelta(days=45)
    QBOConnection.objects.filter(workspace=workspace).update(last_synced_at=long_ago)
    SyncJob.objects.filter(workspace=workspace).update(started_at=long_ago)
    check = check_here(workspace)
    assert check is not None and check.error == ""  # QBO did not refuse the lookback
    assert check.window_capped is True
    assert check.changed_since > timezone.now() - timedelta(days=30)
    page = client_for(admin).get(reverse("quickbooks:integrations", kwargs={"ws": workspace.pk}))
    assert "QuickBooks keeps 30 days of changes" in page.content.decode()


def test_a_check_that_gets_no_answer_says_why_and_keeps_the_last_result(
    workspace, admin, sandbox: SandboxProcess, synced, check_here
) -> None:
    realm = synced["realm"]
    _change(sandbox, realm, "Employee", synced["adam"], DisplayName="Adam A.")
    assert check_here(workspace) is not None
    # The next one cannot reach QuickBooks (the workspace was disconnected meanwhile).
    QBOConnection.objects.filter(workspace=workspace).update(
        status=QBOConnection.Status.DISCONNECTED
    )
    assert check_here(workspace, "WEBHOOK") is None
    check = ChangeCheck.objects.get(workspace=workspace)
    assert "not connected" in check.error
    assert check.counts["renamed"] == 1  # the last answer stays
    QBOConnection.objects.filter(workspace=workspace).update(status=QBOConnection.Status.CONNECTED)
    html = (
        client_for(admin)
        .get(reverse("quickbooks:integrations", kwargs={"ws": workspace.pk}))
        .content.decode()
    )
    assert 'data-testid="qbo-changes-error"' in html and "Adam A." in html


def test_the_rest_api_reads_the_last_check_and_checks_now(
    workspace,
    admin,
    member,
    sandbox: SandboxProcess,
    realm: str,
    synced,
    enqueued,
    django_capture_on_commit_callbacks,
) -> None:
    url = f"/api/v1/workspaces/{workspace.pk}/quickbooks/changes"
    assert api_client_for(member).get(url).status_code == 403
    assert api_client_for(member).post(url).status_code == 403
    client = api_client_for(admin)
    body = client.get(url).json()
    assert body["checkedAt"] is None and body["changes"] == [] and body["pending"] is False
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url)
    assert started.status_code == 202 and started.json()["pending"] is True
    assert enqueued == [(workspace.pk, 0)]
    _change(sandbox, realm, "Employee", synced["adam"], DisplayName="Adam Admin-Smith")
    change_check_run(workspace_id=workspace.pk)  # what the worker does
    body = client.get(url).json()
    assert body["pending"] is False and body["checkedBecause"] == "BUTTON"
    assert body["counts"]["renamed"] == 1
    assert body["changes"][0]["oldName"] == "Adam Admin"
    other = WorkspaceFactory()
    assert client.get(f"/api/v1/workspaces/{other.pk}/quickbooks/changes").status_code == 404
    schema = client.get("/api/schema/").content.decode()
    assert "quickbooks_changes_check" in schema
