"""Writes to the catalog: clients, projects (members and their rates), tasks and tags.

Rules decided here (documented for the lead and the later QuickBooks work):
- Only the owner and admins change the catalog; members read it (Clockify lets admins open
  project/tag creation to everyone; we keep it admins-only until someone asks).
- Names are trimmed and must be unique *exactly* (case-sensitive, after trimming): QuickBooks
  matching later pairs clients/projects with customers by identical names, so "ACME" and "Acme"
  are different things here as they would be there.
- Something that has time entries cannot be deleted: archive it instead. The entries refer to
  it (the database protects the reference) and what was sent to QuickBooks was named after it,
  so an archived one with time stays archived; the refusal then says so rather than "archive".
- Who can see a private project is security-relevant: adding or removing its members and
  switching a project between public and private go to the audit log.

Every function takes the acting `Membership` (which carries the workspace) and raises
`ApplicationError` (with `field=` for form fields) before saving anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError
from django.db import transaction
from django.db.models import Model
from django.db.models import Q

from tracking.events import TrackingEvent
from tracking.events import tracking_change_record
from tracking.models import Client
from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Tag
from tracking.models import Task
from tracking.models import TimeEntry
from tracking.models import TimeEntryTag
from workspaces.access import require_role
from workspaces.access import require_same_workspace
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.models import Membership
from workspaces.models import User
from workspaces.services import audit_log_record
from workspaces.services import membership_check_can_set_rate
from workspaces.services import rate_change_record
from workspaces.text import text_strip_controls
from workspaces.validation import hourly_rate_clean
from workspaces.validation import name_clean

NOTE_MAX_LENGTH = 3000
MAX_ESTIMATE_SECONDS = 100_000 * 3600
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


# --- shared checks ------------------------------------------------------------------------


def _announce(event: TrackingEvent, actor: Membership, instance: Model) -> None:
    """Tell tracking's event hook, inside this transaction (a delete before the row goes)."""
    tracking_change_record(
        event=event, workspace_id=actor.workspace_id, actor_id=actor.user_id, instance=instance
    )


def _require_admin(actor: Membership) -> None:
    require_role(actor, Membership.Role.ADMIN)


def _require_admin_of(actor: Membership, obj: Model, *, what: str) -> None:
    """An admin acting on `obj` of their own workspace (another workspace's is not found)."""
    _require_admin(actor)
    require_same_workspace(actor, obj, what=what)


def _clean_name(name: str, *, what: str) -> str:
    return name_clean(
        name, field="name", label=f"{what}'s name", missing=f"Enter a name for the {what}."
    )


def _clean_long_text(value: str, *, field: str, what: str) -> str:
    value = text_strip_controls(value or "", multiline=True).strip()
    if len(value) > NOTE_MAX_LENGTH:
        raise ApplicationError(
            f"The {what} can be at most {NOTE_MAX_LENGTH} characters.", field=field
        )
    return value


def _clean_note(note: str) -> str:
    return _clean_long_text(note, field="note", what="note")


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(f"“{email[:60]}” is not an e-mail address.", field="email") from None
    return email


def _clean_address(address: str) -> str:
    return _clean_long_text(address, field="address", what="address")


def _clean_estimate(seconds: int) -> int:
    if seconds < 0 or seconds > MAX_ESTIMATE_SECONDS:
        raise ApplicationError("An estimate can be 0 to 100,000 hours.", field="estimate")
    return seconds


def _clean_rate(rate_cents: int | None, *, field: str = "hourly_rate") -> int | None:
    return hourly_rate_clean(rate_cents, field=field)


def _clean_color(color: str) -> str:
    color = (color or "").strip()
    if not COLOR_RE.match(color):
        raise ApplicationError("Pick a color as #rrggbb (for example #0b6bcb).", field="color")
    return color.lower()


def _check_name_free(
    model: type[Model], name: str, message: str, *, exclude: Model | None = None, **scope: Any
) -> None:
    """Refuse `name` with `message` (on the name field) when another `model` row in `scope`
    (the workspace, the project...) already has it, archived or not."""
    others = model._default_manager.filter(name=name, **scope)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise ApplicationError(message, field="name")


def _named_duplicate(what: str, name: str) -> str:
    return f"A {what} named “{name}” already exists (it may be archived)."


