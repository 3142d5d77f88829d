"""Writes of time entries: the timer, manual entries, edits, bulk actions, timesheet cells.

Every function takes the acting `membership` (workspace, user and role in one), validates
everything before it saves anything, and raises `ApplicationError` (with `field=` for forms).

Rules decided here where the issue was silent:
- Members act on their own entries only; admins and the owner may act on anyone's in the
  workspace. Another user's entry is "not found" for a member, not "forbidden".
- A private project can be tracked on by its members only; admins and the owner are exempt
  (they manage every project and may correct anyone's time).
- The rate is fixed from the hierarchy when an entry is created and again when its user, project
  or task changes (it is then a different piece of work); editing the description, times, tags
  or billable keeps the rate. Rates change otherwise only through `time_entries_reapply_rates`.
- Times are stored to the whole second so `duration_seconds` is exactly end - start.
- What valid time is (dates, length, end after start, the future, a day's 24 hours) is
  tracking/time_rules.py's; every write of times here goes through `entry_time_check`. The pages
  refuse ("refuse" mode, the default); the REST API passes `mode="flag"` to accept what Clockify
  accepts (flagged where the entry shows).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import Final

from django.db import IntegrityError
from django.db import transaction
from django.utils import timezone

from tracking.events import TimeEntryEvent
from tracking.events import time_entry_event_emit
from tracking.events import tracking_change_record
from tracking.models import MAX_DESCRIPTION_LENGTH
from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Tag
from tracking.models import Task
from tracking.models import TimeEntry
from tracking.models import TimeEntryTag
from tracking.selectors.entries import finished_entries_between
from tracking.services.approvals import locked_entry_edit_record
from tracking.services.approvals import week_lock_check
from tracking.services.rates import rate_for
from tracking.time_rules import DAY_SECONDS
from tracking.time_rules import Mode
from tracking.time_rules import TimeRules
from tracking.time_rules import clock_text
from tracking.time_rules import date_check
from tracking.time_rules import entry_time_check
from tracking.time_rules import instant_in_range
from workspaces.access import require_same_workspace
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.errors import PermissionDenied
from workspaces.ids import is_object_id
from workspaces.models import Membership
from workspaces.models import User
from workspaces.text import text_strip_controls


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()
RUNNING_TIMER_CONSTRAINT = "time_entry_one_running_timer"
# Where a manual entry by duration starts when the day has no entries yet (user's time zone).
DEFAULT_DAY_START = dt.time(9, 0)


# --- validation helpers -------------------------------------------------------------------


@dataclass
class _Refs:
    project: Project | None
    task: Task | None


def member_lock(membership: Membership) -> None:
    """Serialize one member's check-then-write services until the transaction ends (a row lock
    on the membership): a double click or two tabs then see each other's writes."""
    list(Membership.objects.select_for_update().filter(pk=membership.pk).values_list("pk"))


def _default_billable(refs: _Refs) -> bool:
    """A new entry is billable as its task is, else as its project is."""
    if refs.task is not None:
        return refs.task.billable
    return refs.project.billable if refs.project is not None else False


def _emit(event: TimeEntryEvent, membership: Membership, entry: TimeEntry) -> None:
    """Announce a change: now, inside the transaction (an outbox records it with the change),
    and once it commits. A delete announces itself before the entry and its tags go."""
    tracking_change_record(
        event=event.value,
        workspace_id=membership.workspace_id,
        actor_id=membership.user_id,
        instance=entry,
    )
    time_entry_event_emit(
        event=event,
        workspace_id=membership.workspace_id,
        entry_id=entry.pk,
        user_id=entry.user_id,
        actor_id=membership.user_id,
    )


def _whole_second(value: dt.datetime, *, field: str = "start") -> dt.datetime:
    if timezone.is_naive(value):
        raise ApplicationError("Times must carry a time zone.", field=field)
    try:
        value = value.astimezone(dt.UTC).replace(microsecond=0)
    except OverflowError:  # a wall clock at the calendar's edge
        raise ApplicationError(
            "Give a date between 1970-01-01 and 2999-12-31.", field=field
        ) from None
    if not instant_in_range(value):
        raise ApplicationError("Give a date between 1970-01-01 and 2999-12-31.", field=field)
    return value


