"""Webhooks: managing them (admins only) and the outbox that delivers their events.

- `change_record` receives tracking's and workspaces' change signals *inside* the change's
  transaction and writes one Delivery row per matching webhook there, so a rolled-back change
  leaves no delivery, and a committed one always has its rows. Once the transaction commits,
  each delivery is queued for a Celery worker (`webhooks.tasks.webhook_deliver`); a periodic
  task re-queues deliveries whose message was lost.
- `delivery_attempt` makes one HTTP POST of a delivery. A 2xx answer delivers it; anything
  else (another status, a timeout, a refused connection) is retried after
  WEBHOOKS_BACKOFF_SECONDS, doubling, until WEBHOOKS_MAX_ATTEMPTS; then the delivery has
  failed. After WEBHOOKS_DISABLE_AFTER_FAILURES failed deliveries in a row the webhook is
  disabled and the workspace's owner and admins are told by e-mail (and the audit log).
- Delivery is at least once: an answer lost after the receiver acted leads to another attempt
  with the same event id (`Clockify-Webhook-Event-Id`), on which receivers de-duplicate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.db.models import Model
from django.utils import timezone

from webhooks.models import Attempt
from webhooks.models import Delivery
from webhooks.models import Webhook
from webhooks.payloads import payload_for
from webhooks.payloads import trigger_ids
from webhooks.ssrf import webhook_url_check
from workspaces.access import require_role
from workspaces.access import require_same_workspace
from workspaces.errors import ApplicationError
from workspaces.models import Membership
from workspaces.models import Workspace
from workspaces.services import audit_log_record

logger = logging.getLogger(__name__)

# Clockify's webhook events for what the product has.
EVENTS = (
    "NEW_TIME_ENTRY",
    "NEW_TIMER_STARTED",
    "TIMER_STOPPED",
    "TIME_ENTRY_UPDATED",
    "TIME_ENTRY_DELETED",
    "NEW_PROJECT",
    "PROJECT_UPDATED",
    "PROJECT_DELETED",
    "NEW_CLIENT",
    "CLIENT_UPDATED",
    "CLIENT_DELETED",
    "NEW_TASK",
    "TASK_UPDATED",
    "TASK_DELETED",
    "NEW_TAG",
    "TAG_UPDATED",
    "TAG_DELETED",
    "NEW_APPROVAL_REQUEST",
    "APPROVAL_REQUEST_STATUS_UPDATED",
    "USER_JOINED_WORKSPACE",
    "USER_DEACTIVATED_ON_WORKSPACE",
    "USER_ACTIVATED_ON_WORKSPACE",
    "USER_DELETED_FROM_WORKSPACE",
)
MAX_WEBHOOKS_PER_WORKSPACE = 50
MAX_TRIGGER_SOURCES = 100
SIGNATURE_HEADER = "Clockify-Signature"
EVENT_TYPE_HEADER = "Clockify-Webhook-Event-Type"
EVENT_ID_HEADER = "Clockify-Webhook-Event-Id"
HMAC_HEADER = "Clockify-Webhook-Signature-256"


# --- managing webhooks ----------------------------------------------------------------------


def _clean(
    *,
    workspace: Workspace,
    name: str,
    url: str,
    event: str,
    source_type: str,
    source_ids: Sequence[str],
) -> dict[str, Any]:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ApplicationError("Give the webhook a name of 1 to 100 characters.", field="name")
    url = (url or "").strip()
    if len(url) > 2000:
        raise ApplicationError("The URL can be at most 2000 characters.", field="url")
    webhook_url_check(url)
    if event not in EVENTS:
        raise ApplicationError(f"Unknown webhook event {event[:64]!r}.", field="webhookEvent")
    if source_type not in Webhook.SourceType.values:
        raise ApplicationError(
            "triggerSourceType must be one of " + ", ".join(Webhook.SourceType.values) + ".",
            field="triggerSourceType",
        )
    ids = list(dict.fromkeys(source_ids))
    if len(ids) > MAX_TRIGGER_SOURCES:
        raise ApplicationError("Give at most 100 trigger sources.", field="triggerSource")
    if source_type == Webhook.SourceType.WORKSPACE_ID:
        ids = [workspace.pk]
    elif not ids:
        raise ApplicationError(
            "Give the ids the webhook is limited to in triggerSource.", field="triggerSource"
        )
    else:
        _check_source_ids(workspace, source_type, ids)
    return {
        "name": name,
        "url": url,
        "event": event,
        "trigger_source_type": source_type,
        "trigger_source": ids,
    }


def _check_source_ids(workspace: Workspace, source_type: str, ids: list[str]) -> None:
    from tracking.models import Project
    from tracking.models import Tag
    from tracking.models import Task

    if source_type == Webhook.SourceType.USER_ID:
        found = set(
            Membership.objects.filter(workspace=workspace, user_id__in=ids).values_list(
                "user_id", flat=True
            )
        )
    else:
        model: type[Model] = {"PROJECT_ID": Project, "TAG_ID": Tag, "TASK_ID": Task}[source_type]
        found = set(
            model._default_manager.filter(workspace_id=workspace.pk, pk__in=ids).values_list(
                "pk", flat=True
            )
        )
    missing = [i for i in ids if i not in found]
    if missing:
        raise ApplicationError(
            f"{missing[0][:24]} is not one of this workspace's {source_type[:-3].lower()}s.",
            field="triggerSource",
        )


@transaction.atomic
def webhook_create(
    *,
    actor: Membership,
    name: str,
    url: str,
    event: str,
    source_type: str = Webhook.SourceType.WORKSPACE_ID,
    source_ids: Sequence[str] = (),
) -> Webhook:
    require_role(actor, Membership.Role.ADMIN)
    workspace = actor.workspace
    if Webhook.objects.filter(workspace=workspace).count() >= MAX_WEBHOOKS_PER_WORKSPACE:
        raise ApplicationError(
            f"A workspace can have at most {MAX_WEBHOOKS_PER_WORKSPACE} webhooks."
        )
    fields = _clean(
        workspace=workspace,
        name=name,
        url=url,
        event=event,
        source_type=source_type,
        source_ids=source_ids,
    )
    webhook = Webhook.objects.create(workspace=workspace, created_by=actor.user, **fields)
    audit_log_record(
        workspace=workspace,
        actor=actor.user,
        event="webhook.created",
        target=webhook.url,
        details={"name": webhook.name, "event": webhook.event},
    )
    return webhook


@transaction.atomic
def webhook_update(
    *,
    actor: Membership,
    webhook: Webhook,
    name: str,
    url: str,
    event: str,
    source_type: str,
    source_ids: Sequence[str],
    enabled: bool | None = None,
) -> Webhook:
    """Change a webhook; `enabled=True` turns a disabled one back on (its failure count
    starts again), False turns it off."""
    require_role(actor, Membership.Role.ADMIN)
    _require_own(actor, webhook)
    fields = _clean(
        workspace=actor.workspace,
        name=name,
        url=url,
        event=event,
        source_type=source_type,
        source_ids=source_ids,
    )
    for key, value in fields.items():
        setattr(webhook, key, value)
    if enabled is not None and enabled != webhook.enabled:
        webhook.enabled = enabled
        webhook.failures_in_a_row = 0
        webhook.disabled_reason = "" if enabled else f"Turned off by {actor.user.full_name}."
    webhook.save()
    audit_log_record(
        workspace=actor.workspace,
        actor=actor.user,
        event="webhook.changed",
        target=webhook.url,
        details={"name": webhook.name, "event": webhook.event, "enabled": webhook.enabled},
    )
    return webhook


@transaction.atomic
def webhook_delete(*, actor: Membership, webhook: Webhook) -> None:
    require_role(actor, Membership.Role.ADMIN)
    _require_own(actor, webhook)
    audit_log_record(
        workspace=actor.workspace,
        actor=actor.user,
        event="webhook.deleted",
        target=webhook.url,
        details={"name": webhook.name, "event": webhook.event},
    )
    webhook.delete()


@transaction.atomic
def webhook_secret_regenerate(*, actor: Membership, webhook: Webhook) -> Webhook:
    from webhooks.models import new_webhook_secret

    require_role(actor, Membership.Role.ADMIN)
    _require_own(actor, webhook)
    webhook.secret = new_webhook_secret()
    webhook.save(update_fields=["secret"])
    return webhook


def _require_own(actor: Membership, webhook: Webhook) -> None:
    require_same_workspace(actor, webhook, what="Webhook")


# --- the outbox -----------------------------------------------------------------------------


def change_record(
    sender: Any, *, event: str, workspace_id: str, instance: Model, **_: Any
) -> list[Delivery]:
    """Receiver of tracking's and workspaces' change signals, inside the change's transaction:
    a Delivery row per enabled webhook of the workspace that wants this event and whose
    trigger sources match; queued for delivery once the transaction commits."""
    hooks = list(Webhook.objects.filter(workspace_id=workspace_id, event=event, enabled=True))
    if not hooks:
        return []
    ids = trigger_ids(instance)
    matching = [
        h
        for h in hooks
        if h.trigger_source_type == Webhook.SourceType.WORKSPACE_ID
        or set(h.trigger_source) & ids.get(h.trigger_source_type, set())
    ]
    if not matching:
        return []
    workspace = Workspace.objects.get(pk=workspace_id)
    body = json.dumps(payload_for(instance, workspace), ensure_ascii=False, separators=(",", ":"))
    deliveries = Delivery.objects.bulk_create(
        [Delivery(workspace_id=workspace_id, webhook=h, event=event, body=body) for h in matching]
    )
    delivery_ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: deliveries_enqueue(delivery_ids))
    return deliveries


def deliveries_enqueue(delivery_ids: Sequence[str], countdown: float = 0) -> None:
    from webhooks.tasks import webhook_deliver

    for delivery_id in delivery_ids:
        webhook_deliver.apply_async(args=(delivery_id,), countdown=countdown)


def signature_of(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post(webhook: Webhook, delivery: Delivery) -> tuple[int | None, str]:
    """POST the delivery: (status code or None, error text)."""
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Timetracker-Webhooks/1.0",
        SIGNATURE_HEADER: webhook.secret,
        HMAC_HEADER: signature_of(webhook.secret, body),
        EVENT_TYPE_HEADER: delivery.event,
        EVENT_ID_HEADER: delivery.pk,
    }
    try:
        webhook_url_check(webhook.url)
        response = requests.post(
            webhook.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except ApplicationError as exc:
        return None, exc.message[:300]
    except requests.Timeout:
        return None, f"No answer within {settings.WEBHOOKS_TIMEOUT_SECONDS:g} s."
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {exc}"[:300]
    response.close()
    return response.status_code, "" if response.ok else f"Answered {response.status_code}."


def delivery_attempt(*, delivery_id: str) -> float | None:
    """Make one attempt of a due, pending delivery, holding its row locked (so two workers
    never send it at once). Returns the seconds to wait before the next attempt, or None when
    this message has nothing more to do (delivered, failed for good, not due yet, or being
    attempted by another worker right now)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook")
            .filter(pk=delivery_id, state=Delivery.State.PENDING)
            .first()
        )
        if delivery is None:
            return None
        now = timezone.now()
        if delivery.next_attempt_at > now + dt.timedelta(seconds=1):
            return None  # early: the message queued for its time (or the resume task) runs it
        webhook = delivery.webhook
        if not webhook.enabled:
            delivery.state, delivery.finished_at = Delivery.State.FAILED, now
            delivery.save(update_fields=["state", "finished_at"])
            return None
        started = time.monotonic()
        status_code, error = _post(webhook, delivery)
        took = int((time.monotonic() - started) * 1000)
        Attempt.objects.create(
            workspace_id=delivery.workspace_id,
            delivery=delivery,
            webhook=webhook,
            status_code=status_code,
            duration_ms=took,
            error=error,
        )
        delivery.attempts += 1
        if status_code is not None and 200 <= status_code < 300:
            delivery.state, delivery.finished_at = Delivery.State.DELIVERED, timezone.now()
            delivery.save(update_fields=["state", "attempts", "finished_at"])
            if webhook.failures_in_a_row:
                Webhook.objects.filter(pk=webhook.pk).update(failures_in_a_row=0)
            return None
        if delivery.attempts < settings.WEBHOOKS_MAX_ATTEMPTS:
            wait = settings.WEBHOOKS_BACKOFF_SECONDS * 2 ** (delivery.attempts - 1)
            delivery.next_attempt_at = timezone.now() + dt.timedelta(seconds=wait)
            delivery.save(update_fields=["attempts", "next_attempt_at"])
            return float(wait)
        delivery.state, delivery.finished_at = Delivery.State.FAILED, timezone.now()
        delivery.save(update_fields=["state", "attempts", "finished_at"])
        _failure_count(webhook, error)
        return None


