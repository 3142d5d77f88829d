"""Clockify parity of the REST API (issue 15): bodies are read as leniently as Clockify reads
them (unknown fields ignored and named in X-Ignored-Fields, null is "not given"), every field
Clockify documents is accepted, bad values are still a 400 that saves nothing, answers take
Clockify's shapes, and the legacy paths public clients call answer."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory as EntryFactory
from tracking.models import Client
from tracking.models import Project
from tracking.models import Task
from tracking.models import TimeEntry
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


def url(workspace, rest: str = "") -> str:
    return f"/api/v1/workspaces/{workspace.pk}{rest}"


def ignored(response) -> list[str]:
    header = response.headers.get("X-Ignored-Fields", "")
    return [name.strip() for name in header.split(",") if name.strip()]


# --- input: the bodies public Clockify clients send -----------------------------------------


def test_time_entry_with_legacy_tags_null_beside_tag_ids(member_api, workspace):
    tag = TagFactory(workspace=workspace)
    body = {
        "start": "2026-11-02T09:00:00Z",
        "end": "2026-11-02T10:00:00Z",
        "description": None,
        "projectId": None,
        "taskId": None,
        "billable": None,
        "tagIds": [tag.pk],
        "tags": None,
        "customFields": [],
        "type": "REGULAR",
    }
    response = member_api.post(url(workspace, "/time-entries"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["tagIds"] == [tag.pk]
    assert response.json()["description"] == ""
    assert ignored(response) == ["tags", "customFields", "type"]


def test_client_email_and_address_are_stored_and_returned(owner_api, workspace):
    body = {"name": "Acme", "email": "ap@acme.example", "address": "1 Main St", "note": None}
    response = owner_api.post(url(workspace, "/clients"), body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["email"], response.json()["address"]) == (
        "ap@acme.example",
        "1 Main St",
    )
    client = Client.objects.get(pk=response.json()["id"])
    assert (client.email, client.address, client.note) == ("ap@acme.example", "1 Main St", "")
    # a PUT with every field, nulls for those it leaves alone (as a Clockify SDK sends it)
    response = owner_api.put(
        url(workspace, f"/clients/{client.pk}"),
        {"name": "Acme Inc", "email": None, "address": None, "note": None, "currencyId": None},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["email"] == "ap@acme.example"
    assert response.json()["name"] == "Acme Inc"
    assert ignored(response) == ["currencyId"]


def test_project_with_nulls_takes_defaults_and_put_with_nulls_changes_only_what_is_given(
    owner_api, workspace
):
    response = owner_api.post(
        url(workspace, "/projects"),
        {"name": "Apollo", "color": None, "note": None, "clientId": None, "billable": None},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["clientId"], body["clientName"], body["note"]) == ("", "", "")
    assert body["color"] == "#0b6bcb" and body["billable"] is True
    assert "X-Ignored-Fields" not in response

    client = ClientFactory(workspace=workspace)
    project = ProjectFactory(
        workspace=workspace, client=client, note="keep", color="#112233", hourly_rate_cents=9000
    )
    every_field = {
        "name": "Renamed",
        "clientId": None,
        "isPublic": None,
        "note": None,
        "billable": None,
        "color": None,
        "hourlyRate": None,
        "costRate": None,
        "archived": None,
    }
    response = owner_api.put(url(workspace, f"/projects/{project.pk}"), every_field, format="json")
    assert response.status_code == 200, response.content
    project.refresh_from_db()
    assert (project.name, project.client_id, project.note, project.color) == (
        "Renamed",
        client.pk,
        "keep",
        "#112233",
    )
    assert project.hourly_rate_cents == 9000
    # "" takes the client away
    response = owner_api.put(
        url(workspace, f"/projects/{project.pk}"), {"clientId": ""}, format="json"
    )
    assert response.json()["clientId"] == "" and response.json()["clientName"] == ""


def test_task_estimate_billable_and_null_lists(owner_api, workspace, member):
    project = ProjectFactory(workspace=workspace, billable=True)
    base = url(workspace, f"/projects/{project.pk}/tasks")
    body = {
        "name": "Design",
        "estimate": "PT2H30M",
        "assigneeIds": None,
        "userGroupIds": None,
        "billable": False,
        "status": None,
    }
    response = owner_api.post(base, body, format="json")
    assert response.status_code == 201, response.content
    task = response.json()
    assert (task["estimate"], task["billable"], task["status"]) == ("PT2H30M", False, "ACTIVE")
    assert task["assigneeIds"] == [] and task["userGroupIds"] == []
    assert ignored(response) == ["userGroupIds"]
    assert Task.objects.get(pk=task["id"]).estimate_seconds == 9000
    # the legacy single assignee counts when assigneeIds is not given
    response = owner_api.put(
        f"{base}/{task['id']}", {"assigneeId": member.pk, "estimate": None}, format="json"
    )
    assert response.json()["assigneeIds"] == [member.pk]
    assert response.json()["estimate"] == "PT2H30M"  # null: kept


def test_a_tasks_billable_setting_decides_its_new_entries(owner_api, workspace):
    project = ProjectFactory(workspace=workspace, billable=True)
    task = TaskFactory(workspace=workspace, project=project, billable=False)
    body = {
        "start": "2026-11-02T09:00:00Z",
        "end": "2026-11-02T10:00:00Z",
        "projectId": project.pk,
        "taskId": task.pk,
    }
    response = owner_api.post(url(workspace, "/time-entries"), body, format="json")
    assert response.json()["billable"] is False
    body.pop("taskId")
    assert owner_api.post(url(workspace, "/time-entries"), body, format="json").json()["billable"]


def test_a_project_is_created_with_its_tasks(owner_api, workspace, member):
    response = owner_api.post(
        url(workspace, "/projects"),
        {
            "name": "Apollo",
            "tasks": [
                {"name": "Design", "estimate": "PT1H", "assigneeIds": [member.pk]},
                {"name": "Build", "projectId": None, "id": None},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    tasks = Task.objects.filter(project_id=response.json()["id"]).order_by("name")
    assert [(t.name, t.estimate_seconds) for t in tasks] == [("Build", 0), ("Design", 3600)]
    assert ignored(response) == ["tasks.projectId", "tasks.id"]


def test_summary_report_with_groups_null_uses_the_default(owner_api, workspace, owner):
    project = ProjectFactory(workspace=workspace, name="Apollo")
    EntryFactory(
        workspace=workspace,
        user=owner,
        project=project,
        start=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
        end=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC),
        duration_seconds=3600,
    )
    response = owner_api.post(
        f"/reports/v1/workspaces/{workspace.pk}/reports/summary",
        {
            "dateRangeStart": "2026-03-01T00:00:00Z",
            "dateRangeEnd": "2026-03-31T23:59:59Z",
            "summaryFilter": {"groups": None, "summaryChartType": "PROJECT"},
            "amountShown": "EARNED",
            "timeZone": "Europe/Paris",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [g["name"] for g in response.json()["groupOne"]] == ["Apollo"]
    assert set(ignored(response)) == {"summaryFilter.summaryChartType", "amountShown", "timeZone"}


@pytest.mark.parametrize(
    ("path", "body", "model"),
    [
        ("/clients", {"name": "A", "email": "not an address", "typo": 1}, Client),
        ("/clients", {"name": "A", "address": 12}, Client),
        ("/projects", {"name": "P", "clientId": "abc", "colour": "x"}, Project),
        ("/projects", {"name": "P", "hourlyRate": {"amount": "10"}}, Project),
        ("/projects", {"name": None}, Project),
        ("/time-entries", {"start": "2026-11-02T09:00:00Z", "billable": "true"}, TimeEntry),
    ],
)
def test_bad_values_of_known_fields_are_a_400_that_saves_nothing(
    owner_api, workspace, path, body, model
):
    response = owner_api.post(url(workspace, path), body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == 400
    assert not model.objects.exists()


def test_bad_task_estimate_is_a_400(owner_api, workspace):
    project = ProjectFactory(workspace=workspace)
    base = url(workspace, f"/projects/{project.pk}/tasks")
    for estimate in ("2 hours", 7200, "PT"):
        response = owner_api.post(base, {"name": "T", "estimate": estimate}, format="json")
        assert response.status_code == 400 and "estimate" in response.json()["message"]
    assert not Task.objects.exists()


def test_nested_unknown_fields_are_named_with_their_path(owner_api, workspace, member):
    response = owner_api.post(
        url(workspace, "/projects"),
        {
            "name": "P",
            "hourlyRate": {"amount": 100, "since": None, "sinse": "x"},
            "memberships": [{"userId": member.pk, "hourlyRate": None, "role": "x"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert set(ignored(response)) == {"hourlyRate.sinse", "memberships.role"}
    assert Project.objects.get().hourly_rate_cents == 100
    dated = owner_api.post(
        url(workspace, "/projects"),
        {"name": "Q", "hourlyRate": {"amount": 100, "since": "2026-01-01T00:00:00Z"}},
        format="json",
    )
    assert dated.status_code == 400 and "past entries" in dated.json()["message"]


def test_odd_field_names_reach_the_header_percent_encoded_and_capped(owner_api, workspace):
    body = {"name": "A", "\r\nSet-Cookie: x": 1, "é": 2, **{f"f{i}": i for i in range(60)}}
    response = owner_api.post(url(workspace, "/tags"), body, format="json")
    assert response.status_code == 201
    names = ignored(response)
    assert names[:2] == ["%0D%0ASet-Cookie%3A%20x", "%C3%A9"]
    assert len(names) == 51 and names[-1] == "..."


# --- paths public clients call --------------------------------------------------------------


def test_legacy_singular_users_path_answers_as_the_plural(
    owner_api, member_api, outsider_api, workspace, member
):
    plural = owner_api.get(url(workspace, "/users"))
    singular = owner_api.get(f"/api/v1/workspace/{workspace.pk}/users")
    assert singular.status_code == 200
    assert singular.json() == plural.json() and len(singular.json()) >= 2
    assert singular["Last-Page"] == plural["Last-Page"]
    assert outsider_api.get(f"/api/v1/workspace/{workspace.pk}/users").status_code == 404
    assert (
        owner_api.post(f"/api/v1/workspace/{workspace.pk}/users", {"email": "x@example.com"})
    ).status_code == 405


def test_one_user_of_the_workspace(owner_api, outsider_api, workspace, member, outsider):
    response = owner_api.get(url(workspace, f"/users/{member.pk}"))
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["email"]) == (member.pk, member.email)
    assert owner_api.get(url(workspace, f"/users/{outsider.pk}")).status_code == 404
    assert outsider_api.get(url(workspace, f"/users/{member.pk}")).status_code == 404


# --- output: Clockify's shapes --------------------------------------------------------------


def test_task_shape_with_tracked_duration(owner_api, workspace, owner):
    project = ProjectFactory(workspace=workspace)
    task = TaskFactory(workspace=workspace, project=project)
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    for hours in (1, 2):
        EntryFactory(
            workspace=workspace,
            user=owner,
            project=project,
            task=task,
            start=start,
            seconds=hours * 3600,
        )
    listed = owner_api.get(url(workspace, f"/projects/{project.pk}/tasks")).json()
    assert listed[0]["duration"] == "PT3H" and listed[0]["estimate"] == "PT0S"
    assert listed[0]["assigneeId"] is None
    one = owner_api.get(url(workspace, f"/projects/{project.pk}")).json()
    assert one["duration"] == "PT3H"
    assert one["estimate"] == {"estimate": "PT0S", "type": "AUTO"}
    assert one["template"] is False


def test_an_entrys_embedded_project_without_client_has_empty_strings(owner_api, workspace, owner):
    project = ProjectFactory(workspace=workspace, client=None)
    EntryFactory(workspace=workspace, user=owner, project=project)
    (entry,) = owner_api.get(url(workspace, f"/user/{owner.pk}/time-entries?hydrated=true")).json()
    assert (entry["project"]["clientId"], entry["project"]["clientName"]) == ("", "")


def test_workspace_image_and_settings_are_strings(owner_api, workspace):
    body = owner_api.get(url(workspace)).json()
    assert body["imageUrl"] == ""
    settings = body["workspaceSettings"]
    for key in ("projectGroupingLabel", "lockTimeEntries", "timeZone"):
        assert isinstance(settings[key], str), key
    assert isinstance(settings["round"]["minutes"], str)
    assert settings["trackTimeDownToSecond"] is True


def test_deletes_answer_as_clockify_does(owner_api, workspace, owner):
    entry = EntryFactory(workspace=workspace, user=owner)
    response = owner_api.delete(url(workspace, f"/time-entries/{entry.pk}"))
    assert response.status_code == 204 and response.content == b""
    tag = TagFactory(workspace=workspace)
    response = owner_api.delete(url(workspace, f"/tags/{tag.pk}"))
    assert response.status_code == 200 and response.json()["id"] == tag.pk


def test_schema_documents_the_lenient_bodies(owner_api):
    schema = yaml.safe_load(owner_api.get("/api/schema/").content)
    components = schema["components"]["schemas"]
    entry_in = components["TimeEntryInRequest"]
    assert entry_in["additionalProperties"] is True
    assert "X-Ignored-Fields" in entry_in["description"]
    assert entry_in["properties"]["tags"]["description"].startswith("Clockify's legacy")
    assert entry_in["properties"]["start"]["nullable"] is True
    assert components["MoneyInputRequest"]["additionalProperties"] is True  # nested ones too
    task_in = components["TaskCreateInRequest"]["properties"]
    assert {"estimate", "billable", "assigneeId", "userGroupIds"} <= set(task_in)
    client_in = components["ClientCreateInRequest"]["properties"]
    assert {"email", "address"} <= set(client_in)
    create = schema["paths"]["/api/v1/workspaces/{ws}/clients"]["post"]
    assert "X-Ignored-Fields" in create["responses"]["201"]["headers"]
    assert "/api/v1/workspace/{ws}/users" in schema["paths"]


def test_an_admin_deactivates_and_reactivates_a_member_by_status(
    admin_api, member_api, outsider_api, workspace, member, owner
):
    path = url(workspace, f"/users/{member.pk}")
    response = admin_api.put(path, {"status": "INACTIVE"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "INACTIVE"
    assert Membership.objects.get(workspace=workspace, user=member).status == "INACTIVE"
    again = admin_api.put(path, {"membershipStatus": "INACTIVE"}, format="json")
    assert again.status_code == 200  # the same status again changes nothing
    response = admin_api.put(path, {"status": "ACTIVE", "email": None}, format="json")
    assert response.json()["status"] == "ACTIVE"
    assert admin_api.put(path, {"status": "GONE"}, format="json").status_code == 400
    assert admin_api.put(path, {}, format="json").status_code == 400
    assert member_api.put(path, {"status": "INACTIVE"}, format="json").status_code == 403
    owner_path = url(workspace, f"/users/{owner.pk}")
    assert admin_api.put(owner_path, {"status": "INACTIVE"}, format="json").status_code == 403
    assert outsider_api.put(path, {"status": "INACTIVE"}, format="json").status_code == 404
    assert Membership.objects.get(workspace=workspace, user=member).status == "ACTIVE"


def test_a_members_workspace_rate_is_set_by_the_clockify_path(
    admin_api, member_api, workspace, member
):
    path = url(workspace, f"/users/{member.pk}/hourly-rate")
    response = admin_api.put(path, {"amount": 4200, "currency": "USD"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == workspace.pk
    assert Membership.objects.get(workspace=workspace, user=member).hourly_rate_cents == 4200
    for bad in ({"amount": "42"}, {"amount": 1, "since": "2026-01-01T00:00:00Z"}, {}):
        assert admin_api.put(path, bad, format="json").status_code == 400, bad
    assert member_api.put(path, {"amount": 1}, format="json").status_code == 403
    assert admin_api.put(path, {"amount": None}, format="json").status_code == 200
    assert Membership.objects.get(workspace=workspace, user=member).hourly_rate_cents is None
