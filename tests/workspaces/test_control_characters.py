"""Control characters (C0: ESC, \\x01, ...) at the service layer: every name refuses them with a
message saying which character and what to do; descriptions and notes, often pasted, lose them
(tab and line feed stay there). Pages and the API show the services' refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import membership_of
from tests.tracking.factories import ClientFactory
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tests.tracking.factories import TaskFactory
from tracking.models import Client
from tracking.models import WeekApproval
from tracking.services import approvals
from tracking.services import catalog
from tracking.services import entries
from workspaces import services
from workspaces.errors import ApplicationError
from workspaces.services_api_keys import api_key_create

pytestmark = pytest.mark.django_db

ESC = "\x1b"


def _refused(call, field: str, what: str) -> None:
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.field == field
    assert what in caught.value.message
    assert "escape (U+001B)" in caught.value.message or "U+0001" in caught.value.message


def test_every_name_refuses_control_characters(workspace, owner, admin):
    actor = membership_of(workspace, owner)
    project = ProjectFactory(workspace=workspace, name="Site")
    client = ClientFactory(workspace=workspace, name="Globex")
    task = TaskFactory(workspace=workspace, project=project, name="Design")
    tag = TagFactory(workspace=workspace, name="urgent")
    bad = f"Evil{ESC}[2J"
    _refused(lambda: catalog.client_create(actor=actor, name=bad), "name", "client's name")
    _refused(
        lambda: catalog.client_update(actor=actor, client=client, name=bad, note=""),
        "name",
        "client's name",
    )
    _refused(lambda: catalog.project_create(actor=actor, name=bad), "name", "project's name")
    _refused(
        lambda: catalog.task_create(actor=actor, project=project, name="A\x01b"),
        "name",
        "task's name",
    )
    _refused(
        lambda: catalog.task_update(
            actor=actor,
            task=task,
            name=bad,
            status=task.status,
            hourly_rate_cents=None,
            assignees=[],
        ),
        "name",
        "task's name",
    )
    _refused(lambda: catalog.tag_create(actor=actor, name=bad), "name", "tag's name")
    _refused(lambda: catalog.tag_update(actor=actor, tag=tag, name=bad), "name", "tag's name")
    _refused(
        lambda: services.workspace_update(
            actor=actor, name=bad, currency="USD", time_zone="UTC", hourly_rate_cents=0
        ),
        "name",
        "workspace name",
    )
    _refused(lambda: services.workspace_create(user=owner, name=bad), "name", "workspace name")
    _refused(lambda: services.profile_name_change(user=admin, full_name=bad), "full_name", "name")
    _refused(
        lambda: services.user_signup(email="new@example.com", password="x" * 20, full_name=bad),
        "full_name",
        "name",
    )
    _refused(lambda: api_key_create(user=owner, name=bad), "name", "key's name")
    with pytest.raises(ApplicationError) as caught:
        services.invitation_create(actor=actor, email=f"new{ESC}@example.com")
    assert caught.value.field == "email"
    for model_name, obj in (("client", client), ("task", task), ("tag", tag)):
        obj.refresh_from_db()
        assert ESC not in obj.name, model_name
    workspace.refresh_from_db()
    assert workspace.name == "Acme Consulting"


def test_descriptions_and_notes_lose_control_characters_but_keep_tab_and_line_feed(
    workspace, owner, member
):
    actor = membership_of(workspace, owner)
    client = catalog.client_create(actor=actor, name="Globex", note=f"Line 1\r\nLine{ESC}[1m 2\t!")
    assert client.note == "Line 1\nLine[1m 2\t!"
    project = catalog.project_create(actor=actor, name="Site", note="a\x01b")
    assert project.note == "ab"
    mine = membership_of(workspace, member)
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    entry = entries.time_entry_create(
        membership=mine,
        start=start,
        end=start + dt.timedelta(hours=1),
        description=f"Fix{ESC}[31m login\x07",
    )
    entry.refresh_from_db()
    assert entry.description == "Fix[31m login"
    entries.time_entry_update(membership=mine, entry=entry, description="Two\x00 lines\nok")
    entry.refresh_from_db()
    assert entry.description == "Two lines\nok"
    timer = entries.timer_start(membership=mine, description=f"{ESC}Running")
    assert timer.description == "Running"
    entries.timer_stop(membership=mine)
    approval = approvals.week_submit(membership=mine, week_start=start.date())
    rejected = approvals.week_reject(
        membership=actor, approval_id=approval.pk, note=f"Fix{ESC} Tuesday"
    )
    assert WeekApproval.objects.get(pk=rejected.pk).note == "Fix Tuesday"


def test_a_page_and_the_api_show_the_refusal(workspace, owner, owner_client):
    page = owner_client.post(
        reverse("tracking:tag_create", kwargs={"ws": workspace.pk}), {"name": f"a{ESC}b"}
    )
    assert page.status_code in (200, 400)
    assert "invisible character" in page.content.decode()
    api = APIClient()
    api.credentials(HTTP_X_API_KEY=api_key_create(user=owner, name="script").key)
    response = api.post(
        f"/api/v1/workspaces/{workspace.pk}/clients", {"name": f"Acme{ESC}"}, format="json"
    )
    assert response.status_code == 400
    assert "escape (U+001B)" in response.json()["message"]
    assert not Client.objects.filter(workspace=workspace).exists()
