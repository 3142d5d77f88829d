"""The catalog's rules, through its services: bad input is refused with a clear message and
nothing is saved."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from tracking.models import Client
from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Tag
from tracking.models import Task
from tracking.models import TimeEntryTag
from tracking.services import catalog as svc
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.errors import PermissionDenied
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(owner, workspace):
    return Membership.objects.get(workspace=workspace, user=owner)


@pytest.fixture
def admin_actor(admin, workspace):
    return Membership.objects.get(workspace=workspace, user=admin)


@pytest.fixture
def member_actor(member, workspace):
    return Membership.objects.get(workspace=workspace, user=member)


# --- clients ------------------------------------------------------------------------------


def test_client_name_is_trimmed_and_must_not_be_blank(actor, workspace):
    client = svc.client_create(actor=actor, name="  Globex Corp  ", note=" n ")
    assert (client.name, client.note) == ("Globex Corp", "n")
    with pytest.raises(ApplicationError) as exc:
        svc.client_create(actor=actor, name="   ")
    assert exc.value.field == "name"
    assert "Enter a name" in exc.value.message
    with pytest.raises(ApplicationError, match="at most 100 characters"):
        svc.client_create(actor=actor, name="x" * 101)
    assert list(Client.objects.filter(workspace=workspace).values_list("name", flat=True)) == [
        "Globex Corp"
    ]


def test_client_names_are_unique_exactly_not_ignoring_case(actor, workspace):
    svc.client_create(actor=actor, name="Acme")
    with pytest.raises(ApplicationError, match="already exists") as exc:
        svc.client_create(actor=actor, name=" Acme")
    assert exc.value.field == "name"
    # QuickBooks matching pairs identical names only, so a case variant is another client.
    svc.client_create(actor=actor, name="ACME")
    assert Client.objects.filter(workspace=workspace).count() == 2


def test_client_name_may_repeat_across_workspaces(actor, other_workspace):
    ClientFactory(workspace=other_workspace, name="Acme")
    assert svc.client_create(actor=actor, name="Acme").workspace_id == actor.workspace_id


def test_client_rename_to_a_taken_name_is_refused_and_keeps_the_old_name(actor, workspace):
    ClientFactory(workspace=workspace, name="Acme")
    other = ClientFactory(workspace=workspace, name="Globex")
    with pytest.raises(ApplicationError, match="already exists"):
        svc.client_update(actor=actor, client=other, name="Acme", note="")
    other.refresh_from_db()
    assert other.name == "Globex"
    # Saving under its own name is not a duplicate.
    svc.client_update(actor=actor, client=other, name="Globex", note="new note")
    other.refresh_from_db()
    assert other.note == "new note"


def test_members_cannot_change_clients(member_actor, workspace):
    client = ClientFactory(workspace=workspace, name="Acme")
    with pytest.raises(PermissionDenied):
        svc.client_create(actor=member_actor, name="New")
    with pytest.raises(PermissionDenied):
        svc.client_update(actor=member_actor, client=client, name="Renamed", note="")
    with pytest.raises(PermissionDenied):
        svc.client_archive(actor=member_actor, client=client)
    with pytest.raises(PermissionDenied):
        svc.client_delete(actor=member_actor, client=client)
    client.refresh_from_db()
    assert (client.name, client.archived) == ("Acme", False)
    assert Client.objects.filter(workspace=workspace).count() == 1


def test_another_workspaces_client_is_not_found(actor, other_workspace):
    foreign = ClientFactory(workspace=other_workspace, name="Theirs")
    with pytest.raises(NotFound):
        svc.client_update(actor=actor, client=foreign, name="Mine", note="")
    with pytest.raises(NotFound):
        svc.client_delete(actor=actor, client=foreign)
    foreign.refresh_from_db()
    assert foreign.name == "Theirs"


def test_client_delete_refuses_a_client_with_projects(actor, workspace):
    client = ClientFactory(workspace=workspace, name="Acme")
    ProjectFactory(workspace=workspace, client=client)
    with pytest.raises(ApplicationError, match=r"has 1 project.*archive the client"):
        svc.client_delete(actor=actor, client=client)
    assert Client.objects.filter(pk=client.pk).exists()


def test_client_delete_with_tracked_time_suggests_archiving(actor, workspace, owner):
    client = ClientFactory(workspace=workspace, name="Acme")
    project = ProjectFactory(workspace=workspace, client=client)
    TimeEntryFactory(workspace=workspace, user=owner, project=project)
    with pytest.raises(ApplicationError, match="tracked time, so archive the client"):
        svc.client_delete(actor=actor, client=client)
    assert Client.objects.filter(pk=client.pk).exists()


def test_client_without_projects_is_deleted(actor, workspace):
    client = ClientFactory(workspace=workspace)
    svc.client_delete(actor=actor, client=client)
    assert not Client.objects.filter(pk=client.pk).exists()


def test_client_archive_can_take_its_projects_along_and_restore_them(actor, workspace):
    client = ClientFactory(workspace=workspace)
    project = ProjectFactory(workspace=workspace, client=client)
    svc.client_archive(actor=actor, client=client)
    project.refresh_from_db()
    assert project.archived is False
    svc.client_archive(actor=actor, client=client, archived=True, include_projects=True)
    project.refresh_from_db()
    client.refresh_from_db()
    assert client.archived and project.archived
    svc.client_archive(actor=actor, client=client, archived=False, include_projects=True)
    project.refresh_from_db()
    assert project.archived is False


# --- projects -----------------------------------------------------------------------------


def test_project_create_keeps_its_settings(actor, workspace):
    client = ClientFactory(workspace=workspace)
    project = svc.project_create(
        actor=actor,
        name=" Website ",
        client=client,
        color="#AA3300",
        billable=False,
        hourly_rate_cents=12_550,
        note="redesign",
    )
    project.refresh_from_db()
    assert project.name == "Website"
    assert project.client == client
    assert project.color == "#aa3300"
    assert project.billable is False
    assert project.hourly_rate_cents == 12_550
    assert project.is_public is True


def test_project_name_is_unique_per_client(actor, workspace):
    acme = ClientFactory(workspace=workspace, name="Acme")
    globex = ClientFactory(workspace=workspace, name="Globex")
    svc.project_create(actor=actor, name="Website", client=acme)
    svc.project_create(actor=actor, name="Website", client=globex)
    svc.project_create(actor=actor, name="Website")
    with pytest.raises(ApplicationError, match="for client “Acme”"):
        svc.project_create(actor=actor, name="Website", client=acme)
    with pytest.raises(ApplicationError, match="without a client"):
        svc.project_create(actor=actor, name="Website ")
    assert Project.objects.filter(workspace=workspace, name="Website").count() == 3


def test_project_client_must_be_of_this_workspace_and_not_archived(
    actor, workspace, other_workspace
):
    foreign = ClientFactory(workspace=other_workspace)
    archived = ClientFactory(workspace=workspace, name="Old Co", archived=True)
    with pytest.raises(ApplicationError, match="client of this workspace") as exc:
        svc.project_create(actor=actor, name="P", client=foreign)
    assert exc.value.field == "client"
    with pytest.raises(ApplicationError, match="“Old Co” is archived"):
        svc.project_create(actor=actor, name="P", client=archived)
    assert not Project.objects.filter(name="P").exists()


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"color": "blue"}, "color", "#rrggbb"),
        ({"color": "#12345"}, "color", "#rrggbb"),
        ({"hourly_rate_cents": -1}, "hourly_rate", "cannot be negative"),
        ({"hourly_rate_cents": 100_000_001}, "hourly_rate", "at most 1,000,000.00"),
        ({"note": "n" * 3001}, "note", "at most 3000"),
        ({"name": ""}, "name", "Enter a name"),
    ],
)
def test_project_bad_input_is_refused(actor, workspace, kwargs, field, message):
    with pytest.raises(ApplicationError, match=message) as exc:
        svc.project_create(actor=actor, **{"name": "P", **kwargs})
    assert exc.value.field == field
    assert not Project.objects.filter(workspace=workspace).exists()


def test_private_project_starts_with_its_creator_as_member(actor, workspace, owner):
    project = svc.project_create(actor=actor, name="Secret", is_public=False)
    assert list(ProjectMember.objects.filter(project=project).values_list("user", flat=True)) == [
        owner.pk
    ]


def test_project_update_keeps_an_archived_client_but_cannot_switch_to_one(actor, workspace):
    current = ClientFactory(workspace=workspace, name="Current")
    project = ProjectFactory(workspace=workspace, client=current, name="P")
    current.archived = True
    current.save()
    args = {
        "color": "#000000",
        "billable": True,
        "hourly_rate_cents": None,
        "is_public": True,
        "note": "",
    }
    svc.project_update(actor=actor, project=project, name="P2", client=current, **args)
    project.refresh_from_db()
    assert project.name == "P2"
    other_archived = ClientFactory(workspace=workspace, name="Gone", archived=True)
    with pytest.raises(ApplicationError, match="archived"):
        svc.project_update(actor=actor, project=project, name="P3", client=other_archived, **args)
    project.refresh_from_db()
    assert (project.name, project.client_id) == ("P2", current.pk)


def test_project_restore_needs_an_active_client(actor, workspace):
    client = ClientFactory(workspace=workspace, name="Acme", archived=True)
    project = ProjectFactory(workspace=workspace, client=client, archived=True)
    with pytest.raises(ApplicationError, match="restore the client first"):
        svc.project_archive(actor=actor, project=project, archived=False)
    project.refresh_from_db()
    assert project.archived is True


def test_project_with_tracked_time_cannot_be_deleted(actor, workspace, owner):
    project = ProjectFactory(workspace=workspace, name="Busy")
    TimeEntryFactory(workspace=workspace, user=owner, project=project)
    with pytest.raises(ApplicationError, match="archive it instead"):
        svc.project_delete(actor=actor, project=project)
    assert Project.objects.filter(pk=project.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_project_delete_announces_and_deletes_in_one_transaction(actor, workspace, monkeypatch):
    """The PROJECT_DELETED webhook rows are written with the delete: should the delete fail,
    no subscriber is told of a deletion that did not happen."""
    project = ProjectFactory(workspace=workspace)
    inside: list[bool] = []
    monkeypatch.setattr(svc, "_announce", lambda *args: inside.append(connection.in_atomic_block))
    svc.project_delete(actor=actor, project=project)
    assert inside == [True]


def test_project_without_time_is_deleted_with_its_tasks(actor, workspace):
    project = ProjectFactory(workspace=workspace)
    TaskFactory(project=project)
    svc.project_delete(actor=actor, project=project)
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not Task.objects.filter(project_id=project.pk).exists()


def test_admin_manages_projects_but_member_cannot(admin_actor, member_actor, workspace):
    project = svc.project_create(actor=admin_actor, name="By admin")
    with pytest.raises(PermissionDenied):
        svc.project_create(actor=member_actor, name="By member")
    with pytest.raises(PermissionDenied):
        svc.project_archive(actor=member_actor, project=project)
    with pytest.raises(PermissionDenied):
        svc.project_delete(actor=member_actor, project=project)
    assert list(Project.objects.filter(workspace=workspace)) == [project]


# --- project members ----------------------------------------------------------------------


def test_project_member_add_and_rates(actor, workspace, member):
    project = ProjectFactory(workspace=workspace, is_public=False)
    pm = svc.project_member_add(actor=actor, project=project, user=member, hourly_rate_cents=9000)
    assert pm.hourly_rate_cents == 9000
    with pytest.raises(ApplicationError, match="already a member"):
        svc.project_member_add(actor=actor, project=project, user=member)
    svc.project_member_set_rate(actor=actor, project=project, user=member, hourly_rate_cents=None)
    pm.refresh_from_db()
    assert pm.hourly_rate_cents is None
    with pytest.raises(ApplicationError, match="negative"):
        svc.project_member_set_rate(actor=actor, project=project, user=member, hourly_rate_cents=-5)
    pm.refresh_from_db()
    assert pm.hourly_rate_cents is None


def test_project_members_must_be_active_members_of_the_workspace(actor, workspace, outsider):
    project = ProjectFactory(workspace=workspace)
    inactive = UserFactory(full_name="Ina Inactive")
    MembershipFactory(workspace=workspace, user=inactive, status=Membership.Status.INACTIVE)
    for user in (outsider, inactive):
        with pytest.raises(ApplicationError, match="active member of this workspace"):
            svc.project_member_add(actor=actor, project=project, user=user)
    assert not ProjectMember.objects.filter(project=project).exists()


def test_rate_of_someone_not_on_the_project_is_not_found(actor, workspace, member):
    project = ProjectFactory(workspace=workspace)
    with pytest.raises(NotFound):
        svc.project_member_set_rate(
            actor=actor, project=project, user=member, hourly_rate_cents=100
        )
    assert not ProjectMember.objects.filter(project=project).exists()


def test_project_member_remove_unassigns_their_tasks_and_keeps_entries(actor, workspace, member):
    project = ProjectFactory(workspace=workspace, is_public=False)
    svc.project_member_add(actor=actor, project=project, user=member)
    task = svc.task_create(actor=actor, project=project, name="Design", assignees=[member])
    TimeEntryFactory(workspace=workspace, user=member, project=project, task=task)
    svc.project_member_remove(actor=actor, project=project, user=member)
    assert not ProjectMember.objects.filter(project=project, user=member).exists()
    assert list(task.assignees.all()) == []
    assert member.time_entries.filter(project=project).count() == 1


# --- tasks --------------------------------------------------------------------------------


def test_task_names_are_unique_per_project(actor, workspace):
    project = ProjectFactory(workspace=workspace)
    other = ProjectFactory(workspace=workspace)
    svc.task_create(actor=actor, project=project, name="Design")
    svc.task_create(actor=actor, project=other, name="Design")
    with pytest.raises(ApplicationError, match="already has a task named “Design”"):
        svc.task_create(actor=actor, project=project, name=" Design ")
    assert Task.objects.filter(project=project).count() == 1


def test_task_assignees_must_be_active_members(actor, workspace, member, outsider):
    project = ProjectFactory(workspace=workspace)
    with pytest.raises(ApplicationError, match="Oscar Outsider") as exc:
        svc.task_create(actor=actor, project=project, name="T", assignees=[member, outsider])
    assert exc.value.field == "assignees"
    assert not Task.objects.filter(project=project).exists()
    task = svc.task_create(actor=actor, project=project, name="T", assignees=[member])
    assert list(task.assignees.all()) == [member]


def test_task_assignees_of_a_private_project_must_be_on_it(actor, workspace, member):
    project = ProjectFactory(workspace=workspace, is_public=False)
    with pytest.raises(ApplicationError, match="add them as project members first"):
        svc.task_create(actor=actor, project=project, name="T", assignees=[member])
    svc.project_member_add(actor=actor, project=project, user=member)
    assert svc.task_create(actor=actor, project=project, name="T", assignees=[member])


def test_task_update_renames_marks_done_and_sets_rate(actor, workspace, member):
    task = TaskFactory(project=ProjectFactory(workspace=workspace), name="Old")
    svc.task_update(
        actor=actor,
        task=task,
        name="New",
        status=Task.Status.DONE,
        hourly_rate_cents=15_000,
        assignees=[member],
    )
    task.refresh_from_db()
    assert (task.name, task.status, task.hourly_rate_cents) == ("New", "DONE", 15_000)
    assert list(task.assignees.all()) == [member]
    with pytest.raises(ApplicationError, match="Active or Done"):
        svc.task_update(
            actor=actor, task=task, name="New", status="", hourly_rate_cents=None, assignees=[]
        )
    task.refresh_from_db()
    assert task.status == "DONE"


def test_task_with_tracked_time_cannot_be_deleted(actor, workspace, owner):
    project = ProjectFactory(workspace=workspace)
    task = TaskFactory(project=project, name="Busy")
    TimeEntryFactory(workspace=workspace, user=owner, project=project, task=task)
    with pytest.raises(ApplicationError, match="mark it done instead"):
        svc.task_delete(actor=actor, task=task)
    assert Task.objects.filter(pk=task.pk).exists()
    free = TaskFactory(project=project)
    svc.task_delete(actor=actor, task=free)
    assert not Task.objects.filter(pk=free.pk).exists()


def test_another_workspaces_task_is_not_found(actor, other_workspace):
    task = TaskFactory(project=ProjectFactory(workspace=other_workspace), name="Theirs")
    with pytest.raises(NotFound):
        svc.task_update(
            actor=actor,
            task=task,
            name="Mine",
            status="ACTIVE",
            hourly_rate_cents=None,
            assignees=[],
        )
    task.refresh_from_db()
    assert task.name == "Theirs"


# --- tags ---------------------------------------------------------------------------------


def test_tags_trimmed_unique_exactly_and_renamed(actor, workspace):
    tag = svc.tag_create(actor=actor, name=" urgent ")
    assert tag.name == "urgent"
    with pytest.raises(ApplicationError, match="already exists"):
        svc.tag_create(actor=actor, name="urgent")
    svc.tag_create(actor=actor, name="Urgent")
    with pytest.raises(ApplicationError, match="already exists"):
        svc.tag_update(actor=actor, tag=tag, name="Urgent")
    tag.refresh_from_db()
    assert tag.name == "urgent"
    svc.tag_update(actor=actor, tag=tag, name="blocked")
    tag.refresh_from_db()
    assert tag.name == "blocked"


def test_tag_in_use_cannot_be_deleted_but_can_be_archived(actor, workspace, owner):
    tag = TagFactory(workspace=workspace, name="urgent")
    entry = TimeEntryFactory(workspace=workspace, user=owner)
    TimeEntryTag.objects.create(workspace=workspace, time_entry=entry, tag=tag)
    with pytest.raises(ApplicationError, match="archive it instead"):
        svc.tag_delete(actor=actor, tag=tag)
    svc.tag_archive(actor=actor, tag=tag)
    tag.refresh_from_db()
    assert tag.archived is True
    unused = TagFactory(workspace=workspace)
    svc.tag_delete(actor=actor, tag=unused)
    assert not Tag.objects.filter(pk=unused.pk).exists()


def test_members_cannot_change_tags(member_actor, workspace):
    tag = TagFactory(workspace=workspace, name="t")
    with pytest.raises(PermissionDenied):
        svc.tag_create(actor=member_actor, name="new")
    with pytest.raises(PermissionDenied):
        svc.tag_update(actor=member_actor, tag=tag, name="renamed")
    with pytest.raises(PermissionDenied):
        svc.tag_archive(actor=member_actor, tag=tag)
    with pytest.raises(PermissionDenied):
        svc.tag_delete(actor=member_actor, tag=tag)
    tag.refresh_from_db()
    assert (tag.name, tag.archived) == ("t", False)


def test_access_to_private_projects_is_audited(actor, workspace, member, owner):
    from workspaces.models import AuditLog

    project = ProjectFactory(workspace=workspace, name="Secret", is_public=False)
    svc.project_member_add(actor=actor, project=project, user=member)
    svc.project_member_remove(actor=actor, project=project, user=member)
    svc.project_update(
        actor=actor,
        project=project,
        name="Secret",
        client=None,
        color="#000000",
        billable=True,
        hourly_rate_cents=None,
        is_public=True,
        note="",
    )
    public = ProjectFactory(workspace=workspace, is_public=True)
    svc.project_member_add(actor=actor, project=public, user=member)  # a rate holder: no access
    logs = list(
        AuditLog.objects.filter(workspace=workspace)
        .order_by("created_at", "id")
        .values_list("event", "target", "actor")
    )
    assert logs == [
        ("project.member_added", member.email, owner.pk),
        ("project.member_removed", member.email, owner.pk),
        ("project.visibility_changed", "Secret", owner.pk),
    ]
