"""What a webhook sends: the changed object in the REST API's own shape (the serializers and
presenters of tracking.apis and workspaces.apis, as an admin sees it: rates included), and
the ids its trigger sources filter on."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.db.models import Prefetch
from django.db.models import Sum

from tracking.apis.catalog import ClientOut
from tracking.apis.catalog import TagOut
from tracking.apis.catalog import client_data
from tracking.apis.catalog import project_data
from tracking.apis.catalog import tag_data
from tracking.apis.catalog import task_data
from tracking.apis.entries import TimeEntryHydratedOut
from tracking.models import Client
from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Tag
from tracking.models import Task
from tracking.models import TimeEntry
from tracking.models import WeekApproval
from workspaces.apis import user_data
from workspaces.models import Membership
from workspaces.models import Workspace
from workspaces.rest.fields import format_datetime


def _tracked(**filters: Any) -> int:
    total = TimeEntry.objects.filter(duration_seconds__isnull=False, **filters).aggregate(
        s=Sum("duration_seconds")
    )["s"]
    return int(total or 0)


def _entry(entry: TimeEntry) -> dict[str, Any]:
    fresh = (
        TimeEntry.objects.select_related("project__client", "task")
        .prefetch_related(Prefetch("tags", queryset=entry.tags.model.objects.order_by("name")))
        .get(pk=entry.pk)
    )
    data = dict(TimeEntryHydratedOut(fresh, context={"shows_rates": True}).data)
    data["user"] = {"id": fresh.user_id, "name": fresh.user.full_name, "email": fresh.user.email}
    return data


def _approval(approval: WeekApproval) -> dict[str, Any]:
    owner = approval.user
    decider = approval.decided_by
    return {
        "id": approval.pk,
        "workspaceId": approval.workspace_id,
        "dateRange": {
            "start": format_datetime(approval.since),
            "end": format_datetime(approval.until),
        },
        "owner": {"userId": owner.pk, "userName": owner.full_name},
        "creator": {"userId": owner.pk, "userName": owner.full_name},
        "status": {
            "state": approval.status,
            "note": approval.note,
            "updatedBy": decider.pk if decider else None,
            "updatedByUserName": decider.full_name if decider else None,
            "updatedAt": format_datetime(approval.decided_at or approval.submitted_at),
        },
        "totalTime": approval.total_seconds,
    }


def payload_for(instance: Model, workspace: Workspace) -> dict[str, Any]:
    currency = workspace.currency
    if isinstance(instance, TimeEntry):
        return _entry(instance)
    if isinstance(instance, Client):
        return dict(ClientOut(client_data(instance, currency)).data)
    if isinstance(instance, Project):
        members = list(ProjectMember.objects.filter(project=instance).order_by("user_id"))
        tracked = _tracked(workspace_id=workspace.pk, project_id=instance.pk)
        return project_data(instance, members, tracked, currency=currency, shows_rates=True)
    if isinstance(instance, Task):
        tracked = _tracked(workspace_id=workspace.pk, task_id=instance.pk)
        return task_data(instance, tracked, currency=currency, shows_rates=True)
    if isinstance(instance, Tag):
        return dict(TagOut(tag_data(instance)).data)
    if isinstance(instance, WeekApproval):
        return _approval(instance)
    if isinstance(instance, Membership):
        return user_data(instance.user, [(instance, workspace)], status_=instance.status)
    raise TypeError(f"No webhook payload for {type(instance).__name__}")


def trigger_ids(instance: Model) -> dict[str, set[str]]:
    """Ids by trigger source type (PROJECT_ID, USER_ID, TAG_ID, TASK_ID) that a webhook
    limited to some of them matches on; a type missing here never matches."""
    if isinstance(instance, TimeEntry):
        found = {"USER_ID": {instance.user_id}, "TAG_ID": {t.pk for t in instance.tags.all()}}
        if instance.project_id:
            found["PROJECT_ID"] = {instance.project_id}
        if instance.task_id:
            found["TASK_ID"] = {instance.task_id}
        return found
    if isinstance(instance, Project):
        return {"PROJECT_ID": {instance.pk}}
    if isinstance(instance, Task):
        return {
            "PROJECT_ID": {instance.project_id},
            "TASK_ID": {instance.pk},
            "USER_ID": {u.pk for u in instance.assignees.all()},
        }
    if isinstance(instance, Tag):
        return {"TAG_ID": {instance.pk}}
    if isinstance(instance, WeekApproval | Membership):
        return {"USER_ID": {instance.user_id}}
    return {}
