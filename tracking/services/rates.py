"""The rate hierarchy and re-rating of past entries.

An entry's `hourly_rate_cents` and `currency` are fixed when it is saved (see
`tracking.services.entries`): changing a rate anywhere applies to new entries only. The explicit
"also apply to past entries" action is `time_entries_reapply_rates`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models.functions import Now

from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Task
from tracking.models import TimeEntry
from workspaces.errors import ApplicationError
from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace
from workspaces.services import audit_log_record

REAPPLY_SCOPES = ("workspace", "member", "project", "task", "project_member")


def rate_for(
    *, workspace: Workspace, user: User, project: Project | None, task: Task | None
) -> int:
    """The hourly rate in cents for time `user` tracks on `project`/`task`.

    The task's rate, else the user's rate on the project, else the project's rate, else the
    user's workspace (member) rate, else the workspace's default rate.
    """
    if task is not None and task.hourly_rate_cents is not None:
        return task.hourly_rate_cents
    if project is not None:
        member_rate = (
            ProjectMember.objects.filter(workspace=workspace, project=project, user=user)
            .values_list("hourly_rate_cents", flat=True)
            .first()
        )
        if member_rate is not None:
            return member_rate
        if project.hourly_rate_cents is not None:
            return project.hourly_rate_cents
    membership_rate = (
        Membership.objects.filter(workspace=workspace, user=user)
        .values_list("hourly_rate_cents", flat=True)
        .first()
    )
    if membership_rate is not None:
        return membership_rate
    return workspace.hourly_rate_cents


@dataclass(frozen=True)
class _RateTable:
    """Every rate of a workspace, loaded once, so re-rating many entries costs a few queries."""

    workspace_rate: int
    member_rates: dict[str, int | None]
    project_rates: dict[str, int | None]
    project_member_rates: dict[tuple[str, str], int | None]
    task_rates: dict[str, int | None]

    @classmethod
    def load(cls, workspace: Workspace, project_ids: Iterable[str]) -> _RateTable:
        project_ids = set(project_ids)
        return cls(
            workspace_rate=workspace.hourly_rate_cents,
            member_rates=dict(
                Membership.objects.filter(workspace=workspace).values_list(
                    "user_id", "hourly_rate_cents"
                )
            ),
            project_rates=dict(
                Project.objects.filter(workspace=workspace, pk__in=project_ids).values_list(
                    "id", "hourly_rate_cents"
                )
            ),
            project_member_rates={
                (project_id, user_id): rate
                for project_id, user_id, rate in ProjectMember.objects.filter(
                    workspace=workspace, project_id__in=project_ids
                ).values_list("project_id", "user_id", "hourly_rate_cents")
            },
            task_rates=dict(
                Task.objects.filter(workspace=workspace, project_id__in=project_ids).values_list(
                    "id", "hourly_rate_cents"
                )
            ),
        )

    def rate(self, user_id: str, project_id: str | None, task_id: str | None) -> int:
        """The same hierarchy as `rate_for`, from the loaded table."""
        if task_id is not None and self.task_rates.get(task_id) is not None:
            return self.task_rates[task_id]  # type: ignore[return-value]
        if project_id is not None:
            member_rate = self.project_member_rates.get((project_id, user_id))
            if member_rate is not None:
                return member_rate
            project_rate = self.project_rates.get(project_id)
            if project_rate is not None:
                return project_rate
        member_rate = self.member_rates.get(user_id)
        if member_rate is not None:
            return member_rate
        return self.workspace_rate


@transaction.atomic
def time_entries_reapply_rates(
    *,
    workspace: Workspace,
    scope: str,
    user: User | None = None,
    project: Project | None = None,
    task: Task | None = None,
    actor: User | None = None,
) -> int:
    """Re-rate the existing entries of `scope` from the current rate hierarchy.

    Scopes: the whole workspace, one member's entries (`user`), one project's, one task's, or one
    member's entries on one project (`project_member`: `user` and `project`). Every entry in the
    scope gets the rate the hierarchy gives it now and the workspace currency. Locked entries
    keep their rate: they are approved and may already have been invoiced or sent on.
    Returns the number of entries whose rate or currency changed. With an `actor`, the action
    goes to the audit log (it changes what past work is billed at).
    """
    if scope not in REAPPLY_SCOPES:
        raise ApplicationError(f"Unknown scope {scope!r}.", field="scope")
    for obj in (project, task):
        if obj is not None and obj.workspace_id != workspace.id:
            raise ApplicationError("That belongs to another workspace.", field="scope")
    entries = TimeEntry.objects.filter(workspace=workspace, is_locked=False)
    if scope == "member":
        if user is None:
            raise ApplicationError("Choose a member.", field="user")
        entries = entries.filter(user=user)
    elif scope == "project":
        if project is None:
            raise ApplicationError("Choose a project.", field="project")
        entries = entries.filter(project=project)
    elif scope == "task":
        if task is None:
            raise ApplicationError("Choose a task.", field="task")
        entries = entries.filter(task=task)
    elif scope == "project_member":
        if user is None or project is None:
            raise ApplicationError("Choose a project and a member.", field="user")
        entries = entries.filter(user=user, project=project)

    combinations = list(entries.values_list("user_id", "project_id", "task_id").distinct())
    table = _RateTable.load(workspace, {p for _, p, _ in combinations if p is not None})
    changed = 0
    for user_id, project_id, task_id in combinations:
        rate = table.rate(user_id, project_id, task_id)
        changed += (
            entries.filter(user_id=user_id, project_id=project_id, task_id=task_id)
            .exclude(hourly_rate_cents=rate, currency=workspace.currency)
            # updated_at too: a new rate is a change of the entry (e.g. "changed since sent"
            # to QuickBooks, whose TimeActivity keeps the HourlyRate sent).
            .update(hourly_rate_cents=rate, currency=workspace.currency, updated_at=Now())
        )
    if actor is not None:
        names = [
            obj.full_name if isinstance(obj, User) else obj.name
            for obj in (user, project, task)
            if obj
        ]
        target = " on ".join(names) or workspace.name
        audit_log_record(
            workspace=workspace,
            actor=actor,
            event="rates.reapplied",
            target=target,
            details={"scope": scope, "entries": changed},
        )
    return changed
