"""Favourite entries: a member pins one of their entries and starts it again with one click."""

from __future__ import annotations

from django.db import transaction

from tracking.models import FavoriteEntry
from tracking.models import Tag
from tracking.models import TimeEntry
from tracking.services.entries import member_lock
from tracking.services.entries import timer_start
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.ids import is_object_id
from workspaces.models import Membership

MAX_FAVORITES = 20


@transaction.atomic
def favorite_pin(*, membership: Membership, entry: TimeEntry) -> FavoriteEntry:
    """Pin the member's own entry (the same description, project, task and tags pinned twice
    is one favourite)."""
    if entry.workspace_id != membership.workspace_id or entry.user_id != membership.user_id:
        raise NotFound("Time entry not found.")
    member_lock(membership)  # the duplicate check and the limit below, one pin at a time
    tag_ids = sorted(t.pk for t in entry.tags.all())
    existing = FavoriteEntry.objects.filter(
        workspace_id=membership.workspace_id,
        user_id=membership.user_id,
        description=entry.description,
        project_id=entry.project_id,
        task_id=entry.task_id,
    )
    for favorite in existing:
        if sorted(favorite.tag_ids) == tag_ids:
            return favorite
    count = FavoriteEntry.objects.filter(
        workspace_id=membership.workspace_id, user_id=membership.user_id
    ).count()
    if count >= MAX_FAVORITES:
        raise ApplicationError(f"{MAX_FAVORITES} favourites at most; unpin one first.")
    return FavoriteEntry.objects.create(
        workspace_id=membership.workspace_id,
        user_id=membership.user_id,
        description=entry.description,
        project_id=entry.project_id,
        task_id=entry.task_id,
        tag_ids=tag_ids,
        billable=entry.billable,
    )


def _own(membership: Membership, favorite_id: str) -> FavoriteEntry:
    favorite = (
        FavoriteEntry.objects.filter(
            workspace_id=membership.workspace_id, user_id=membership.user_id, pk=favorite_id
        ).first()
        if is_object_id(favorite_id)
        else None
    )
    if favorite is None:
        raise NotFound("Favourite not found.")
    return favorite


def favorite_unpin(*, membership: Membership, favorite_id: str) -> None:
    _own(membership, favorite_id).delete()


def favorite_start(*, membership: Membership, favorite_id: str) -> TimeEntry:
    """Start a timer like the favourite (tags deleted since are left out; archived projects,
    tags and done tasks are refused by the timer with a message)."""
    favorite = _own(membership, favorite_id)
    tags = list(
        Tag.objects.filter(
            workspace_id=membership.workspace_id, pk__in=favorite.tag_ids
        ).values_list("pk", flat=True)
    )
    return timer_start(
        membership=membership,
        description=favorite.description,
        project_id=favorite.project_id,
        task_id=favorite.task_id,
        tag_ids=tags,
        billable=favorite.billable,
    )