def _failure_count(webhook: Webhook, error: str) -> None:
    Webhook.objects.filter(pk=webhook.pk).update(failures_in_a_row=F("failures_in_a_row") + 1)
    webhook.refresh_from_db(fields=["failures_in_a_row", "enabled"])
    limit = settings.WEBHOOKS_DISABLE_AFTER_FAILURES
    if not webhook.enabled or webhook.failures_in_a_row < limit:
        return
    reason = f"Disabled after {webhook.failures_in_a_row} failed deliveries in a row ({error})"
    webhook.enabled = False
    webhook.disabled_reason = reason[:300]
    webhook.save(update_fields=["enabled", "disabled_reason"])
    audit_log_record(
        workspace=webhook.workspace,
        actor=None,
        event="webhook.disabled",
        target=webhook.url,
        details={"name": webhook.name, "reason": webhook.disabled_reason},
    )
    transaction.on_commit(lambda: _tell_admins(webhook))


def _tell_admins(webhook: Webhook) -> None:
    admins = Membership.objects.filter(
        workspace_id=webhook.workspace_id,
        role__in=[Membership.Role.OWNER, Membership.Role.ADMIN],
        status=Membership.Status.ACTIVE,
    ).select_related("user")
    recipients = [m.user.email for m in admins]
    if not recipients:
        return
    page = f"{settings.SITE_URL.rstrip('/')}/w/{webhook.workspace_id}/settings/webhooks/"
    try:
        send_mail(
            subject=f"Webhook “{webhook.name}” was disabled",
            message=(
                f"The webhook “{webhook.name}” ({webhook.event}, {webhook.url}) of "
                f"{webhook.workspace.name} was disabled: {webhook.disabled_reason}.\n\n"
                f"Check the receiver, then turn the webhook back on: {page}\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
    except OSError:
        logger.exception("Could not e-mail the admins about disabled webhook %s", webhook.pk)


def deliveries_resume(*, older_than_seconds: float) -> list[str]:
    """Queue again the pending deliveries that are overdue by more than `older_than_seconds`
    (their message was lost: a worker died, the broker was flushed)."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    ids = list(
        Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lt=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
    deliveries_enqueue(ids)
    return ids


def deliveries_prune(*, older_than_days: int) -> int:
    """Forget finished deliveries (and their attempts) older than `older_than_days`: the log
    shows recent ones, and the outbox must not grow forever."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    deleted, _ = (
        Delivery.objects.filter(finished_at__lt=cutoff)
        .exclude(state=Delivery.State.PENDING)
        .delete()
    )
    return deleted
