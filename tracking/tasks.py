"""Periodic work of the time domain (Celery). Logic lives in services; tasks call them."""

from __future__ import annotations

from celery import shared_task

from tracking.services.reminders import approval_reminders_send


@shared_task(acks_late=True, time_limit=15 * 60, soft_time_limit=14 * 60)
def approval_reminders() -> int:
    """Send the approval reminders due now (safe to run twice: each is recorded once)."""
    return approval_reminders_send()