def _check_description(description: str) -> str:
    # Pasted text often carries invisible control characters: drop them (tab and line feed stay).
    description = text_strip_controls(description, multiline=True).strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise ApplicationError(
            f"The description is {len(description)} characters long; "
            f"{MAX_DESCRIPTION_LENGTH} at most.",
            field="description",
        )
    return description


def _resolve_project(
    membership: Membership, project_id: str | None, *, allow_current: Project | None = None
) -> Project | None:
    """The project with that id in this workspace that the user may track on, or an error."""
    if not project_id:
        return None
    if allow_current is not None and allow_current.pk == project_id:
        return allow_current
    project = (
        Project.objects.select_related("client").filter(
            workspace_id=membership.workspace_id, pk=project_id
        )
        if is_object_id(project_id)
        else Project.objects.none()
    ).first()
    if project is None:
        raise ApplicationError("Choose a project of this workspace.", field="project")
    if project.archived:
        raise ApplicationError(
            f"The project “{project.name}” is archived; choose another.", field="project"
        )
    if (
        not project.is_public
        and not membership.is_admin
        and not ProjectMember.objects.filter(project=project, user_id=membership.user_id).exists()
    ):
        raise ApplicationError(
            f"You are not a member of the private project “{project.name}”.", field="project"
        )
    return project


def _resolve_task(
    membership: Membership,
    project: Project | None,
    task_id: str | None,
    *,
    allow_current: Task | None = None,
) -> Task | None:
    if not task_id:
        return None
    if allow_current is not None and allow_current.pk == task_id:
        task: Task | None = allow_current
    else:
        task = (
            Task.objects.filter(workspace_id=membership.workspace_id, pk=task_id).first()
            if is_object_id(task_id)
            else None
        )
        if task is None:
            raise ApplicationError("Choose a task of this workspace.", field="task")
        if task.status == Task.Status.DONE:
            raise ApplicationError(f"The task “{task.name}” is done; choose another.", field="task")
    assert task is not None
    if project is None:
        raise ApplicationError("Choose the task's project too.", field="task")
    if task.project_id != project.pk:
        raise ApplicationError(
            f"The task “{task.name}” belongs to another project than “{project.name}”.",
            field="task",
        )
    return task


def _resolve_tags(
    membership: Membership, tag_ids: Sequence[str], *, already: Sequence[Tag] = ()
) -> list[Tag]:
    """Tags of this workspace; new ones must not be archived (ones already on the entry may)."""
    wanted = list(dict.fromkeys(t for t in tag_ids if t))
    if not wanted:
        return []
    if not all(is_object_id(t) for t in wanted):
        raise ApplicationError("Choose tags of this workspace.", field="tags")
    tags = {
        t.pk: t for t in Tag.objects.filter(workspace_id=membership.workspace_id, pk__in=wanted)
    }
    if len(tags) != len(wanted):
        raise ApplicationError("Choose tags of this workspace.", field="tags")
    kept = {t.pk for t in already}
    archived = [t.name for t in tags.values() if t.archived and t.pk not in kept]
    if archived:
        raise ApplicationError(
            f"The tag “{archived[0]}” is archived; choose another.", field="tags"
        )
    return [tags[t] for t in wanted]


def _set_tags(entry: TimeEntry, tags: Sequence[Tag]) -> None:
    TimeEntryTag.objects.filter(time_entry=entry).delete()
    TimeEntryTag.objects.bulk_create(
        [TimeEntryTag(workspace_id=entry.workspace_id, time_entry=entry, tag=t) for t in tags]
    )


def _rate(membership: Membership, user: User, refs: _Refs) -> int:
    return rate_for(workspace=membership.workspace, user=user, project=refs.project, task=refs.task)


def _resolve_refs(membership: Membership, project_id: str | None, task_id: str | None) -> _Refs:
    """The project and task a new entry names, each checked as `_resolve_project` and
    `_resolve_task` do."""
    project = _resolve_project(membership, project_id)
    return _Refs(project=project, task=_resolve_task(membership, project, task_id))


