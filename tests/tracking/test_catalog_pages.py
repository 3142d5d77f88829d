"""The catalog pages as people use them: Clients, Tags, Projects and a project's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import NoReverseMatch
from django.urls import reverse
from django.utils import timezone

from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from tracking.models import Client
from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Tag
from tracking.models import Task

pytestmark = pytest.mark.django_db


def url(name, workspace, **kwargs):
    return reverse(f"tracking:{name}", kwargs={"ws": workspace.pk, **kwargs})


def follow_messages(response):
    return [str(m) for m in response.context["messages"]]


# --- clients ------------------------------------------------------------------------------


def test_clients_page_creates_and_shows_errors_next_to_the_field(owner_client, workspace):
    ClientFactory(workspace=workspace, name="Globex")
    page = owner_client.get(url("clients", workspace))
    assert page.status_code == 200
    assert "Globex" in page.content.decode()

    bad = owner_client.post(url("client_create", workspace), {"name": "  Globex "})
    assert bad.status_code == 400
    assert bad.context["create_form"].errors["name"] == [
        "A client named “Globex” already exists (it may be archived)."
    ]
    assert Client.objects.filter(workspace=workspace).count() == 1

    ok = owner_client.post(
        url("client_create", workspace), {"name": " Initech ", "note": "x"}, follow=True
    )
    assert "Client “Initech” created." in follow_messages(ok)
    assert Client.objects.filter(workspace=workspace, name="Initech").exists()


def test_client_rename_error_reopens_that_rows_form(owner_client, workspace):
    ClientFactory(workspace=workspace, name="Acme")
    globex = ClientFactory(workspace=workspace, name="Globex")
    response = owner_client.post(url("client_update", workspace, pk=globex.pk), {"name": "Acme"})
    assert response.status_code == 400
    assert response.context["edit_pk"] == globex.pk
    html = response.content.decode()
    assert "already exists" in html
    assert f'id="client-{globex.pk}-name"' in html
    globex.refresh_from_db()
    assert globex.name == "Globex"


def test_client_filters_search_and_archived(owner_client, workspace):
    ClientFactory(workspace=workspace, name="Acme")
    ClientFactory(workspace=workspace, name="Acme Old", archived=True)
    ClientFactory(workspace=workspace, name="Globex")
    names = lambda r: [c.name for c in r.context["clients"]]  # noqa: E731
    assert names(owner_client.get(url("clients", workspace))) == ["Acme", "Globex"]
    assert names(owner_client.get(url("clients", workspace), {"q": "acm"})) == ["Acme"]
    assert names(owner_client.get(url("clients", workspace), {"archived": "archived"})) == [
        "Acme Old"
    ]
    assert len(names(owner_client.get(url("clients", workspace), {"archived": "all"}))) == 3


def test_client_archive_restore_and_refused_delete(owner_client, workspace):
    client = ClientFactory(workspace=workspace, name="Acme")
    ProjectFactory(workspace=workspace, client=client)
    back = url("clients", workspace) + "?q=ac"
    response = owner_client.post(
        url("client_archive", workspace, pk=client.pk), {"archived": "1", "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    client.refresh_from_db()
    assert client.archived
    owner_client.post(url("client_archive", workspace, pk=client.pk), {"archived": "0"})
    client.refresh_from_db()
    assert not client.archived

    refused = owner_client.post(url("client_delete", workspace, pk=client.pk), follow=True)
    assert any("has 1 project" in m for m in follow_messages(refused))
    assert Client.objects.filter(pk=client.pk).exists()


def test_next_cannot_send_the_user_off_site(owner_client, workspace):
    client = ClientFactory(workspace=workspace)
    response = owner_client.post(
        url("client_archive", workspace, pk=client.pk),
        {"archived": "1", "next": "https://evil.example/"},
    )
    assert response["Location"] == url("clients", workspace)


# --- tags ---------------------------------------------------------------------------------


def test_tags_page_create_rename_archive_delete(owner_client, workspace, owner):
    owner_client.post(url("tag_create", workspace), {"name": " urgent "})
    tag = Tag.objects.get(workspace=workspace, name="urgent")
    dup = owner_client.post(url("tag_create", workspace), {"name": "urgent"})
    assert dup.status_code == 400 and "already exists" in dup.content.decode()

    owner_client.post(url("tag_update", workspace, pk=tag.pk), {"name": "blocked"})
    tag.refresh_from_db()
    assert tag.name == "blocked"

    owner_client.post(url("tag_archive", workspace, pk=tag.pk), {"archived": "1"})
    page = owner_client.get(url("tags", workspace))
    assert "blocked" not in [t.name for t in page.context["tags"]]
    page = owner_client.get(url("tags", workspace), {"archived": "archived"})
    assert [t.name for t in page.context["tags"]] == ["blocked"]

    owner_client.post(url("tag_delete", workspace, pk=tag.pk))
    assert not Tag.objects.filter(pk=tag.pk).exists()


# --- projects -----------------------------------------------------------------------------


def test_projects_list_shows_client_tracked_time_rate_and_access(
    owner_client, member_client, workspace, owner, member
):
    acme = ClientFactory(workspace=workspace, name="Acme")
    project = ProjectFactory(
        workspace=workspace, client=acme, name="Website", hourly_rate_cents=12_000
    )
    start = timezone.now() - dt.timedelta(days=1)
    TimeEntryFactory(
        workspace=workspace,
        user=owner,
        project=project,
        start=start,
        seconds=7200,
    )
    TimeEntryFactory(
        workspace=workspace,
        user=member,
        project=project,
        start=start,
        seconds=1800,
    )
    # A running timer has no duration yet and counts for nothing.
    TimeEntryFactory(workspace=workspace, user=member, project=project, end=None)

    html = owner_client.get(url("projects", workspace)).content.decode()
    row = html[html.index(f'id="project-{project.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Website" in row and "Acme" in row
    assert "2:30" in row  # the team's 2 h + 30 min
    assert "120.00 USD" in row
    assert "Public" in row

    # A member sees only their own time and no rates.
    html = member_client.get(url("projects", workspace)).content.decode()
    row = html[html.index(f'id="project-{project.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "0:30" in row
    assert "120.00" not in row


def test_projects_filters_by_client_archived_and_name(owner_client, workspace):
    acme = ClientFactory(workspace=workspace, name="Acme")
    ProjectFactory(workspace=workspace, client=acme, name="Website")
    ProjectFactory(workspace=workspace, client=acme, name="Old site", archived=True)
    ProjectFactory(workspace=workspace, name="Internal")

    def names(**params):
        response = owner_client.get(url("projects", workspace), params)
        return [p.name for p in response.context["projects"]]

    assert names() == ["Internal", "Website"]
    assert names(client=acme.pk) == ["Website"]
    assert names(client="none") == ["Internal"]
    assert names(client=acme.pk, archived="all") == ["Old site", "Website"]
    assert names(archived="archived") == ["Old site"]
    assert names(q="SITE", archived="all") == ["Old site", "Website"]
    assert names(archived="bogus") == ["Internal", "Website"]


def test_project_create_from_the_page(owner_client, workspace):
    acme = ClientFactory(workspace=workspace, name="Acme")
    response = owner_client.post(
        url("project_create", workspace),
        {
            "name": "Website",
            "client": acme.pk,
            "color": "#ff0000",
            "billable": "on",
            "hourly_rate": "75.5",
            "visibility": "private",
            "note": "",
        },
    )
    project = Project.objects.get(workspace=workspace, name="Website")
    assert response["Location"] == url("project_detail", workspace, pk=project.pk)
    assert (project.client, project.hourly_rate_cents, project.is_public, project.billable) == (
        acme,
        7550,
        False,
        True,
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "  "}, "name", "Enter a name for the project."),
        ({"hourly_rate": "-1"}, "hourly_rate", "Ensure this value is greater than or equal to 0."),
        ({"hourly_rate": "abc"}, "hourly_rate", "Enter a number."),
        ({"color": "red"}, "color", "Pick a color as #rrggbb (for example #0b6bcb)."),
        ({"name": "Taken"}, "name", "A project named “Taken” already exists without a client"),
    ],
)
def test_project_create_bad_input_shows_the_error_and_saves_nothing(
    owner_client, workspace, data, field, message
):
    ProjectFactory(workspace=workspace, name="Taken")
    form = {"name": "New", "color": "#112233", "visibility": "public", **data}
    response = owner_client.post(url("project_create", workspace), form)
    assert response.status_code == 400
    assert response.context["create_open"] is True
    assert any(e.startswith(message) for e in response.context["create_form"].errors[field])
    assert Project.objects.filter(workspace=workspace).count() == 1


def test_project_create_refuses_archived_or_foreign_client(
    owner_client, workspace, other_workspace
):
    archived = ClientFactory(workspace=workspace, name="Gone", archived=True)
    foreign = ClientFactory(workspace=other_workspace, name="Theirs")
    for client in (archived, foreign):
        response = owner_client.post(
            url("project_create", workspace),
            {"name": "P", "client": client.pk, "color": "#112233", "visibility": "public"},
        )
        assert response.status_code == 400
        assert response.context["create_form"].errors["client"]
    assert not Project.objects.filter(name="P").exists()


# --- the project page ---------------------------------------------------------------------


def test_project_page_settings_save_and_error(owner_client, workspace):
    project = ProjectFactory(workspace=workspace, name="Website", color="#112233")
    ProjectFactory(workspace=workspace, name="Taken")
    base = {"color": "#445566", "visibility": "public", "hourly_rate": "90"}
    bad = owner_client.post(
        url("project_update", workspace, pk=project.pk), {**base, "name": "Taken"}
    )
    assert bad.status_code == 400
    assert bad.context["settings_open"] is True
    assert "already exists" in bad.context["settings_form"].errors["name"][0]
    project.refresh_from_db()
    assert (project.name, project.color) == ("Website", "#112233")

    owner_client.post(url("project_update", workspace, pk=project.pk), {**base, "name": "Web"})
    project.refresh_from_db()
    assert (project.name, project.color, project.hourly_rate_cents) == ("Web", "#445566", 9000)
    assert project.billable is False  # an unticked checkbox


def test_project_members_add_rate_and_remove_from_the_page(owner_client, workspace, member):
    project = ProjectFactory(workspace=workspace, is_public=False)
    owner_client.post(
        url("project_member_add", workspace, pk=project.pk),
        {"user": member.pk, "hourly_rate": "60"},
    )
    pm = ProjectMember.objects.get(project=project, user=member)
    assert pm.hourly_rate_cents == 6000
    page = owner_client.get(url("project_detail", workspace, pk=project.pk)).content.decode()
    assert "Mia Member" in page and "60.00" in page

    bad = owner_client.post(
        url("project_member_rate", workspace, pk=project.pk, user_id=member.pk),
        {"hourly_rate": "-3"},
    )
    assert bad.status_code == 400
    pm.refresh_from_db()
    assert pm.hourly_rate_cents == 6000
    owner_client.post(
        url("project_member_rate", workspace, pk=project.pk, user_id=member.pk),
        {"hourly_rate": ""},
    )
    pm.refresh_from_db()
    assert pm.hourly_rate_cents is None

    owner_client.post(url("project_member_remove", workspace, pk=project.pk, user_id=member.pk))
    assert not ProjectMember.objects.filter(project=project, user=member).exists()


def test_project_member_add_refuses_someone_outside_the_workspace(
    owner_client, workspace, outsider
):
    project = ProjectFactory(workspace=workspace)
    response = owner_client.post(
        url("project_member_add", workspace, pk=project.pk), {"user": outsider.pk}
    )
    assert response.status_code == 400
    assert response.context["member_form"].errors["user"]
    assert not ProjectMember.objects.filter(project=project).exists()


def test_tasks_add_edit_mark_done_and_delete_from_the_page(owner_client, workspace, member):
    project = ProjectFactory(workspace=workspace)
    owner_client.post(
        url("task_create", workspace, pk=project.pk),
        {"name": "Design", "hourly_rate": "100", "assignees": [member.pk]},
    )
    task = Task.objects.get(project=project, name="Design")
    assert task.hourly_rate_cents == 10_000 and list(task.assignees.all()) == [member]

    dup = owner_client.post(url("task_create", workspace, pk=project.pk), {"name": "Design"})
    assert dup.status_code == 400
    assert "already has a task" in dup.context["task_form"].errors["name"][0]

    owner_client.post(url("task_status", workspace, pk=project.pk, task_id=task.pk), {"done": "1"})
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert list(task.assignees.all()) == [member]  # marking done keeps the rest

    owner_client.post(
        url("task_update", workspace, pk=project.pk, task_id=task.pk),
        {"name": "Build", "status": "ACTIVE", "hourly_rate": ""},
    )
    task.refresh_from_db()
    assert (task.name, task.status, task.hourly_rate_cents) == ("Build", "ACTIVE", None)
    assert list(task.assignees.all()) == []

    owner_client.post(url("task_delete", workspace, pk=project.pk, task_id=task.pk))
    assert not Task.objects.filter(pk=task.pk).exists()


def test_deleting_a_project_with_time_is_refused_with_a_message(owner_client, workspace, owner):
    project = ProjectFactory(workspace=workspace, name="Busy")
    TimeEntryFactory(workspace=workspace, user=owner, project=project)
    response = owner_client.post(url("project_delete", workspace, pk=project.pk), follow=True)
    assert "“Busy” has tracked time and cannot be deleted: archive it instead." in (
        follow_messages(response)
    )
    assert Project.objects.filter(pk=project.pk).exists()
    empty = ProjectFactory(workspace=workspace, name="Empty")
    response = owner_client.post(url("project_delete", workspace, pk=empty.pk))
    assert response["Location"] == url("projects", workspace)
    assert not Project.objects.filter(pk=empty.pk).exists()


def test_project_page_offers_reapplying_rates_to_past_entries(owner_client, workspace, member):
    try:
        reapply = url("rates_reapply", workspace)
    except NoReverseMatch:
        pytest.fail("tracking:rates_reapply (entries area) is missing")
    project = ProjectFactory(workspace=workspace)
    ProjectMember.objects.create(workspace=workspace, project=project, user=member)
    task = TaskFactory(project=project)
    html = owner_client.get(url("project_detail", workspace, pk=project.pk)).content.decode()
    forms = html.split("<form")
    reapply_forms = [f for f in forms if f'action="{reapply}"' in f]
    scopes = {f.split('name="scope" value="')[1].split('"')[0]: f for f in reapply_forms}
    assert set(scopes) == {"project", "project_member", "task"}
    assert f'name="user" value="{member.pk}"' in scopes["project_member"]
    assert f'name="project" value="{project.pk}"' in scopes["project_member"]
    assert f'name="task" value="{task.pk}"' in scopes["task"]


def test_private_project_offers_only_its_members_as_assignees(owner_client, workspace, member):
    project = ProjectFactory(workspace=workspace, is_public=False)
    page = owner_client.get(url("project_detail", workspace, pk=project.pk))
    assert page.context["task_form"].fields["assignees"].choices == []
    response = owner_client.post(
        url("task_create", workspace, pk=project.pk), {"name": "T", "assignees": [member.pk]}
    )
    assert response.status_code == 400
    assert response.context["task_form"].errors["assignees"]
    assert not Task.objects.filter(project=project).exists()

    ProjectMember.objects.create(workspace=workspace, project=project, user=member)
    page = owner_client.get(url("project_detail", workspace, pk=project.pk))
    assert page.context["task_form"].fields["assignees"].choices == [(member.pk, "Mia Member")]


def test_members_see_client_project_counts_of_projects_they_can_see(
    member_client, owner_client, workspace
):
    acme = ClientFactory(workspace=workspace, name="Acme")
    ProjectFactory(workspace=workspace, client=acme, is_public=True)
    ProjectFactory(workspace=workspace, client=acme, is_public=False)

    def counts(web):
        return [c.project_count for c in web.get(url("clients", workspace)).context["clients"]]

    assert counts(owner_client) == [2]
    assert counts(member_client) == [1]


def _form_fields(form_html):
    import re

    return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form_html))


def test_changing_a_member_rate_then_applying_it_to_past_entries(owner_client, workspace, member):
    """A new project rate applies to new entries only, until the page's "apply to past
    entries" button re-rates the old ones (the entries area's action)."""
    project = ProjectFactory(workspace=workspace)
    ProjectMember.objects.create(
        workspace=workspace, project=project, user=member, hourly_rate_cents=5000
    )
    entry = TimeEntryFactory(
        workspace=workspace, user=member, project=project, hourly_rate_cents=5000
    )
    detail = url("project_detail", workspace, pk=project.pk)
    owner_client.post(
        url("project_member_rate", workspace, pk=project.pk, user_id=member.pk),
        {"hourly_rate": "80"},
    )
    entry.refresh_from_db()
    assert entry.hourly_rate_cents == 5000

    html = owner_client.get(detail).content.decode()
    reapply = url("rates_reapply", workspace)
    form = next(
        f for f in html.split("<form") if f'action="{reapply}"' in f and "project_member" in f
    )
    response = owner_client.post(reapply, _form_fields(form))
    assert response["Location"] == detail
    entry.refresh_from_db()
    assert entry.hourly_rate_cents == 8000
