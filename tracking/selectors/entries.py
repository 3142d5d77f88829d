"""Reads of time entries for the tracker and the timesheet, tenant-scoped and N+1-free.

Dates are the user's: an entry belongs to the day (and week, from the profile's week start) on
which it starts in the user's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet

from tracking.models import Client
from tracking.models import FavoriteEntry
from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Tag
from tracking.models import Task
from tracking.models import TimeEntry
from tracking.time_rules import EARLIEST
from tracking.time_rules import instant_in_range
from tracking.time_rules import user_tz
from workspaces.errors import NotFound
from workspaces.ids import is_object_id
from workspaces.models import Membership
from workspaces.models import User


def local_today(user: User) -> dt.date:
    return dt.datetime.now(user_tz(user)).date()


def week_start_for(user: User, day: dt.date) -> dt.date:
    """The first day of the week holding `day`, by the user's week start (0 = Monday)."""
    return day - dt.timedelta(days=(day.weekday() - int(user.week_start)) % 7)


def local_midnight(user: User, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=user_tz(user))


def time_entries_of(*, workspace_id: str, user: User) -> QuerySet[TimeEntry]:
    """A user's entries in a workspace with everything a row shows loaded."""
    return (
        TimeEntry.objects.filter(workspace_id=workspace_id, user=user)
        .select_related("project__client", "task")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
    )


def finished_entries_between(
    *, workspace_id: str, user: User, since: dt.datetime, until: dt.datetime
) -> QuerySet[TimeEntry]:
    """A user's finished entries in a workspace that start from `since` until before `until`."""
    return TimeEntry.objects.filter(
        workspace_id=workspace_id, user=user, end__isnull=False, start__gte=since, start__lt=until
    )


def time_entry_get(*, membership: Membership, entry_id: str) -> TimeEntry:
    """An entry the acting member may see: their own, or anyone's in the workspace for admins.
    Anything else, another workspace's entry included, is NotFound."""
    if not is_object_id(entry_id):
        raise NotFound("Time entry not found.")
    entries = TimeEntry.objects.filter(workspace_id=membership.workspace_id, pk=entry_id)
    if not membership.is_admin:
        entries = entries.filter(user_id=membership.user_id)
    entry = (
        entries.select_related("project__client", "task", "user")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .first()
    )
    if entry is None:
        raise NotFound("Time entry not found.")
    return entry


def running_timer(*, membership: Membership) -> TimeEntry | None:
    return (
        time_entries_of(workspace_id=membership.workspace_id, user=membership.user)
        .filter(end=None)
        .first()
    )


def trackable_projects(*, membership: Membership) -> list[Project]:
    """Projects the user may track time on (not archived; private ones only for their members,
    all of them for admins), ordered by client then name, with their active tasks loaded."""
    projects = Project.objects.filter(workspace_id=membership.workspace_id, archived=False)
    if not membership.is_admin:
        member_of = ProjectMember.objects.filter(
            workspace_id=membership.workspace_id, user_id=membership.user_id
        ).values("project_id")
        projects = projects.filter(Q(is_public=True) | Q(pk__in=member_of))
    return list(
        projects.select_related("client")
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=Task.objects.filter(status=Task.Status.ACTIVE).order_by("name"),
                to_attr="active_tasks",
            )
        )
        .order_by("client__name", "name")
    )


@dataclass
class ProjectGroup:
    """Projects of one client (or of no client) for the picker's <optgroup>."""

    client: Client | None
    projects: list[Project]


def project_picker_groups(projects: list[Project]) -> list[ProjectGroup]:
    groups: list[ProjectGroup] = []
    for project in projects:
        if not groups or groups[-1].client != project.client:
            groups.append(ProjectGroup(client=project.client, projects=[]))
        groups[-1].projects.append(project)
    groups.sort(key=lambda g: (g.client is not None, g.client.name if g.client else ""))
    return groups


def active_tags(*, membership: Membership) -> list[Tag]:
    return list(Tag.objects.filter(workspace_id=membership.workspace_id, archived=False))


# --- the tracker list -----------------------------------------------------------------------


@dataclass
class Day:
    date: dt.date
    entries: list[TimeEntry] = field(default_factory=list)

    @property
    def total_seconds(self) -> int:
        return sum(e.duration_seconds or 0 for e in self.entries)


@dataclass
class Week:
    start: dt.date
    days: list[Day] = field(default_factory=list)

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    @property
    def total_seconds(self) -> int:
        return sum(d.total_seconds for d in self.days)


@dataclass
class TrackerList:
    weeks: list[Week]
    weeks_shown: int
    has_older: bool
    # Entries stored with dates outside the rule's range (before it was enforced): listed apart
    # so the member can delete them, never placed on a calendar that can't hold them.
    out_of_range: list[TimeEntry] = field(default_factory=list)

    @property
    def entries(self) -> list[TimeEntry]:
        shown = [e for week in self.weeks for day in week.days for e in day.entries]
        return shown + self.out_of_range


