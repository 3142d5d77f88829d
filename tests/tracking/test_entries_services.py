"""Time entry services: the timer, manual entries, edits, bulk actions, timesheet cells.

Every bad input gets a clear message and saves nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from tests.factories import MembershipFactory
from tests.factories import membership_of
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import ProjectMemberFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from tests.tracking.factories import ago
from tracking.models import Task
from tracking.models import TimeEntry
from tracking.models import TimeEntryTag
from tracking.services import entries as svc
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.errors import PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def m(workspace, member):
    return membership_of(workspace, member)


@pytest.fixture
def a(workspace, admin):
    return membership_of(workspace, admin)


# --- the timer ------------------------------------------------------------------------------


def test_timer_start_and_stop(m, workspace):
    project = ProjectFactory.create(workspace=workspace, billable=True)
    tag = TagFactory.create(workspace=workspace)
    entry = svc.timer_start(
        membership=m, description="Design review", project_id=project.pk, tag_ids=[tag.pk]
    )
    assert entry.is_running and entry.billable  # billable defaults from the project
    assert [t.pk for t in entry.tags.all()] == [tag.pk]
    TimeEntry.objects.filter(pk=entry.pk).update(start=ago(minutes=90))
    stopped = svc.timer_stop(membership=m)
    assert stopped.pk == entry.pk
    assert stopped.end is not None and stopped.duration_seconds is not None
    assert stopped.duration_seconds == int((stopped.end - stopped.start).total_seconds())
    assert 90 * 60 <= stopped.duration_seconds < 90 * 60 + 5


def test_timer_start_stops_the_running_one(m):
    first = svc.timer_start(membership=m, description="first")
    TimeEntry.objects.filter(pk=first.pk).update(start=ago(minutes=10))
    second = svc.timer_start(membership=m, description="second")
    first.refresh_from_db()
    assert first.end is not None
    assert (first.duration_seconds or 0) >= 600
    assert list(TimeEntry.objects.filter(end=None)) == [second]


def test_timer_stop_without_timer(m):
    with pytest.raises(ApplicationError, match="No timer is running"):
        svc.timer_stop(membership=m)


def test_timer_stopped_in_its_first_second_lasts_one_second(m):
    entry = svc.timer_start(membership=m)
    stopped = svc.timer_stop(membership=m, end=entry.start)
    assert stopped.duration_seconds == 1


def test_timer_in_the_future_refused(m):
    with pytest.raises(ApplicationError, match="future"):
        svc.timer_start(membership=m, start=timezone.now() + dt.timedelta(hours=1))
    assert not TimeEntry.objects.exists()


def test_timers_are_per_workspace(m, member, other_workspace):
    MembershipFactory.create(workspace=other_workspace, user=member)
    svc.timer_start(membership=m)
    svc.timer_start(membership=membership_of(other_workspace, member))
    assert TimeEntry.objects.filter(user=member, end=None).count() == 2


# --- bad input: a clear message and nothing saved -------------------------------------------


def _create(membership, **kwargs):
    kwargs.setdefault("start", ago(hours=3))
    kwargs.setdefault("duration_seconds", 3600)
    return svc.time_entry_create(membership=membership, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"end": "before"}, "end", "end must be after the start"),
        ({"end": "same"}, "end", "end must be after the start"),
        ({"duration_seconds": 999 * 3600 + 1}, "duration", "999 hours"),
        ({"end": "too-long"}, "end", "999 hours"),
        ({"duration_seconds": 0}, "duration", "more than zero"),
        ({"description": "x" * 3001}, "description", "3000 at most"),
    ],
)
def test_bad_times_and_description(m, kwargs, field, message):
    start = ago(hours=3)
    if kwargs.get("end") == "before":
        kwargs["end"] = start - dt.timedelta(minutes=1)
    elif kwargs.get("end") == "same":
        kwargs["end"] = start
    elif kwargs.get("end") == "too-long":
        kwargs["end"] = start + dt.timedelta(hours=999, seconds=1)
    if "end" in kwargs:
        kwargs["duration_seconds"] = None
    with pytest.raises(ApplicationError, match=message) as exc:
        _create(m, start=start, **kwargs)
    assert exc.value.field == field
    assert not TimeEntry.objects.exists()


def test_exactly_999_hours_and_3000_characters_are_fine(m):
    m.workspace.max_entry_seconds = 999 * 3600  # the longest the setting allows
    m.workspace.save()
    entry = _create(m, start=ago(hours=1000), duration_seconds=999 * 3600, description="x" * 3000)
    assert entry.duration_seconds == 999 * 3600


def test_naive_datetime_refused(m):
    with pytest.raises(ApplicationError):
        _create(m, start=dt.datetime(2026, 1, 1, 9, 0))


def test_task_of_another_project(m, workspace):
    project, other = (
        ProjectFactory.create(workspace=workspace),
        ProjectFactory.create(workspace=workspace),
    )
    task = TaskFactory.create(project=other)
    with pytest.raises(ApplicationError, match="belongs to another project") as exc:
        _create(m, project_id=project.pk, task_id=task.pk)
    assert exc.value.field == "task"
    with pytest.raises(ApplicationError, match="project too"):
        _create(m, task_id=task.pk)
    assert not TimeEntry.objects.exists()


def test_other_workspaces_project_task_and_tag(m, other_workspace, workspace):
    foreign_project = ProjectFactory.create(workspace=other_workspace)
    foreign_task = TaskFactory.create(project=foreign_project)
    foreign_tag = TagFactory.create(workspace=other_workspace)
    own_project = ProjectFactory.create(workspace=workspace)
    with pytest.raises(ApplicationError, match="project of this workspace"):
        _create(m, project_id=foreign_project.pk)
    with pytest.raises(ApplicationError, match="task of this workspace"):
        _create(m, project_id=own_project.pk, task_id=foreign_task.pk)
    with pytest.raises(ApplicationError, match="tags of this workspace"):
        _create(m, tag_ids=[foreign_tag.pk])
    with pytest.raises(ApplicationError, match="tags of this workspace"):
        _create(m, tag_ids=["not-an-id"])
    with pytest.raises(ApplicationError, match="project of this workspace"):
        svc.timer_start(membership=m, project_id=foreign_project.pk)
    assert not TimeEntry.objects.exists()


def test_archived_project_and_tag_and_done_task(m, workspace):
    archived = ProjectFactory.create(workspace=workspace, archived=True, name="Old")
    project = ProjectFactory.create(workspace=workspace)
    done = TaskFactory.create(project=project, status=Task.Status.DONE, name="Finished")
    old_tag = TagFactory.create(workspace=workspace, archived=True, name="legacy")
    with pytest.raises(ApplicationError, match="“Old” is archived"):
        _create(m, project_id=archived.pk)
    with pytest.raises(ApplicationError, match="“Finished” is done"):
        _create(m, project_id=project.pk, task_id=done.pk)
    with pytest.raises(ApplicationError, match="“legacy” is archived"):
        _create(m, tag_ids=[old_tag.pk])
    with pytest.raises(ApplicationError, match="archived"):
        svc.timer_start(membership=m, project_id=archived.pk)
    assert not TimeEntry.objects.exists()


def test_an_entry_keeps_its_archived_project_when_edited(m, workspace):
    project = ProjectFactory.create(workspace=workspace)
    tag = TagFactory.create(workspace=workspace)
    entry = _create(m, project_id=project.pk, tag_ids=[tag.pk])
    project.archived = True
    project.save()
    tag.archived = True
    tag.save()
    svc.time_entry_update(
        membership=m,
        entry=entry,
        description="fixed typo",
        project_id=project.pk,
        tag_ids=[tag.pk],
    )
    entry.refresh_from_db()
    assert entry.description == "fixed typo" and entry.project_id == project.pk


def test_private_project_needs_membership_admins_exempt(m, a, workspace, member):
    private = ProjectFactory.create(workspace=workspace, is_public=False, name="Secret")
    with pytest.raises(ApplicationError, match="not a member of the private project"):
        _create(m, project_id=private.pk)
    assert _create(a, project_id=private.pk).project_id == private.pk
    ProjectMemberFactory.create(project=private, user=member)
    assert _create(m, project_id=private.pk).project_id == private.pk


def test_update_validates_everything_before_saving(m, workspace):
    project = ProjectFactory.create(workspace=workspace)
    entry = _create(m, description="original", project_id=project.pk)
    before = TimeEntry.objects.values().get(pk=entry.pk)
    with pytest.raises(ApplicationError, match="end must be after"):
        svc.time_entry_update(
            membership=m,
            entry=entry,
            description="changed",
            start=entry.start,
            end=entry.start - dt.timedelta(hours=1),
        )
    assert TimeEntry.objects.values().get(pk=entry.pk) == before


def test_update_keeps_duration_equal_to_end_minus_start(m):
    entry = _create(m, duration_seconds=3600)
    new_end = entry.end + dt.timedelta(minutes=30, microseconds=700)
    svc.time_entry_update(membership=m, entry=entry, end=new_end)
    entry.refresh_from_db()
    assert entry.duration_seconds == 5400 == (entry.end - entry.start).total_seconds()


def test_running_timer_end_cannot_be_set_by_update(m):
    entry = svc.timer_start(membership=m)
    with pytest.raises(ApplicationError, match="Stop the timer"):
        svc.time_entry_update(membership=m, entry=entry, end=timezone.now())


def test_new_project_drops_a_task_of_the_old_one(m, workspace):
    project, other = (
        ProjectFactory.create(workspace=workspace),
        ProjectFactory.create(workspace=workspace),
    )
    task = TaskFactory.create(project=project)
    entry = _create(m, project_id=project.pk, task_id=task.pk)
    svc.time_entry_update(membership=m, entry=entry, project_id=other.pk)
    entry.refresh_from_db()
    assert (entry.project_id, entry.task_id) == (other.pk, None)


# --- who may change what --------------------------------------------------------------------


def test_member_cannot_touch_anothers_entry(m, workspace, admin):
    theirs = TimeEntryFactory.create(workspace=workspace, user=admin)
    with pytest.raises(NotFound):
        svc.time_entry_update(membership=m, entry=theirs, description="mine now")
    with pytest.raises(NotFound):
        svc.time_entry_delete(membership=m, entry=theirs)
    with pytest.raises(NotFound):
        svc.time_entries_bulk_delete(membership=m, entry_ids=[theirs.pk])
    assert TimeEntry.objects.get(pk=theirs.pk).description == theirs.description


def test_admin_may_edit_and_create_for_a_member(a, workspace, member, outsider):
    entry = TimeEntryFactory.create(workspace=workspace, user=member)
    svc.time_entry_update(membership=a, entry=entry, description="corrected by admin")
    assert TimeEntry.objects.get(pk=entry.pk).description == "corrected by admin"
    created = _create(a, user=member)
    assert created.user == member
    with pytest.raises(ApplicationError, match="active member"):
        _create(a, user=outsider)


def test_member_cannot_create_for_someone_else(m, admin):
    with pytest.raises(PermissionDenied):
        _create(m, user=admin)


def test_locked_entries(m, a, workspace, member):
    entry = _create(m)
    with pytest.raises(PermissionDenied):
        svc.time_entry_update(membership=m, entry=entry, is_locked=True)
    svc.time_entry_update(membership=a, entry=entry, is_locked=True)
    entry.refresh_from_db()
    with pytest.raises(PermissionDenied, match="locked"):
        svc.time_entry_update(membership=m, entry=entry, description="sneaky")
    with pytest.raises(PermissionDenied, match="locked"):
        svc.time_entry_delete(membership=m, entry=entry)
    with pytest.raises(PermissionDenied, match="locked"):
        svc.time_entries_bulk_update(membership=m, entry_ids=[entry.pk], billable=False)
    assert TimeEntry.objects.get(pk=entry.pk).description == ""
    svc.time_entry_update(membership=a, entry=entry, description="admin may")
    assert TimeEntry.objects.get(pk=entry.pk).description == "admin may"
    svc.time_entry_delete(membership=a, entry=entry)
    assert not TimeEntry.objects.filter(pk=entry.pk).exists()


# --- duplicate, continue, bulk --------------------------------------------------------------


def test_duplicate_and_continue(m, workspace):
    project = ProjectFactory.create(workspace=workspace, billable=True)
    tag = TagFactory.create(workspace=workspace)
    entry = _create(m, description="Call", project_id=project.pk, tag_ids=[tag.pk], billable=False)
    copy = svc.time_entry_duplicate(membership=m, entry=entry)
    assert copy.pk != entry.pk
    assert (copy.start, copy.end, copy.description, copy.billable) == (
        entry.start,
        entry.end,
        "Call",
        False,
    )
    assert [t.pk for t in copy.tags.all()] == [tag.pk]
    running = svc.time_entry_continue(membership=m, entry=entry)
    assert running.is_running and running.project_id == project.pk and not running.billable
    assert [t.pk for t in running.tags.all()] == [tag.pk]
    with pytest.raises(ApplicationError, match="Stop the timer"):
        svc.time_entry_duplicate(membership=m, entry=running)


def test_continue_of_anothers_entry_refused(m, workspace, admin):
    with pytest.raises(NotFound):
        svc.time_entry_continue(
            membership=m, entry=TimeEntryFactory.create(workspace=workspace, user=admin)
        )
    assert not TimeEntry.objects.filter(end=None).exists()


def test_bulk_update_all_or_nothing(m, workspace, member, admin):
    project = ProjectFactory.create(workspace=workspace)
    tag_a, tag_b = TagFactory.create(workspace=workspace), TagFactory.create(workspace=workspace)
    mine = [_create(m, tag_ids=[tag_a.pk]) for _ in range(3)]
    svc.time_entries_bulk_update(
        membership=m,
        entry_ids=[e.pk for e in mine],
        project_id=project.pk,
        billable=True,
        tag_ids=[tag_b.pk],
        tags_mode="add",
    )
    for entry in mine:
        entry.refresh_from_db()
        assert entry.project_id == project.pk and entry.billable
        assert {t.pk for t in entry.tags.all()} == {tag_a.pk, tag_b.pk}

    theirs = TimeEntryFactory.create(workspace=workspace, user=admin)
    with pytest.raises(NotFound):
        svc.time_entries_bulk_update(
            membership=m, entry_ids=[mine[0].pk, theirs.pk], billable=False
        )
    assert TimeEntry.objects.get(pk=mine[0].pk).billable

    svc.time_entries_bulk_update(
        membership=m, entry_ids=[mine[0].pk], tag_ids=[], tags_mode="replace"
    )
    assert not TimeEntryTag.objects.filter(time_entry=mine[0]).exists()


def test_bulk_delete(m, workspace):
    mine = [_create(m) for _ in range(2)]
    keep = _create(m)
    assert svc.time_entries_bulk_delete(membership=m, entry_ids=[e.pk for e in mine]) == 2
    assert list(TimeEntry.objects.all()) == [keep]
    with pytest.raises(ApplicationError, match="Select at least one"):
        svc.time_entries_bulk_delete(membership=m, entry_ids=[])


# --- the timesheet cell ---------------------------------------------------------------------


def test_timesheet_cell_creates_extends_shrinks_and_empties(m, workspace, member):
    member.time_zone = "America/New_York"
    member.save()
    m = membership_of(workspace, member)
    project = ProjectFactory.create(workspace=workspace)
    day = dt.date(2026, 3, 10)
    tz = zoneinfo.ZoneInfo("America/New_York")

    def cell():
        return list(TimeEntry.objects.filter(project=project).order_by("start"))

    svc.timesheet_cell_set(membership=m, day=day, seconds=2 * 3600, project_id=project.pk)
    [entry] = cell()
    assert entry.start.astimezone(tz) == dt.datetime(2026, 3, 10, 9, 0, tzinfo=tz)
    assert entry.duration_seconds == 7200

    second = _create(
        m,
        project_id=project.pk,
        start=dt.datetime(2026, 3, 10, 14, 0, tzinfo=tz),
        duration_seconds=3600,
    )
    svc.timesheet_cell_set(membership=m, day=day, seconds=4 * 3600, project_id=project.pk)
    assert [e.duration_seconds for e in cell()] == [7200, 7200]  # the latest one grew
    second.refresh_from_db()
    assert second.duration_seconds == 7200

    svc.timesheet_cell_set(membership=m, day=day, seconds=3600, project_id=project.pk)
    assert [e.duration_seconds for e in cell()] == [3600]  # latest deleted, the first shortened

    svc.timesheet_cell_set(membership=m, day=day, seconds=0, project_id=project.pk)
    assert cell() == []


def test_timesheet_cell_bad_input(m, workspace):
    with pytest.raises(ApplicationError, match="24 hours"):
        svc.timesheet_cell_set(membership=m, day=dt.date(2026, 3, 10), seconds=25 * 3600)
    with pytest.raises(ApplicationError, match="negative"):
        svc.timesheet_cell_set(membership=m, day=dt.date(2026, 3, 10), seconds=-1)
    assert not TimeEntry.objects.exists()


def test_timesheet_cell_refuses_locked_entries_for_members(m, workspace):
    day = timezone.now().date() - dt.timedelta(days=3)
    svc.timesheet_cell_set(membership=m, day=day, seconds=3600)
    TimeEntry.objects.update(is_locked=True)
    with pytest.raises(PermissionDenied):
        svc.timesheet_cell_set(membership=m, day=day, seconds=7200)
    assert TimeEntry.objects.get().duration_seconds == 3600


def test_timer_running_past_999_hours_must_be_corrected_first(m):
    entry = svc.timer_start(membership=m, description="forgotten")
    TimeEntry.objects.filter(pk=entry.pk).update(start=ago(hours=1000))
    with pytest.raises(ApplicationError, match="has run 1000:00, longer than the 24:00"):
        svc.timer_stop(membership=m)
    with pytest.raises(ApplicationError, match="has run 1000:00, longer than the 24:00"):
        svc.timer_start(membership=m, description="next")
    assert list(TimeEntry.objects.values_list("description", "end")) == [("forgotten", None)]
    entry.refresh_from_db()
    svc.time_entry_update(membership=m, entry=entry, start=ago(hours=8))
    assert svc.timer_stop(membership=m).duration_seconds == pytest.approx(8 * 3600, abs=5)
