"""Webhook deliveries end to end: a real Celery worker POSTs to a real receiver process.

Every event the product sends arrives, in the API's shape, with the webhook's secret in
Clockify-Signature, an HMAC of the body and an event id; a 500 and a timeout are retried with
the same event id; a rolled-back change sends nothing; a webhook that keeps failing is turned
off and the admins are told.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tests.api.conftest import api_client_for
from tests.factories import UserFactory
from tests.quickbooks_sync.worker_process import REDIS_URL
from tests.quickbooks_sync.worker_process import Worker
from tests.quickbooks_sync.worker_process import database_url
from tests.quickbooks_sync.worker_process import running_worker
from tests.tracking.factories import ProjectFactory
from tracking.models import Tag
from tracking.services import approvals
from tracking.services import catalog
from tracking.services import entries
from webhooks.models import Attempt
from webhooks.models import Delivery
from webhooks.models import Webhook
from webhooks.services import EVENTS
from workspaces.models import AuditLog
from workspaces.models import Membership
from workspaces.services import invitation_accept
from workspaces.services import invitation_create
from workspaces.services import membership_deactivate
from workspaces.services import membership_reactivate
from workspaces.services import membership_remove

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT_SECONDS = 1


def worker_env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
        "CELERY_BROKER_URL": REDIS_URL,
        "REDIS_URL": REDIS_URL,
        "EMAIL_URL": "consolemail://",
        # The receiver is on loopback: the operator's setting that allows it.
        "WEBHOOKS_ALLOW_PRIVATE_URLS": "true",
        "WEBHOOKS_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
        "WEBHOOKS_BACKOFF_SECONDS": "0.3",
        "WEBHOOKS_MAX_ATTEMPTS": "3",
        "WEBHOOKS_DISABLE_AFTER_FAILURES": "2",
        # The periodic task (the worker runs beat) re-queues deliveries overdue by a second.
        "WEBHOOKS_RESUME_SECONDS": "1",
    }


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Worker]:
    """One worker for the module, on the test database (set up first)."""
    with running_worker(tmp_path_factory.mktemp("worker"), worker_env(), concurrency=2) as w:
        yield w


def hook(workspace, user, event: str, address: str) -> Webhook:
    return Webhook.objects.create(
        workspace=workspace, created_by=user, name=event, url=address, event=event
    )


def wait_until(check, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_every_event_arrives_signed_in_the_api_shape(
    worker, receiver, workspace, owner, member, admin
):
    hooks = {e: hook(workspace, owner, e, f"{receiver.base_url}/ok?e={e}") for e in EVENTS}
    owner_m = Membership.objects.get(user=owner, workspace=workspace)
    member_m = Membership.objects.get(user=member, workspace=workspace)
    api = api_client_for(owner)
    ws = f"/api/v1/workspaces/{workspace.pk}"

    client = catalog.client_create(actor=owner_m, name="Acme", email="ap@acme.example")
    catalog.client_update(actor=owner_m, client=client, name="Acme Inc", note="")
    project = catalog.project_create(actor=owner_m, name="Apollo", client=client)
    catalog.project_archive(actor=owner_m, project=project, archived=False)
    task = catalog.task_create(actor=owner_m, project=project, name="Design")
    catalog.task_update(
        actor=owner_m,
        task=task,
        name="Design",
        status="DONE",
        hourly_rate_cents=None,
        assignees=[],
    )
    tag = catalog.tag_create(actor=owner_m, name="urgent")
    catalog.tag_update(actor=owner_m, tag=tag, name="urgent!")
    timer = entries.timer_start(membership=member_m, project_id=project.pk, tag_ids=[tag.pk])
    entries.timer_stop(membership=member_m)
    start = timezone.now() - dt.timedelta(days=8)
    manual = entries.time_entry_create(
        membership=member_m, start=start, end=start + dt.timedelta(hours=1), description="Spec"
    )
    entries.time_entry_update(membership=member_m, entry=manual, description="Spec v2")
    expected_entry = api.get(f"{ws}/time-entries/{manual.pk}").json()
    approval = approvals.week_submit(membership=member_m, week_start=start.date())
    approvals.week_approve(membership=owner_m, approval_id=approval.pk)
    timer_id = timer.pk
    entries.time_entry_delete(membership=owner_m, entry=timer)
    spare = catalog.task_create(
        actor=owner_m, project=ProjectFactory(workspace=workspace), name="T"
    )
    catalog.task_delete(actor=owner_m, task=spare)
    catalog.tag_delete(actor=owner_m, tag=catalog.tag_create(actor=owner_m, name="spare"))
    gone = catalog.project_create(actor=owner_m, name="Gone")
    catalog.project_delete(actor=owner_m, project=gone)
    catalog.client_delete(actor=owner_m, client=catalog.client_create(actor=owner_m, name="Gone"))
    newcomer = UserFactory(email="newcomer@example.com")
    invitation = invitation_create(actor=owner_m, email="newcomer@example.com")
    joined = invitation_accept(invitation=invitation, user=newcomer)
    membership_deactivate(actor=owner_m, membership=joined)
    membership_reactivate(actor=owner_m, membership=joined)
    membership_remove(actor=owner_m, membership=joined)

    twice = {"NEW_CLIENT", "NEW_PROJECT", "NEW_TASK", "NEW_TAG"}
    expected = {event: 2 if event in twice else 1 for event in EVENTS}
    got = receiver.wait_for(sum(expected.values()), path="/ok")
    wait_until(lambda: not Delivery.objects.exclude(state="DELIVERED").exists())
    by_event: dict[str, list[dict]] = {}
    for request in receiver.requests():
        by_event.setdefault(request["path"].split("e=", 1)[1], []).append(request)
    assert {event: len(requests) for event, requests in by_event.items()} == expected
    assert len(got) == sum(expected.values())
    for event, requests in by_event.items():
        for request in requests:
            headers = {k.lower(): v for k, v in request["headers"].items()}
            assert headers["clockify-signature"] == hooks[event].secret
            assert headers["clockify-webhook-event-type"] == event
            mac = hmac.new(hooks[event].secret.encode(), request["body"].encode(), hashlib.sha256)
            assert headers["clockify-webhook-signature-256"] == "sha256=" + mac.hexdigest()
            assert Delivery.objects.get(pk=headers["clockify-webhook-event-id"]).event == event

    def body(event: str, index: int = -1) -> dict:
        return json.loads(by_event[event][index]["body"])

    assert body("NEW_CLIENT", 0)["email"] == "ap@acme.example"
    assert body("CLIENT_UPDATED")["name"] == "Acme Inc"
    assert body("NEW_PROJECT", 0)["clientName"] == "Acme Inc"
    assert body("NEW_TASK", 0)["estimate"] == "PT0S"
    assert body("TASK_UPDATED")["status"] == "DONE"
    assert body("TAG_UPDATED")["name"] == "urgent!"
    assert body("NEW_TIMER_STARTED")["timeInterval"]["end"] is None
    assert body("NEW_TIMER_STARTED")["tagIds"] == [tag.pk]
    assert body("TIMER_STOPPED")["timeInterval"]["end"] is not None
    updated = body("TIME_ENTRY_UPDATED")
    assert {k: updated[k] for k in expected_entry} == expected_entry
    assert body("TIME_ENTRY_DELETED")["id"] == timer_id
    assert body("NEW_APPROVAL_REQUEST")["status"]["state"] == "PENDING"
    assert body("APPROVAL_REQUEST_STATUS_UPDATED")["status"]["state"] == "APPROVED"
    assert body("USER_JOINED_WORKSPACE")["email"] == "newcomer@example.com"
    assert body("USER_DEACTIVATED_ON_WORKSPACE")["memberships"][0]["membershipStatus"] == (
        "INACTIVE"
    )
    assert body("USER_DELETED_FROM_WORKSPACE")["id"] == newcomer.pk


def test_a_500_and_a_timeout_are_retried_with_the_same_event_id(worker, receiver, workspace, owner):
    owner_m = Membership.objects.get(user=owner, workspace=workspace)
    failing = hook(workspace, owner, "NEW_TAG", f"{receiver.base_url}/seq/500,200")
    slow = hook(workspace, owner, "NEW_CLIENT", f"{receiver.base_url}/seq/sleep,200")
    catalog.tag_create(actor=owner_m, name="retry me")
    catalog.client_create(actor=owner_m, name="Slow Ltd")

    for webhook, path in ((failing, "/seq/500"), (slow, "/seq/sleep")):
        got = receiver.wait_for(2, path=path)
        ids = [
            {k.lower(): v for k, v in r["headers"].items()}["clockify-webhook-event-id"]
            for r in got
        ]
        assert len(ids) == 2 and ids[0] == ids[1]
        assert got[0]["body"] == got[1]["body"]
        wait_until(lambda w=webhook: Delivery.objects.get(webhook=w).state == "DELIVERED")
        attempts = list(Attempt.objects.filter(webhook=webhook).order_by("at"))
        assert [a.succeeded for a in attempts] == [False, True]
    first_failing, first_slow = (
        Attempt.objects.filter(webhook=w).order_by("at").first() for w in (failing, slow)
    )
    assert first_failing.status_code == 500
    assert first_slow.status_code is None and "No answer" in first_slow.error
    assert first_slow.duration_ms >= TIMEOUT_SECONDS * 1000


def test_a_rolled_back_change_sends_nothing(worker, receiver, workspace, owner):
    owner_m = Membership.objects.get(user=owner, workspace=workspace)
    hook(workspace, owner, "NEW_TAG", f"{receiver.base_url}/tags")
    with pytest.raises(RuntimeError), transaction.atomic():
        catalog.tag_create(actor=owner_m, name="never")
        raise RuntimeError("rolled back")
    catalog.tag_create(actor=owner_m, name="kept")
    assert len(receiver.wait_for(1, path="/tags")) == 1
    time.sleep(1.5)  # room for a wrong second delivery to arrive
    assert [json.loads(r["body"])["name"] for r in receiver.requests()] == ["kept"]
    assert list(Tag.objects.values_list("name", flat=True)) == ["kept"]
    assert Delivery.objects.count() == 1


def test_a_webhook_that_keeps_failing_is_turned_off_and_admins_told(
    worker, receiver, workspace, owner, admin
):
    owner_m = Membership.objects.get(user=owner, workspace=workspace)
    broken = hook(workspace, owner, "NEW_TAG", f"{receiver.base_url}/seq/503")
    for name in ("one", "two"):
        catalog.tag_create(actor=owner_m, name=name)
    wait_until(lambda: not Webhook.objects.get(pk=broken.pk).enabled)
    broken.refresh_from_db()
    assert "2 failed deliveries in a row" in broken.disabled_reason
    assert Attempt.objects.filter(webhook=broken).count() == 6  # 2 deliveries x 3 attempts
    assert set(Delivery.objects.values_list("state", flat=True)) == {"FAILED"}
    assert AuditLog.objects.filter(event="webhook.disabled").exists()
    wait_until(lambda: "was disabled" in worker.output())
    assert admin.email in worker.output() and owner.email in worker.output()
    catalog.tag_create(actor=owner_m, name="three")
    time.sleep(1)
    assert len(receiver.requests()) == 6 and Delivery.objects.count() == 2


def test_a_delivery_whose_message_was_lost_is_sent_by_the_periodic_task(
    worker, receiver, workspace, owner
):
    webhook = hook(workspace, owner, "NEW_TAG", f"{receiver.base_url}/lost")
    # An outbox row whose queue message never made it (a worker died, the broker was flushed).
    delivery = Delivery.objects.create(
        workspace=workspace,
        webhook=webhook,
        event="NEW_TAG",
        body='{"id": "lost"}',
        next_attempt_at=timezone.now() - dt.timedelta(seconds=5),
    )
    (request,) = receiver.wait_for(1, path="/lost")
    assert request["body"] == '{"id": "lost"}'
    wait_until(lambda: Delivery.objects.get(pk=delivery.pk).state == "DELIVERED")