def tracker_list(*, membership: Membership, weeks: int) -> TrackerList:
    """The user's finished entries of the last `weeks` weeks (this one included), newest first,
    grouped by week and day with totals. Three queries however many entries there are."""
    user = membership.user
    tz = user_tz(user)
    first_week = week_start_for(user, local_today(user)) - dt.timedelta(weeks=weeks - 1)
    since = local_midnight(user, first_week)
    base = time_entries_of(workspace_id=membership.workspace_id, user=user).filter(
        end__isnull=False
    )
    entries = list(base.filter(Q(start__gte=since) | Q(start__lt=EARLIEST)).order_by("-start"))
    has_older = base.filter(start__lt=since, start__gte=EARLIEST).exists()
    out_of_range = [
        e for e in entries if not (instant_in_range(e.start) and instant_in_range(e.end or e.start))
    ]
    by_week: dict[dt.date, Week] = {}
    for entry in entries:
        if entry in out_of_range:
            continue
        day = entry.start.astimezone(tz).date()
        week = by_week.setdefault(week_start_for(user, day), Week(start=week_start_for(user, day)))
        if not week.days or week.days[-1].date != day:
            week.days.append(Day(date=day))
        week.days[-1].entries.append(entry)
    return TrackerList(
        weeks=list(by_week.values()),
        weeks_shown=weeks,
        has_older=has_older,
        out_of_range=out_of_range,
    )


# --- the timesheet --------------------------------------------------------------------------


@dataclass
class TimesheetRow:
    project: Project | None
    task: Task | None
    cells: list[int]  # seconds per day of the week

    @property
    def key(self) -> str:
        return f"{self.project.pk if self.project else ''}:{self.task.pk if self.task else ''}"

    @property
    def total_seconds(self) -> int:
        return sum(self.cells)


@dataclass
class Timesheet:
    week_start: dt.date
    days: list[dt.date]
    rows: list[TimesheetRow]

    @property
    def day_totals(self) -> list[int]:
        return [sum(r.cells[i] for r in self.rows) for i in range(7)]

    @property
    def total_seconds(self) -> int:
        return sum(r.total_seconds for r in self.rows)


def timesheet_week(
    *,
    membership: Membership,
    week_start: dt.date,
    extra_rows: Sequence[tuple[str | None, str | None]] = (),
) -> Timesheet:
    """The user's finished time in the week as project/task rows x days.

    `extra_rows` are (project id, task id) rows the user added that may have no time yet; ids
    not of this workspace are ignored.
    """
    user = membership.user
    tz = user_tz(user)
    days = [week_start + dt.timedelta(days=i) for i in range(7)]
    since = local_midnight(user, week_start)
    until = local_midnight(user, week_start + dt.timedelta(days=7))
    entries = (
        finished_entries_between(
            workspace_id=membership.workspace_id, user=user, since=since, until=until
        )
        .select_related("project__client", "task")
        .order_by("start")
    )
    rows: dict[tuple[str | None, str | None], TimesheetRow] = {}
    for entry in entries:
        key = (entry.project_id, entry.task_id)
        row = rows.get(key)
        if row is None:
            row = rows[key] = TimesheetRow(project=entry.project, task=entry.task, cells=[0] * 7)
        index = (entry.start.astimezone(tz).date() - week_start).days
        row.cells[index] += entry.duration_seconds or 0

    wanted = [k for k in extra_rows if k not in rows]
    project_ids = {p for p, _ in wanted if p and is_object_id(p)}
    task_ids = {t for _, t in wanted if t and is_object_id(t)}
    projects = {
        p.pk: p
        for p in Project.objects.filter(
            workspace_id=membership.workspace_id, pk__in=project_ids
        ).select_related("client")
    }
    tasks = {
        t.pk: t for t in Task.objects.filter(workspace_id=membership.workspace_id, pk__in=task_ids)
    }
    for project_id, task_id in wanted:
        project = projects.get(project_id or "")
        task = tasks.get(task_id or "")
        if (project_id and project is None) or (task_id and task is None):
            continue
        if task is not None and (project is None or task.project_id != project.pk):
            continue
        rows[(project_id, task_id)] = TimesheetRow(project=project, task=task, cells=[0] * 7)

    def sort_key(row: TimesheetRow) -> tuple[int, str, str, str]:
        project = row.project
        client = project.client.name if project and project.client else ""
        task = row.task.name if row.task else ""
        return (project is None, client, project.name if project else "", task)

    ordered = sorted(rows.values(), key=sort_key)
    return Timesheet(week_start=week_start, days=days, rows=ordered)


def timesheet_row_entry_ids(
    *,
    membership: Membership,
    week_start: dt.date,
    project_id: str | None,
    task_id: str | None,
) -> list[str]:
    """The ids of the member's finished entries in one timesheet row of the week."""
    if (project_id and not is_object_id(project_id)) or (task_id and not is_object_id(task_id)):
        return []
    user = membership.user
    return list(
        finished_entries_between(
            workspace_id=membership.workspace_id,
            user=user,
            since=local_midnight(user, week_start),
            until=local_midnight(user, week_start + dt.timedelta(days=7)),
        )
        .filter(project_id=project_id or None, task_id=task_id or None)
        .values_list("pk", flat=True)
    )


def favorites_of(*, membership: Membership) -> list[FavoriteEntry]:
    """The member's favourites, oldest pinned first, with their project and task (one query)."""
    return list(
        FavoriteEntry.objects.filter(
            workspace_id=membership.workspace_id, user_id=membership.user_id
        ).select_related("project__client", "task")
    )