def _entry_insert(
    membership: Membership,
    event: TimeEntryEvent,
    *,
    user: User,
    description: str,
    refs: _Refs,
    tags: Sequence[Tag],
    billable: bool,
    start: dt.datetime,
    end: dt.datetime | None,
    rate: int,
) -> TimeEntry:
    """Save a checked new entry (a running timer when `end` is None) with its tags, and
    announce it as `event`."""
    entry = TimeEntry.objects.create(
        workspace_id=membership.workspace_id,
        user=user,
        description=description,
        project=refs.project,
        task=refs.task,
        billable=billable,
        start=start,
        end=end,
        duration_seconds=None if end is None else int((end - start).total_seconds()),
        hourly_rate_cents=rate,
        currency=membership.workspace.currency,
    )
    _set_tags(entry, tags)
    _emit(event, membership, entry)
    return entry


def _check_may_change(membership: Membership, entry: TimeEntry) -> None:
    require_same_workspace(membership, entry, what="Time entry")
    if entry.user_id != membership.user_id and not membership.is_admin:
        raise NotFound("Time entry not found.")
    if entry.is_locked and not membership.is_admin:
        raise PermissionDenied("This entry is locked; only an admin can change it.")
    week_lock_check(membership=membership, user_id=entry.user_id, start=entry.start)


def _target_user(membership: Membership, user: User | None) -> User:
    """Whose entry this is: the actor's own, or (admins only) an active member's."""
    if user is None or user.pk == membership.user_id:
        return membership.user
    if not membership.is_admin:
        raise PermissionDenied("Only an admin can track time for someone else.")
    if not Membership.objects.filter(
        workspace_id=membership.workspace_id, user=user, status=Membership.Status.ACTIVE
    ).exists():
        raise ApplicationError("Choose an active member of this workspace.", field="user")
    return user


