"""The tracker's suggestions: the member's recent entries whose description matches what they
type, each with its project, task and tags, newest first, one per distinct combination.

One query: the tags come as an array subquery (PostgreSQL) in the same statement; other
databases (the SQLite of `make run`) take a second query for them. The query walks the index
`entry_ws_user_start` (workspace, user, -start): the member's entries newest first, stopping
after `SCAN_LIMIT` matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import OuterRef
from django.db.models import QuerySet

from tracking.models import TimeEntry
from tracking.models import TimeEntryTag
from workspaces.models import Membership

SCAN_LIMIT = 60  # matching entries read, before removing repeats
MAX_SUGGESTIONS = 8
MAX_QUERY_LENGTH = 200
COLUMNS = (
    "pk",
    "description",
    "project_id",
    "task_id",
    "project__name",
    "task__name",
    "project__client__name",
    "project__color",
    "billable",
)


@dataclass(frozen=True)
class Suggestion:
    description: str
    project_id: str | None
    task_id: str | None
    project_name: str
    task_name: str
    client_name: str
    color: str
    billable: bool
    tag_ids: tuple[str, ...]
    tag_names: tuple[str, ...]

    @property
    def project_task(self) -> str:
        if self.project_id and self.task_id:
            return f"{self.project_id}:{self.task_id}"
        return self.project_id or ""


def _matching(membership: Membership, text: str) -> QuerySet[TimeEntry]:
    entries = TimeEntry.objects.filter(
        workspace_id=membership.workspace_id, user_id=membership.user_id, end__isnull=False
    )
    text = text.strip()[:MAX_QUERY_LENGTH]
    if text:
        entries = entries.filter(description__icontains=text)
    return entries.order_by("-start")


def suggestions_for(*, membership: Membership, text: str) -> list[Suggestion]:
    """Up to MAX_SUGGESTIONS distinct (description, project, task, tags) of the member's recent
    entries matching `text` (all recent ones when empty)."""
    rows: Any = _matching(membership, text).values_list(*COLUMNS)
    postgres = connection.vendor == "postgresql"
    if postgres:
        from django.contrib.postgres.expressions import ArraySubquery

        tags = TimeEntryTag.objects.filter(time_entry_id=OuterRef("pk")).order_by("tag__name")
        rows = rows.annotate(
            tag_ids=ArraySubquery(tags.values("tag_id")),
            tag_names=ArraySubquery(tags.values("tag__name")),
        ).values_list(*COLUMNS, "tag_ids", "tag_names")
    fetched: list[Any] = list(rows[:SCAN_LIMIT])
    if not postgres:
        pairs = (
            TimeEntryTag.objects.filter(time_entry_id__in=[r[0] for r in fetched])
            .order_by("tag__name")
            .values_list("time_entry_id", "tag_id", "tag__name")
        )
        by_entry: dict[str, tuple[list[str], list[str]]] = {}
        for entry_id, tag_id, name in pairs:
            ids, names = by_entry.setdefault(entry_id, ([], []))
            ids.append(tag_id)
            names.append(name)
        fetched = [(*r, *by_entry.get(r[0], ([], []))) for r in fetched]
    found: list[Suggestion] = []
    seen: set[tuple[object, ...]] = set()
    for row in fetched:
        _pk, description, project_id, task_id, project, task, client, color, billable = row[:9]
        tag_ids: tuple[str, ...] = tuple(row[9] or ())
        tag_names: tuple[str, ...] = tuple(row[10] or ())
        key = (description, project_id, task_id, tag_ids)
        if key in seen:
            continue
        seen.add(key)
        found.append(
            Suggestion(
                description=description,
                project_id=project_id,
                task_id=task_id,
                project_name=project or "",
                task_name=task or "",
                client_name=client or "",
                color=color or "",
                billable=billable,
                tag_ids=tag_ids,
                tag_names=tag_names,
            )
        )
        if len(found) == MAX_SUGGESTIONS:
            break
    return found
