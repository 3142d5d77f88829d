"""Sync of members and the customer hierarchy with QuickBooks Online, and the two explicit
create-missing actions, as background jobs (SyncJob rows that the pages and the API follow).

- `sync_start` (a page or the API) makes the job row and enqueues the Celery task after commit.
- `sync_run` (the task) does the job: it reads ALL employees, vendors and customers through
  `connection_call`, links by identical name (quickbooks_sync.mapping: contractors to vendors,
  everyone else to employees) and stores the links by QBO Id, and writes the result the page
  shows: every row with what to do about it.

Rules decided here:
- SYNC never writes to QuickBooks. CREATE_EMPLOYEES is the only job that does (an Employee per
  active member without one, a Vendor per active contractor without one, after the admin
  confirmed); CREATE_CUSTOMERS only creates here.
- The seed's first-sync rule: when the workspace has no projects at all (archived ones count)
  at its first sync, the whole hierarchy is created here without asking. Only SYNC jobs count
  as syncs for it (a "Create missing users" pressed first does not).
- The plan gate (Standard, Pro, Enterprise) holds for every job, not only for connecting.
- Inactive QBO customers become archived clients/projects when created here.
- Every job is safe to run twice: it reads what is linked from the database, and each unit of
  work (one link set, one client, one project, one employee) is its own transaction.
- QBO calls run outside any transaction (connection_call commits refreshed tokens itself).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from quickbooks_sync.mapping import CustomerLinks
from quickbooks_sync.mapping import CustomerTree
from quickbooks_sync.mapping import LocalClient
from quickbooks_sync.mapping import LocalProject
from quickbooks_sync.mapping import Member
from quickbooks_sync.mapping import PeopleLinks
from quickbooks_sync.mapping import UserLinks
from quickbooks_sync.mapping import link_customers
from quickbooks_sync.mapping import link_people
from quickbooks_sync.mapping import map_customer_tree
from quickbooks_sync.models import CustomerLink
from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SyncJob
from quickbooks_sync.qbo.errors import QBOError
from quickbooks_sync.qbo.session import QBOSession
from quickbooks_sync.qbo.types import QBOCustomer
from quickbooks_sync.qbo.types import QBOEmployee
from quickbooks_sync.qbo.types import QBOVendor
from quickbooks_sync.selectors.sync import sync_catalog
from quickbooks_sync.selectors.sync import sync_memberships
from quickbooks_sync.services.connection import PLAN_REQUIRED
from quickbooks_sync.services.connection import ConnectionUnavailable
from quickbooks_sync.services.connection import connection_call
from quickbooks_sync.services.connection import require_connection_ready
from quickbooks_sync.services.sync_report import PERSON_KINDS
from quickbooks_sync.services.sync_report import VENDORS
from quickbooks_sync.services.sync_report import PersonKind
from quickbooks_sync.services.sync_report import QBOCompany
from quickbooks_sync.services.sync_report import customer_row
from quickbooks_sync.services.sync_report import sync_report
from tracking.models import Client
from tracking.models import Project
from tracking.services.catalog import client_archive
from tracking.services.catalog import client_create
from tracking.services.catalog import project_archive
from tracking.services.catalog import project_create
from workspaces.access import require_role
from workspaces.errors import ApplicationError
from workspaces.models import Membership
from workspaces.services import audit_log_record

logger = logging.getLogger(__name__)

# A job whose worker has not reported for this long is taken as dead: the next press marks it
# FAILED and starts a new one. Longer than any retry pause (throttle: 60 s; backoff: 80 s).
STALE_AFTER = timedelta(minutes=10)
WAITING = "Waiting for a worker"
WORKERS_UNREACHABLE = (
    "Queued: the background workers cannot be reached right now. The job starts by itself as "
    "soon as they can; there is nothing to press again."
)
INTERRUPTED = (
    "The job stopped without finishing (its worker was interrupted or never picked it up). "
    "A new one was started."
)

Kind = SyncJob.Kind
State = SyncJob.State


class JobBusy(ApplicationError):
    """Another kind of QuickBooks job is running for the workspace."""

    status = 409


class _Superseded(Exception):
    """The job row is no longer RUNNING (a new press marked it interrupted): stop quietly."""


# -- starting a job -------------------------------------------------------------------------------


def _is_stale(job: SyncJob) -> bool:
    last_sign_of_life = job.heartbeat_at or job.started_at or job.created_at
    return timezone.now() - last_sign_of_life > STALE_AFTER


def _busy(active: SyncJob) -> JobBusy:
    return JobBusy(
        f"“{active.get_kind_display()}” is still running for this workspace; "
        "wait until it finishes, then try again.",
    )


def sync_start(*, membership: Membership, kind: str = Kind.SYNC) -> SyncJob:
    """Start a job of `kind` (admins and the owner only, on a connected workspace whose plan
    includes QuickBooks: a downgraded one keeps its connection, to disconnect, but runs no job).

    At most one job is active per workspace: pressing again while a job of the same kind runs
    answers that job; another kind running is a JobBusy (409). A job that stopped reporting
    (STALE_AFTER) is marked FAILED ("interrupted") and a new one starts."""
    require_role(membership, Membership.Role.ADMIN)
    if kind not in Kind.values:
        raise ApplicationError(f"Unknown job kind {kind!r}.")
    require_connection_ready(workspace_id=membership.workspace_id)
    with transaction.atomic():
        active = (
            SyncJob.objects.select_for_update()
            .filter(workspace_id=membership.workspace_id, state__in=SyncJob.ACTIVE_STATES)
            .first()
        )
        if active is not None:
            if not _is_stale(active):
                if active.kind == kind:
                    return active
                raise _busy(active)
            _finish(active, state=State.FAILED, error=INTERRUPTED, only_if_active=True)
        try:
            with transaction.atomic():
                job = SyncJob.objects.create(
                    workspace_id=membership.workspace_id,
                    kind=kind,
                    requested_by_id=membership.user_id,
                    stage=WAITING,
                )
        except IntegrityError:
            # Another press created the active job between our read and insert.
            active = SyncJob.objects.get(
                workspace_id=membership.workspace_id, state__in=SyncJob.ACTIVE_STATES
            )
            if active.kind == kind:
                return active
            raise _busy(active) from None
        if kind != Kind.SYNC:
            audit_log_record(
                workspace=membership.workspace,
                actor=membership.user,
                event="quickbooks.create_missing_users"
                if kind == Kind.CREATE_EMPLOYEES
                else "quickbooks.create_missing_customers",
                target=job.pk,
            )
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue(job_id))
    return job


def _enqueue(job_id: str) -> None:
    from quickbooks_sync.tasks.sync import sync_job_run  # the task module imports this one

    try:
        sync_job_run.delay(job_id)
    except Exception as exc:  # kombu's OperationalError, or whatever the transport raises
        # The job is committed: it stays QUEUED, says so, and the periodic sync_jobs_resume
        # hands it out once the broker is back.
        logger.warning("QBO job %s queued, but the broker cannot be reached: %s", job_id, exc)
        SyncJob.objects.filter(pk=job_id, state=State.QUEUED).update(stage=WORKERS_UNREACHABLE)


def sync_jobs_resume_due() -> list[str]:
    """Queued jobs whose message never reached the broker (WORKERS_UNREACHABLE), marked as
    handed out again; the periodic task enqueues them."""
    with transaction.atomic():
        job_ids = list(
            SyncJob.objects.select_for_update(skip_locked=True)
            .filter(state=State.QUEUED, stage=WORKERS_UNREACHABLE)
            .values_list("pk", flat=True)
        )
        SyncJob.objects.filter(pk__in=job_ids, state=State.QUEUED).update(stage=WAITING)
    return job_ids


def sync_jobs_resume() -> int:
    """Enqueue the jobs sync_jobs_resume_due finds (in a worker: the broker is back)."""
    job_ids = sync_jobs_resume_due()
    for job_id in job_ids:
        logger.warning("QBO job %s never reached the workers: enqueuing it again", job_id)
        _enqueue(job_id)
    return len(job_ids)


# -- running a job ---------------------------------------------------------------------------------


class _Progress:
    """Writes the job's stage and counters (and its heartbeat) as it goes, so the page's bar
    moves; raises _Superseded once the job is no longer RUNNING."""

    def __init__(self, job: SyncJob, total: int) -> None:
        self.job = job
        self.done = 0
        self.total = total

    def stage(self, text: str, *, advance: int = 0, add_total: int = 0) -> None:
        self.done += advance
        self.total += add_total
        self._write(text)

    def _write(self, text: str) -> None:
        updated = SyncJob.objects.filter(pk=self.job.pk, state=State.RUNNING).update(
            stage=text[:200],
            progress_done=min(self.done, self.total),
            progress_total=self.total,
            heartbeat_at=timezone.now(),
        )
        if not updated:
            raise _Superseded


def sync_job_waiting(*, job_id: str, message: str) -> None:
    """Say on the job why it pauses (a retry after a transient QuickBooks error)."""
    SyncJob.objects.filter(pk=job_id, state=State.RUNNING).update(
        stage=message[:200], heartbeat_at=timezone.now()
    )


def sync_job_fail(*, job_id: str, message: str) -> None:
    """End an active job as FAILED with a message people can act on."""
    job = SyncJob.objects.filter(pk=job_id).first()
    if job is not None:
        _finish(job, state=State.FAILED, error=message, only_if_active=True)


def _finish(
    job: SyncJob,
    *,
    state: str,
    error: str = "",
    result: dict[str, Any] | None = None,
    only_if_active: bool = False,
) -> bool:
    queryset = SyncJob.objects.filter(pk=job.pk)
    if only_if_active:
        queryset = queryset.filter(state__in=SyncJob.ACTIVE_STATES)
    else:
        queryset = queryset.filter(state=State.RUNNING)
    fields: dict[str, Any] = {
        "state": state,
        "error": error[:1000],
        "finished_at": timezone.now(),
        "heartbeat_at": timezone.now(),
    }
    if state == State.SUCCEEDED:
        fields["stage"] = "Finished"
        fields["progress_done"] = F("progress_total")
    if result is not None:
        fields["result"] = result
    return bool(queryset.update(**fields))


def sync_run(*, job_id: str) -> None:
    """Run one job to its end. Errors a retry may cure (QBOError.retryable) propagate to the
    task, which retries with backoff; every other failure ends the job FAILED with a message."""
    job = SyncJob.objects.select_related("workspace").filter(pk=job_id).first()
    if job is None or job.state not in SyncJob.ACTIVE_STATES:
        return  # done already, or superseded: running twice is harmless
    now = timezone.now()
    # Only while still active: a press that just marked it interrupted must not be undone.
    if not SyncJob.objects.filter(pk=job.pk, state__in=SyncJob.ACTIVE_STATES).update(
        state=State.RUNNING, started_at=job.started_at or now, heartbeat_at=now
    ):
        return
    job.state = State.RUNNING
    if not job.workspace.has_quickbooks:  # downgraded after the job was started
        _finish(job, state=State.FAILED, error=PLAN_REQUIRED)
        return
    try:
        result = _run(job)
    except _Superseded:
        logger.info("QBO job %s was superseded; stopping", job.pk)
        return
    except ConnectionUnavailable as exc:
        _finish(job, state=State.FAILED, error=exc.message)
        return
    except QBOError as exc:
        if exc.retryable:
            raise
        _finish(job, state=State.FAILED, error=exc.human_message)
        return
    except ApplicationError as exc:  # e.g. the admin who asked is no longer one
        _finish(job, state=State.FAILED, error=exc.message)
        return
    if job.kind == Kind.SYNC:
        # Only the Sync button's job counts as "synced": the first-sync rule reads this, and
        # a create-missing job pressed first must not make the first Sync a later one.
        QBOConnection.objects.filter(workspace_id=job.workspace_id).update(
            last_synced_at=timezone.now()
        )
    _finish(job, state=State.SUCCEEDED, result=result)


# -- reading QuickBooks and linking ----------------------------------------------------------------


def _call(job: SyncJob, operation: Callable[[QBOSession], Any]) -> Any:
    return connection_call(workspace_id=job.workspace_id, operation=operation)


def _read_company(job: SyncJob, progress: _Progress, *, customers: bool = True) -> QBOCompany:
    progress.stage("Reading employees from QuickBooks")
    employees: list[QBOEmployee] = _call(job, lambda qbo: qbo.employees())
    progress.stage("Reading vendors from QuickBooks", advance=1)
    vendors: list[QBOVendor] = _call(job, lambda qbo: qbo.vendors())
    customer_list: list[QBOCustomer] = []
    if customers:
        progress.stage("Reading customers and projects from QuickBooks", advance=1)
        customer_list = _call(job, lambda qbo: qbo.customers())
    realm_id = QBOConnection.objects.values_list("realm_id", flat=True).get(
        workspace_id=job.workspace_id
    )
    return QBOCompany(
        realm_id=realm_id, employees=employees, vendors=vendors, customers=customer_list
    )


def _link_users(job: SyncJob, company: QBOCompany) -> PeopleLinks:
    """Link members and employees, contractors and vendors (kept links first, then identical
    names) and store it. A member whose contractor flag changed since their link loses it and
    links anew to the other kind."""
    memberships = sync_memberships(workspace_id=job.workspace_id)
    stored = {
        link.membership_id: link
        for link in EmployeeLink.objects.filter(
            workspace_id=job.workspace_id, realm_id=company.realm_id
        )
    }
    links = link_people(
        members=[
            Member(
                member_id=m.pk, name=m.user.full_name, active=m.is_active, contractor=m.contractor
            )
            for m in memberships
        ],
        employees=company.employees,
        vendors=company.vendors,
        existing={
            member_id: (link.name_of, link.qbo_employee_id) for member_id, link in stored.items()
        },
    )
    wanted = {
        member_id: (kind, qbo_id)
        for kind, users in zip(PERSON_KINDS, (links.employees, links.vendors), strict=True)
        for member_id, qbo_id in users.linked.items()
    }
    names = {
        kind.name_of: {p.id: p.display_name for p in company.people(kind)} for kind in PERSON_KINDS
    }
    with transaction.atomic():
        gone = [member_id for member_id in stored if member_id not in wanted]
        if gone:
            EmployeeLink.objects.filter(
                workspace_id=job.workspace_id, membership_id__in=gone
            ).delete()
        for member_id, (kind, qbo_id) in wanted.items():
            name = names[kind.name_of][qbo_id]
            link = stored.get(member_id)
            if link is not None and (link.name_of, link.qbo_employee_id) == (kind.name_of, qbo_id):
                if link.qbo_display_name != name:  # renamed in QBO: the link stays
                    link.qbo_display_name = name
                    link.save(update_fields=["qbo_display_name"])
                continue
            _store_person_link(job, company, member_id, kind, qbo_id, name)
    return links


def _store_person_link(
    job: SyncJob, company: QBOCompany, member_id: str, kind: PersonKind, qbo_id: str, name: str
) -> None:
    """Link the member to the QBO employee or vendor (a link by name, or a creation)."""
    EmployeeLink.objects.update_or_create(
        membership_id=member_id,
        defaults={
            "workspace_id": job.workspace_id,
            "realm_id": company.realm_id,
            "name_of": kind.name_of,
            "qbo_employee_id": qbo_id,
            "qbo_display_name": name,
            "manual": False,
            "linked_at": timezone.now(),
        },
    )


def _store_customer_links(
    job: SyncJob,
    company: QBOCompany,
    *,
    kind: str,
    wanted: dict[str, str],
) -> None:
    """Make the stored links of `kind` (local id -> QBO Id) exactly `wanted`."""
    target = "client_id" if kind == CustomerLink.Kind.CLIENT else "project_id"
    stored = {
        getattr(link, target): link
        for link in CustomerLink.objects.filter(
            workspace_id=job.workspace_id, realm_id=company.realm_id, kind=kind
        )
    }
    gone = [local_id for local_id in stored if local_id not in wanted]
    if gone:
        CustomerLink.objects.filter(
            workspace_id=job.workspace_id, kind=kind, **{f"{target}__in": gone}
        ).delete()
    for local_id, qbo_id in wanted.items():
        customer = company.customers_by_id[qbo_id]
        values = {
            "qbo_display_name": customer.display_name,
            "qbo_fully_qualified_name": customer.fully_qualified_name,
            "qbo_is_project": customer.is_project,
        }
        link = stored.get(local_id)
        if link is not None and link.qbo_customer_id == qbo_id:
            if any(getattr(link, k) != v for k, v in values.items()):
                CustomerLink.objects.filter(pk=link.pk).update(**values)
            continue
        if link is not None:  # now linked to another customer
            CustomerLink.objects.filter(pk=link.pk).update(
                qbo_customer_id=qbo_id, linked_at=timezone.now(), **values
            )
            continue
        # A link into another company (a reconnect to a different one) gives way.
        CustomerLink.objects.filter(**{target: local_id}).delete()
        CustomerLink.objects.create(
            workspace_id=job.workspace_id,
            kind=kind,
            realm_id=company.realm_id,
            qbo_customer_id=qbo_id,
            **{target: local_id},
            **values,
        )


def _link_catalog(job: SyncJob, company: QBOCompany, tree: CustomerTree) -> CustomerLinks:
    """Link clients and projects to the customers they map to, and store it."""
    clients, projects = sync_catalog(workspace_id=job.workspace_id)
    stored = CustomerLink.objects.filter(workspace_id=job.workspace_id, realm_id=company.realm_id)
    links = link_customers(
        tree=tree,
        clients=[LocalClient(client_id=c.pk, name=c.name) for c in clients],
        projects=[
            LocalProject(project_id=p.pk, name=p.name, client_id=p.client_id) for p in projects
        ],
        existing_client_links={
            link.client_id: link.qbo_customer_id
            for link in stored
            if link.kind == CustomerLink.Kind.CLIENT and link.client_id
        },
        existing_project_links={
            link.project_id: link.qbo_customer_id
            for link in stored
            if link.kind == CustomerLink.Kind.PROJECT and link.project_id
        },
    )
    with transaction.atomic():
        _store_customer_links(job, company, kind=CustomerLink.Kind.CLIENT, wanted=links.clients)
        _store_customer_links(job, company, kind=CustomerLink.Kind.PROJECT, wanted=links.projects)
    return links


# -- creating what is missing ----------------------------------------------------------------------


def _requester(job: SyncJob) -> Membership:
    """The admin who asked: creations here are made as them (the catalog's own rules apply)."""
    membership = (
        Membership.objects.select_related("workspace", "user")
        .filter(
            workspace_id=job.workspace_id,
            user_id=job.requested_by_id,
            status=Membership.Status.ACTIVE,
        )
        .first()
    )
    if membership is None:
        raise ApplicationError("The admin who started this job is no longer a member.")
    require_role(membership, Membership.Role.ADMIN)
    return membership


def _create_catalog(
    job: SyncJob,
    progress: _Progress,
    company: QBOCompany,
    tree: CustomerTree,
    links: CustomerLinks,
) -> dict[str, list[dict[str, Any]]]:
    """Create here a client for each mapped client and a project for each mapped project that
    has none, link them, and archive those whose customer is inactive in QuickBooks."""
    actor = _requester(job)
    created_clients: list[dict[str, Any]] = []
    created_projects: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    progress.stage(
        "Creating clients and projects",
        add_total=len(links.clients_missing_here) + len(links.customers_without_project),
    )
    local_client_of = {qbo_id: local_id for local_id, qbo_id in links.clients.items()}
    new_clients: dict[str, Client] = {}
    for mapped in links.clients_missing_here:
        try:
            with transaction.atomic():
                client = client_create(actor=actor, name=mapped.name)
                _link_one(job, company, CustomerLink.Kind.CLIENT, client.pk, mapped.qbo_id)
        except ApplicationError as exc:
            failed.append({**customer_row(company, mapped.qbo_id), "reason": exc.message})
        else:
            local_client_of[mapped.qbo_id] = client.pk
            new_clients[mapped.qbo_id] = client
            created_clients.append({"clientId": client.pk, "name": client.name})
        progress.stage(f"Created client “{mapped.name}”", advance=1)
    clients_by_id = {c.pk: c for c in Client.objects.filter(workspace_id=job.workspace_id)}
    for project_map in links.customers_without_project:
        reason = None
        project_client: Client | None = None
        if project_map.client_qbo_id is not None:
            client_id = local_client_of.get(project_map.client_qbo_id)
            project_client = clients_by_id.get(client_id) if client_id else None
            if project_client is None:
                parent = company.customers_by_id[project_map.client_qbo_id].display_name
                reason = f"Its client “{parent}” could not be created here (see above)."
        if reason is None:
            try:
                with transaction.atomic():
                    project = project_create(
                        actor=actor, name=project_map.name, client=project_client
                    )
                    _link_one(
                        job, company, CustomerLink.Kind.PROJECT, project.pk, project_map.qbo_id
                    )
                    if not project_map.active:
                        project_archive(actor=actor, project=project)
            except ApplicationError as exc:
                reason = exc.message
            else:
                created_projects.append(
                    {
                        "projectId": project.pk,
                        "name": project.name,
                        "clientName": project_client.name if project_client else None,
                        "archived": not project_map.active,
                    }
                )
        if reason is not None:
            failed.append({**customer_row(company, project_map.qbo_id), "reason": reason})
        progress.stage(f"Created project “{project_map.name}”", advance=1)
    for qbo_id, client in new_clients.items():
        if not tree.clients[qbo_id].active:
            client_archive(actor=actor, client=client)
    return {
        "createdClients": created_clients,
        "createdProjects": created_projects,
        "failed": failed,
    }


def _link_one(job: SyncJob, company: QBOCompany, kind: str, local_id: str, qbo_id: str) -> None:
    customer = company.customers_by_id[qbo_id]
    target = "client_id" if kind == CustomerLink.Kind.CLIENT else "project_id"
    CustomerLink.objects.create(
        workspace_id=job.workspace_id,
        kind=kind,
        realm_id=company.realm_id,
        qbo_customer_id=qbo_id,
        qbo_display_name=customer.display_name,
        qbo_fully_qualified_name=customer.fully_qualified_name,
        qbo_is_project=customer.is_project,
        **{target: local_id},
    )


def split_name(full_name: str) -> tuple[str, str]:
    """GivenName and FamilyName from a full name: the last word is the family name."""
    words = full_name.split()
    if len(words) <= 1:
        return (words[0] if words else "", "")
    return " ".join(words[:-1]), words[-1]


def _request_id(job: SyncJob, kind: PersonKind, member_id: str) -> str:
    # The same id on a retry of the same job: QBO answers a repeat without creating twice.
    return hashlib.sha256(f"{job.pk}:{kind.noun}:{member_id}".encode()).hexdigest()[:40]


def _person_creator(
    kind: PersonKind, member: Member, given: str, family: str, request_id: str
) -> Callable[[QBOSession], QBOEmployee]:
    def create(qbo: QBOSession) -> QBOEmployee:
        make = qbo.create_vendor if kind is VENDORS else qbo.create_employee
        return make(
            display_name=member.name,
            given_name=given,
            family_name=family,
            request_id=request_id,
        )

    return create


def _create_people(
    job: SyncJob, progress: _Progress, company: QBOCompany, kind: PersonKind, links: UserLinks
) -> dict[str, list[dict[str, Any]]]:
    """Create in QuickBooks an Employee for each active member without one (a Vendor for each
    active contractor without one, for VENDORS); link the created ones; report each failure
    with QuickBooks' reason."""
    _requester(job)
    created: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for member in links.members_sharing_a_name:
        failed.append(
            {
                "memberId": member.member_id,
                "name": member.name,
                "reason": "Several members have this name; give each a distinct name first.",
            }
        )
    todo = links.members_without_employee
    stage = f"Creating {kind.noun}s in QuickBooks"
    progress.stage(stage, add_total=len(todo))
    for member in todo:
        given, family = split_name(member.name)
        if not given:
            failed.append(
                {
                    "memberId": member.member_id,
                    "name": member.name,
                    "reason": "The member has no name; ask them to set one in their profile.",
                }
            )
            progress.stage(stage, advance=1)
            continue
        request_id = _request_id(job, kind, member.member_id)
        try:
            person: QBOEmployee = _call(
                job, _person_creator(kind, member, given, family, request_id)
            )
        except QBOError as exc:
            if exc.retryable:
                raise
            failed.append(
                {
                    "memberId": member.member_id,
                    "name": member.name,
                    "code": exc.code,
                    "reason": exc.human_message,
                }
            )
        else:
            with transaction.atomic():
                _store_person_link(
                    job, company, member.member_id, kind, person.id, person.display_name
                )
            company.people_append(kind, person)
            created.append(
                {"memberId": member.member_id, "name": member.name, kind.qbo_id: person.id}
            )
        progress.stage(f"Created {kind.noun}s: {len(created)}, failed: {len(failed)}", advance=1)
    return {"created": created, "failed": failed}


# -- the jobs --------------------------------------------------------------------------------------

STEPS = 5  # read employees, vendors and customers, link members, link clients and projects


def _first_sync_imports_all(job: SyncJob) -> bool:
    """The seed's rule: no projects at all here at the first sync -> import everything.

    "The first sync" is the first Sync job to succeed since this company was connected:
    `last_synced_at` is set by SYNC jobs only and cleared when another company is connected.

    Decided once per job and kept on the job, so a rerun after an interruption (when some
    projects were already created) carries on with the import instead of stopping half-way."""
    decided = job.result.get("importAll") if isinstance(job.result, dict) else None
    if isinstance(decided, bool):
        return decided
    first_sync = not QBOConnection.objects.filter(
        workspace_id=job.workspace_id, last_synced_at__isnull=False
    ).exists()
    import_all = first_sync and not Project.objects.filter(workspace_id=job.workspace_id).exists()
    SyncJob.objects.filter(pk=job.pk).update(result={"importAll": import_all})
    return import_all


def _run(job: SyncJob) -> dict[str, Any]:
    """Read the company, link, do what the job's kind adds, and answer the result."""
    progress = _Progress(job, total=STEPS)
    import_all = job.kind == Kind.SYNC and _first_sync_imports_all(job)
    company = _read_company(job, progress)
    progress.stage("Linking members and employees", advance=1)
    users = _link_users(job, company)
    extra: dict[str, Any] = {}
    if job.kind == Kind.CREATE_EMPLOYEES:
        for kind, unlinked in zip(PERSON_KINDS, (users.employees, users.vendors), strict=True):
            extra[kind.created] = _create_people(job, progress, company, kind, unlinked)
        users = _link_users(job, company)
    progress.stage("Linking clients and projects", advance=1)
    tree = map_customer_tree(company.customers)
    catalog = _link_catalog(job, company, tree)
    if job.kind == Kind.CREATE_CUSTOMERS:
        extra["createdCustomers"] = _create_catalog(job, progress, company, tree, catalog)
        catalog = _link_catalog(job, company, tree)
    if job.kind == Kind.SYNC:
        extra.update(importAll=import_all, firstSyncImport=None)
        if import_all and (tree.clients or tree.projects):
            imported = _create_catalog(job, progress, company, tree, catalog)
            catalog = _link_catalog(job, company, tree)
            extra["firstSyncImport"] = imported
            audit_log_record(
                workspace=job.workspace,
                actor=job.requested_by,
                event="quickbooks.customers_imported",
                target=job.pk,
                details={
                    "clients": len(imported["createdClients"]),
                    "projects": len(imported["createdProjects"]),
                },
            )
    progress.stage("Writing the result", advance=1)
    return {**sync_report(job, company, tree, users, catalog), **extra}
