"""Catalog API: clients, projects (and members' rates), tasks, tags. Fields and formats of the
dialect, permissions, tenancy, bad input, paging and flat query counts."""

from __future__ import annotations

import pytest

from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import ProjectMemberFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from tracking.models import Client
from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Tag
from tracking.models import Task
from workspaces.ids import is_object_id

pytestmark = pytest.mark.django_db


def url(workspace, rest: str = "") -> str:
    return f"/api/v1/workspaces/{workspace.pk}{rest}"


# --- clients ---------------------------------------------------------------------------------


def test_client_create_get_update_delete(owner_api, workspace):
    response = owner_api.post(
        url(workspace, "/clients"), {"name": " Acme ", "note": "VIP"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert is_object_id(body["id"])
    assert body == {
        "id": body["id"],
        "name": "Acme",
        "email": "",
        "address": "",
        "workspaceId": workspace.pk,
        "archived": False,
        "note": "VIP",
        "currencyCode": workspace.currency,
    }
    cid = body["id"]
    assert owner_api.get(url(workspace, f"/clients/{cid}")).json()["name"] == "Acme"

    response = owner_api.put(url(workspace, f"/clients/{cid}"), {"archived": True}, format="json")
    assert response.status_code == 200
    assert response.json()["archived"] is True
    assert response.json()["name"] == "Acme"  # left out: kept
    response = owner_api.put(url(workspace, f"/clients/{cid}"), {"name": "Acme Inc"}, format="json")
    assert response.json()["name"] == "Acme Inc"

    response = owner_api.delete(url(workspace, f"/clients/{cid}"))
    assert response.status_code == 200
    assert response.json()["id"] == cid
    assert not Client.objects.filter(pk=cid).exists()
    assert owner_api.get(url(workspace, f"/clients/{cid}")).status_code == 404


def test_client_duplicate_name_is_400(owner_api, workspace):
    ClientFactory(workspace=workspace, name="Acme")
    response = owner_api.post(url(workspace, "/clients"), {"name": "Acme"}, format="json")
    assert response.status_code == 400
    assert "already exists" in response.json()["message"]
    assert Client.objects.filter(workspace=workspace).count() == 1


@pytest.mark.parametrize(
    "body",
    [{"name": ""}, {"name": 123}, {"name": "x" * 101}, {"name": "A", "email": "not mail"}, {}],
)
def test_client_bad_input_saves_nothing(owner_api, workspace, body):
    response = owner_api.post(url(workspace, "/clients"), body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == 400
    assert not Client.objects.exists()


def test_bad_update_changes_nothing(owner_api, workspace):
    client = ClientFactory(workspace=workspace, name="Acme")
    ClientFactory(workspace=workspace, name="Taken")
    # The rename is refused, so the archive asked in the same request does not happen either.
    response = owner_api.put(
        url(workspace, f"/clients/{client.pk}"), {"name": "Taken", "archived": True}, format="json"
    )
    assert response.status_code == 400
    client.refresh_from_db()
    assert (client.name, client.archived) == ("Acme", False)


def test_client_with_projects_cannot_be_deleted(owner_api, workspace):
    client = ClientFactory(workspace=workspace)
    ProjectFactory(workspace=workspace, client=client)
    response = owner_api.delete(url(workspace, f"/clients/{client.pk}"))
    assert response.status_code == 400
    assert "archive" in response.json()["message"]
    assert Client.objects.filter(pk=client.pk).exists()


def test_clients_list_filters_and_pages(owner_api, workspace):
    for name in ["Alpha", "Beta", "Gamma", "Delta"]:
        ClientFactory(workspace=workspace, name=name)
    ClientFactory(workspace=workspace, name="Zeta", archived=True)
    names = [c["name"] for c in owner_api.get(url(workspace, "/clients")).json()]
    assert names == ["Alpha", "Beta", "Delta", "Gamma", "Zeta"]
    assert [c["name"] for c in owner_api.get(url(workspace, "/clients?archived=true")).json()] == [
        "Zeta"
    ]
    assert len(owner_api.get(url(workspace, "/clients?archived=false")).json()) == 4
    assert [c["name"] for c in owner_api.get(url(workspace, "/clients?name=ET")).json()] == [
        "Beta",
        "Zeta",
    ]
    page2 = owner_api.get(url(workspace, "/clients?page=2&page-size=2"))
    assert [c["name"] for c in page2.json()] == ["Delta", "Gamma"]
    assert page2["Last-Page"] == "false"
    page3 = owner_api.get(url(workspace, "/clients?page=3&page-size=2"))
    assert [c["name"] for c in page3.json()] == ["Zeta"]
    assert page3["Last-Page"] == "true"
    assert owner_api.get(url(workspace, "/clients?page=9")).json() == []
    assert owner_api.get(url(workspace, "/clients?archived=maybe")).status_code == 400


def test_member_reads_clients_but_cannot_write(member_api, workspace):
    client = ClientFactory(workspace=workspace, name="Acme")
    assert member_api.get(url(workspace, "/clients")).json()[0]["name"] == "Acme"
    assert (
        member_api.post(url(workspace, "/clients"), {"name": "New"}, format="json").status_code
        == 403
    )
    response = member_api.put(url(workspace, f"/clients/{client.pk}"), {"name": "X"}, format="json")
    assert response.status_code == 403
    assert member_api.delete(url(workspace, f"/clients/{client.pk}")).status_code == 403
    client.refresh_from_db()
    assert client.name == "Acme"


def test_admin_manages_clients(admin_api, workspace):
    assert (
        admin_api.post(url(workspace, "/clients"), {"name": "New"}, format="json").status_code
        == 201
    )


# --- tenancy ---------------------------------------------------------------------------------


def test_outsider_gets_404_everywhere(outsider_api, workspace, owner, member):
    client = ClientFactory(workspace=workspace)
    project = ProjectFactory(workspace=workspace)
    task = TaskFactory(project=project)
    tag = TagFactory(workspace=workspace)
    paths = [
        "",
        "/users",
        "/clients",
        f"/clients/{client.pk}",
        "/projects",
        f"/projects/{project.pk}",
        f"/projects/{project.pk}/tasks",
        f"/projects/{project.pk}/tasks/{task.pk}",
        "/tags",
        f"/tags/{tag.pk}",
    ]
    for path in paths:
        response = outsider_api.get(url(workspace, path))
        assert response.status_code == 404, path
        assert response.json()["code"] == 404
    writes = [
        ("post", "/clients", {"name": "X"}),
        ("put", f"/clients/{client.pk}", {"name": "X"}),
        ("delete", f"/clients/{client.pk}", None),
        ("post", "/projects", {"name": "X"}),
        ("put", f"/projects/{project.pk}", {"name": "X"}),
        ("delete", f"/projects/{project.pk}", None),
        ("put", f"/projects/{project.pk}/users/{member.pk}/hourly-rate", {"amount": 1}),
        ("post", f"/projects/{project.pk}/tasks", {"name": "X"}),
        ("put", f"/projects/{project.pk}/tasks/{task.pk}", {"name": "X"}),
        ("delete", f"/projects/{project.pk}/tasks/{task.pk}", None),
        ("post", "/tags", {"name": "X"}),
        ("put", f"/tags/{tag.pk}", {"name": "X"}),
        ("delete", f"/tags/{tag.pk}", None),
        ("post", "/users", {"email": "x@example.com"}),
    ]
    for method, path, body in writes:
        response = getattr(outsider_api, method)(url(workspace, path), body, format="json")
        assert response.status_code == 404, (method, path)
    assert Client.objects.filter(pk=client.pk, name=client.name).exists()
    assert Tag.objects.filter(pk=tag.pk).exists()


def test_another_workspaces_objects_are_404_inside_my_workspace(
    owner_api, workspace, other_workspace
):
    theirs_client = ClientFactory(workspace=other_workspace)
    theirs_project = ProjectFactory(workspace=other_workspace)
    theirs_tag = TagFactory(workspace=other_workspace)
    assert owner_api.get(url(workspace, f"/clients/{theirs_client.pk}")).status_code == 404
    assert owner_api.get(url(workspace, f"/projects/{theirs_project.pk}")).status_code == 404
    assert owner_api.get(url(workspace, f"/projects/{theirs_project.pk}/tasks")).status_code == 404
    assert owner_api.get(url(workspace, f"/tags/{theirs_tag.pk}")).status_code == 404
    assert owner_api.delete(url(workspace, f"/tags/{theirs_tag.pk}")).status_code == 404
    # Their client's id in a body is refused, and no project is made.
    response = owner_api.post(
        url(workspace, "/projects"), {"name": "P", "clientId": theirs_client.pk}, format="json"
    )
    assert response.status_code == 400
    assert "clientId" not in response.json()["message"] or "No client" in response.json()["message"]
    assert not Project.objects.filter(workspace=workspace).exists()
    assert Tag.objects.filter(pk=theirs_tag.pk).exists()


def test_malformed_ids_are_404(owner_api, workspace):
    for path in ["/clients/nope", "/projects/zz", "/tags/%00", "/projects/x/tasks"]:
        assert owner_api.get(url(workspace, path)).status_code == 404, path


# --- projects --------------------------------------------------------------------------------


def test_project_create_with_everything(owner_api, workspace, member):
    client = ClientFactory(workspace=workspace, name="Acme")
    response = owner_api.post(
        url(workspace, "/projects"),
        {
            "name": "Website",
            "clientId": client.pk,
            "billable": False,
            "isPublic": False,
            "color": "#FF0000",
            "note": "Phase 1",
            "hourlyRate": {"amount": 12500, "currency": "USD"},
            "memberships": [
                {
                    "userId": member.pk,
                    "hourlyRate": {"amount": 9000},
                    "membershipType": "PROJECT",
                    "membershipStatus": "ACTIVE",
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Website"
    assert body["clientId"] == client.pk
    assert body["clientName"] == "Acme"
    assert body["workspaceId"] == workspace.pk
    assert body["billable"] is False
    assert body["public"] is False
    assert body["color"] == "#ff0000"
    assert body["note"] == "Phase 1"
    assert body["archived"] is False
    assert body["hourlyRate"] == {"amount": 12500, "currency": "USD"}
    rates = {m["userId"]: m["hourlyRate"] for m in body["memberships"]}
    assert rates[member.pk] == {"amount": 9000, "currency": "USD"}
    # The creator of a private project is a member of it, so it does not vanish for them.
    assert set(rates) == {
        member.pk,
        ProjectMember.objects.get(project_id=body["id"], hourly_rate_cents=None).user_id,
    }
    assert all(
        m["membershipType"] == "PROJECT" and m["targetId"] == body["id"]
        for m in body["memberships"]
    )


@pytest.mark.parametrize(
    "body",
    [
        {"name": "P", "hourlyRate": {"amount": 10.5}},
        {"name": "P", "hourlyRate": {"amount": "1000"}},
        {"name": "P", "hourlyRate": {"amount": -1}},
        {"name": "P", "hourlyRate": {"amount": 100, "currency": "EUR"}},
        {"name": "P", "color": "red"},
        {"name": "P", "billable": "yes"},
        {"name": "P", "clientId": "abc"},
        {"name": "P", "clientId": "0123456789abcdef01234567"},
        {"name": "P", "isPublic": True, "public": False},
        {"name": "P", "memberships": [{"userId": "0123456789abcdef01234567"}]},
        {"name": "P", "memberships": [{"userId": "0123456789abcdef01234567"}], "x": 1},
        {"name": "P", "tasks": [{"name": ""}]},
        {"name": "P", "tasks": [{"name": "T", "estimate": "2 hours"}]},
    ],
)
def test_project_bad_input_saves_nothing(owner_api, workspace, body):
    response = owner_api.post(url(workspace, "/projects"), body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == 400
    assert not Project.objects.exists()


def test_project_update_and_archive(owner_api, workspace):
    project = ProjectFactory(workspace=workspace, name="Old", hourly_rate_cents=5000)
    response = owner_api.put(
        url(workspace, f"/projects/{project.pk}"),
        {"name": "New", "hourlyRate": None, "archived": True},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    # null is "not given", as in Clockify: the rate is kept
    assert (body["name"], body["hourlyRate"]["amount"], body["archived"]) == ("New", 5000, True)
    project.refresh_from_db()
    assert project.billable is True  # not sent: kept


def test_project_with_time_cannot_be_deleted(owner_api, workspace, owner):
    project = ProjectFactory(workspace=workspace)
    TimeEntryFactory(workspace=workspace, user=owner, project=project)
    response = owner_api.delete(url(workspace, f"/projects/{project.pk}"))
    assert response.status_code == 400
    assert Project.objects.filter(pk=project.pk).exists()


def test_archived_project_or_tag_with_time_is_kept_and_the_refusal_says_so(
    owner_api, workspace, owner
):
    client = ClientFactory(workspace=workspace, name="Gone", archived=True)
    project = ProjectFactory(workspace=workspace, name="Done", archived=True, client=client)
    tag = TagFactory(workspace=workspace, name="old", archived=True)
    TimeEntryFactory(workspace=workspace, user=owner, project=project, tags=[tag])
    for path in (f"/projects/{project.pk}", f"/tags/{tag.pk}", f"/clients/{client.pk}"):
        response = owner_api.delete(url(workspace, path))
        assert response.status_code == 400
        message = response.json()["message"]
        assert "archived" in message and "archive" not in message.replace("archived", ""), path
    assert Project.objects.filter(pk=project.pk).exists() and Tag.objects.filter(pk=tag.pk).exists()
    # Still active: the advice is to archive.
    project.archived = False
    project.save()
    message = owner_api.delete(url(workspace, f"/projects/{project.pk}")).json()["message"]
    assert message.endswith("archive it instead.")


def test_member_sees_public_and_own_private_projects_without_rates(member_api, member, workspace):
    ProjectFactory(workspace=workspace, name="Public", hourly_rate_cents=9999)
    hidden = ProjectFactory(workspace=workspace, name="Secret", is_public=False)
    mine = ProjectFactory(workspace=workspace, name="Mine", is_public=False)
    ProjectMemberFactory(project=mine, user=member, hourly_rate_cents=100)
    body = member_api.get(url(workspace, "/projects")).json()
    assert [p["name"] for p in body] == ["Mine", "Public"]
    assert all(p["hourlyRate"] is None and p["memberships"] == [] for p in body)
    assert member_api.get(url(workspace, f"/projects/{hidden.pk}")).status_code == 404
    assert member_api.get(url(workspace, f"/projects/{hidden.pk}/tasks")).status_code == 404


def test_projects_list_filters(owner_api, workspace):
    acme = ClientFactory(workspace=workspace, name="Acme")
    ProjectFactory(workspace=workspace, name="A", client=acme)
    ProjectFactory(workspace=workspace, name="B", billable=False)
    ProjectFactory(workspace=workspace, name="C", archived=True)
    names = lambda q: [p["name"] for p in owner_api.get(url(workspace, "/projects" + q)).json()]  # noqa: E731
    assert names("") == ["A", "B", "C"]
    assert names("?archived=false") == ["A", "B"]
    assert names("?billable=false") == ["B"]
    assert names(f"?clients={acme.pk}") == ["A"]
    assert names("?name=b") == ["B"]
    assert owner_api.get(url(workspace, "/projects?clients=nope")).status_code == 400


def _names(api, workspace, query: str = "") -> list[str]:
    response = api.get(url(workspace, "/projects" + query))
    assert response.status_code == 200, response.json()
    return [p["name"] for p in response.json()]


def test_contains_client_false_excludes_those_clients(owner_api, workspace):
    # A public script lists every project but two clients' with exactly this query.
    acme, beta, gamma = (ClientFactory(workspace=workspace, name=n) for n in "XYZ")
    ProjectFactory(workspace=workspace, name="A", client=acme)
    ProjectFactory(workspace=workspace, name="B", client=beta)
    ProjectFactory(workspace=workspace, name="C", client=gamma)
    ProjectFactory(workspace=workspace, name="N")
    ProjectFactory(workspace=workspace, name="Old", client=gamma, archived=True)
    two = f"clients={acme.pk},{beta.pk}"
    query = f"?hydrated=true&archived=false&{two}&contains-client=false"
    assert _names(owner_api, workspace, query) == ["C", "N"]
    assert _names(owner_api, workspace, f"?{two}&contains-client=true") == ["A", "B"]
    assert _names(owner_api, workspace, f"?{two}") == ["A", "B"]  # true is the default
    repeated = f"?clients={acme.pk}&clients={beta.pk}&contains-client=false&archived=false"
    assert _names(owner_api, workspace, repeated) == ["C", "N"]
    assert owner_api.get(url(workspace, "/projects?contains-client=no")).status_code == 400


def test_client_status_keeps_projects_whose_client_has_it(owner_api, workspace):
    ProjectFactory(workspace=workspace, name="A", client=ClientFactory(workspace=workspace))
    gone = ClientFactory(workspace=workspace, archived=True)
    ProjectFactory(workspace=workspace, name="G", client=gone)
    ProjectFactory(workspace=workspace, name="N")
    assert _names(owner_api, workspace, "?client-status=ACTIVE") == ["A"]
    assert _names(owner_api, workspace, "?client-status=archived") == ["G"]
    assert _names(owner_api, workspace, "?client-status=ALL") == ["A", "G", "N"]
    assert owner_api.get(url(workspace, "/projects?client-status=GONE")).status_code == 400


def test_users_and_contains_user(owner_api, workspace, member, admin):
    mine = ProjectFactory(workspace=workspace, name="Mine", is_public=False)
    ProjectMemberFactory(project=mine, user=member)
    theirs = ProjectFactory(workspace=workspace, name="Theirs")
    ProjectMemberFactory(project=theirs, user=admin)
    ProjectFactory(workspace=workspace, name="Nobody's")
    assert _names(owner_api, workspace, f"?users={member.pk}") == ["Mine"]
    assert _names(owner_api, workspace, f"?users={member.pk},{admin.pk}") == ["Mine", "Theirs"]
    excluding = ["Nobody's", "Theirs"]
    assert _names(owner_api, workspace, f"?users={member.pk}&contains-user=false") == excluding
    # The spelling of older clients (and SDKs) is read too.
    assert _names(owner_api, workspace, f"?users={member.pk}&contains-users=false") == excluding
    assert owner_api.get(url(workspace, "/projects?users=me")).status_code == 400


def test_strict_name_search_access_and_templates(owner_api, workspace):
    ProjectFactory(workspace=workspace, name="app")
    ProjectFactory(workspace=workspace, name="applications", is_public=False)
    assert _names(owner_api, workspace, "?name=app") == ["app", "applications"]
    assert _names(owner_api, workspace, "?name=APP&strict-name-search=true") == ["app"]
    assert _names(owner_api, workspace, "?name=app&strict-name-search=false") == [
        "app",
        "applications",
    ]
    assert _names(owner_api, workspace, "?access=PRIVATE") == ["applications"]
    assert _names(owner_api, workspace, "?access=PUBLIC") == ["app"]
    assert _names(owner_api, workspace, "?is-template=true") == []
    assert _names(owner_api, workspace, "?is-template=false") == ["app", "applications"]


def test_projects_sort_column_and_order(owner_api, workspace, owner):
    zed = ClientFactory(workspace=workspace, name="Zed")
    abe = ClientFactory(workspace=workspace, name="Abe")
    ProjectFactory(workspace=workspace, name="A", client=zed)
    b = ProjectFactory(workspace=workspace, name="B", client=abe)
    c = ProjectFactory(workspace=workspace, name="C")
    TimeEntryFactory(workspace=workspace, user=owner, project=b, seconds=7200)
    TimeEntryFactory(workspace=workspace, user=owner, project=c, seconds=600)
    assert _names(owner_api, workspace, "?sort-order=DESCENDING") == ["C", "B", "A"]
    assert _names(owner_api, workspace, "?sort-column=NAME&sort-order=ASCENDING") == [
        "A",
        "B",
        "C",
    ]
    # No client sorts as Clockify's "" name: first going up, last going down.
    assert _names(owner_api, workspace, "?sort-column=CLIENT_NAME") == ["C", "B", "A"]
    desc = "?sort-column=CLIENT_NAME&sort-order=DESCENDING"
    assert _names(owner_api, workspace, desc) == ["A", "B", "C"]
    assert _names(owner_api, workspace, "?sort-column=DURATION") == ["A", "C", "B"]
    desc = "?sort-column=DURATION&sort-order=DESCENDING"
    assert _names(owner_api, workspace, desc) == ["B", "C", "A"]
    for bad in ("sort-column=COLOR", "sort-order=UP"):
        response = owner_api.get(url(workspace, f"/projects?{bad}"))
        assert response.status_code == 400, bad
        assert bad.split("=")[0] in response.json()["message"]


def test_project_parameters_without_effect_are_named(owner_api, workspace):
    ProjectFactory(workspace=workspace, name="B")
    ProjectFactory(workspace=workspace, name="A")
    response = owner_api.get(
        url(workspace, "/projects?sort-column=BUDGET&sort-order=DESCENDING&user-status=ACTIVE")
    )
    assert [p["name"] for p in response.json()] == ["B", "A"]  # by name, as asked: descending
    assert response["X-Ignored-Fields"] == "user-status, sort-column"
    assert "X-Ignored-Fields" not in owner_api.get(url(workspace, "/projects?name=A"))


def test_hydrated_projects_carry_tasks_client_and_custom_fields(
    owner_api, member_api, workspace, owner, member
):
    acme = ClientFactory(workspace=workspace, name="Acme")
    site = ProjectFactory(workspace=workspace, name="Site", client=acme)
    build = TaskFactory(project=site, name="Build", hourly_rate_cents=5000)
    build.assignees.set([member])
    TaskFactory(project=site, name="Admin", status=Task.Status.DONE)
    TimeEntryFactory(workspace=workspace, user=owner, project=site, task=build, seconds=5400)
    ProjectFactory(workspace=workspace, name="Solo")

    plain = owner_api.get(url(workspace, "/projects")).json()
    assert not {"tasks", "client", "customFields"} & set(plain[0])
    body = owner_api.get(url(workspace, "/projects?hydrated=true")).json()
    site_row, solo_row = body
    # Each embedded object is the one its own endpoint answers.
    tasks = owner_api.get(url(workspace, f"/projects/{site.pk}/tasks")).json()
    assert site_row["tasks"] == tasks
    assert [t["name"] for t in tasks] == ["Build", "Admin"]  # active first, as the task list
    assert tasks[0]["duration"] == "PT1H30M" and tasks[0]["hourlyRate"]["amount"] == 5000
    assert site_row["client"] == owner_api.get(url(workspace, f"/clients/{acme.pk}")).json()
    assert site_row["customFields"] == []
    assert {k: v for k, v in site_row.items() if k not in ("tasks", "client", "customFields")} == (
        plain[0]
    )
    assert (solo_row["tasks"], solo_row["client"], solo_row["clientName"]) == ([], None, "")

    one = owner_api.get(url(workspace, f"/projects/{site.pk}?hydrated=true")).json()
    assert one == site_row
    assert "tasks" not in owner_api.get(url(workspace, f"/projects/{site.pk}")).json()

    # A member: no rates, and only their own time.
    seen = member_api.get(url(workspace, "/projects?hydrated=true")).json()[0]
    assert seen["tasks"][0]["hourlyRate"] is None
    assert seen["tasks"][0]["duration"] == "PT0S"
    assert seen["tasks"][0]["assigneeIds"] == [member.pk]


def test_hydrated_project_list_queries_do_not_grow(
    owner_api, workspace, owner, member, django_assert_max_num_queries
):
    for i in range(30):
        p = ProjectFactory(workspace=workspace, client=ClientFactory(workspace=workspace))
        ProjectMemberFactory(project=p, user=member, hourly_rate_cents=i)
        for _ in range(2):
            task = TaskFactory(project=p)
            task.assignees.set([owner, member])
            TimeEntryFactory(workspace=workspace, user=owner, project=p, task=task)
    # Auth (key + last-used), membership, projects, their members, tasks, assignees, task time.
    with django_assert_max_num_queries(9):
        small = owner_api.get(url(workspace, "/projects?hydrated=true&page-size=2"))
    with django_assert_max_num_queries(9):
        large = owner_api.get(url(workspace, "/projects?hydrated=true&page-size=40"))
    assert len(small.json()) == 2
    assert len(large.json()) == 30
    assert all(len(p["tasks"]) == 2 and p["client"] for p in large.json())


def test_member_hourly_rate_on_a_project(owner_api, member_api, workspace, member):
    project = ProjectFactory(workspace=workspace)
    path = url(workspace, f"/projects/{project.pk}/users/{member.pk}/hourly-rate")
    response = owner_api.put(path, {"amount": 7500}, format="json")
    assert response.status_code == 200, response.json()
    rates = {m["userId"]: m["hourlyRate"] for m in response.json()["memberships"]}
    assert rates[member.pk] == {"amount": 7500, "currency": "USD"}
    assert ProjectMember.objects.get(project=project, user=member).hourly_rate_cents == 7500
    response = owner_api.put(path, {"amount": None}, format="json")
    assert ProjectMember.objects.get(project=project, user=member).hourly_rate_cents is None
    # A member cannot set rates; bad amounts, `since` and another currency are refused.
    assert member_api.put(path, {"amount": 1}, format="json").status_code == 403
    for body in [
        {"amount": "5"},
        {"amount": 5, "since": "2026-01-01T00:00:00Z"},
        {"amount": 5, "currency": "EUR"},
        {},
    ]:
        assert owner_api.put(path, body, format="json").status_code == 400, body
    assert ProjectMember.objects.get(project=project, user=member).hourly_rate_cents is None
    unknown = url(workspace, f"/projects/{project.pk}/users/0123456789abcdef01234567/hourly-rate")
    assert owner_api.put(unknown, {"amount": 1}, format="json").status_code == 404


def test_member_rate_on_private_project_needs_project_membership(owner_api, workspace, member):
    project = ProjectFactory(workspace=workspace, is_public=False)
    path = url(workspace, f"/projects/{project.pk}/users/{member.pk}/hourly-rate")
    assert owner_api.put(path, {"amount": 100}, format="json").status_code == 404
    assert not ProjectMember.objects.filter(project=project, user=member).exists()


# --- tasks -----------------------------------------------------------------------------------


def test_task_lifecycle(owner_api, workspace, member):
    project = ProjectFactory(workspace=workspace, billable=False)
    base = url(workspace, f"/projects/{project.pk}/tasks")
    response = owner_api.post(
        base,
        {"name": "Design", "assigneeIds": [member.pk], "hourlyRate": {"amount": 4000}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "Design",
        "projectId": project.pk,
        "assigneeIds": [member.pk],
        "assigneeId": None,
        "userGroupIds": [],
        "estimate": "PT0S",
        "duration": "PT0S",
        "status": "ACTIVE",
        "billable": False,
        "hourlyRate": {"amount": 4000, "currency": "USD"},
        "costRate": None,
        "budgetEstimate": 0,
    }
    tid = body["id"]
    response = owner_api.put(f"{base}/{tid}", {"status": "DONE", "assigneeIds": []}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "DONE"
    assert response.json()["assigneeIds"] == []
    assert response.json()["name"] == "Design"
    assert [t["name"] for t in owner_api.get(f"{base}?is-active=false").json()] == ["Design"]
    assert owner_api.get(f"{base}?is-active=true").json() == []
    assert owner_api.delete(f"{base}/{tid}").status_code == 200
    assert not Task.objects.filter(pk=tid).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "T", "status": "FINISHED"},
        {"name": "T", "assigneeIds": ["nope"]},
        {"name": "T", "assigneeIds": "0123456789abcdef01234567"},
        {"name": "T", "billable": "yes"},
        {"name": "T", "estimate": "90 minutes"},
        {"name": "T", "estimate": 5400},
    ],
)
def test_task_bad_input_saves_nothing(owner_api, workspace, body):
    project = ProjectFactory(workspace=workspace)
    response = owner_api.post(url(workspace, f"/projects/{project.pk}/tasks"), body, format="json")
    assert response.status_code == 400
    assert not Task.objects.exists()


def test_task_assignee_of_another_workspace_is_refused(owner_api, workspace, outsider):
    project = ProjectFactory(workspace=workspace)
    response = owner_api.post(
        url(workspace, f"/projects/{project.pk}/tasks"),
        {"name": "T", "assigneeIds": [outsider.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert not Task.objects.exists()


def test_task_status_done_on_create(owner_api, workspace):
    project = ProjectFactory(workspace=workspace)
    response = owner_api.post(
        url(workspace, f"/projects/{project.pk}/tasks"),
        {"name": "Old", "status": "DONE"},
        format="json",
    )
    assert response.json()["status"] == "DONE"


def test_member_reads_tasks_without_rates_and_cannot_write(member_api, workspace):
    project = ProjectFactory(workspace=workspace)
    task = TaskFactory(project=project, name="Build", hourly_rate_cents=100)
    base = url(workspace, f"/projects/{project.pk}/tasks")
    assert member_api.get(base).json()[0]["hourlyRate"] is None
    assert member_api.get(f"{base}/{task.pk}").json()["name"] == "Build"
    assert member_api.post(base, {"name": "X"}, format="json").status_code == 403
    assert member_api.put(f"{base}/{task.pk}", {"name": "X"}, format="json").status_code == 403
    assert member_api.delete(f"{base}/{task.pk}").status_code == 403


def test_task_of_another_project_is_404(owner_api, workspace):
    project = ProjectFactory(workspace=workspace)
    other = ProjectFactory(workspace=workspace)
    task = TaskFactory(project=other)
    assert (
        owner_api.get(url(workspace, f"/projects/{project.pk}/tasks/{task.pk}")).status_code == 404
    )


# --- tags ------------------------------------------------------------------------------------


def test_tag_lifecycle(owner_api, workspace):
    response = owner_api.post(url(workspace, "/tags"), {"name": "urgent"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "urgent",
        "workspaceId": workspace.pk,
        "archived": False,
    }
    response = owner_api.put(
        url(workspace, f"/tags/{body['id']}"), {"archived": True}, format="json"
    )
    assert response.json()["archived"] is True
    assert owner_api.get(url(workspace, "/tags?archived=false")).json() == []
    assert owner_api.delete(url(workspace, f"/tags/{body['id']}")).status_code == 200
    assert not Tag.objects.exists()


def test_tag_in_use_cannot_be_deleted(owner_api, workspace, owner):
    from tracking.models import TimeEntryTag

    tag = TagFactory(workspace=workspace)
    entry = TimeEntryFactory(workspace=workspace, user=owner)
    TimeEntryTag.objects.create(workspace=workspace, time_entry=entry, tag=tag)
    response = owner_api.delete(url(workspace, f"/tags/{tag.pk}"))
    assert response.status_code == 400
    assert Tag.objects.filter(pk=tag.pk).exists()


# --- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["clients", "projects", "tags", "tasks"])
def test_list_queries_do_not_grow_with_page_size(
    owner_api, workspace, owner, member, django_assert_max_num_queries, resource
):
    project = ProjectFactory(workspace=workspace, name="Host")
    for i in range(30):
        ClientFactory(workspace=workspace)
        p = ProjectFactory(workspace=workspace, is_public=bool(i % 2))
        ProjectMemberFactory(project=p, user=member, hourly_rate_cents=i)
        TagFactory(workspace=workspace)
        t = TaskFactory(project=project)
        t.assignees.set([owner, member])
    path = f"/projects/{project.pk}/tasks" if resource == "tasks" else f"/{resource}"
    # Auth (key + last-used), membership, and the list with its prefetches.
    with django_assert_max_num_queries(7):
        small = owner_api.get(url(workspace, path + "?page-size=2"))
    with django_assert_max_num_queries(7):
        large = owner_api.get(url(workspace, path + "?page-size=40"))
    assert len(small.json()) == 2
    assert len(large.json()) >= 30


def test_a_null_note_is_an_empty_note(owner_api, workspace):
    url = f"/api/v1/workspaces/{workspace.pk}"
    client = owner_api.post(f"{url}/clients", {"name": "Acme", "note": None}, format="json")
    assert client.status_code == 201, client.json()
    assert client.json()["note"] == ""
    project = owner_api.post(f"{url}/projects", {"name": "Site", "note": None}, format="json")
    assert project.status_code == 201, project.json()
    assert Project.objects.get(pk=project.json()["id"]).note == ""
    changed = owner_api.put(
        f"{url}/clients/{client.json()['id']}", {"name": "Acme", "note": None}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["note"] == ""
