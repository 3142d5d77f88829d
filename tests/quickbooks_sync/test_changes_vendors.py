"""What changed in QuickBooks, for contractors' vendors, against the emulator as a real process:
a vendor linked to a contractor renamed or made inactive in "QuickBooks" (the emulator's control
PATCH, what a person does in QuickBooks' screens), a new vendor named as a contractor; the check
(ONE CDC call for employees, vendors and customers, run here as the task does) shows them on the
Integrations tab and in the API; nothing linked changes until Sync. Webhook notifications about
vendors, in both of Intuit's formats, queue a check. The worker and browser test of the same is
in test_changes_worker.py."""

from __future__ import annotations

import time
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from quickbooks_sync.models import EmployeeLink
from tests.api.conftest import api_client_for
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.quickbooks_sync import test_changes_views as views
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.sync_support import membership_of
from tests.quickbooks_sync.sync_support import run_job
from tests.quickbooks_sync.sync_support import seed
from tests.quickbooks_sync.test_changes_views import TOKEN
from tests.quickbooks_sync.test_changes_views import WEBHOOK
from tests.quickbooks_sync.test_changes_views import cloud_event
from tests.quickbooks_sync.test_changes_views import signed
from tests.sandbox_process import SandboxProcess
from workspaces.models import Membership

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("qbo_settings")]

# The fixtures of test_changes_views: a check run here as the task does, and the checks queued.
check_here = views.check_here
enqueued = views.enqueued


@pytest.fixture
def contractors(
    workspace, owner, admin, member, sandbox: SandboxProcess, realm: str
) -> dict[str, Any]:
    """Synced once: Olivia and Adam linked to employees, the contractor Mia Member to her
    vendor; the contractor Carl Contractor has no vendor yet; Paper Supply is a supplier."""
    Membership.objects.filter(workspace=workspace, user=member).update(contractor=True)
    carl = UserFactory(full_name="Carl Contractor", email="carl@example.com")
    MembershipFactory(workspace=workspace, user=carl, contractor=True)
    rows = {
        "olivia": seed(sandbox, realm, "Employee", DisplayName="Olivia Owner"),
        "adam": seed(sandbox, realm, "Employee", DisplayName="Adam Admin"),
        "mia": seed(sandbox, realm, "Vendor", DisplayName="Mia Member"),
        "paper": seed(sandbox, realm, "Vendor", DisplayName="Paper Supply"),
        "realm": realm,
    }
    # QBO's times have whole seconds: a record made in the second the sync starts counts as new.
    time.sleep(1.1)
    connect_workspace(workspace, sandbox, realm, user=owner)
    assert run_job(membership_of(workspace, admin)).state == "SUCCEEDED"
    return rows


def _change(sandbox: SandboxProcess, realm: str, row: dict[str, Any], **fields: Any) -> None:
    sandbox.control("PATCH", f"/companies/{realm}/entities/Vendor/{row['Id']}", fields)


def _links(workspace: Any) -> list[tuple[str, str, str, str]]:
    return sorted(
        EmployeeLink.objects.filter(workspace=workspace).values_list(
            "membership__user__full_name", "name_of", "qbo_employee_id", "qbo_display_name"
        )
    )


def _tab(admin: Any, workspace: Any) -> str:
    page = client_for(admin).get(reverse("quickbooks:integrations", kwargs={"ws": workspace.pk}))
    assert page.status_code == 200
    return unescape(page.content.decode())


