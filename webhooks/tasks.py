"""Celery tasks of webhooks: deliver one event (retrying with backoff), and re-queue overdue
deliveries whose message was lost. Logic lives in webhooks/services.py."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from webhooks import services


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def webhook_deliver(delivery_id: str) -> None:
    wait = services.delivery_attempt(delivery_id=delivery_id)
    if wait is not None:
        services.deliveries_enqueue([delivery_id], countdown=wait)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def webhook_deliveries_resume() -> int:
    """Re-queue overdue deliveries; forget finished ones past WEBHOOKS_KEEP_DAYS."""
    services.deliveries_prune(older_than_days=settings.WEBHOOKS_KEEP_DAYS)
    return len(services.deliveries_resume(older_than_seconds=settings.WEBHOOKS_RESUME_SECONDS))