def _is_running_timer_clash(exc: IntegrityError) -> bool:
    diag = getattr(exc.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name is not None:
        return bool(name == RUNNING_TIMER_CONSTRAINT)
    text = str(exc)
    return RUNNING_TIMER_CONSTRAINT in text or "tracking_timeentry.user_id" in text


# --- the timer ------------------------------------------------------------------------------


def _stop_running(
    membership: Membership, *, at: dt.datetime, mode: Mode = "refuse"
) -> TimeEntry | None:
    """Stop the actor's running timer (locked row), if any. Runs inside a transaction.

    A timer that would end longer than the workspace allows is refused (the pages then offer to
    stop it at the time it really stopped); in "flag" mode (the API) it stops and is flagged.
    """
    entry = (
        TimeEntry.objects.select_for_update()
        .filter(workspace_id=membership.workspace_id, user_id=membership.user_id, end=None)
        .first()
    )
    if entry is None:
        return None
    end = max(at, entry.start + dt.timedelta(seconds=1))
    seconds = int((end - entry.start).total_seconds())
    limit = TimeRules.of(membership.workspace).max_entry_seconds
    if mode == "refuse" and seconds > limit and at >= _whole_second(timezone.now()):
        raise ApplicationError(
            f"The running timer has run {clock_text(seconds)}, longer than the "
            f"{clock_text(limit)} an entry may last here. Give the time you really stopped.",
            field="end",
        )
    entry_time_check(
        workspace=membership.workspace,
        user=membership.user,
        start=entry.start,
        end=end,
        entry_id=entry.pk,
        mode=mode,
    )
    entry.end = end
    entry.duration_seconds = int((end - entry.start).total_seconds())
    entry.updated_at = timezone.now()
    entry.save(update_fields=["end", "duration_seconds", "updated_at"])
    _emit(TimeEntryEvent.TIMER_STOPPED, membership, entry)
    return entry


def timer_start(
    *,
    membership: Membership,
    description: str = "",
    project_id: str | None = None,
    task_id: str | None = None,
    tag_ids: Sequence[str] = (),
    billable: bool | None = None,
    start: dt.datetime | None = None,
    mode: Mode = "refuse",
) -> TimeEntry:
    """Start a timer for the acting user, stopping their running one first.

    The database allows one running timer per user and workspace. Two starts at the same moment
    both try to insert; the loser gets an IntegrityError from the partial unique constraint,
    and retries: it now sees the winner's timer, stops it, and starts its own.
    """
    description = _check_description(description)
    refs = _resolve_refs(membership, project_id, task_id)
    tags = _resolve_tags(membership, tag_ids)
    now = _whole_second(timezone.now())
    start = _whole_second(start) if start is not None else now
    entry_time_check(
        workspace=membership.workspace, user=membership.user, start=start, end=None, now=now
    )
    week_lock_check(membership=membership, user_id=membership.user_id, start=start)
    if billable is None:
        billable = _default_billable(refs)
    rate = _rate(membership, membership.user, refs)

    for _attempt in range(3):
        try:
            with transaction.atomic():
                _stop_running(membership, at=now, mode=mode)
                return _entry_insert(
                    membership,
                    TimeEntryEvent.TIMER_STARTED,
                    user=membership.user,
                    description=description,
                    refs=refs,
                    tags=tags,
                    billable=billable,
                    start=start,
                    end=None,
                    rate=rate,
                )
        except IntegrityError as exc:
            if not _is_running_timer_clash(exc):
                raise
    raise ApplicationError("Another timer was being started at the same moment; try again.")


@transaction.atomic
def timer_stop(
    *, membership: Membership, end: dt.datetime | None = None, mode: Mode = "refuse"
) -> TimeEntry:
    """Stop the acting user's running timer (at least one second long), now or at `end` (the
    time the member really stopped, for a timer left running: not in the future)."""
    now = _whole_second(timezone.now())
    at = now
    if end is not None:
        at = _whole_second(end, field="end")
        if at > now and mode == "refuse":
            raise ApplicationError("Give a stop time that has passed.", field="end")
    entry = _stop_running(membership, at=at, mode=mode)
    if entry is None:
        raise ApplicationError("No timer is running.")
    return entry


# --- manual entries and edits -----------------------------------------------------------------


def start_of_day_slot(*, membership: Membership, user: User, day: dt.date) -> dt.datetime:
    """Where an entry given by date and duration starts: when the user's last entry that day
    (in their time zone) ends, or at 09:00 when the day is empty."""
    date_check(day)
    tz = zoneinfo.ZoneInfo(user.time_zone)
    day_start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    day_end = day_start + dt.timedelta(days=1)
    last_end = (
        finished_entries_between(
            workspace_id=membership.workspace_id, user=user, since=day_start, until=day_end
        )
        .order_by("-end")
        .values_list("end", flat=True)
        .first()
    )
    if last_end is not None and last_end < day_end:
        return _whole_second(last_end)
    return _whole_second(dt.datetime.combine(day, DEFAULT_DAY_START, tzinfo=tz))


@transaction.atomic
def time_entry_create(
    *,
    membership: Membership,
    start: dt.datetime,
    end: dt.datetime | None = None,
    duration_seconds: int | None = None,
    description: str = "",
    project_id: str | None = None,
    task_id: str | None = None,
    tag_ids: Sequence[str] = (),
    billable: bool | None = None,
    user: User | None = None,
    mode: Mode = "refuse",
) -> TimeEntry:
    """A finished entry, by start and end or by start and duration (admins: for anyone)."""
    owner = _target_user(membership, user)
    description = _check_description(description)
    start = _whole_second(start)
    end_field = "end"
    if end is not None and duration_seconds is not None:
        raise ApplicationError("Give an end or a duration, not both.", field="end")
    if end is None:
        if duration_seconds is None:
            raise ApplicationError("Give an end or a duration.", field="end")
        if duration_seconds <= 0:
            raise ApplicationError("The duration must be more than zero.", field="duration")
        end_field = "duration"
        try:
            end = start + dt.timedelta(seconds=duration_seconds)
        except OverflowError:
            raise ApplicationError("The duration is too long.", field="duration") from None
    end = _whole_second(end, field=end_field)
    entry_time_check(
        workspace=membership.workspace,
        user=owner,
        start=start,
        end=end,
        mode=mode,
        end_field=end_field,
    )
    week_lock_check(membership=membership, user_id=owner.pk, start=start)
    refs = _resolve_refs(membership, project_id, task_id)
    tags = _resolve_tags(membership, tag_ids)
    if billable is None:
        billable = _default_billable(refs)
    return _entry_insert(
        membership,
        TimeEntryEvent.CREATED,
        user=owner,
        description=description,
        refs=refs,
        tags=tags,
        billable=billable,
        start=start,
        end=end,
        rate=_rate(membership, owner, refs),
    )


@transaction.atomic
def time_entry_update(
    *,
    membership: Membership,
    entry: TimeEntry,
    description: str | _Unset = UNSET,
    project_id: str | None | _Unset = UNSET,
    task_id: str | None | _Unset = UNSET,
    tag_ids: Sequence[str] | _Unset = UNSET,
    billable: bool | _Unset = UNSET,
    start: dt.datetime | _Unset = UNSET,
    end: dt.datetime | None | _Unset = UNSET,
    is_locked: bool | _Unset = UNSET,
    mode: Mode = "refuse",
) -> TimeEntry:
    """Change the given fields of an entry; fields left UNSET stay as they are.

    A running timer's end can't be set here (stop it instead); its start can move, not into the
    future. Changing the project without giving a task keeps the task only if it belongs to the
    new project. Locking and unlocking is for admins.
    """
    _check_may_change(membership, entry)
    changes: dict[str, Any] = {}
    if not isinstance(is_locked, _Unset) and is_locked != entry.is_locked:
        if not membership.is_admin:
            raise PermissionDenied("Only an admin can lock or unlock entries.")
        changes["is_locked"] = is_locked
    if not isinstance(description, _Unset):
        description = _check_description(description)
        if description != entry.description:
            changes["description"] = description

    current_project: Project | None = entry.project
    current_task: Task | None = entry.task
    project = current_project
    if not isinstance(project_id, _Unset):
        project = _resolve_project(membership, project_id, allow_current=current_project)
    if not isinstance(task_id, _Unset):
        task = _resolve_task(membership, project, task_id, allow_current=current_task)
    elif current_task is not None and (project is None or current_task.project_id != project.pk):
        task = None
    else:
        task = current_task
    if project != current_project or task != current_task:
        changes["project"] = project
        changes["task"] = task
        changes["hourly_rate_cents"] = _rate(membership, entry.user, _Refs(project, task))
        changes["currency"] = membership.workspace.currency

    tags: list[Tag] | None = None
    if not isinstance(tag_ids, _Unset):
        current_tags = list(entry.tags.all())
        tags = _resolve_tags(membership, tag_ids, already=current_tags)
        if {t.pk for t in tags} == {t.pk for t in current_tags}:
            tags = None
    if not isinstance(billable, _Unset) and billable != entry.billable:
        changes["billable"] = billable

    new_start = _whole_second(start) if not isinstance(start, _Unset) else entry.start
    if isinstance(end, _Unset):
        new_end = entry.end
    elif end is None:
        if entry.end is not None:
            raise ApplicationError("A finished entry needs an end.", field="end")
        new_end = None
    else:
        if entry.end is None:
            raise ApplicationError("Stop the timer to set its end.", field="end")
        new_end = _whole_second(end, field="end")
    if new_start != entry.start:
        week_lock_check(membership=membership, user_id=entry.user_id, start=new_start)
    if new_start != entry.start or new_end != entry.end:
        entry_time_check(
            workspace=membership.workspace,
            user=entry.user,
            start=new_start,
            end=new_end,
            entry_id=entry.pk,
            mode=mode,
        )
        seconds = None if new_end is None else int((new_end - new_start).total_seconds())
        changes.update(start=new_start, end=new_end, duration_seconds=seconds)

    if not changes and tags is None:
        return entry
    fields = [*changes, *(["tags"] if tags is not None else [])]
    locked_entry_edit_record(membership=membership, entry=entry, action="edit", fields=fields)
    for field, value in changes.items():
        setattr(entry, field, value)
    entry.updated_at = timezone.now()
    entry.save(update_fields=[*changes, "updated_at"])
    if tags is not None:
        _set_tags(entry, tags)
    _emit(TimeEntryEvent.UPDATED, membership, entry)
    return entry


@transaction.atomic
def time_entry_delete(*, membership: Membership, entry: TimeEntry) -> None:
    _check_may_change(membership, entry)
    locked_entry_edit_record(membership=membership, entry=entry, action="delete", fields=[])
    _emit(TimeEntryEvent.DELETED, membership, entry)
    TimeEntryTag.objects.filter(time_entry=entry).delete()
    entry.delete()


@transaction.atomic
def time_entry_duplicate(*, membership: Membership, entry: TimeEntry) -> TimeEntry:
    """A copy of a finished entry at the same times, rated from today's hierarchy.

    The copy is a new entry, so today's rules apply: an archived project or tag, or a done task,
    refuses the copy with a message.
    """
    _check_may_change(membership, entry)
    if entry.end is None:
        raise ApplicationError("Stop the timer before duplicating it.")
    return time_entry_create(
        membership=membership,
        user=entry.user,
        start=entry.start,
        end=entry.end,
        description=entry.description,
        project_id=entry.project_id,
        task_id=entry.task_id,
        tag_ids=[t.pk for t in entry.tags.all()],
        billable=entry.billable,
    )


def time_entry_continue(*, membership: Membership, entry: TimeEntry) -> TimeEntry:
    """Start a new timer for the acting user like one of their own entries."""
    if entry.workspace_id != membership.workspace_id or entry.user_id != membership.user_id:
        raise NotFound("Time entry not found.")
    return timer_start(
        membership=membership,
        description=entry.description,
        project_id=entry.project_id,
        task_id=entry.task_id,
        tag_ids=[t.pk for t in entry.tags.all()],
        billable=entry.billable,
    )


# --- bulk -----------------------------------------------------------------------------------


def _entries_for_bulk(membership: Membership, entry_ids: Sequence[str]) -> list[TimeEntry]:
    ids = list(dict.fromkeys(entry_ids))
    if not ids:
        raise ApplicationError("Select at least one entry.", field="entries")
    if not all(is_object_id(i) for i in ids):
        raise NotFound("Time entry not found.")
    entries = list(
        TimeEntry.objects.select_for_update(of=("self",))
        .select_related("project", "task", "user")
        .filter(workspace_id=membership.workspace_id, pk__in=ids)
        .order_by("start")
    )
    if len(entries) != len(ids):
        raise NotFound("Time entry not found.")
    for entry in entries:
        _check_may_change(membership, entry)
    return entries


@transaction.atomic
def time_entries_bulk_update(
    *,
    membership: Membership,
    entry_ids: Sequence[str],
    project_id: str | None | _Unset = UNSET,
    billable: bool | _Unset = UNSET,
    tag_ids: Sequence[str] | _Unset = UNSET,
    tags_mode: str = "replace",
) -> int:
    """Set the project, billable and/or tags of several entries: all of them or none.

    `tags_mode` "replace" sets exactly `tag_ids`; "add" adds them to each entry's tags.
    A new project drops tasks of other projects. Returns how many entries were selected.
    """
    if tags_mode not in ("replace", "add"):
        raise ApplicationError("Choose to replace or add tags.", field="tags_mode")
    entries = _entries_for_bulk(membership, entry_ids)
    project: Project | None | _Unset = UNSET
    if not isinstance(project_id, _Unset):
        project = _resolve_project(membership, project_id)
    tags: list[Tag] | None = None
    if not isinstance(tag_ids, _Unset):
        tags = _resolve_tags(membership, tag_ids)
    current_tags: dict[str, set[str]] = {}
    for row in TimeEntryTag.objects.filter(time_entry__in=entries).values_list(
        "time_entry_id", "tag_id"
    ):
        current_tags.setdefault(row[0], set()).add(row[1])
    for entry in entries:
        if not isinstance(project, _Unset):
            task_id = entry.task_id if project is not None else None
            if entry.task is not None and (project is None or entry.task.project_id != project.pk):
                task_id = None
            time_entry_update(
                membership=membership,
                entry=entry,
                project_id=project.pk if project is not None else None,
                task_id=task_id,
            )
        if not isinstance(billable, _Unset) and entry.billable != billable:
            time_entry_update(membership=membership, entry=entry, billable=billable)
        if tags is not None:
            wanted = [t.pk for t in tags]
            if tags_mode == "add":
                wanted = [*current_tags.get(entry.pk, set()), *wanted]
            time_entry_update(membership=membership, entry=entry, tag_ids=wanted)
    return len(entries)


@transaction.atomic
def time_entries_bulk_delete(*, membership: Membership, entry_ids: Sequence[str]) -> int:
    """Delete several entries: all of them or, if any may not be deleted, none."""
    entries = _entries_for_bulk(membership, entry_ids)
    for entry in entries:
        locked_entry_edit_record(membership=membership, entry=entry, action="delete", fields=[])
        _emit(TimeEntryEvent.DELETED, membership, entry)
    TimeEntryTag.objects.filter(time_entry__in=entries).delete()
    TimeEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()
    return len(entries)


# --- timesheet ------------------------------------------------------------------------------


@transaction.atomic
def timesheet_cell_set(
    *,
    membership: Membership,
    day: dt.date,
    seconds: int,
    project_id: str | None = None,
    task_id: str | None = None,
) -> int:
    """Make the acting user's time on `project`/`task` on `day` (their time zone) total `seconds`.

    What editing a cell does to the entries already there:
    - no entries: a new entry of that length is created, starting where the user's day has
      room (after their last entry that day, or 09:00);
    - more time than now: the cell's latest entry is extended by the difference;
    - less time than now: time is taken off the latest entries first: an entry that would
      shrink to nothing is deleted, the next is shortened; 0 empties the cell;
    - a running timer or (for members) a locked entry in the cell refuses the edit with a
      message, and nothing changes.
    Returns the cell's new total in seconds.
    """
    if seconds < 0:
        raise ApplicationError("Hours can't be negative.", field="hours")
    if seconds > DAY_SECONDS:
        raise ApplicationError(
            f"A day has 24 hours; {clock_text(seconds)} won't fit in one cell.", field="hours"
        )
    seconds = int(seconds)
    date_check(day, field="hours")
    # One cell edit at a time per member: Enter in a cell fires both htmx's change and submit,
    # and two requests finding an empty cell would each create an entry (twice the hours).
    member_lock(membership)
    project = _resolve_project(membership, project_id)
    task = _resolve_task(membership, project, task_id)
    user = membership.user
    tz = zoneinfo.ZoneInfo(user.time_zone)
    day_start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    entries = list(
        TimeEntry.objects.select_for_update()
        .filter(
            workspace_id=membership.workspace_id,
            user=user,
            project=project,
            task=task,
            start__gte=day_start,
            start__lt=day_start + dt.timedelta(days=1),
        )
        .order_by("start")
    )
    for entry in entries:
        if entry.end is None:
            raise ApplicationError("A timer is running in this cell; stop it first.", field="hours")
        _check_may_change(membership, entry)
    current = sum(e.duration_seconds or 0 for e in entries)
    if seconds == current:
        return current
    if not entries:
        start = start_of_day_slot(membership=membership, user=user, day=day)
        time_entry_create(
            membership=membership,
            start=start,
            duration_seconds=seconds,
            project_id=project.pk if project else None,
            task_id=task.pk if task else None,
        )
        return seconds
    if seconds > current:
        last = entries[-1]
        assert last.end is not None
        time_entry_update(
            membership=membership,
            entry=last,
            end=last.end + dt.timedelta(seconds=seconds - current),
        )
        return seconds
    to_remove = current - seconds
    for entry in reversed(entries):
        if to_remove <= 0:
            break
        length = entry.duration_seconds or 0
        if length <= to_remove:
            time_entry_delete(membership=membership, entry=entry)
            to_remove -= length
        else:
            assert entry.end is not None
            time_entry_update(
                membership=membership,
                entry=entry,
                end=entry.end - dt.timedelta(seconds=to_remove),
            )
            to_remove = 0
    return seconds
