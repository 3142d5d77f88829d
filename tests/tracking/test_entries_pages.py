"""The tracker and timesheet pages: what a user sees and does, tenancy, and query counts."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from tests.tracking.factories import ago
from tracking.models import TimeEntry

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def url(name, workspace, **kwargs):
    return reverse(f"tracking:{name}", kwargs={"ws": workspace.pk, **kwargs})


def html(response):
    return response.content.decode()


def entry_for(user, workspace, *, start=None, seconds=3600, **kwargs):
    start = start or ago(hours=2)
    return TimeEntryFactory.create(
        workspace=workspace,
        user=user,
        start=start,
        end=start + dt.timedelta(seconds=seconds),
        **kwargs,
    )


def _yesterday_at_nine() -> dt.datetime:
    """A start whose edits (two hours on, one hour back) stay on its day at any time of day: a
    start two hours ago would move those ends across midnight when a test runs near it."""
    return (timezone.now() - dt.timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )


# --- the tracker page -------------------------------------------------------------------------


def test_tracker_shows_own_entries_by_day_with_totals(member_client, workspace, member, admin):
    member.time_zone = "Europe/Berlin"
    member.date_format = "d.m.Y"
    member.save()
    tz = zoneinfo.ZoneInfo("Europe/Berlin")
    today = dt.datetime.now(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    client = ClientFactory.create(workspace=workspace, name="Globex")
    project = ProjectFactory.create(workspace=workspace, client=client, name="Website")
    entry_for(
        member,
        workspace,
        start=today + dt.timedelta(hours=1),
        seconds=1800,
        description="Morning standup",
        project=project,
    )
    entry_for(
        member,
        workspace,
        start=today + dt.timedelta(hours=2),
        seconds=3600,
        description="Homepage copy",
    )
    entry_for(admin, workspace, description="Admin's secret work")

    page = html(member_client.get(url("tracker", workspace)))
    assert "Morning standup" in page and "Homepage copy" in page
    assert "Admin&#x27;s secret work" not in page and "Admin's secret work" not in page
    assert "Website" in page and "Globex" in page
    assert today.strftime("%d.%m.%Y") in page  # the user's date format
    assert "1:30:00" in page  # the day total
    # Times in the user's zone: 01:00 Berlin, whatever UTC says.
    assert "01:00 \u2013 01:30" in page


def test_tracker_pages_by_weeks(member_client, workspace, member):
    entry_for(member, workspace, description="Recent work")
    old = timezone.now() - dt.timedelta(weeks=10)
    entry_for(member, workspace, start=old.replace(microsecond=0), description="Ancient work")
    page = html(member_client.get(url("tracker", workspace)))
    assert "Recent work" in page and "Ancient work" not in page
    assert "Load 4 more weeks" in page
    page = html(
        member_client.get(url("tracker", workspace) + "?weeks=12", **HX, HTTP_HX_TARGET="entries")
    )
    assert "Ancient work" in page and "Load 4 more weeks" not in page
    assert "<html" not in page  # a fragment for htmx


def test_start_and_stop_timer_through_the_page(member_client, workspace, member):
    project = ProjectFactory.create(workspace=workspace, name="Migration")
    task = TaskFactory.create(project=project, name="Schema")
    tag = TagFactory.create(workspace=workspace, name="urgent")
    response = member_client.post(
        url("timer_start", workspace),
        {
            "description": "Move tables",
            "project_task": f"{project.pk}:{task.pk}",
            "tags": [tag.pk],
            "billable": "on",
        },
    )
    assert response.status_code == 302
    page = html(member_client.get(url("tracker", workspace)))
    assert "data-clock-start" in page and "Move tables" in page and "Stop" in page
    entry = TimeEntry.objects.get(user=member)
    assert (entry.project_id, entry.task_id, entry.billable) == (project.pk, task.pk, True)

    assert member_client.post(url("timer_stop", workspace)).status_code == 302
    entry.refresh_from_db()
    assert entry.end is not None
    assert "data-clock-start" not in html(member_client.get(url("tracker", workspace)))


def test_timer_errors_show_next_to_the_field(member_client, workspace, other_workspace):
    foreign = ProjectFactory.create(workspace=other_workspace)
    response = member_client.post(
        url("timer_start", workspace), {"description": "x", "project_task": foreign.pk}
    )
    assert response.status_code == 400
    assert "Choose a project of this workspace." in html(response)
    response = member_client.post(url("timer_start", workspace), {"description": "x" * 3001})
    assert "3000 at most" in html(response)
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2026-13-45", "duration": "1:00"}, "Enter a valid date."),
        ({"date": "yesterday", "duration": "1:00"}, "Enter a valid date."),
        (
            {"date": "2026-03-02", "start_time": "25:00", "end_time": "26:00"},
            "Enter a time like 14:30 or 2:30 PM.",
        ),
        ({"date": "2026-03-02", "duration": "lots"}, "Enter a duration like"),
        (
            {"date": "2026-03-02", "start_time": "10:00", "end_time": "10:00"},
            "The end must be after the start.",
        ),
        ({"date": "2026-03-02", "duration": "1000:00"}, "999 hours at most"),
        ({"date": "2026-03-02", "duration": "25:00"}, "24:00 at most"),
        ({"date": "2026-03-02"}, "Give an end time or a duration."),
    ],
)
def test_manual_entry_bad_input(member_client, workspace, data, message):
    response = member_client.post(url("entry_create", workspace), data)
    assert response.status_code == 400
    assert message in html(response)
    assert not TimeEntry.objects.exists()


def test_manual_entry_by_start_end_and_by_duration(member_client, workspace, member):
    member.time_zone = "America/New_York"
    member.save()
    tz = zoneinfo.ZoneInfo("America/New_York")
    member_client.post(
        url("entry_create", workspace),
        {
            "date": "2026-03-02",
            "start_time": "10:00",
            "end_time": "11:15",
            "description": "Planning",
        },
    )
    member_client.post(
        url("entry_create", workspace),
        {"date": "2026-03-02", "duration": "1.5", "description": "Follow-up"},
    )
    first, second = TimeEntry.objects.order_by("start")
    assert first.start == dt.datetime(2026, 3, 2, 10, 0, tzinfo=tz)
    assert first.duration_seconds == 75 * 60
    # By duration: it starts where the day's last entry ended.
    assert second.start == first.end and second.duration_seconds == 90 * 60


def test_inline_edit_rerenders_row_and_totals(member_client, workspace, member):
    project = ProjectFactory.create(workspace=workspace, name="Support")
    entry = entry_for(member, workspace, description="Tickets", start=_yesterday_at_nine())
    edit_url = url("entry_edit", workspace, pk=entry.pk)
    form = html(member_client.get(edit_url, **HX))
    assert 'name="description"' in form and "Tickets" in form and "<html" not in form

    local = entry.start  # the member's zone is UTC
    response = member_client.post(
        edit_url,
        {
            "description": "Tickets triage",
            "project_task": project.pk,
            "date": local.strftime("%Y-%m-%d"),
            "start_time": local.strftime("%H:%M"),
            "end_date": local.strftime("%Y-%m-%d"),
            "end_time": (local + dt.timedelta(hours=2)).strftime("%H:%M"),
        },
        **HX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#entries"
    body = html(response)
    assert "Tickets triage" in body and "Support" in body and "2:00:00" in body
    entry.refresh_from_db()
    assert entry.duration_seconds == 7200 and entry.project_id == project.pk


def test_inline_edit_error_comes_back_in_the_form(member_client, workspace, member):
    entry = entry_for(member, workspace, description="Tickets", start=_yesterday_at_nine())
    local = entry.start
    response = member_client.post(
        url("entry_edit", workspace, pk=entry.pk),
        {
            "description": "changed",
            "date": local.strftime("%Y-%m-%d"),
            "start_time": local.strftime("%H:%M"),
            "end_date": local.strftime("%Y-%m-%d"),
            "end_time": (local - dt.timedelta(hours=1)).strftime("%H:%M"),
        },
        **HX,
    )
    assert response.status_code == 200 and "HX-Retarget" not in response
    assert "The end must be after the start." in html(response)
    assert TimeEntry.objects.get(pk=entry.pk).description == "Tickets"


def test_row_actions(member_client, workspace, member):
    entry = entry_for(member, workspace, description="Review")
    response = member_client.post(url("entry_duplicate", workspace, pk=entry.pk), **HX)
    assert html(response).count("Review") >= 2
    assert TimeEntry.objects.filter(description="Review").count() == 2
    response = member_client.post(url("entry_continue", workspace, pk=entry.pk), **HX)
    assert response["HX-Redirect"].startswith(url("tracker", workspace))
    assert TimeEntry.objects.filter(description="Review", end=None).count() == 1
    response = member_client.post(url("entry_delete", workspace, pk=entry.pk))
    assert response.status_code == 302
    assert not TimeEntry.objects.filter(pk=entry.pk).exists()


def test_bulk_edit_and_delete(member_client, workspace, member):
    project = ProjectFactory.create(workspace=workspace)
    tag = TagFactory.create(workspace=workspace)
    entries = [entry_for(member, workspace, billable=False) for _ in range(3)]
    ids = [e.pk for e in entries[:2]]
    member_client.post(
        url("entries_bulk", workspace),
        {
            "action": "edit",
            "entries": ids,
            "change_project": "on",
            "project_task": project.pk,
            "billable": "yes",
            "change_tags": "replace",
            "tags": [tag.pk],
        },
    )
    for entry in TimeEntry.objects.filter(pk__in=ids):
        assert entry.project_id == project.pk and entry.billable
        assert [t.pk for t in entry.tags.all()] == [tag.pk]
    assert not TimeEntry.objects.get(pk=entries[2].pk).billable

    response = member_client.post(
        url("entries_bulk", workspace), {"action": "delete", "entries": ids}, follow=True
    )
    assert "Deleted 2 entries." in html(response)
    assert list(TimeEntry.objects.all()) == [entries[2]]


# --- tenancy --------------------------------------------------------------------------------


def test_outsider_gets_404_everywhere(outsider_client, workspace, member):
    entry = entry_for(member, workspace)
    for name in ("tracker", "timesheet"):
        assert outsider_client.get(url(name, workspace)).status_code == 404
    for name in (
        "timer_start",
        "timer_stop",
        "entry_create",
        "entries_bulk",
        "timesheet_cell",
        "rates_reapply",
    ):
        assert outsider_client.post(url(name, workspace)).status_code == 404
    for name in ("entry_row", "entry_edit"):
        assert outsider_client.get(url(name, workspace, pk=entry.pk)).status_code == 404
    for name in ("entry_edit", "entry_delete", "entry_duplicate", "entry_continue"):
        assert outsider_client.post(url(name, workspace, pk=entry.pk)).status_code == 404
    assert TimeEntry.objects.filter(pk=entry.pk).exists()


def test_entry_ids_of_another_workspace_are_404(owner_client, workspace, outsider, other_workspace):
    foreign = entry_for(outsider, other_workspace, description="Theirs")
    for name in ("entry_row", "entry_edit"):
        assert owner_client.get(url(name, workspace, pk=foreign.pk)).status_code == 404
    for name in ("entry_delete", "entry_duplicate", "entry_continue"):
        assert owner_client.post(url(name, workspace, pk=foreign.pk)).status_code == 404
    response = owner_client.post(
        url("entries_bulk", workspace), {"action": "delete", "entries": [foreign.pk]}
    )
    assert response.status_code == 404
    assert TimeEntry.objects.filter(pk=foreign.pk).exists()


def test_member_cannot_touch_anothers_entry_but_admin_can(
    member_client, admin_client_, workspace, owner
):
    theirs = entry_for(owner, workspace, description="Owner's")
    assert member_client.get(url("entry_edit", workspace, pk=theirs.pk)).status_code == 404
    assert member_client.post(url("entry_delete", workspace, pk=theirs.pk)).status_code == 404
    response = member_client.post(
        url("entries_bulk", workspace), {"action": "delete", "entries": [theirs.pk]}
    )
    assert response.status_code == 404
    assert TimeEntry.objects.filter(pk=theirs.pk).exists()
    assert admin_client_.get(url("entry_edit", workspace, pk=theirs.pk)).status_code == 200
    assert admin_client_.post(url("entry_delete", workspace, pk=theirs.pk)).status_code == 302
    assert not TimeEntry.objects.filter(pk=theirs.pk).exists()


def test_locked_entry_refused_for_member_on_the_page(member_client, workspace, member):
    entry = entry_for(member, workspace, is_locked=True, description="Approved")
    response = member_client.post(url("entry_delete", workspace, pk=entry.pk), follow=True)
    assert "locked" in html(response)
    assert TimeEntry.objects.filter(pk=entry.pk).exists()


def test_locked_entry_offers_members_no_edit_or_delete(
    member_client, admin_client_, workspace, member
):
    entry = entry_for(member, workspace, is_locked=True, description="Approved")
    edit_url = url("entry_edit", workspace, pk=entry.pk)
    delete_url = url("entry_delete", workspace, pk=entry.pk)
    page = html(member_client.get(url("tracker", workspace)))
    assert "Approved" in page and "Locked" in page
    assert edit_url not in page and delete_url not in page
    # Opening the edit form anyway says why instead of offering a form that cannot save.
    inline = member_client.get(edit_url, **HX)
    assert f'id="entry-{entry.pk}"' in html(inline) and "entry--editing" not in html(inline)
    response = member_client.get(edit_url, follow=True)
    assert "This entry is locked; only an admin can change it." in html(response)
    # An admin still gets the form.
    assert "entry--editing" in html(admin_client_.get(edit_url, **HX))


# --- the timesheet --------------------------------------------------------------------------


def test_timesheet_week_grid_and_cell_edit(member_client, workspace, member):
    member.week_start = 6  # Sunday
    member.save()
    project = ProjectFactory.create(workspace=workspace, name="Audit")
    task = TaskFactory.create(project=project, name="Fieldwork")
    wednesday = dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC)
    entry_for(member, workspace, start=wednesday, seconds=5400, project=project, task=task)

    page = html(member_client.get(url("timesheet", workspace) + "?week=2026-03-04"))
    assert 'value="2026-03-01"' in page  # the week starts on Sunday 1 March
    assert "Audit \u203a Fieldwork" in page and "1:30" in page

    response = member_client.post(
        url("timesheet_cell", workspace),
        {"row": f"{project.pk}:{task.pk}", "date": "2026-03-05", "hours": "2.5"},
        **HX,
    )
    body = html(response)
    assert "2:30" in body and "4:00" in body  # the new cell and the row/week total
    thursday = TimeEntry.objects.get(start__date=dt.date(2026, 3, 5))
    assert thursday.duration_seconds == 9000 and thursday.task_id == task.pk

    response = member_client.post(
        url("timesheet_cell", workspace),
        {"row": f"{project.pk}:{task.pk}", "date": "2026-03-05", "hours": "soon"},
        **HX,
    )
    assert "Enter a duration like" in html(response)
    assert TimeEntry.objects.get(pk=thursday.pk).duration_seconds == 9000


def test_timesheet_added_row_shows_without_time(member_client, workspace):
    project = ProjectFactory.create(workspace=workspace, name="Onboarding")
    page = html(member_client.get(url("timesheet", workspace) + f"?row={project.pk}:"))
    assert "Onboarding" in page


# --- query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 50])
def test_tracker_queries_do_not_grow_with_entries(
    member_client, workspace, member, django_assert_max_num_queries, count
):
    client = ClientFactory.create(workspace=workspace)
    projects = [ProjectFactory.create(workspace=workspace, client=client) for _ in range(3)]
    tags = [TagFactory.create(workspace=workspace) for _ in range(3)]
    for project in projects:
        TaskFactory.create(project=project)
    now = timezone.now().replace(microsecond=0)
    for i in range(count):
        entry = entry_for(
            member, workspace, start=now - dt.timedelta(hours=3 * i + 2), project=projects[i % 3]
        )
        entry.tags.through.objects.create(workspace=workspace, time_entry=entry, tag=tags[i % 3])
    running = TimeEntryFactory.create(workspace=workspace, user=member, start=now, end=None)
    running.tags.through.objects.create(workspace=workspace, time_entry=running, tag=tags[0])
    member_client.get(url("tracker", workspace))  # warm the session and caches
    # Session, user, membership, the switcher, the timer and its tags, the picker's projects,
    # tasks and tags, the entries and their tags, "older entries?", their notices (one query
    # per registered provider: QuickBooks' "sent"), the favourites, the rejected weeks' notice:
    # the same for 5 or 50.
    with django_assert_max_num_queries(15):
        response = member_client.get(url("tracker", workspace))
    assert html(response).count('class="entry"') == count


def test_running_timer_edited_on_its_own_page(member_client, workspace, member):
    started = ago(minutes=20)
    running = TimeEntryFactory.create(
        workspace=workspace, user=member, start=started, end=None, description="Draft"
    )
    edit_url = url("entry_edit", workspace, pk=running.pk)
    page = html(member_client.get(edit_url))
    assert "<html" in page and 'name="end_time"' not in page and "hx-post" not in page
    earlier = started - dt.timedelta(minutes=40)
    response = member_client.post(
        edit_url,
        {
            "description": "Draft proposal",
            "date": earlier.strftime("%Y-%m-%d"),
            "start_time": earlier.strftime("%H:%M"),
        },
    )
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.description == "Draft proposal" and running.end is None
    assert running.start == earlier.replace(second=0)

    future = timezone.now() + dt.timedelta(hours=2)
    response = member_client.post(
        edit_url,
        {"date": future.strftime("%Y-%m-%d"), "start_time": future.strftime("%H:%M")},
    )
    assert response.status_code == 400
    assert "A timer can&#x27;t start in the future." in html(response)


@pytest.mark.parametrize("count", [5, 40])
def test_timesheet_queries_do_not_grow_with_entries(
    member_client, workspace, member, django_assert_max_num_queries, count
):
    projects = [ProjectFactory.create(workspace=workspace) for _ in range(4)]
    monday = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    for i in range(count):
        entry_for(
            member,
            workspace,
            start=monday + dt.timedelta(days=i % 7, minutes=10 * i),
            seconds=300,
            project=projects[i % 4],
        )
    ts_url = url("timesheet", workspace) + "?week=2026-03-02"
    member_client.get(ts_url)
    # (+1: the notice of the member's rejected weeks.)
    with django_assert_max_num_queries(11):
        response = member_client.get(ts_url)
    assert html(response).count("<tr data-row=") == 4


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("archived_project", "is archived"),
        ("archived_tag", "is archived"),
        ("task_of_another_project", "belongs to another project"),
        ("foreign_tag", "Choose tags of this workspace."),
    ],
)
def test_manual_entry_refuses_unusable_references_and_saves_nothing(
    member_client, workspace, other_workspace, case, message
):
    project = ProjectFactory.create(workspace=workspace, name="Live")
    other = ProjectFactory.create(workspace=workspace, name="Other")
    data = {"date": "2026-03-02", "duration": "1:00", "description": "Work"}
    if case == "archived_project":
        data["project_task"] = ProjectFactory.create(workspace=workspace, archived=True).pk
    elif case == "archived_tag":
        data["tags"] = TagFactory.create(workspace=workspace, archived=True).pk
    elif case == "task_of_another_project":
        data["project_task"] = f"{project.pk}:{TaskFactory.create(project=other).pk}"
    else:
        data["tags"] = TagFactory.create(workspace=other_workspace).pk
    response = member_client.post(url("entry_create", workspace), data)
    assert response.status_code == 400
    assert message in html(response)
    assert 'class="field-error"' in html(response) or 'class="errorlist"' in html(response)
    assert not TimeEntry.objects.exists()