def _save_unique(obj: Model, message: str) -> None:
    """Save, turning a unique-constraint race (two requests with the same name) into the error
    the pre-check would have given."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ApplicationError(message, field="name") from exc


def _active_member_users(actor: Membership, users: Iterable[User]) -> list[User]:
    users = list(users)
    ids = {u.pk for u in users}
    active = set(
        Membership.objects.filter(
            workspace_id=actor.workspace_id, user_id__in=ids, status=Membership.Status.ACTIVE
        ).values_list("user_id", flat=True)
    )
    missing = [u for u in users if u.pk not in active]
    if missing:
        names = ", ".join(sorted(u.full_name or u.email for u in missing))
        raise ApplicationError(
            f"Not an active member of this workspace: {names}.", field="assignees"
        )
    return users


# --- clients ------------------------------------------------------------------------------


@transaction.atomic
def client_create(
    *, actor: Membership, name: str, note: str = "", email: str = "", address: str = ""
) -> Client:
    _require_admin(actor)
    name = _clean_name(name, what="client")
    note = _clean_note(note)
    email, address = _clean_email(email), _clean_address(address)
    duplicate = _named_duplicate("client", name)
    _check_name_free(Client, name, duplicate, workspace_id=actor.workspace_id)
    client = Client(
        workspace_id=actor.workspace_id, name=name, note=note, email=email, address=address
    )
    _save_unique(client, duplicate)
    _announce(TrackingEvent.NEW_CLIENT, actor, client)
    return client


@transaction.atomic
def client_update(
    *,
    actor: Membership,
    client: Client,
    name: str,
    note: str,
    email: str | None = None,
    address: str | None = None,
) -> Client:
    """Rename and change the note; `email`/`address` None keep theirs."""
    _require_admin_of(actor, client, what="Client")
    name = _clean_name(name, what="client")
    note = _clean_note(note)
    email = client.email if email is None else _clean_email(email)
    address = client.address if address is None else _clean_address(address)
    duplicate = _named_duplicate("client", name)
    _check_name_free(Client, name, duplicate, exclude=client, workspace_id=actor.workspace_id)
    client.name, client.note, client.email, client.address = name, note, email, address
    _save_unique(client, duplicate)
    _announce(TrackingEvent.CLIENT_UPDATED, actor, client)
    return client


@transaction.atomic
def client_archive(
    *, actor: Membership, client: Client, archived: bool = True, include_projects: bool = False
) -> Client:
    """Archive (or restore) a client; optionally its projects with it."""
    _require_admin_of(actor, client, what="Client")
    client.archived = archived
    client.save(update_fields=["archived"])
    if include_projects:
        Project.objects.filter(workspace_id=actor.workspace_id, client=client).update(
            archived=archived
        )
    _announce(TrackingEvent.CLIENT_UPDATED, actor, client)
    return client


@transaction.atomic
def client_delete(*, actor: Membership, client: Client) -> None:
    """Delete a client that has no projects; one with projects is archived instead."""
    _require_admin_of(actor, client, what="Client")
    count = Project.objects.filter(workspace_id=actor.workspace_id, client=client).count()
    if count:
        has_time = TimeEntry.objects.filter(
            workspace_id=actor.workspace_id, project__client=client
        ).exists()
        if has_time and client.archived:
            hint = "its projects have tracked time, so it stays archived."
        elif has_time:
            hint = "its projects have tracked time, so archive the client instead."
        else:
            hint = "delete or move them first, or archive the client instead."
        raise ApplicationError(
            f"“{client.name}” has {count} project{'s' if count != 1 else ''}: {hint}"
        )
    _announce(TrackingEvent.CLIENT_DELETED, actor, client)
    client.delete()


# --- projects -----------------------------------------------------------------------------


def _project_duplicate(name: str, client: Client | None) -> str:
    where = f"for client “{client.name}”" if client else "without a client"
    return f"A project named “{name}” already exists {where} (it may be archived)."


def _check_project_client(actor: Membership, client: Client | None) -> None:
    if client is None:
        return
    if client.workspace_id != actor.workspace_id:
        raise ApplicationError("Choose a client of this workspace.", field="client")
    if client.archived:
        raise ApplicationError(
            f"Client “{client.name}” is archived; restore it or choose another client.",
            field="client",
        )


@transaction.atomic
def project_create(
    *,
    actor: Membership,
    name: str,
    client: Client | None = None,
    color: str = "#0b6bcb",
    billable: bool = True,
    hourly_rate_cents: int | None = None,
    is_public: bool = True,
    note: str = "",
) -> Project:
    """Create a project. A private project starts with its creator as a member so that it
    does not vanish from their own pickers."""
    _require_admin(actor)
    name = _clean_name(name, what="project")
    _check_project_client(actor, client)
    color = _clean_color(color)
    hourly_rate_cents = _clean_rate(hourly_rate_cents)
    note = _clean_note(note)
    duplicate = _project_duplicate(name, client)
    _check_name_free(Project, name, duplicate, workspace_id=actor.workspace_id, client=client)
    project = Project(
        workspace_id=actor.workspace_id,
        name=name,
        client=client,
        color=color,
        billable=billable,
        hourly_rate_cents=hourly_rate_cents,
        is_public=is_public,
        note=note,
    )
    _save_unique(project, duplicate)
    _project_rate_record(actor, project, None)
    if not is_public:
        ProjectMember.objects.create(
            workspace_id=actor.workspace_id, project=project, user_id=actor.user_id
        )
    _announce(TrackingEvent.NEW_PROJECT, actor, project)
    return project


def _project_rate_record(actor: Membership, project: Project, old_rate: int | None) -> None:
    rate_change_record(
        actor=actor,
        event="project.rate_changed",
        target=project.name,
        old_cents=old_rate,
        new_cents=project.hourly_rate_cents,
        details={"project": project.pk},
    )


@transaction.atomic
def project_update(
    *,
    actor: Membership,
    project: Project,
    name: str,
    client: Client | None,
    color: str,
    billable: bool,
    hourly_rate_cents: int | None,
    is_public: bool,
    note: str,
) -> Project:
    """Change a project's settings. A new rate applies to new entries only; re-rating past
    entries is the explicit `tracking:rates_reapply` action."""
    _require_admin_of(actor, project, what="Project")
    name = _clean_name(name, what="project")
    # Keeping a client that was archived since is fine; choosing an archived one is not.
    if client is None or client.pk != project.client_id:
        _check_project_client(actor, client)
    color = _clean_color(color)
    hourly_rate_cents = _clean_rate(hourly_rate_cents)
    note = _clean_note(note)
    duplicate = _project_duplicate(name, client)
    _check_name_free(
        Project, name, duplicate, exclude=project, workspace_id=actor.workspace_id, client=client
    )
    visibility_changed = project.is_public != is_public
    old_rate = project.hourly_rate_cents
    project.name = name
    project.client = client
    project.color = color
    project.billable = billable
    project.hourly_rate_cents = hourly_rate_cents
    project.is_public = is_public
    project.note = note
    _save_unique(project, duplicate)
    _project_rate_record(actor, project, old_rate)
    if visibility_changed:
        audit_log_record(
            workspace=actor.workspace,
            actor=actor.user,
            event="project.visibility_changed",
            target=project.name,
            details={"project": project.pk, "to": "public" if is_public else "private"},
        )
    _announce(TrackingEvent.PROJECT_UPDATED, actor, project)
    return project


@transaction.atomic
def project_archive(*, actor: Membership, project: Project, archived: bool = True) -> Project:
    _require_admin_of(actor, project, what="Project")
    if not archived and project.client is not None and project.client.archived:
        raise ApplicationError(
            f"Its client “{project.client.name}” is archived: restore the client first."
        )
    project.archived = archived
    project.save(update_fields=["archived"])
    _announce(TrackingEvent.PROJECT_UPDATED, actor, project)
    return project


def _kept_for_time(why: str, thing: Project | Tag) -> str:
    """Why a project or tag with time is not deleted, and what to do: archive it, or (already
    archived) nothing, for its time entries keep referring to it."""
    if thing.archived:
        return (
            f"{why}, so it cannot be deleted (its time entries refer to it); "
            "it is already archived, which is all that is needed."
        )
    return f"{why} and cannot be deleted: archive it instead."


@transaction.atomic
def project_delete(*, actor: Membership, project: Project) -> None:
    _require_admin_of(actor, project, what="Project")
    if TimeEntry.objects.filter(
        Q(project=project) | Q(task__project=project), workspace_id=actor.workspace_id
    ).exists():
        raise ApplicationError(_kept_for_time(f"“{project.name}” has tracked time", project))
    _announce(TrackingEvent.PROJECT_DELETED, actor, project)
    project.delete()


# --- project members and their rates -----------------------------------------------------


def _check_workspace_member(actor: Membership, user: User) -> None:
    if not Membership.objects.filter(
        workspace_id=actor.workspace_id, user=user, status=Membership.Status.ACTIVE
    ).exists():
        raise ApplicationError("Choose an active member of this workspace.", field="user")


def _check_can_set_rate_of(actor: Membership, user: User) -> None:
    """A person's rate on a project follows the rule of their workspace rate: admins set
    members' rates, the owner everyone's."""
    membership = Membership.objects.filter(workspace_id=actor.workspace_id, user=user).first()
    if membership is None:
        raise NotFound("Member not found.")
    membership_check_can_set_rate(actor=actor, membership=membership)


def _project_member_rate_record(
    actor: Membership, pm: ProjectMember, project: Project, user: User, old_rate: int | None
) -> None:
    rate_change_record(
        actor=actor,
        event="project_member.rate_changed",
        target=user.email,
        old_cents=old_rate,
        new_cents=pm.hourly_rate_cents,
        details={"project": project.pk, "project_name": project.name},
    )


@transaction.atomic
def project_member_add(
    *, actor: Membership, project: Project, user: User, hourly_rate_cents: int | None = None
) -> ProjectMember:
    """Add a workspace member to a project (access to a private project; on any project, the
    place for a per-member project rate)."""
    _require_admin_of(actor, project, what="Project")
    _check_workspace_member(actor, user)
    hourly_rate_cents = _clean_rate(hourly_rate_cents)
    if hourly_rate_cents is not None:
        _check_can_set_rate_of(actor, user)
    if ProjectMember.objects.filter(project=project, user=user).exists():
        raise ApplicationError(
            f"{user.full_name} is already a member of this project.", field="user"
        )
    pm = ProjectMember.objects.create(
        workspace_id=actor.workspace_id,
        project=project,
        user=user,
        hourly_rate_cents=hourly_rate_cents,
    )
    _project_member_rate_record(actor, pm, project, user, None)
    if not project.is_public:
        audit_log_record(
            workspace=actor.workspace,
            actor=actor.user,
            event="project.member_added",
            target=user.email,
            details={"project": project.pk, "project_name": project.name},
        )
    return pm


def _project_member(actor: Membership, project: Project, user: User) -> ProjectMember:
    require_same_workspace(actor, project, what="Project")
    pm = ProjectMember.objects.filter(
        workspace_id=actor.workspace_id, project=project, user=user
    ).first()
    if pm is None:
        raise NotFound(f"{user.full_name} is not a member of this project.")
    return pm


@transaction.atomic
def project_member_remove(*, actor: Membership, project: Project, user: User) -> None:
    """Take someone off a project: their entries stay; they lose access if it is private and
    are unassigned from its tasks."""
    _require_admin(actor)
    pm = _project_member(actor, project, user)
    pm.delete()
    Task.assignees.through.objects.filter(task__project=project, user=user).delete()
    if not project.is_public:
        audit_log_record(
            workspace=actor.workspace,
            actor=actor.user,
            event="project.member_removed",
            target=user.email,
            details={"project": project.pk, "project_name": project.name},
        )


@transaction.atomic
def project_member_set_rate(
    *, actor: Membership, project: Project, user: User, hourly_rate_cents: int | None
) -> ProjectMember:
    """Set (or clear, with None) a member's rate on this project; applies to new entries."""
    _require_admin(actor)
    pm = _project_member(actor, project, user)
    _check_can_set_rate_of(actor, user)
    old_rate = pm.hourly_rate_cents
    pm.hourly_rate_cents = _clean_rate(hourly_rate_cents)
    pm.save(update_fields=["hourly_rate_cents"])
    _project_member_rate_record(actor, pm, project, user, old_rate)
    return pm


