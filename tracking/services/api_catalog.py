"""Catalog writes the REST API needs as one step, composed of tracking/services/catalog.py.

Clockify's PUT changes a resource's fields and its archived state in one request, and creating
a project may carry its members and their rates; each is one transaction here so a refusal of
any part leaves nothing changed. Fields a request leaves out keep their current values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from tracking.models import Client
from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Tag
from tracking.models import Task
from tracking.services import catalog
from workspaces.access import require_role
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.models import Membership
from workspaces.models import User

_UNSET: Any = object()


def workspace_users_by_id(*, actor: Membership, user_ids: Sequence[str], field: str) -> list[User]:
    """Users of the actor's workspace (any membership status) for these ids, in order; an id
    of anyone else is a 400 naming the field (the services then check they are active)."""
    wanted = list(dict.fromkeys(user_ids))
    users = {
        u.pk: u
        for u in User.objects.filter(
            pk__in=wanted, memberships__workspace_id=actor.workspace_id
        ).exclude(memberships__status=Membership.Status.REMOVED)
    }
    missing = [pk for pk in wanted if pk not in users]
    if missing:
        raise ApplicationError(f"No user {missing[0]} in this workspace.", field=field)
    return [users[pk] for pk in wanted]


def client_for_id(*, actor: Membership, client_id: str | None) -> Client | None:
    if client_id is None:
        return None
    client = Client.objects.filter(workspace_id=actor.workspace_id, pk=client_id).first()
    if client is None:
        raise ApplicationError(f"No client {client_id} in this workspace.", field="clientId")
    return client


@transaction.atomic
def client_change(
    *,
    actor: Membership,
    client: Client,
    name: str = _UNSET,
    note: str = _UNSET,
    email: str = _UNSET,
    address: str = _UNSET,
    archived: bool = _UNSET,
) -> Client:
    if any(v is not _UNSET for v in (name, note, email, address)):
        client = catalog.client_update(
            actor=actor,
            client=client,
            name=client.name if name is _UNSET else name,
            note=client.note if note is _UNSET else note,
            email=None if email is _UNSET else email,
            address=None if address is _UNSET else address,
        )
    if archived is not _UNSET:
        client = catalog.client_archive(actor=actor, client=client, archived=archived)
    return client


@transaction.atomic
def project_create_with_members(
    *,
    actor: Membership,
    members: Sequence[tuple[User, int | None]] = (),
    tasks: Sequence[dict[str, Any]] = (),
    **fields: Any,
) -> Project:
    """A project with its members (and their rates) and its first tasks (task_create_full's
    keyword arguments each), all or nothing."""
    project = catalog.project_create(actor=actor, **fields)
    existing = set(ProjectMember.objects.filter(project=project).values_list("user_id", flat=True))
    for user, rate in members:
        if user.pk in existing:  # the creator of a private project is already a member
            if rate is not None:
                catalog.project_member_set_rate(
                    actor=actor, project=project, user=user, hourly_rate_cents=rate
                )
            continue
        catalog.project_member_add(actor=actor, project=project, user=user, hourly_rate_cents=rate)
    for task_fields in tasks:
        task_create_full(actor=actor, project=project, **task_fields)
    return project


@transaction.atomic
def project_change(
    *, actor: Membership, project: Project, archived: bool = _UNSET, **changes: Any
) -> Project:
    """`changes` are project_update's fields (name, client, color, billable, hourly_rate_cents,
    is_public, note); missing ones keep their values."""
    if changes:
        current = {
            "name": project.name,
            "client": project.client,
            "color": project.color,
            "billable": project.billable,
            "hourly_rate_cents": project.hourly_rate_cents,
            "is_public": project.is_public,
            "note": project.note,
        }
        project = catalog.project_update(actor=actor, project=project, **{**current, **changes})
    if archived is not _UNSET:
        project = catalog.project_archive(actor=actor, project=project, archived=archived)
    return project


@transaction.atomic
def project_member_rate_put(
    *, actor: Membership, project: Project, user: User, hourly_rate_cents: int | None
) -> ProjectMember:
    """Set a user's rate on a project. On a public project someone who is not yet a project
    member is added (membership there only carries the rate); a private project's members are
    chosen deliberately on the project page, so there it must already be a member."""
    require_role(actor, Membership.Role.ADMIN)
    exists = ProjectMember.objects.filter(project=project, user=user).exists()
    if not exists and project.is_public:
        return catalog.project_member_add(
            actor=actor, project=project, user=user, hourly_rate_cents=hourly_rate_cents
        )
    if not exists:
        raise NotFound(f"{user.full_name} is not a member of this private project.")
    return catalog.project_member_set_rate(
        actor=actor, project=project, user=user, hourly_rate_cents=hourly_rate_cents
    )


@transaction.atomic
def task_create_full(
    *,
    actor: Membership,
    project: Project,
    name: str,
    hourly_rate_cents: int | None = None,
    assignees: Sequence[User] = (),
    status: str = Task.Status.ACTIVE,
    billable: bool | None = None,
    estimate_seconds: int = 0,
) -> Task:
    task = catalog.task_create(
        actor=actor,
        project=project,
        name=name,
        hourly_rate_cents=hourly_rate_cents,
        assignees=assignees,
        billable=billable,
        estimate_seconds=estimate_seconds,
    )
    if status != Task.Status.ACTIVE:
        task = catalog.task_update(
            actor=actor,
            task=task,
            name=task.name,
            status=status,
            hourly_rate_cents=task.hourly_rate_cents,
            assignees=assignees,
        )
    return task


@transaction.atomic
def task_change(
    *,
    actor: Membership,
    task: Task,
    name: str = _UNSET,
    status: str = _UNSET,
    hourly_rate_cents: int | None = _UNSET,
    assignees: Sequence[User] = _UNSET,
    billable: bool = _UNSET,
    estimate_seconds: int = _UNSET,
) -> Task:
    return catalog.task_update(
        actor=actor,
        task=task,
        name=task.name if name is _UNSET else name,
        status=task.status if status is _UNSET else status,
        hourly_rate_cents=task.hourly_rate_cents
        if hourly_rate_cents is _UNSET
        else hourly_rate_cents,
        assignees=list(task.assignees.all()) if assignees is _UNSET else assignees,
        billable=None if billable is _UNSET else billable,
        estimate_seconds=None if estimate_seconds is _UNSET else estimate_seconds,
    )


@transaction.atomic
def tag_change(*, actor: Membership, tag: Tag, name: str = _UNSET, archived: bool = _UNSET) -> Tag:
    if name is not _UNSET:
        tag = catalog.tag_update(actor=actor, tag=tag, name=name)
    if archived is not _UNSET:
        tag = catalog.tag_archive(actor=actor, tag=tag, archived=archived)
    return tag
