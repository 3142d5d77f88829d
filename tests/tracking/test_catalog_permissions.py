"""Who may see and do what in the catalog: an outsider gets a 404 for every page and object of
this workspace, a member a 403 for every change (and nothing changes), and an admin of one
workspace cannot reach another workspace's objects through their own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tracking.models import Client
from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Tag
from tracking.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(workspace, member, owner):
    client = ClientFactory(workspace=workspace, name="Acme")
    project = ProjectFactory(workspace=workspace, client=client, name="Website", is_public=True)
    ProjectMember.objects.create(workspace=workspace, project=project, user=member)
    task = TaskFactory(project=project, name="Design")
    tag = TagFactory(workspace=workspace, name="urgent")
    return {
        "client": client,
        "project": project,
        "task": task,
        "tag": tag,
        "user": member,
        "addable": owner,
    }


def pages(ws, c):
    return [
        reverse("tracking:clients", kwargs={"ws": ws.pk}),
        reverse("tracking:tags", kwargs={"ws": ws.pk}),
        reverse("tracking:projects", kwargs={"ws": ws.pk}),
        reverse("tracking:project_detail", kwargs={"ws": ws.pk, "pk": c["project"].pk}),
    ]


def writes(ws, c):
    """Every change, with a payload that would succeed for an admin."""
    w, p, t = ws.pk, c["project"].pk, c["task"].pk
    cl, tg, u = c["client"].pk, c["tag"].pk, c["user"].pk
    project_form = {"name": "Renamed", "color": "#112233", "visibility": "public"}
    return [
        ("client_create", {"ws": w}, {"name": "New client"}),
        ("client_update", {"ws": w, "pk": cl}, {"name": "Renamed"}),
        ("client_archive", {"ws": w, "pk": cl}, {"archived": "1"}),
        ("client_delete", {"ws": w, "pk": cl}, {}),
        ("tag_create", {"ws": w}, {"name": "new-tag"}),
        ("tag_update", {"ws": w, "pk": tg}, {"name": "renamed"}),
        ("tag_archive", {"ws": w, "pk": tg}, {"archived": "1"}),
        ("tag_delete", {"ws": w, "pk": tg}, {}),
        ("project_create", {"ws": w}, {**project_form, "name": "New project"}),
        ("project_update", {"ws": w, "pk": p}, project_form),
        ("project_archive", {"ws": w, "pk": p}, {"archived": "1"}),
        ("project_delete", {"ws": w, "pk": p}, {}),
        ("project_member_add", {"ws": w, "pk": p}, {"user": c["addable"].pk}),
        ("project_member_rate", {"ws": w, "pk": p, "user_id": u}, {"hourly_rate": "10"}),
        ("project_member_remove", {"ws": w, "pk": p, "user_id": u}, {}),
        ("task_create", {"ws": w, "pk": p}, {"name": "New task"}),
        ("task_update", {"ws": w, "pk": p, "task_id": t}, {"name": "X", "status": "DONE"}),
        ("task_status", {"ws": w, "pk": p, "task_id": t}, {"done": "1"}),
        ("task_delete", {"ws": w, "pk": p, "task_id": t}, {}),
    ]


def snapshot(workspace):
    return (
        sorted(Client.objects.filter(workspace=workspace).values_list("name", "archived")),
        sorted(Tag.objects.filter(workspace=workspace).values_list("name", "archived")),
        sorted(
            Project.objects.filter(workspace=workspace).values_list("name", "archived", "color")
        ),
        sorted(
            ProjectMember.objects.filter(workspace=workspace).values_list(
                "user_id", "hourly_rate_cents"
            )
        ),
        sorted(Task.objects.filter(workspace=workspace).values_list("name", "status")),
    )


def test_outsider_gets_404_for_every_page(outsider_client, workspace, catalog):
    for url in pages(workspace, catalog):
        assert outsider_client.get(url).status_code == 404, url


@pytest.mark.parametrize(
    ("client_fixture", "status"), [("outsider_client", 404), ("member_client", 403)]
)
def test_outsiders_get_404_and_members_403_for_every_change_and_nothing_changes(
    request, client_fixture, status, workspace, catalog
):
    client = request.getfixturevalue(client_fixture)
    before = snapshot(workspace)
    for name, kwargs, data in writes(workspace, catalog):
        response = client.post(reverse(f"tracking:{name}", kwargs=kwargs), data)
        assert response.status_code == status, name
    assert snapshot(workspace) == before


def test_the_same_changes_succeed_for_an_admin(admin_client_, workspace, catalog):
    """The payloads above are valid: the 403s are about the role, not the input."""
    for name, kwargs, data in writes(workspace, catalog):
        if name.endswith("_delete") or name == "project_member_remove":
            continue
        response = admin_client_.post(reverse(f"tracking:{name}", kwargs=kwargs), data)
        assert response.status_code == 302, (name, response.content.decode()[:500])
    assert Client.objects.filter(workspace=workspace, name="Renamed").exists()
    assert Task.objects.get(pk=catalog["task"].pk).status == "DONE"


def test_member_reads_pages_without_edit_controls(member_client, workspace, catalog):
    for url in pages(workspace, catalog):
        response = member_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "/edit/" not in html and "/delete/" not in html, url


def test_admin_cannot_reach_another_workspaces_objects(
    admin_client_, workspace, catalog, other_workspace, outsider
):
    theirs = {
        "client": ClientFactory(workspace=other_workspace, name="Theirs"),
        "project": ProjectFactory(workspace=other_workspace, name="Theirs"),
        "tag": TagFactory(workspace=other_workspace, name="theirs"),
        "user": outsider,
        "addable": outsider,
    }
    theirs["task"] = TaskFactory(project=theirs["project"], name="Theirs")
    mixed = dict(theirs)
    before = snapshot(other_workspace)
    # Their objects under our workspace's URLs.
    url = reverse("tracking:project_detail", kwargs={"ws": workspace.pk, "pk": mixed["project"].pk})
    assert admin_client_.get(url).status_code == 404
    for name, kwargs, data in writes(workspace, mixed):
        if name.endswith("_create"):
            continue
        response = admin_client_.post(reverse(f"tracking:{name}", kwargs=kwargs), data)
        assert response.status_code == 404, name
    # Our project with their task or their user.
    ours_their_task = reverse(
        "tracking:task_update",
        kwargs={"ws": workspace.pk, "pk": catalog["project"].pk, "task_id": theirs["task"].pk},
    )
    assert admin_client_.post(ours_their_task, {"name": "X"}).status_code == 404
    ours_their_user = reverse(
        "tracking:project_member_rate",
        kwargs={"ws": workspace.pk, "pk": catalog["project"].pk, "user_id": outsider.pk},
    )
    assert admin_client_.post(ours_their_user, {"hourly_rate": "1"}).status_code == 404
    assert snapshot(other_workspace) == before


def test_member_sees_public_projects_and_private_ones_they_are_on(member_client, workspace, member):
    ProjectFactory(workspace=workspace, name="Open house", is_public=True)
    secret = ProjectFactory(workspace=workspace, name="Skunkworks", is_public=False)
    projects_url = reverse("tracking:projects", kwargs={"ws": workspace.pk})
    detail_url = reverse("tracking:project_detail", kwargs={"ws": workspace.pk, "pk": secret.pk})

    html = member_client.get(projects_url).content.decode()
    assert "Open house" in html and "Skunkworks" not in html
    assert member_client.get(detail_url).status_code == 404

    ProjectMember.objects.create(workspace=workspace, project=secret, user=member)
    assert "Skunkworks" in member_client.get(projects_url).content.decode()
    assert member_client.get(detail_url).status_code == 200


def test_admin_sees_private_projects(admin_client_, workspace):
    ProjectFactory(workspace=workspace, name="Skunkworks", is_public=False)
    html = admin_client_.get(reverse("tracking:projects", kwargs={"ws": workspace.pk}))
    assert "Skunkworks" in html.content.decode()


def test_anonymous_is_sent_to_log_in(client, workspace, catalog):
    for url in pages(workspace, catalog):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