# --- tasks --------------------------------------------------------------------------------


def _task_duplicate(name: str) -> str:
    return f"This project already has a task named “{name}”."


def _check_assignees(actor: Membership, project: Project, users: Iterable[User]) -> list[User]:
    users = _active_member_users(actor, users)
    if not project.is_public and users:
        members = set(
            ProjectMember.objects.filter(project=project).values_list("user_id", flat=True)
        )
        outside = [u for u in users if u.pk not in members]
        if outside:
            names = ", ".join(sorted(u.full_name for u in outside))
            raise ApplicationError(
                f"This project is private and {names} cannot see it: add them as project "
                "members first.",
                field="assignees",
            )
    return users


@transaction.atomic
def task_create(
    *,
    actor: Membership,
    project: Project,
    name: str,
    hourly_rate_cents: int | None = None,
    assignees: Iterable[User] = (),
    billable: bool | None = None,
    estimate_seconds: int = 0,
) -> Task:
    """A task; `billable` None takes the project's setting."""
    _require_admin_of(actor, project, what="Project")
    name = _clean_name(name, what="task")
    hourly_rate_cents = _clean_rate(hourly_rate_cents)
    estimate_seconds = _clean_estimate(estimate_seconds)
    users = _check_assignees(actor, project, assignees)
    duplicate = _task_duplicate(name)
    _check_name_free(Task, name, duplicate, project=project)
    task = Task(
        workspace_id=actor.workspace_id,
        project=project,
        name=name,
        hourly_rate_cents=hourly_rate_cents,
        billable=project.billable if billable is None else billable,
        estimate_seconds=estimate_seconds,
    )
    _save_unique(task, duplicate)
    task.assignees.set(users)
    _task_rate_record(actor, task, project, None)
    _announce(TrackingEvent.NEW_TASK, actor, task)
    return task


