"""Links made by hand on a sync's result page, when names differ:

    link_manual(actor=ms, job_id=job.id, side=Side.MEMBER, local_id=member_id, qbo_id=employee_id)
    link_undo(actor=ms, job_id=job.id, side=Side.MEMBER, local_id=member_id)

A member with no employee links to one of the employees with no member, a contractor with no
vendor to one of the vendors with no contractor; a project with no
customer to one of the customers (sub-customers, QuickBooks projects) with no project here; a
client with no customer to one of the customers that should be a client here. Both sides must be
listed as unlinked by the latest finished job of the connected company, so the admin links
what QuickBooks held at that sync. A link made by hand is marked manual; later syncs keep it as
they keep every link (by QuickBooks Id, while the employee exists and the customer still maps to
the same kind of thing) and say it is manual; only a manual link can be undone. Nothing is
written to QuickBooks. The job's result is updated in the same transaction, so its page (and
the create-missing counts) show the change at once. Each link and undo is audited."""

from __future__ import annotations

import enum
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError
from django.db import transaction

from quickbooks_sync.models import CustomerLink
from quickbooks_sync.models import EmployeeLink
from quickbooks_sync.models import SyncJob
from quickbooks_sync.services.connection import require_connection_ready
from quickbooks_sync.services.sync import JobBusy
from quickbooks_sync.services.sync_report import EMPLOYEES
from quickbooks_sync.services.sync_report import MANUAL_TODO
from quickbooks_sync.services.sync_report import VENDORS
from quickbooks_sync.services.sync_report import PersonKind
from quickbooks_sync.services.sync_report import client_without_customer_row
from quickbooks_sync.services.sync_report import customer_without_client_row
from quickbooks_sync.services.sync_report import customer_without_project_row
from quickbooks_sync.services.sync_report import employee_without_row
from quickbooks_sync.services.sync_report import member_without_row
from quickbooks_sync.services.sync_report import project_without_customer_row
from tracking.models import Client
from tracking.models import Project
from workspaces.access import require_role
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.ids import is_object_id
from workspaces.models import Membership
from workspaces.services import audit_log_record

NOT_LATEST = (
    "This is not the latest sync result: links are made on the latest one. Open it from "
    "Settings > Integrations (or sync again)."
)
BUSY = "A QuickBooks job is running; link by hand after it finishes."


class Side(enum.StrEnum):
    MEMBER = "member"
    CONTRACTOR = "contractor"
    PROJECT = "project"
    CLIENT = "client"


PEOPLE: dict[Side, PersonKind] = {Side.MEMBER: EMPLOYEES, Side.CONTRACTOR: VENDORS}

# Per side: (unlinked here, unlinked in QBO, linked rows, local id key, QBO id key)
LISTS: dict[Side, tuple[str, str, str, str, str]] = {
    **{
        side: (kind.unlinked_here, kind.unlinked_there, kind.linked, "memberId", kind.qbo_id)
        for side, kind in PEOPLE.items()
    },
    Side.PROJECT: (
        "projectsWithoutCustomer",
        "customersWithoutProject",
        "projectsLinked",
        "projectId",
        "customerId",
    ),
    Side.CLIENT: (
        "clientsWithoutCustomer",
        "customersWithoutClient",
        "clientsLinked",
        "clientId",
        "customerId",
    ),
}


def _side(value: str) -> Side:
    try:
        return Side(value)
    except ValueError:
        raise ApplicationError(
            "Choose what to link: a member, a contractor, a project or a client."
        ) from None


def _latest_job(actor: Membership, job_id: str) -> SyncJob:
    """The job, locked, when it is the workspace's latest finished job, of the connected
    company, and no job runs."""
    require_role(actor, Membership.Role.ADMIN)
    connection = require_connection_ready(workspace_id=actor.workspace_id)
    jobs = SyncJob.objects.select_for_update().filter(workspace_id=actor.workspace_id)
    job = jobs.filter(pk=job_id).first() if is_object_id(job_id) else None
    if job is None:
        raise NotFound("Job not found.")
    if jobs.filter(state__in=[SyncJob.State.QUEUED, SyncJob.State.RUNNING]).exists():
        raise JobBusy(BUSY)
    latest = jobs.filter(state=SyncJob.State.SUCCEEDED).order_by("-finished_at", "-pk").first()
    if latest is None or latest.pk != job.pk or job.result.get("realmId") != connection.realm_id:
        raise JobBusy(NOT_LATEST)
    return job