def test_a_renamed_contractors_vendor_and_a_new_one_show_until_sync(
    workspace, admin, sandbox: SandboxProcess, contractors, check_here
) -> None:
    realm = contractors["realm"]
    links_before = _links(workspace)
    assert ("Mia Member", "Vendor", contractors["mia"]["Id"], "Mia Member") in links_before
    _change(sandbox, realm, contractors["mia"], DisplayName="Mia Member-Jones")
    carl_vendor = seed(sandbox, realm, "Vendor", DisplayName="Carl Contractor")
    _change(sandbox, realm, contractors["paper"], CompanyName="Paper Supply Ltd")  # a supplier

    check = check_here(workspace)

    assert check is not None and check.error == ""
    assert check.counts == {"new": 1, "renamed": 1, "deactivated": 0, "unlinked": 0}
    assert check.changes == [
        {
            "kind": "new",
            "entity": "Vendor",
            "qboId": carl_vendor["Id"],
            "name": "Carl Contractor",
            "matches": "contractor “Carl Contractor”",
        },
        {
            "kind": "renamed",
            "entity": "Vendor",
            "qboId": contractors["mia"]["Id"],
            "name": "Mia Member-Jones",
            "oldName": "Mia Member",
            "linkedTo": ["contractor “Mia Member”"],
        },
    ]
    # ONE call, asking QuickBooks for the three lists.
    log = sandbox.control("GET", f"/requests?realm={realm}&limit=200")["requests"]
    cdc = [row for row in log if "/cdc" in row["path"]]
    assert len(cdc) == 1
    assert "entities=Employee%2CVendor%2CCustomer" in cdc[0]["path"] or (
        "entities=Employee,Vendor,Customer" in cdc[0]["path"]
    )

    html = _tab(admin, workspace)
    assert "Renamed vendor" in html and "Mia Member-Jones" in html
    assert "Linked to contractor “Mia Member”; the link stays" in html
    assert "New vendor" in html
    assert "Not linked; a sync links it to the contractor “Carl Contractor”" in html
    assert "Paper Supply" not in html.split('data-testid="qbo-changes"')[1]
    api = api_client_for(admin).get(f"/api/v1/workspaces/{workspace.pk}/quickbooks/changes")
    assert [(r["entity"], r["kind"]) for r in api.json()["changes"]] == [
        ("Vendor", "new"),
        ("Vendor", "renamed"),
    ]
    # Read-only: the links are as the last sync left them; Carl is still without a vendor.
    assert _links(workspace) == links_before

    # Sync brings both in: Mia's link keeps its vendor with the new name, Carl links to his.
    assert run_job(membership_of(workspace, admin)).state == "SUCCEEDED"
    links = _links(workspace)
    assert ("Mia Member", "Vendor", contractors["mia"]["Id"], "Mia Member-Jones") in links
    assert ("Carl Contractor", "Vendor", carl_vendor["Id"], "Carl Contractor") in links
    assert 'data-testid="qbo-changes-synced-since"' in _tab(admin, workspace)


def test_a_contractors_vendor_made_inactive_shows_deactivated(
    workspace, admin, sandbox: SandboxProcess, contractors, check_here
) -> None:
    realm = contractors["realm"]
    _change(sandbox, realm, contractors["mia"], Active=False)
    # An employee named as a contractor is not theirs: employees match non-contractors only.
    seed(sandbox, realm, "Employee", DisplayName="Carl Contractor")

    check = check_here(workspace)

    assert check is not None
    by_entity = {row["entity"]: row for row in check.changes}
    assert by_entity["Vendor"] == {
        "kind": "deactivated",
        "entity": "Vendor",
        "qboId": contractors["mia"]["Id"],
        "name": "Mia Member",  # QBO's Deleted mark has no name: the one stored
        "linkedTo": ["contractor “Mia Member”"],
    }
    assert by_entity["Employee"]["kind"] == "new" and "matches" not in by_entity["Employee"]
    html = _tab(admin, workspace)
    assert "Deactivated vendor" in html
    assert "Linked to contractor “Mia Member”; QuickBooks refuses time sent to an inactive one" in (
        html
    )
    assert EmployeeLink.objects.get(qbo_employee_id=contractors["mia"]["Id"]).qbo_display_name == (
        "Mia Member"
    )


@pytest.mark.parametrize("fmt", ["cloudevents", "legacy"])
def test_a_notification_about_a_vendor_queues_a_check(
    settings, workspace, admin, contractors, enqueued, fmt: str, django_capture_on_commit_callbacks
) -> None:
    settings.QBO_WEBHOOK_VERIFIER_TOKEN = TOKEN
    realm = contractors["realm"]
    body: Any = (
        cloud_event(realm, "vendor")
        if fmt == "cloudevents"
        else {
            "eventNotifications": [
                {
                    "realmId": realm,
                    "dataChangeEvent": {
                        "entities": [{"name": "Vendor", "id": contractors["mia"]["Id"]}]
                    },
                }
            ]
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(WEBHOOK, **signed(body))
    assert response.status_code == 200
    assert response.json() == {"companies": 1, "checksQueued": 1}
    assert enqueued == [(workspace.pk, settings.QBO_CHANGES_DEBOUNCE_SECONDS)]
