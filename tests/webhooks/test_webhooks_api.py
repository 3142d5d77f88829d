"""The webhooks resource (Clockify's shape), who may manage it, SSRF refusals, and the outbox:
a Delivery row per matching webhook written in the change's own transaction."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import transaction
from django.utils import timezone

from tests.api.conftest import api_client_for
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import TagFactory
from tracking.models import Project
from tracking.services import catalog
from tracking.services import entries
from webhooks.models import Delivery
from webhooks.models import Webhook
from workspaces.models import AuditLog
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


def url(workspace, rest: str = "") -> str:
    return f"/api/v1/workspaces/{workspace.pk}/webhooks{rest}"


def create(api, workspace, **body):
    body = {"name": "Hook", "url": "http://127.0.0.1:9/hook", "webhookEvent": "NEW_TAG", **body}
    return api.post(url(workspace), body, format="json")


def test_admin_creates_reads_updates_and_deletes_a_webhook(admin, workspace):
    api = api_client_for(admin)
    response = create(api, workspace, name="Tags", triggerSourceType=None, foo=1)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "Tags",
        "url": "http://127.0.0.1:9/hook",
        "webhookEvent": "NEW_TAG",
        "triggerSourceType": "WORKSPACE_ID",
        "triggerSource": [workspace.pk],
        "enabled": True,
        "authToken": body["authToken"],
        "userId": admin.pk,
        "workspaceId": workspace.pk,
        "webhookCreatedAt": body["webhookCreatedAt"],
        "disabledReason": "",
    }
    assert len(body["authToken"]) >= 32 and response["X-Ignored-Fields"] == "foo"
    assert api.get(url(workspace)).json() == {"workspaceWebhookCount": 1, "webhooks": [body]}
    project = ProjectFactory(workspace=workspace)
    response = api.put(
        url(workspace, f"/{body['id']}"),
        {"triggerSourceType": "PROJECT_ID", "triggerSource": [project.pk], "name": None},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["triggerSource"], response.json()["name"]) == ([project.pk], "Tags")
    token = api.patch(url(workspace, f"/{body['id']}/token")).json()["authToken"]
    assert token != body["authToken"]
    assert api.delete(url(workspace, f"/{body['id']}")).status_code == 200
    assert not Webhook.objects.exists()
    events = set(AuditLog.objects.values_list("event", flat=True))
    assert {"webhook.created", "webhook.changed", "webhook.deleted"} <= events


def test_the_list_is_clockifys_envelope_of_every_webhook_not_a_page(admin, workspace):
    api = api_client_for(admin)
    assert api.get(url(workspace)).json() == {"workspaceWebhookCount": 0, "webhooks": []}
    for name in ("B", "A", "C"):
        assert create(api, workspace, name=name).status_code == 201
    response = api.get(url(workspace) + "?page=2&page-size=1")
    body = response.json()
    assert body["workspaceWebhookCount"] == 3 and "Last-Page" not in response
    assert [w["name"] for w in body["webhooks"]] == ["A", "B", "C"]


def test_members_get_403_and_other_workspaces_404(member, outsider, owner, workspace):
    hook = create(api_client_for(owner), workspace).json()
    member_api = api_client_for(member)
    assert member_api.get(url(workspace)).status_code == 403
    assert create(member_api, workspace).status_code == 403
    assert member_api.delete(url(workspace, f"/{hook['id']}")).status_code == 403
    outsider_api = api_client_for(outsider)
    assert outsider_api.get(url(workspace)).status_code == 404
    assert outsider_api.get(url(workspace, f"/{hook['id']}")).status_code == 404
    assert Webhook.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"webhookEvent": "NEW_INVOICE"}, "webhookEvent"),
        ({"url": "ftp://example.com/x"}, "http"),
        ({"url": "http://user:pw@example.com/x"}, "password"),
        ({"name": ""}, "name"),
        ({"triggerSourceType": "PROJECT_ID"}, "triggerSource"),
        ({"triggerSourceType": "PROJECT_ID", "triggerSource": ["a" * 24]}, "not one of"),
        ({"triggerSourceType": "CLIENT_ID", "triggerSource": ["a" * 24]}, "triggerSourceType"),
    ],
)
def test_bad_webhooks_are_refused(owner, workspace, body, message):
    response = create(api_client_for(owner), workspace, **body)
    assert response.status_code == 400 and message in response.json()["message"]
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_private_and_local_urls_are_refused_unless_the_operator_allows_them(
    owner, workspace, settings, address
):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    response = create(api_client_for(owner), workspace, url=address)
    assert response.status_code == 400, response.content
    assert "private or local network" in response.json()["message"]
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    assert create(api_client_for(owner), workspace, url=address).status_code == 201


def _hook(workspace, user, event, **fields) -> Webhook:
    return Webhook.objects.create(
        workspace=workspace,
        created_by=user,
        name=event,
        url="http://127.0.0.1:9/",
        event=event,
        **fields,
    )


def test_a_change_writes_its_deliveries_in_its_own_transaction(
    owner, workspace, django_capture_on_commit_callbacks
):
    actor = Membership.objects.get(user=owner, workspace=workspace)
    hook = _hook(workspace, owner, "NEW_TAG")
    _hook(workspace, owner, "NEW_CLIENT")
    with django_capture_on_commit_callbacks() as callbacks:
        tag = catalog.tag_create(actor=actor, name="urgent")
    (delivery,) = Delivery.objects.all()
    assert (delivery.webhook_id, delivery.event, delivery.state) == (hook.pk, "NEW_TAG", "PENDING")
    assert (
        json.loads(delivery.body)
        == api_client_for(owner).get(f"/api/v1/workspaces/{workspace.pk}/tags/{tag.pk}").json()
    )
    assert len(callbacks) == 1  # the queueing, once committed

    with pytest.raises(RuntimeError), transaction.atomic():
        catalog.tag_create(actor=actor, name="rolled back")
        raise RuntimeError
    assert Delivery.objects.count() == 1


def test_trigger_sources_limit_which_changes_are_sent(owner, member, workspace):
    actor = Membership.objects.get(user=member, workspace=workspace)
    wanted, other = ProjectFactory(workspace=workspace), ProjectFactory(workspace=workspace)
    tag = TagFactory(workspace=workspace)
    by_project = _hook(
        workspace,
        owner,
        "NEW_TIMER_STARTED",
        trigger_source_type="PROJECT_ID",
        trigger_source=[wanted.pk],
    )
    by_user = _hook(
        workspace,
        owner,
        "NEW_TIMER_STARTED",
        trigger_source_type="USER_ID",
        trigger_source=[owner.pk],
    )
    by_tag = _hook(
        workspace,
        owner,
        "NEW_TIMER_STARTED",
        trigger_source_type="TAG_ID",
        trigger_source=[tag.pk],
    )
    everything = _hook(workspace, owner, "NEW_TIMER_STARTED")
    entries.timer_start(membership=actor, project_id=other.pk)
    entries.timer_start(membership=actor, project_id=wanted.pk, tag_ids=[tag.pk])
    sent = sorted(Delivery.objects.values_list("webhook_id", flat=True))
    assert sent == sorted([everything.pk, everything.pk, by_project.pk, by_tag.pk])
    assert by_user.pk not in sent


def test_a_disabled_webhook_gets_nothing(owner, workspace):
    actor = Membership.objects.get(user=owner, workspace=workspace)
    _hook(workspace, owner, "NEW_PROJECT", enabled=False)
    catalog.project_create(actor=actor, name="Apollo")
    assert Project.objects.count() == 1 and not Delivery.objects.exists()


def test_deleted_objects_are_sent_as_they_were(owner, workspace):
    actor = Membership.objects.get(user=owner, workspace=workspace)
    _hook(workspace, owner, "TIME_ENTRY_DELETED")
    tag = TagFactory(workspace=workspace, name="billed")
    entry = entries.time_entry_create(
        membership=actor,
        start=timezone.now() - dt.timedelta(hours=2),
        end=timezone.now() - dt.timedelta(hours=1),
        description="Gone soon",
        tag_ids=[tag.pk],
    )
    entry_id = entry.pk
    entries.time_entry_delete(membership=actor, entry=entry)
    body = json.loads(Delivery.objects.get().body)
    assert (body["id"], body["description"], body["tagIds"]) == (entry_id, "Gone soon", [tag.pk])
    assert body["tags"][0]["name"] == "billed" and body["user"]["id"] == owner.pk


def test_finished_deliveries_are_forgotten_after_the_keeping_period(owner, workspace):
    from webhooks.models import Attempt
    from webhooks.services import deliveries_prune

    webhook = _hook(workspace, owner, "NEW_TAG")
    now = timezone.now()
    old, recent, waiting = (
        Delivery.objects.create(
            workspace=workspace,
            webhook=webhook,
            event="NEW_TAG",
            body="{}",
            state=state,
            finished_at=finished,
        )
        for state, finished in (
            ("DELIVERED", now - dt.timedelta(days=31)),
            ("FAILED", now - dt.timedelta(days=29)),
            ("PENDING", None),
        )
    )
    Attempt.objects.create(workspace=workspace, delivery=old, webhook=webhook, status_code=200)
    assert deliveries_prune(older_than_days=30) == 2  # the delivery and its attempt
    assert set(Delivery.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not Attempt.objects.exists()