def _take(rows: list[dict[str, Any]], key: str, value: str, what: str) -> dict[str, Any]:
    for n, row in enumerate(rows):
        if row.get(key) == value:
            return rows.pop(n)
    raise ApplicationError(f"{what} is not unlinked as of this sync; sync again to see it.")


def _audit(
    actor: Membership, event: str, side: Side, local_id: str, realm: str, **extra: str
) -> None:
    audit_log_record(
        workspace=actor.workspace,
        actor=actor.user,
        event=event,
        target=f"{side.value} {local_id}",
        details={"side": side.value, "localId": local_id, "realmId": realm, **extra},
    )


def _save(job: SyncJob, result: dict[str, Any]) -> None:
    result["counts"] = {key: len(value) for key, value in result.items() if isinstance(value, list)}
    job.result = result
    job.save(update_fields=["result"])


def _by_label(rows: list[dict[str, Any]], qbo_key: str, label: str) -> str:
    """The QuickBooks Id of the row named `label` exactly (an employee's display name, a
    customer's full name "Parent:Child"; QuickBooks keeps both unique)."""
    label = label.strip()
    for row in rows:
        if label and label in (row.get("fullyQualifiedName"), row.get("name")):
            return str(row[qbo_key])
    raise ApplicationError(
        f"“{label}” is not one of the unlinked QuickBooks names listed: pick one from the list."
        if label
        else "Pick a QuickBooks name from the list.",
        field="qbo",
    )


def link_manual(
    *,
    actor: Membership,
    job_id: str,
    side: str,
    local_id: str,
    qbo_id: str = "",
    qbo_label: str = "",
) -> dict[str, Any]:
    """Link `local_id` (a membership, project or client) to the QuickBooks employee (a
    contractor's: vendor) or customer `qbo_id` (or the one named `qbo_label`, as the page's
    searchable list gives it), both unlinked as of the latest job; answers the linked row of
    the result."""
    which = _side(side)
    here_key, there_key, linked_key, local_key, qbo_key = LISTS[which]
    with transaction.atomic():
        job = _latest_job(actor, job_id)
        result = dict(job.result)
        here_rows, there_rows = list(result.get(here_key, [])), list(result.get(there_key, []))
        qbo_id = qbo_id or _by_label(there_rows, qbo_key, qbo_label)
        here = _take(here_rows, local_key, local_id, f"This {which.value}")
        there = _take(there_rows, qbo_key, qbo_id, "This QuickBooks record")
        realm = str(result["realmId"])
        try:
            with transaction.atomic():
                row = _create_link(actor, which, realm, here, there)
        except ObjectDoesNotExist:
            raise ApplicationError(
                f"This {which.value} no longer exists here; sync again to see what is left."
            ) from None
        except IntegrityError:
            raise ApplicationError(
                "One of the two is linked already; sync again to see the links as they are."
            ) from None
        result[here_key], result[there_key] = here_rows, there_rows
        result[linked_key] = [*result.get(linked_key, []), row]
        _save(job, result)
        _audit(actor, "quickbooks.link_manual", which, local_id, realm, qboId=qbo_id)
    return row