def _task_rate_record(
    actor: Membership, task: Task, project: Project, old_rate: int | None
) -> None:
    rate_change_record(
        actor=actor,
        event="task.rate_changed",
        target=f"{task.name} ({project.name})",
        old_cents=old_rate,
        new_cents=task.hourly_rate_cents,
        details={"task": task.pk, "project": project.pk},
    )


@transaction.atomic
def task_update(
    *,
    actor: Membership,
    task: Task,
    name: str,
    status: str,
    hourly_rate_cents: int | None,
    assignees: Iterable[User],
    billable: bool | None = None,
    estimate_seconds: int | None = None,
) -> Task:
    """Rename, mark done/active, change the rate (new entries only) and the assignees;
    `billable` (for new entries) and `estimate_seconds` None keep theirs."""
    _require_admin_of(actor, task, what="Task")
    name = _clean_name(name, what="task")
    if status not in Task.Status.values:
        raise ApplicationError("Choose Active or Done.", field="status")
    hourly_rate_cents = _clean_rate(hourly_rate_cents)
    users = _check_assignees(actor, task.project, assignees)
    duplicate = _task_duplicate(name)
    _check_name_free(Task, name, duplicate, exclude=task, project_id=task.project_id)
    old_rate = task.hourly_rate_cents
    task.name = name
    task.status = status
    task.hourly_rate_cents = hourly_rate_cents
    if billable is not None:
        task.billable = billable
    if estimate_seconds is not None:
        task.estimate_seconds = _clean_estimate(estimate_seconds)
    _save_unique(task, duplicate)
    task.assignees.set(users)
    _task_rate_record(actor, task, task.project, old_rate)
    _announce(TrackingEvent.TASK_UPDATED, actor, task)
    return task


