"""The time-entry endpoints of the REST API, as a Clockify client sees them.

Fields and formats of the dialect, the timer, filters and paging, permissions (members their
own, admins anyone's), tenancy (an outsider gets 404), and bad input that changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import api_client_for
from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import ProjectMemberFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from tests.tracking.factories import ago
from tracking.models import TimeEntry
from tracking.models import TimeEntryTag
from workspaces.models import Membership

pytestmark = pytest.mark.django_db

HEX24 = re.compile(r"^[0-9a-f]{24}$")
UTC_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def api_as(user) -> APIClient:
    return api_client_for(user)


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def base(workspace) -> str:
    return f"/api/v1/workspaces/{workspace.pk}"


def entry_of(workspace, user, **kwargs) -> TimeEntry:
    return TimeEntryFactory.create(workspace=workspace, user=user, **kwargs)


@pytest.fixture
def project(workspace):
    return ProjectFactory.create(workspace=workspace, name="Website", billable=True)


# --- create and the timer ---------------------------------------------------------------------


def test_create_a_finished_entry_answers_the_dialects_fields(
    member_api, admin_api, workspace, member, project
):
    task = TaskFactory.create(project=project, name="Design")
    tag = TagFactory.create(workspace=workspace, name="urgent")
    start = ago(hours=3)
    body = {
        "start": iso(start),
        "end": iso(start + dt.timedelta(hours=1, minutes=30)),
        "description": "Home page",
        "projectId": project.pk,
        "taskId": task.pk,
        "tagIds": [tag.pk],
        "billable": False,
    }
    r = member_api.post(f"{base(workspace)}/time-entries", body, format="json")
    assert r.status_code == 201, r.content
    got = r.json()
    assert HEX24.match(got["id"])
    assert got["description"] == "Home page"
    assert got["userId"] == member.pk and got["workspaceId"] == workspace.pk
    assert got["projectId"] == project.pk and got["taskId"] == task.pk
    assert got["tagIds"] == [tag.pk]
    assert got["billable"] is False and got["isLocked"] is False
    assert got["hourlyRate"] is None  # rates are for admins, as on the pages
    assert got["timeInterval"] == {
        "start": iso(start),
        "end": iso(start + dt.timedelta(hours=1, minutes=30)),
        "duration": "PT1H30M",
    }
    entry = TimeEntry.objects.get(pk=got["id"])
    assert entry.user == member and entry.duration_seconds == 5400
    as_admin = admin_api.get(f"{base(workspace)}/time-entries/{got['id']}").json()
    assert as_admin["hourlyRate"] == {"amount": 5000, "currency": "USD"}


def test_post_without_end_starts_a_timer_and_stops_the_running_one(member_api, workspace, member):
    first = member_api.post(
        f"{base(workspace)}/time-entries", {"description": "first"}, format="json"
    )
    assert first.status_code == 201
    assert first.json()["timeInterval"]["end"] is None
    assert first.json()["timeInterval"]["duration"] is None
    assert UTC_Z.match(first.json()["timeInterval"]["start"])
    second = member_api.post(
        f"{base(workspace)}/time-entries",
        {"start": iso(ago(seconds=0)), "description": "second"},
        format="json",
    )
    assert second.status_code == 201
    running = TimeEntry.objects.filter(workspace=workspace, user=member, end=None)
    assert [e.description for e in running] == ["second"]
    assert TimeEntry.objects.get(pk=first.json()["id"]).end is not None


def test_billable_defaults_from_the_project(member_api, workspace, project):
    r = member_api.post(f"{base(workspace)}/time-entries", {"projectId": project.pk}, format="json")
    assert r.status_code == 201 and r.json()["billable"] is True


@pytest.mark.parametrize(
    ("body", "field_hint"),
    [
        ({"start": "2026-11-02T09:00:00Z", "end": "2026-11-02T10:00:00Z", "tagIds": [1]}, "string"),
        ({"start": "2026-11-02T09:00:00", "end": "2026-11-02T10:00:00Z"}, "start"),
        ({"start": "yesterday", "end": "2026-11-02T10:00:00Z"}, "start"),
        ({"start": "2026-11-02T10:00:00Z", "end": "2026-11-02T09:00:00Z"}, "end"),
        ({"end": "2026-11-02T10:00:00Z"}, "start"),
        ({"start": "2026-11-02T09:00:00Z", "end": "2026-11-02T10:00:00Z", "tagIds": "a"}, "tagIds"),
        ({"start": "2026-11-02T09:00:00Z", "end": "2026-11-02T10:00:00Z", "billable": []}, "bill"),
        ({"start": "2999-01-01T09:00:00Z"}, "future"),
    ],
)
def test_bad_input_is_a_400_that_says_why_and_saves_nothing(
    member_api, workspace, body, field_hint
):
    r = member_api.post(f"{base(workspace)}/time-entries", body, format="json")
    assert r.status_code == 400, r.content
    assert r.json()["code"] == 400
    assert field_hint in r.json()["message"].lower() or field_hint in r.json()["message"]
    assert not TimeEntry.objects.exists()


def test_a_body_that_is_not_an_object_is_a_400(member_api, workspace):
    r = member_api.post(f"{base(workspace)}/time-entries", ["x"], format="json")
    assert r.status_code == 400 and set(r.json()) == {"message", "code"}
    r = member_api.post(
        f"{base(workspace)}/time-entries", "{not json", content_type="application/json"
    )
    assert r.status_code == 400
    assert not TimeEntry.objects.exists()


def test_ids_of_another_workspace_are_refused(member_api, workspace, other_workspace):
    foreign_project = ProjectFactory.create(workspace=other_workspace)
    foreign_tag = TagFactory.create(workspace=other_workspace)
    window = {"start": iso(ago(hours=2)), "end": iso(ago(hours=1))}
    r = member_api.post(
        f"{base(workspace)}/time-entries",
        {**window, "projectId": foreign_project.pk},
        format="json",
    )
    assert r.status_code == 400 and "project" in r.json()["message"].lower()
    r = member_api.post(
        f"{base(workspace)}/time-entries", {**window, "tagIds": [foreign_tag.pk]}, format="json"
    )
    assert r.status_code == 400 and "tag" in r.json()["message"].lower()
    assert not TimeEntry.objects.exists()


def test_a_member_cannot_track_on_a_private_project_they_are_not_in(member_api, workspace, member):
    private = ProjectFactory.create(workspace=workspace, is_public=False, name="Secret")
    r = member_api.post(f"{base(workspace)}/time-entries", {"projectId": private.pk}, format="json")
    assert r.status_code == 400 and "private" in r.json()["message"]
    ProjectMemberFactory.create(project=private, user=member)
    r = member_api.post(f"{base(workspace)}/time-entries", {"projectId": private.pk}, format="json")
    assert r.status_code == 201


# --- another user's entries (admins) ---------------------------------------------------------


def test_admin_creates_an_entry_and_starts_a_timer_for_a_member(admin_api, workspace, member):
    url = f"{base(workspace)}/user/{member.pk}/time-entries"
    r = admin_api.post(url, {"start": iso(ago(hours=2)), "end": iso(ago(hours=1))}, format="json")
    assert r.status_code == 201 and r.json()["userId"] == member.pk
    r = admin_api.post(url, {"description": "on call"}, format="json")
    assert r.status_code == 201 and r.json()["userId"] == member.pk
    assert TimeEntry.objects.get(workspace=workspace, user=member, end=None).description == (
        "on call"
    )


def test_member_cannot_write_for_someone_else(member_api, workspace, admin):
    url = f"{base(workspace)}/user/{admin.pk}/time-entries"
    r = member_api.post(url, {"description": "x"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == 403
    r = member_api.patch(url, {"end": iso(ago(seconds=0))}, format="json")
    assert r.status_code == 403
    r = member_api.get(url)
    assert r.status_code == 403
    assert not TimeEntry.objects.exists()


def test_admin_naming_a_user_outside_the_workspace_gets_404(admin_api, workspace, outsider):
    url = f"{base(workspace)}/user/{outsider.pk}/time-entries"
    assert admin_api.post(url, {"description": "x"}, format="json").status_code == 404
    assert admin_api.get(url).status_code == 404
    assert admin_api.get(f"{base(workspace)}/user/not-an-id/time-entries").status_code == 404
    assert not TimeEntry.objects.exists()


def test_a_member_may_use_the_user_path_for_themselves(member_api, workspace, member):
    url = f"{base(workspace)}/user/{member.pk}/time-entries"
    assert member_api.post(url, {"description": "mine"}, format="json").status_code == 201
    assert [e["description"] for e in member_api.get(url).json()] == ["mine"]


# --- stop the running timer ------------------------------------------------------------------


def test_patch_stops_the_running_timer_at_the_given_end(member_api, workspace, member):
    start = ago(hours=1)
    running = entry_of(workspace, member, start=start, end=None, duration_seconds=None)
    url = f"{base(workspace)}/user/{member.pk}/time-entries"
    r = member_api.patch(url, {"end": iso(start + dt.timedelta(minutes=45))}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["id"] == running.pk
    assert r.json()["timeInterval"]["duration"] == "PT45M"
    running.refresh_from_db()
    assert running.duration_seconds == 45 * 60
    r = member_api.patch(url, {"end": iso(ago(seconds=0))}, format="json")
    assert r.status_code == 404 and r.json()["code"] == 404


def test_patch_refuses_an_end_before_the_start_and_keeps_the_timer(member_api, workspace, member):
    start = ago(minutes=10)
    running = entry_of(workspace, member, start=start, end=None, duration_seconds=None)
    url = f"{base(workspace)}/user/{member.pk}/time-entries"
    r = member_api.patch(url, {"end": iso(start - dt.timedelta(minutes=1))}, format="json")
    assert r.status_code == 400 and "after the start" in r.json()["message"]
    assert member_api.patch(url, {}, format="json").status_code == 400
    r = member_api.patch(url, {"end": iso(start + dt.timedelta(hours=1000))}, format="json")
    assert r.status_code == 400 and "999 hours" in r.json()["message"]
    running.refresh_from_db()
    assert running.end is None


def test_admin_stops_a_members_timer(admin_api, workspace, member, admin):
    mine = entry_of(workspace, admin, start=ago(hours=1), end=None, duration_seconds=None)
    theirs = entry_of(workspace, member, start=ago(hours=2), end=None, duration_seconds=None)
    r = admin_api.patch(
        f"{base(workspace)}/user/{member.pk}/time-entries",
        {"end": iso(ago(seconds=0))},
        format="json",
    )
    assert r.status_code == 200 and r.json()["id"] == theirs.pk
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.end is not None and mine.end is None


# --- list with filters -----------------------------------------------------------------------


@pytest.fixture
def week_of_entries(workspace, member, project):
    """Five finished entries, one a day, newest first by index, and one running timer."""
    task = TaskFactory.create(project=project, name="Build")
    tag = TagFactory.create(workspace=workspace, name="client-call")
    entries = []
    for day in range(5):
        start = ago(days=day + 1)
        entries.append(
            entry_of(
                workspace,
                member,
                start=start,
                end=start + dt.timedelta(hours=1),
                description=f"Work item {day}" if day != 2 else "Weekly SYNC meeting",
                project=project if day % 2 == 0 else None,
                task=task if day == 0 else None,
            )
        )
    TimeEntryTag.objects.create(workspace=workspace, time_entry=entries[1], tag=tag)
    TimeEntryTag.objects.create(workspace=workspace, time_entry=entries[3], tag=tag)
    running = entry_of(workspace, member, start=ago(minutes=5), end=None, duration_seconds=None)
    return {"entries": entries, "running": running, "task": task, "tag": tag}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [e["id"] for e in response.json()]


def test_list_is_newest_first_with_every_filter(
    member_api, workspace, member, project, week_of_entries
):
    e = week_of_entries["entries"]
    running = week_of_entries["running"]
    url = f"{base(workspace)}/user/{member.pk}/time-entries"
    assert ids(member_api.get(url)) == [running.pk, *(x.pk for x in e)]
    window = {"start": iso(e[3].start), "end": iso(e[1].start)}
    assert ids(member_api.get(url, window)) == [e[2].pk, e[3].pk]  # end is exclusive
    assert ids(member_api.get(url, {"description": "sync"})) == [e[2].pk]
    assert ids(member_api.get(url, {"project": project.pk})) == [e[0].pk, e[2].pk, e[4].pk]
    assert ids(member_api.get(url, {"task": week_of_entries["task"].pk})) == [e[0].pk]
    assert ids(member_api.get(url, {"tags": week_of_entries["tag"].pk})) == [e[1].pk, e[3].pk]
    assert ids(member_api.get(url, {"in-progress": "true", "project": project.pk})) == [running.pk]
    assert ids(member_api.get(url, {"in-progress": "false"})) == [x.pk for x in e]


def test_list_pages_with_a_plain_array(member_api, workspace, member, week_of_entries):
    url = f"{base(workspace)}/user/{member.pk}/time-entries"
    everything = ids(member_api.get(url))
    first = member_api.get(url, {"page": 1, "page-size": 4})
    assert isinstance(first.json(), list) and ids(first) == everything[:4]
    assert ids(member_api.get(url, {"page": 2, "page-size": 4})) == everything[4:]
    assert ids(member_api.get(url, {"page": 3, "page-size": 4})) == []
    assert member_api.get(url, {"page": 0}).status_code == 400
    assert member_api.get(url, {"page-size": "ten"}).status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        {"start": "not a date"},
        {"end": "2026-11-02"},
        {"project": "zzz"},
        {"tags": "abc,def"},
        {"in-progress": "maybe"},
        {"hydrated": "sometimes"},
    ],
)
def test_bad_filters_are_a_400(member_api, workspace, member, query):
    r = member_api.get(f"{base(workspace)}/user/{member.pk}/time-entries", query)
    assert r.status_code == 400 and r.json()["code"] == 400 and r.json()["message"]


def test_hydrated_embeds_project_task_and_tags(member_api, workspace, member, week_of_entries):
    url = f"{base(workspace)}/user/{member.pk}/time-entries"
    plain = member_api.get(url, {"in-progress": "false"}).json()
    assert "project" not in plain[0]
    got = member_api.get(url, {"hydrated": "true", "in-progress": "false"}).json()
    newest, second = got[0], got[1]
    assert newest["project"]["id"] == newest["projectId"]
    assert newest["project"]["name"] == "Website"
    assert newest["task"] == {
        "id": week_of_entries["task"].pk,
        "name": "Build",
        "projectId": newest["projectId"],
        "status": "ACTIVE",
    }
    assert second["project"] is None and second["task"] is None
    assert [t["name"] for t in second["tags"]] == ["client-call"]
    assert second["tagIds"] == [week_of_entries["tag"].pk]


def test_get_one_hydrated_embeds_as_the_list_does(
    member_api, workspace, member, week_of_entries, django_assert_max_num_queries
):
    listed = member_api.get(
        f"{base(workspace)}/user/{member.pk}/time-entries",
        {"hydrated": "true", "in-progress": "false"},
    ).json()
    for row in listed[:2]:  # one with project and task, one with tags only
        path = f"{base(workspace)}/time-entries/{row['id']}"
        with django_assert_max_num_queries(5):  # auth (2), membership, the entry, its tags
            one = member_api.get(path, {"hydrated": "true"})
        assert one.status_code == 200
        assert one.json() == row
        plain = member_api.get(path).json()
        assert "project" not in plain and "task" not in plain and "tags" not in plain
    assert member_api.get(path, {"hydrated": "sometimes"}).status_code == 400


def test_list_query_count_does_not_grow_with_page_size(
    member_api, workspace, member, project, django_assert_max_num_queries
):
    tags = [TagFactory.create(workspace=workspace) for _ in range(3)]
    task = TaskFactory.create(project=project)

    def add(n):
        for i in range(n):
            entry = entry_of(
                workspace, member, start=ago(hours=2 * (i + 1)), project=project, task=task
            )
            for tag in tags:
                TimeEntryTag.objects.create(workspace=workspace, time_entry=entry, tag=tag)

    url = f"{base(workspace)}/user/{member.pk}/time-entries"
    add(3)
    with django_assert_max_num_queries(6):
        assert len(member_api.get(url, {"hydrated": "true"}).json()) == 3
    add(60)
    with django_assert_max_num_queries(6):
        assert len(member_api.get(url, {"hydrated": "true", "page-size": 100}).json()) == 63
    with django_assert_max_num_queries(6):
        assert len(member_api.get(url, {"page-size": 100}).json()) == 63


# --- get, update, delete ---------------------------------------------------------------------


def test_get_own_entry_and_404_for_someone_elses(member_api, admin_api, workspace, member, admin):
    mine = entry_of(workspace, member)
    theirs = entry_of(workspace, admin)
    assert member_api.get(f"{base(workspace)}/time-entries/{mine.pk}").json()["id"] == mine.pk
    r = member_api.get(f"{base(workspace)}/time-entries/{theirs.pk}")
    assert r.status_code == 404 and r.json() == {"message": "Time entry not found.", "code": 404}
    assert admin_api.get(f"{base(workspace)}/time-entries/{mine.pk}").status_code == 200


def test_put_replaces_the_entry(member_api, workspace, member, project):
    tag = TagFactory.create(workspace=workspace)
    entry = entry_of(workspace, member, project=project, billable=True, description="old")
    TimeEntryTag.objects.create(workspace=workspace, time_entry=entry, tag=tag)
    start = ago(hours=5)
    r = member_api.put(
        f"{base(workspace)}/time-entries/{entry.pk}",
        {"start": iso(start), "end": iso(start + dt.timedelta(minutes=20)), "description": "new"},
        format="json",
    )
    assert r.status_code == 200, r.content
    got = r.json()
    assert got["description"] == "new"
    assert got["projectId"] is None and got["tagIds"] == []  # absent: cleared, as Clockify
    assert got["billable"] is True  # absent: kept
    assert got["timeInterval"]["duration"] == "PT20M"
    entry.refresh_from_db()
    assert entry.description == "new" and entry.project is None and entry.duration_seconds == 1200


def test_put_bad_input_changes_nothing(member_api, workspace, member):
    entry = entry_of(workspace, member, description="keep")
    url = f"{base(workspace)}/time-entries/{entry.pk}"
    for body in (
        {"description": "x"},  # no start
        {"start": iso(ago(hours=1)), "description": "x"},  # a finished entry needs its end
        {"start": iso(ago(hours=1)), "end": iso(ago(hours=2))},
        {"start": iso(ago(hours=2)), "end": iso(ago(hours=1)), "billable": "no", "x": "y"},
        {"start": iso(ago(hours=2)), "end": iso(ago(hours=1)), "taskId": "0" * 24},
    ):
        r = member_api.put(url, body, format="json")
        assert r.status_code == 400, (body, r.content)
    entry.refresh_from_db()
    assert entry.description == "keep"


def test_a_member_cannot_change_a_locked_entry(member_api, admin_api, workspace, member):
    entry = entry_of(workspace, member, is_locked=True, description="locked")
    url = f"{base(workspace)}/time-entries/{entry.pk}"
    body = {"start": iso(entry.start), "end": iso(entry.end), "description": "changed"}
    r = member_api.put(url, body, format="json")
    assert r.status_code == 403 and r.json()["code"] == 403
    assert member_api.delete(url).status_code == 403
    assert TimeEntry.objects.get(pk=entry.pk).description == "locked"
    assert admin_api.put(url, body, format="json").status_code == 200


def test_delete(member_api, admin_api, workspace, member, admin):
    mine = entry_of(workspace, member)
    theirs = entry_of(workspace, admin)
    assert member_api.delete(f"{base(workspace)}/time-entries/{theirs.pk}").status_code == 404
    assert member_api.delete(f"{base(workspace)}/time-entries/{mine.pk}").status_code == 204
    assert not TimeEntry.objects.filter(pk=mine.pk).exists()
    assert TimeEntry.objects.filter(pk=theirs.pk).exists()
    assert admin_api.delete(f"{base(workspace)}/time-entries/{mine.pk}").status_code == 404


# --- in progress ------------------------------------------------------------------------------


def test_in_progress_shows_admins_every_timer_and_members_their_own(
    member_api, admin_api, workspace, member, admin, owner
):
    theirs = entry_of(workspace, admin, start=ago(hours=1), end=None, duration_seconds=None)
    mine = entry_of(workspace, member, start=ago(hours=2), end=None, duration_seconds=None)
    entry_of(workspace, owner)  # finished: never listed
    url = f"{base(workspace)}/time-entries/status/in-progress"
    assert ids(admin_api.get(url)) == [theirs.pk, mine.pk]
    assert ids(member_api.get(url)) == [mine.pk]


def test_in_progress_query_count_does_not_grow_with_timers(
    admin_api, workspace, django_assert_max_num_queries
):
    tag = TagFactory.create(workspace=workspace)

    def add_timers(n):
        for _ in range(n):
            user = UserFactory.create()
            MembershipFactory.create(workspace=workspace, user=user)
            entry = entry_of(workspace, user, start=ago(hours=1), end=None, duration_seconds=None)
            TimeEntryTag.objects.create(workspace=workspace, time_entry=entry, tag=tag)

    url = f"{base(workspace)}/time-entries/status/in-progress"
    add_timers(2)
    with django_assert_max_num_queries(6):
        assert len(admin_api.get(url).json()) == 2
    add_timers(30)
    with django_assert_max_num_queries(6):
        got = admin_api.get(url, {"page-size": 100}).json()
    assert len(got) == 32 and all(e["tagIds"] == [tag.pk] for e in got)


# --- tenancy: an outsider gets 404 everywhere ------------------------------------------------


def test_an_outsider_gets_404_on_every_endpoint(outsider_api, workspace, member, outsider):
    entry = entry_of(workspace, member, description="private")
    ws = base(workspace)
    calls = [
        ("post", f"{ws}/time-entries", {"description": "x"}),
        ("get", f"{ws}/time-entries/status/in-progress", None),
        ("get", f"{ws}/time-entries/{entry.pk}", None),
        ("put", f"{ws}/time-entries/{entry.pk}", {"start": iso(ago(hours=1))}),
        ("delete", f"{ws}/time-entries/{entry.pk}", None),
        ("get", f"{ws}/user/{member.pk}/time-entries", None),
        ("get", f"{ws}/user/{outsider.pk}/time-entries", None),
        ("post", f"{ws}/user/{outsider.pk}/time-entries", {"description": "x"}),
        ("patch", f"{ws}/user/{member.pk}/time-entries", {"end": iso(ago(seconds=0))}),
    ]
    for method, url, body in calls:
        r = getattr(outsider_api, method)(url, body, format="json")
        assert r.status_code == 404, (method, url, r.content)
        assert r.json()["code"] == 404
    assert TimeEntry.objects.get(pk=entry.pk).description == "private"
    assert TimeEntry.objects.count() == 1


def test_a_deactivated_member_is_an_outsider(workspace, member):
    Membership.objects.filter(workspace=workspace, user=member).update(
        status=Membership.Status.INACTIVE
    )
    r = api_as(member).get(f"{base(workspace)}/user/{member.pk}/time-entries")
    assert r.status_code == 404


def test_admin_reads_a_deactivated_members_past_time(admin_api, workspace):
    former = UserFactory.create()
    MembershipFactory.create(workspace=workspace, user=former, status=Membership.Status.INACTIVE)
    entry = entry_of(workspace, former)
    url = f"{base(workspace)}/user/{former.pk}/time-entries"
    assert ids(admin_api.get(url)) == [entry.pk]
    assert admin_api.post(url, {"description": "x"}, format="json").status_code == 404


def test_no_credentials_is_a_401(workspace, member):
    r = APIClient().get(f"{base(workspace)}/user/{member.pk}/time-entries")
    assert r.status_code == 401 and r.json()["code"] == 401


def test_null_description_and_refs_as_clockify_clients_send_them(member_api, workspace, member):
    body = {
        "start": iso(ago(hours=2)),
        "end": iso(ago(hours=1)),
        "description": None,
        "projectId": None,
        "taskId": None,
        "tagIds": None,
    }
    created = member_api.post(f"{base(workspace)}/time-entries", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["description"] == ""
    entry_id = created.json()["id"]
    assert TimeEntry.objects.get(pk=entry_id).description == ""
    updated = member_api.put(
        f"{base(workspace)}/time-entries/{entry_id}",
        {**body, "description": None, "billable": True},
        format="json",
    )
    assert updated.status_code == 200, updated.json()
    assert updated.json()["description"] == "" and updated.json()["billable"] is True


def test_a_backwards_date_range_is_400_not_an_empty_list(owner_api, workspace, owner):
    url = f"{base(workspace)}/user/{owner.pk}/time-entries"
    response = owner_api.get(url, {"start": "2026-11-05T00:00:00Z", "end": "2026-11-01T00:00:00Z"})
    assert response.status_code == 400
    assert response.json() == {"message": "end: Give an end after the start.", "code": 400}