def _create_link(
    actor: Membership, side: Side, realm: str, here: dict[str, Any], there: dict[str, Any]
) -> dict[str, Any]:
    ws = actor.workspace_id
    todo = MANUAL_TODO
    if side in PEOPLE:
        kind = PEOPLE[side]
        membership = Membership.objects.select_related("user").get(
            workspace_id=ws, pk=here["memberId"]
        )
        if membership.contractor != (kind is VENDORS):
            # The flag changed since the sync listed this member: the link would not count.
            raise ApplicationError(
                f"{membership.user.full_name} is now "
                f"{'a contractor' if membership.contractor else 'an employee'}: sync again, "
                "then link."
            )
        EmployeeLink.objects.create(
            workspace_id=ws,
            membership=membership,
            realm_id=realm,
            name_of=kind.name_of,
            qbo_employee_id=there[kind.qbo_id],
            qbo_display_name=there["name"],
            manual=True,
        )
        return {
            "memberId": membership.pk,
            "name": membership.user.full_name,
            "memberStatus": membership.status,
            kind.qbo_id: there[kind.qbo_id],
            kind.qbo_name: there["name"],
            kind.qbo_active: True,  # listed as without member: active ones only
            "new": True,
            "manual": True,
            "whatToDo": todo,
        }
    customer = {k: there[k] for k in ("customerId", "name", "fullyQualifiedName")}
    customer.update(isQboProject=there.get("isQboProject", False), active=there["active"])
    values = {
        "workspace_id": ws,
        "realm_id": realm,
        "qbo_customer_id": customer["customerId"],
        "qbo_display_name": customer["name"],
        "qbo_fully_qualified_name": customer["fullyQualifiedName"],
        "qbo_is_project": customer["isQboProject"],
        "manual": True,
    }
    if side is Side.PROJECT:
        project = Project.objects.select_related("client").get(
            workspace_id=ws, pk=here["projectId"]
        )
        CustomerLink.objects.create(kind=CustomerLink.Kind.PROJECT, project=project, **values)
        return {
            "projectId": project.pk,
            "projectName": project.name,
            "clientName": project.client.name if project.client else None,
            **customer,
            "new": True,
            "manual": True,
            "whatToDo": todo,
        }
    client = Client.objects.get(workspace_id=ws, pk=here["clientId"])
    CustomerLink.objects.create(kind=CustomerLink.Kind.CLIENT, client=client, **values)
    return {
        "clientId": client.pk,
        **customer,
        "clientName": client.name,
        "new": True,
        "manual": True,
        "whatToDo": todo,
    }


def link_undo(*, actor: Membership, job_id: str, side: str, local_id: str) -> None:
    """Undo a link made by hand (a link by name is not undone here: it would come back at the
    next sync); both sides are listed as unlinked again."""
    which = _side(side)
    here_key, there_key, linked_key, local_key, _ = LISTS[which]
    with transaction.atomic():
        job = _latest_job(actor, job_id)
        result = dict(job.result)
        linked_rows = list(result.get(linked_key, []))
        row = _take(linked_rows, local_key, local_id, f"This {which.value}")
        if not row.get("manual"):
            raise ApplicationError("Only a link made by hand can be undone here.")
        realm = str(result["realmId"])
        here, there = _unlink(actor, which, realm, row)
        result[linked_key] = linked_rows
        if here is not None:
            result[here_key] = [*result.get(here_key, []), here]
        if there is not None:
            result[there_key] = [*result.get(there_key, []), there]
        _save(job, result)
        _audit(actor, "quickbooks.link_undone", which, local_id, realm)


def _unlink(
    actor: Membership, side: Side, realm: str, row: dict[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Delete the manual link; the rows to list again (None: not listed, e.g. inactive)."""
    ws = actor.workspace_id
    if side in PEOPLE:
        kind = PEOPLE[side]
        deleted, _ = EmployeeLink.objects.filter(
            workspace_id=ws,
            realm_id=realm,
            membership_id=row["memberId"],
            name_of=kind.name_of,
            manual=True,
        ).delete()
        if not deleted:
            raise ApplicationError("This link is gone already; sync again.")
        active = row.get("memberStatus") == Membership.Status.ACTIVE
        return (
            member_without_row(row["memberId"], row["name"], kind) if active else None,
            employee_without_row(row[kind.qbo_id], row[kind.qbo_name], kind)
            if row.get(kind.qbo_active)
            else None,
        )
    customer = {
        k: row[k] for k in ("customerId", "name", "fullyQualifiedName", "isQboProject", "active")
    }
    target = "project_id" if side is Side.PROJECT else "client_id"
    local_key = "projectId" if side is Side.PROJECT else "clientId"
    deleted, _ = CustomerLink.objects.filter(
        workspace_id=ws, realm_id=realm, manual=True, **{target: row[local_key]}
    ).delete()
    if not deleted:
        raise ApplicationError("This link is gone already; sync again.")
    if side is Side.PROJECT:
        parent = _parent_of(customer["fullyQualifiedName"])
        return (
            project_without_customer_row(row["projectId"], row["projectName"], row["clientName"]),
            customer_without_project_row(customer, parent),
        )
    return (
        client_without_customer_row(row["clientId"], row["clientName"]),
        customer_without_client_row(customer),
    )


def _parent_of(fully_qualified_name: str) -> str | None:
    """The parent customer's display name from QuickBooks' "Parent:Child" name."""
    parts = fully_qualified_name.split(":")
    return parts[-2] if len(parts) > 1 else None