@transaction.atomic
def task_delete(*, actor: Membership, task: Task) -> None:
    _require_admin_of(actor, task, what="Task")
    if TimeEntry.objects.filter(workspace_id=actor.workspace_id, task=task).exists():
        raise ApplicationError(
            f"Task “{task.name}” has tracked time and cannot be deleted: mark it done instead."
        )
    _announce(TrackingEvent.TASK_DELETED, actor, task)
    task.delete()


# --- tags ---------------------------------------------------------------------------------


@transaction.atomic
def tag_create(*, actor: Membership, name: str) -> Tag:
    _require_admin(actor)
    name = _clean_name(name, what="tag")
    duplicate = _named_duplicate("tag", name)
    _check_name_free(Tag, name, duplicate, workspace_id=actor.workspace_id)
    tag = Tag(workspace_id=actor.workspace_id, name=name)
    _save_unique(tag, duplicate)
    _announce(TrackingEvent.NEW_TAG, actor, tag)
    return tag


@transaction.atomic
def tag_update(*, actor: Membership, tag: Tag, name: str) -> Tag:
    _require_admin_of(actor, tag, what="Tag")
    name = _clean_name(name, what="tag")
    duplicate = _named_duplicate("tag", name)
    _check_name_free(Tag, name, duplicate, exclude=tag, workspace_id=actor.workspace_id)
    tag.name = name
    _save_unique(tag, duplicate)
    _announce(TrackingEvent.TAG_UPDATED, actor, tag)
    return tag


@transaction.atomic
def tag_archive(*, actor: Membership, tag: Tag, archived: bool = True) -> Tag:
    _require_admin_of(actor, tag, what="Tag")
    tag.archived = archived
    tag.save(update_fields=["archived"])
    _announce(TrackingEvent.TAG_UPDATED, actor, tag)
    return tag


@transaction.atomic
def tag_delete(*, actor: Membership, tag: Tag) -> None:
    _require_admin_of(actor, tag, what="Tag")
    if TimeEntryTag.objects.filter(workspace_id=actor.workspace_id, tag=tag).exists():
        raise ApplicationError(_kept_for_time(f"Tag “{tag.name}” is used on time entries", tag))
    _announce(TrackingEvent.TAG_DELETED, actor, tag)
    tag.delete()
