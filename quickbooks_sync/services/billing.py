"""Classes and service items per project and task (issue 16): where time is billed.

    options = billing_options(membership=ms)          # reads QuickBooks: classes, items, prefs
    billing_save(membership=ms, default_class_id="3", projects={pid: ("3", "12")},
                 tasks={tid: "12"})                    # "" clears; checked against QBO now

A TimeActivity carries the most specific item (task, project, workspace: the Service item
setting) and, while the company tracks classes (Preferences), the project's class or the
workspace's default (mapping.billing_for). Reading QuickBooks records whether it tracks
classes on the connection, which the send reads. Admins only, plan-gated, audited; nothing is
written to QuickBooks."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from quickbooks_sync.models import ProjectBilling
from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import TaskBilling
from quickbooks_sync.qbo.session import QBOSession
from quickbooks_sync.qbo.types import QBOClass
from quickbooks_sync.qbo.types import ServiceItem
from quickbooks_sync.services.connection import require_connection_ready
from quickbooks_sync.services.service_item import read_for_page
from tracking.models import Project
from tracking.models import Task
from workspaces.access import require_role
from workspaces.errors import ApplicationError
from workspaces.models import Membership
from workspaces.services import audit_log_record


@dataclass(frozen=True)
class BillingOptions:
    class_tracking: bool
    classes: list[QBOClass]  # active classes, by name (none while classes are not tracked)
    items: list[ServiceItem]  # active Service items, by name


def billing_options(*, membership: Membership) -> BillingOptions:
    """Read the company's Track classes preference, active classes and Service items (three
    requests) and remember the preference on the connection."""
    require_role(membership, Membership.Role.ADMIN)
    connection = require_connection_ready(workspace_id=membership.workspace_id)

    def read(qbo: QBOSession) -> BillingOptions:
        tracking = qbo.preferences().class_tracking
        return BillingOptions(
            class_tracking=tracking,
            classes=qbo.classes() if tracking else [],
            items=[i for i in qbo.service_items() if i.active],
        )

    options = read_for_page(
        workspace_id=membership.workspace_id, read=read, what="classes and items"
    )
    if options.class_tracking != connection.class_tracking:
        QBOConnection.objects.filter(pk=connection.pk).update(class_tracking=options.class_tracking)
    return BillingOptions(
        class_tracking=options.class_tracking,
        classes=sorted(options.classes, key=lambda c: c.name.casefold()),
        items=sorted(options.items, key=lambda i: i.name.casefold()),
    )


def _name(choices: dict[str, str], chosen: str, what: str, field: str) -> str:
    if not chosen:
        return ""
    if chosen not in choices:
        raise ApplicationError(
            f"That {what} is not an active {what} of the connected QuickBooks company; choose "
            "one from the list.",
            field=field,
        )
    return choices[chosen]


def billing_save(
    *,
    membership: Membership,
    default_class_id: str,
    projects: dict[str, tuple[str, str]],
    tasks: dict[str, str],
) -> None:
    """Save the workspace's default class and each project's (class id, item id) and task's
    item id ("" for none), all checked against what QuickBooks has now; all or nothing."""
    options = billing_options(membership=membership)
    classes = {c.id: c.name for c in options.classes}
    items = {i.id: i.name for i in options.items}
    ws = membership.workspace_id
    known_projects = set(
        Project.objects.filter(workspace_id=ws, pk__in=list(projects)).values_list("pk", flat=True)
    )
    known_tasks = set(
        Task.objects.filter(project__workspace_id=ws, pk__in=list(tasks)).values_list(
            "pk", flat=True
        )
    )
    if set(projects) - known_projects or set(tasks) - known_tasks:
        raise ApplicationError("A project or task is not in this workspace.")
    if not options.class_tracking and (
        default_class_id or any(class_id for class_id, _ in projects.values())
    ):
        raise ApplicationError(
            "The QuickBooks company does not track classes (turn on Track classes in its "
            "settings first).",
            field="default_class",
        )
    default_name = _name(classes, default_class_id, "class", "default_class")
    project_rows = {
        pid: (
            class_id,
            _name(classes, class_id, "class", f"class-{pid}"),
            item_id,
            _name(items, item_id, "service item", f"item-{pid}"),
        )
        for pid, (class_id, item_id) in projects.items()
    }
    task_rows = {
        tid: (item_id, _name(items, item_id, "service item", f"task-{tid}"))
        for tid, item_id in tasks.items()
    }
    with transaction.atomic():
        QBOConnection.objects.filter(workspace_id=ws).update(
            default_class_id=default_class_id, default_class_name=default_name
        )
        # One query per model, whatever the number of projects and tasks: a row per project
        # and task (one-to-one), written, or overwritten where it is already there.
        ProjectBilling.objects.bulk_create(
            [
                ProjectBilling(
                    workspace_id=ws,
                    project_id=pid,
                    class_id=class_id,
                    class_name=class_name,
                    item_id=item_id,
                    item_name=item_name,
                )
                for pid, (class_id, class_name, item_id, item_name) in project_rows.items()
            ],
            update_conflicts=True,
            unique_fields=["project"],
            update_fields=["workspace", "class_id", "class_name", "item_id", "item_name"],
        )
        TaskBilling.objects.bulk_create(
            [
                TaskBilling(workspace_id=ws, task_id=tid, item_id=item_id, item_name=item_name)
                for tid, (item_id, item_name) in task_rows.items()
            ],
            update_conflicts=True,
            unique_fields=["task"],
            update_fields=["workspace", "item_id", "item_name"],
        )
        audit_log_record(
            workspace=membership.workspace,
            actor=membership.user,
            event="quickbooks.billing_set",
            target=f"{len(project_rows)} projects, {len(task_rows)} tasks",
            details={
                "defaultClassId": default_class_id,
                "projects": {pid: [r[0], r[2]] for pid, r in project_rows.items()},
                "tasks": {tid: r[0] for tid, r in task_rows.items()},
            },
        )
