"""The sync and the create-missing jobs against the QBO emulator running as a real process,
run in-process (the Celery task calls the same service; test_sync_worker.py runs a worker)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from quickbooks_sync.models import CustomerLink
from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SyncJob
from quickbooks_sync.services.connection import PLAN_REQUIRED
from quickbooks_sync.services.connection import connection_disconnect
from quickbooks_sync.services.sync import INTERRUPTED
from quickbooks_sync.services.sync import STALE_AFTER
from quickbooks_sync.services.sync import JobBusy
from quickbooks_sync.services.sync import split_name
from quickbooks_sync.services.sync import sync_run
from quickbooks_sync.services.sync import sync_start
from quickbooks_sync.tasks.sync import sync_job_run
from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.factories import membership_of
from tests.quickbooks_sync.connection_helpers import connect_workspace
from tests.quickbooks_sync.sync_support import arm_fault
from tests.quickbooks_sync.sync_support import catalog
from tests.quickbooks_sync.sync_support import names
from tests.quickbooks_sync.sync_support import rename_in_qbo
from tests.quickbooks_sync.sync_support import run_job
from tests.quickbooks_sync.sync_support import seed
from tests.quickbooks_sync.sync_support import seed_four_levels
from tests.quickbooks_sync.sync_support import stored
from tests.quickbooks_sync.sync_support import sub
from tests.sandbox_process import SandboxProcess
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tracking.models import Client
from tracking.models import Project
from workspaces.errors import ApplicationError
from workspaces.errors import PermissionDenied
from workspaces.models import AuditLog
from workspaces.models import Membership
from workspaces.models import Workspace
from workspaces.services import membership_remove

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("qbo_settings")]

Kind = SyncJob.Kind


@pytest.fixture
def connected(workspace, owner, admin, member, sandbox: SandboxProcess, realm: str):
    return connect_workspace(workspace, sandbox, realm, user=owner)


@pytest.fixture
def as_admin(workspace, admin) -> Membership:
    return membership_of(workspace, admin)


def links_by_name(workspace) -> dict[str, set[tuple[str, str]]]:
    """CustomerLinks as {QBO display name: {(kind, local name)}}."""
    result: dict[str, set[tuple[str, str]]] = {}
    for link in CustomerLink.objects.filter(workspace=workspace).select_related(
        "client", "project"
    ):
        local = link.client.name if link.client else link.project.name  # type: ignore[union-attr]
        result.setdefault(link.qbo_display_name, set()).add((link.kind, local))
    return result


def test_first_sync_imports_the_seeds_four_level_hierarchy_node_by_node(
    workspace, connected, as_admin, sandbox: SandboxProcess, realm: str
) -> None:
    ids = seed_four_levels(sandbox, realm)
    seed(sandbox, realm, "Employee", DisplayName="Olivia Owner", GivenName="Olivia")
    employees_before = len(stored(sandbox, realm, "Employee"))
    customers_before = len(stored(sandbox, realm, "Customer"))

    job = run_job(as_admin)

    assert job.state == SyncJob.State.SUCCEEDED, job.error
    assert job.progress_done == job.progress_total > 0 and job.percent == 100
    # Customer -> Client; Sub-customer 1..3 (each with children) -> Client AND Project of the
    # same name, the project under its parent's client; Sub-customer 4 and 3b -> Project only;
    # a QBO project under the top customer -> Project; a top-level customer without
    # sub-customers -> a project without client; an inactive one -> archived.
    assert catalog(workspace) == {
        "clients": {
            "Customer": False,
            "Sub-customer 1": False,
            "Sub-customer 2": False,
            "Sub-customer 3": False,
        },
        "projects": {
            ("Sub-customer 1", "Customer"): False,
            ("Sub-customer 2", "Sub-customer 1"): False,
            ("Sub-customer 3", "Sub-customer 2"): False,
            ("Sub-customer 4", "Sub-customer 3"): False,
            ("Sub-customer 3b", "Sub-customer 2"): False,
            ("Website Project", "Customer"): False,
            ("Solo", None): False,
            ("Old Co", None): True,
        },
    }
    C, P = CustomerLink.Kind.CLIENT, CustomerLink.Kind.PROJECT
    assert links_by_name(workspace) == {
        "Customer": {(C, "Customer")},
        "Sub-customer 1": {(C, "Sub-customer 1"), (P, "Sub-customer 1")},
        "Sub-customer 2": {(C, "Sub-customer 2"), (P, "Sub-customer 2")},
        "Sub-customer 3": {(C, "Sub-customer 3"), (P, "Sub-customer 3")},
        "Sub-customer 4": {(P, "Sub-customer 4")},
        "Sub-customer 3b": {(P, "Sub-customer 3b")},
        "Website Project": {(P, "Website Project")},
        "Solo": {(P, "Solo")},
        "Old Co": {(P, "Old Co")},
    }
    for link in CustomerLink.objects.filter(workspace=workspace):
        assert link.qbo_customer_id == ids[link.qbo_display_name]
        assert link.realm_id == realm
    assert CustomerLink.objects.get(qbo_display_name="Website Project").qbo_is_project
    assert (
        CustomerLink.objects.get(qbo_display_name="Sub-customer 4", kind=P).qbo_fully_qualified_name
        == "Customer:Sub-customer 1:Sub-customer 2:Sub-customer 3:Sub-customer 4"
    )

    result = job.result
    assert result["importAll"] is True
    assert len(result["firstSyncImport"]["createdClients"]) == 4
    assert len(result["firstSyncImport"]["createdProjects"]) == 8
    assert result["firstSyncImport"]["failed"] == []
    assert result["customersWithoutProject"] == [] and result["customersWithoutClient"] == []
    assert len(result["projectsLinked"]) == 8 and len(result["clientsLinked"]) == 4
    assert names(result["membersLinked"]) == ["Olivia Owner"]
    assert names(result["membersWithoutEmployee"]) == ["Adam Admin", "Mia Member"]
    assert all(
        row["whatToDo"]
        for key in result
        if key != "counts" and isinstance(result[key], list)
        for row in result[key]
    )
    # A sync changes nothing in QuickBooks.
    assert len(stored(sandbox, realm, "Employee")) == employees_before
    assert len(stored(sandbox, realm, "Customer")) == customers_before
    assert QBOConnection.objects.get(workspace=workspace).last_synced_at is not None
    assert AuditLog.objects.filter(
        workspace=workspace, event="quickbooks.customers_imported"
    ).exists()


def test_names_link_only_when_identical(
    workspace, connected, as_admin, owner, admin, member, sandbox: SandboxProcess, realm: str
) -> None:
    ProjectFactory(workspace=workspace, name="Internal")  # has projects: no import
    seed(sandbox, realm, "Employee", DisplayName="Olivia Owner")
    seed(sandbox, realm, "Employee", DisplayName="adam admin")  # case differs
    seed(sandbox, realm, "Employee", DisplayName="Mia  Member")  # two spaces
    seed(sandbox, realm, "Employee", DisplayName="Zed Zero", Active=False)
    seed(sandbox, realm, "Employee", DisplayName="Yan Young")
    seed(sandbox, realm, "Customer", DisplayName="internal")  # case differs
    seed(sandbox, realm, "Customer", DisplayName="Solo")

    job = run_job(as_admin)

    result = job.result
    assert result["importAll"] is False and result["firstSyncImport"] is None
    assert [(r["name"], r["employeeName"]) for r in result["membersLinked"]] == [
        ("Olivia Owner", "Olivia Owner")
    ]
    assert result["membersLinked"][0]["new"] is True
    assert names(result["membersWithoutEmployee"]) == ["Adam Admin", "Mia Member"]
    # Inactive employees are not reported missing a member.
    assert names(result["employeesWithoutMember"]) == ["Mia  Member", "Yan Young", "adam admin"]
    assert names(result["customersWithoutProject"]) == ["Solo", "internal"]
    assert names(result["projectsWithoutCustomer"]) == ["Internal"]
    row = result["projectsWithoutCustomer"][0]
    assert "“Internal” in QuickBooks" in row["whatToDo"]
    assert "Create missing users" in result["membersWithoutEmployee"][0]["whatToDo"]
    assert list(
        EmployeeLink.objects.filter(workspace=workspace).values_list(
            "membership__user__full_name", flat=True
        )
    ) == ["Olivia Owner"]
    assert Project.objects.filter(workspace=workspace).count() == 1  # nothing created


def test_resync_keeps_links_picks_up_new_ones_and_duplicates_nothing(
    workspace, connected, as_admin, admin, sandbox: SandboxProcess, realm: str
) -> None:
    olivia = seed(sandbox, realm, "Employee", DisplayName="Olivia Owner")
    top = seed(sandbox, realm, "Customer", DisplayName="Acme")
    web = sub(sandbox, realm, "Web", top)
    first = run_job(as_admin)
    assert first.result["importAll"] is True
    snapshot = (
        catalog(workspace),
        set(CustomerLink.objects.values_list("kind", "qbo_customer_id", "client_id", "project_id")),
    )

    again = run_job(as_admin)
    assert again.state == SyncJob.State.SUCCEEDED
    assert again.result["importAll"] is False  # not the first sync any more
    assert (
        catalog(workspace),
        set(CustomerLink.objects.values_list("kind", "qbo_customer_id", "client_id", "project_id")),
    ) == snapshot
    assert [row["new"] for row in again.result["projectsLinked"]] == [False]

    # Renamed in QuickBooks: the links stay (by Id); new people and customers are picked up.
    rename_in_qbo(sandbox, workspace, "Employee", olivia, "Olivia O. Owner")
    rename_in_qbo(sandbox, workspace, "Customer", web, "Website")
    seed(sandbox, realm, "Employee", DisplayName="Adam Admin")
    sub(sandbox, realm, "Mobile", top)
    Membership.objects.filter(workspace=workspace, user__full_name="Olivia Owner").update(
        status=Membership.Status.INACTIVE
    )
    third = run_job(as_admin)

    linked = {r["name"]: r for r in third.result["membersLinked"]}
    assert linked["Olivia Owner"]["employeeName"] == "Olivia O. Owner"
    assert (
        linked["Olivia Owner"]["employeeId"] == olivia["Id"] and not linked["Olivia Owner"]["new"]
    )
    assert linked["Olivia Owner"]["memberStatus"] == "INACTIVE"  # inactive members keep links
    assert linked["Adam Admin"]["new"] is True
    link = EmployeeLink.objects.get(qbo_employee_id=olivia["Id"])
    assert link.qbo_display_name == "Olivia O. Owner"
    web_link = CustomerLink.objects.get(kind=CustomerLink.Kind.PROJECT, qbo_customer_id=web["Id"])
    assert web_link.project.name == "Web" and web_link.qbo_display_name == "Website"  # type: ignore[union-attr]
    assert names(third.result["customersWithoutProject"]) == ["Mobile"]
    assert catalog(workspace) == snapshot[0]  # a re-sync creates nothing here
    assert EmployeeLink.objects.filter(workspace=workspace).count() == 2


def test_a_removed_member_keeps_their_link(
    workspace, connected, as_admin, owner, member, sandbox: SandboxProcess, realm: str
) -> None:
    ProjectFactory(workspace=workspace, name="Internal")  # no first-sync import
    mia = seed(sandbox, realm, "Employee", DisplayName="Mia Member")
    first = run_job(as_admin)
    assert names(first.result["membersLinked"]) == ["Mia Member"]

    membership_remove(
        actor=membership_of(workspace, owner), membership=membership_of(workspace, member)
    )
    again = run_job(as_admin)

    [row] = again.result["membersLinked"]
    assert (row["name"], row["memberStatus"], row["employeeId"]) == (
        "Mia Member",
        "REMOVED",
        mia["Id"],
    )
    assert row["new"] is False and "can still be sent" in row["whatToDo"]
    assert names(again.result["employeesWithoutMember"]) == []
    link = EmployeeLink.objects.get(workspace=workspace, membership__user=member)
    assert link.qbo_employee_id == mia["Id"]


def test_create_missing_users_first_does_not_spoil_the_first_sync_import(
    workspace, connected, as_admin, sandbox: SandboxProcess, realm: str
) -> None:
    """The seed: no projects at the first sync -> everything is pulled from QuickBooks, also
    when "Create missing users" was pressed before the first Sync."""
    top = seed(sandbox, realm, "Customer", DisplayName="Acme")
    sub(sandbox, realm, "Web", top)
    created = run_job(as_admin, Kind.CREATE_EMPLOYEES)
    assert created.state == SyncJob.State.SUCCEEDED, created.error
    assert Project.objects.filter(workspace=workspace).count() == 0  # it creates nothing here
    assert QBOConnection.objects.get(workspace=workspace).last_synced_at is None

    job = run_job(as_admin)

    assert job.result["importAll"] is True
    assert catalog(workspace) == {"clients": {"Acme": False}, "projects": {("Web", "Acme"): False}}
    assert QBOConnection.objects.get(workspace=workspace).last_synced_at is not None
    assert run_job(as_admin).result["importAll"] is False  # the next one is no first sync


def test_a_plan_without_quickbooks_starts_and_runs_no_job_but_may_disconnect(
    workspace, connected, as_admin, sandbox: SandboxProcess, realm: str
) -> None:
    seed(sandbox, realm, "Customer", DisplayName="Acme")
    queued = sync_start(membership=as_admin, kind=Kind.CREATE_EMPLOYEES)
    Workspace.objects.filter(pk=workspace.pk).update(plan=Workspace.Plan.BASIC)
    for kind in Kind.values:
        with pytest.raises(PermissionDenied) as excinfo:
            sync_start(membership=membership_of(workspace, as_admin.user), kind=kind)
        assert excinfo.value.message == PLAN_REQUIRED and excinfo.value.status == 403
    # A job started before the downgrade does nothing when a worker picks it up.
    sync_run(job_id=queued.pk)
    queued.refresh_from_db()
    assert queued.state == SyncJob.State.FAILED and queued.error == PLAN_REQUIRED
    assert len(stored(sandbox, realm, "Employee")) == 0
    assert SyncJob.objects.count() == 1
    # Disconnecting still works.
    disconnected = connection_disconnect(actor=membership_of(workspace, as_admin.user))
    assert disconnected.status == QBOConnection.Status.DISCONNECTED


def test_create_missing_users_creates_employees_and_reports_a_duplicate_name(
    workspace, connected, as_admin, admin, member, sandbox: SandboxProcess, realm: str
) -> None:
    seed(sandbox, realm, "Employee", DisplayName="Olivia Owner")
    # Names are unique across customers, employees and vendors, ignoring case and spaces.
    seed(sandbox, realm, "Customer", DisplayName="mia member")
    gone = UserFactory(full_name="Ina Inactive")
    MembershipFactory(workspace=workspace, user=gone, status=Membership.Status.INACTIVE)
    colon = UserFactory(full_name="Bad: Name")
    MembershipFactory(workspace=workspace, user=colon)
    sync = run_job(as_admin)
    assert names(sync.result["membersWithoutEmployee"]) == ["Adam Admin", "Bad: Name", "Mia Member"]
    assert len(stored(sandbox, realm, "Employee")) == 1  # the sync created nothing there

    job = run_job(as_admin, Kind.CREATE_EMPLOYEES)

    assert job.state == SyncJob.State.SUCCEEDED, job.error
    outcome = job.result["createdEmployees"]
    assert names(outcome["created"]) == ["Adam Admin"]
    failed = {row["name"]: row for row in outcome["failed"]}
    assert set(failed) == {"Mia Member", "Bad: Name"}
    assert failed["Mia Member"]["code"] == "6240"
    assert "already exists in QuickBooks" in failed["Mia Member"]["reason"]
    assert failed["Bad: Name"]["code"] == "2040"
    employees = {e["DisplayName"]: e for e in stored(sandbox, realm, "Employee")}
    assert set(employees) == {"Olivia Owner", "Adam Admin"}  # not the inactive member
    assert (employees["Adam Admin"]["GivenName"], employees["Adam Admin"]["FamilyName"]) == (
        "Adam",
        "Admin",
    )
    link = EmployeeLink.objects.get(membership__user=admin)
    assert link.qbo_employee_id == employees["Adam Admin"]["Id"]
    assert names(job.result["membersLinked"]) == ["Adam Admin", "Olivia Owner"]
    assert names(job.result["membersWithoutEmployee"]) == ["Bad: Name", "Mia Member"]
    assert AuditLog.objects.filter(event="quickbooks.create_missing_users").count() == 1

    # Pressing again creates nothing twice: Adam is linked, the others fail again.
    again = run_job(as_admin, Kind.CREATE_EMPLOYEES)
    assert again.result["createdEmployees"]["created"] == []
    assert len(stored(sandbox, realm, "Employee")) == 2


def test_create_missing_customers_creates_here_only_and_reports_what_it_could_not(
    workspace, connected, as_admin, sandbox: SandboxProcess, realm: str
) -> None:
    ProjectFactory(workspace=workspace, name="Internal")
    # An archived client of the same name links, but takes no new projects.
    ClientFactory(workspace=workspace, name="Globex", archived=True)
    ids = seed_four_levels(sandbox, realm)
    globex = seed(sandbox, realm, "Customer", DisplayName="Globex")
    sub(sandbox, realm, "Globex Web", globex)
    customers_before = stored(sandbox, realm, "Customer")
    sync = run_job(as_admin)
    assert sync.result["firstSyncImport"] is None
    assert Client.objects.filter(workspace=workspace).count() == 1

    job = run_job(as_admin, Kind.CREATE_CUSTOMERS)

    assert job.state == SyncJob.State.SUCCEEDED, job.error
    outcome = job.result["createdCustomers"]
    assert len(outcome["createdClients"]) == 4
    assert len(outcome["createdProjects"]) == 8
    assert [(r["name"], r["reason"]) for r in outcome["failed"]] == [
        ("Globex Web", "Client “Globex” is archived; restore it or choose another client.")
    ]
    state = catalog(workspace)
    assert state["projects"][("Sub-customer 4", "Sub-customer 3")] is False
    assert state["projects"][("Old Co", None)] is True
    assert ("Internal", None) in state["projects"]
    assert stored(sandbox, realm, "Customer") == customers_before  # nothing changed in QBO
    link = CustomerLink.objects.get(kind=CustomerLink.Kind.PROJECT, qbo_customer_id=ids["Solo"])
    assert link.project.client is None  # type: ignore[union-attr]
    assert names(job.result["customersWithoutProject"]) == ["Globex Web"]
    assert names(job.result["projectsWithoutCustomer"]) == ["Internal"]

    # Again: nothing new, nothing duplicated.
    before = catalog(workspace)
    again = run_job(as_admin, Kind.CREATE_CUSTOMERS)
    assert again.result["createdCustomers"]["createdProjects"] == []
    assert catalog(workspace) == before


def test_create_missing_customers_reports_names_taken_here_and_duplicates_nothing(
    workspace, connected, as_admin, sandbox: SandboxProcess, realm: str
) -> None:
    """A client and a project of the same name already exist here, active, but are linked to
    other QuickBooks customers (renamed there since, and the old names given to new ones): the
    new customers are reported row by row, and nothing is created twice."""
    acme_here = ClientFactory(workspace=workspace, name="Acme")
    ProjectFactory(workspace=workspace, name="Web", client=acme_here)
    ProjectFactory(workspace=workspace, name="Solo")
    old_acme = seed(sandbox, realm, "Customer", DisplayName="Acme")
    old_web = sub(sandbox, realm, "Web", old_acme)
    old_solo = seed(sandbox, realm, "Customer", DisplayName="Solo")
    first = run_job(as_admin)
    assert len(first.result["projectsLinked"]) == 2 and len(first.result["clientsLinked"]) == 1
    rename_in_qbo(sandbox, workspace, "Customer", old_acme, "Acme Corp")
    rename_in_qbo(sandbox, workspace, "Customer", old_web, "Website")
    rename_in_qbo(sandbox, workspace, "Customer", old_solo, "Solo Ltd")
    new_acme = seed(sandbox, realm, "Customer", DisplayName="Acme")
    sub(sandbox, realm, "Web", new_acme)
    seed(sandbox, realm, "Customer", DisplayName="Solo")
    before = (catalog(workspace), set(CustomerLink.objects.values_list("qbo_customer_id")))

    job = run_job(as_admin, Kind.CREATE_CUSTOMERS)

    assert job.state == SyncJob.State.SUCCEEDED, job.error
    outcome = job.result["createdCustomers"]
    assert outcome["createdClients"] == [] and outcome["createdProjects"] == []
    assert sorted((r["fullyQualifiedName"], r["reason"]) for r in outcome["failed"]) == [
        ("Acme", "A client named “Acme” already exists (it may be archived)."),
        ("Acme:Web", "Its client “Acme” could not be created here (see above)."),
        ("Solo", "A project named “Solo” already exists without a client (it may be archived)."),
    ]
    assert (catalog(workspace), set(CustomerLink.objects.values_list("qbo_customer_id"))) == before
    assert names(job.result["customersWithoutClient"]) == ["Acme"]
    assert names(job.result["customersWithoutProject"]) == ["Solo", "Web"]


def test_only_admins_start_jobs_and_only_on_a_connected_workspace(
    workspace, owner, admin, member, sandbox: SandboxProcess, realm: str
) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        sync_start(membership=membership_of(workspace, admin))
    assert excinfo.value.status == 400
    assert "not connected" in excinfo.value.message
    connect_workspace(workspace, sandbox, realm, user=owner)
    with pytest.raises(PermissionDenied):
        sync_start(membership=membership_of(workspace, member))
    QBOConnection.objects.filter(workspace=workspace).update(
        status=QBOConnection.Status.NEEDS_RECONNECT
    )
    with pytest.raises(ApplicationError, match="needs reconnecting"):
        sync_start(membership=membership_of(workspace, owner))
    assert not SyncJob.objects.exists()


def test_one_active_job_a_second_press_answers_it_and_a_stale_one_is_replaced(
    workspace, connected, as_admin
) -> None:
    first = sync_start(membership=as_admin)
    assert sync_start(membership=as_admin).pk == first.pk
    with pytest.raises(JobBusy):
        sync_start(membership=as_admin, kind=Kind.CREATE_CUSTOMERS)

    SyncJob.objects.filter(pk=first.pk).update(
        state=SyncJob.State.RUNNING, heartbeat_at=timezone.now() - STALE_AFTER - timedelta(1)
    )
    second = sync_start(membership=as_admin, kind=Kind.CREATE_CUSTOMERS)
    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.state == SyncJob.State.FAILED and first.error == INTERRUPTED
    # The old worker, should it wake up, finds its job over and does nothing.
    sync_run(job_id=first.pk)
    first.refresh_from_db()
    assert first.state == SyncJob.State.FAILED and first.result == {}


def test_a_connection_lost_during_the_job_fails_it_with_a_message(
    workspace, connected, as_admin
) -> None:
    job = sync_start(membership=as_admin)
    QBOConnection.objects.filter(workspace=workspace).update(
        status=QBOConnection.Status.NEEDS_RECONNECT, problem="revoked"
    )
    sync_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == SyncJob.State.FAILED
    assert "needs reconnecting" in job.error


def test_server_errors_are_retried_then_fail_the_job_with_a_message(
    workspace, connected, as_admin, sandbox: SandboxProcess, realm: str
) -> None:
    seed(sandbox, realm, "Employee", DisplayName="Olivia Owner")
    # One 500: the retry succeeds.
    arm_fault(sandbox, realm, "500", count=1)
    job = sync_start(membership=as_admin)
    sync_job_run.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.state == SyncJob.State.SUCCEEDED, job.error
    assert names(job.result["membersLinked"]) == ["Olivia Owner"]

    # QuickBooks down for longer than the retries: FAILED, saying what happened.
    arm_fault(sandbox, realm, "503", count=50)
    job = sync_start(membership=as_admin)
    sync_job_run.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.state == SyncJob.State.FAILED
    assert "temporary server error" in job.error


def test_split_name() -> None:
    assert split_name("Mia Member") == ("Mia", "Member")
    assert split_name("Mary Ann Smith") == ("Mary Ann", "Smith")
    assert split_name("Cher") == ("Cher", "")
    assert split_name("  ") == ("", "")
