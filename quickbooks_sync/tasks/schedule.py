"""Celery task of the send schedule (run by beat every QBO_SCHEDULE_CHECK_SECONDS): start the
runs that are due, then tell the admins about the runs that settled. Safe to run twice at once:
a slot's run is recorded under a unique constraint, and a run is settled under a row lock."""

from __future__ import annotations

from celery import shared_task

from quickbooks_sync.services.schedule import scheduled_sends_report
from quickbooks_sync.services.schedule import send_schedules_run_due


@shared_task(
    name="quickbooks_sync.tasks.send_schedules_run",  # the name the beat schedule uses
    acks_late=True,
    soft_time_limit=9 * 60,
    time_limit=10 * 60,
)
def send_schedules_run() -> int:
    """Start the scheduled sends due now; e-mail what finished runs refused. The runs started."""
    runs = send_schedules_run_due()
    scheduled_sends_report()
    return len(runs)
