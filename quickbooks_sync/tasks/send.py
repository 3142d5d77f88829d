"""Celery tasks of the QuickBooks send: run a job, and resume jobs whose worker died.

The tasks own the retry policy; the work is quickbooks_sync.services.send. Both are safe to run
twice: a job's progress is in the database (items, the outbox of batches, the ledger), and a
second worker on the same job is turned away by its lease or, failing that, by the batch lock.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from quickbooks_sync.services.send import send_jobs_resume_due
from quickbooks_sync.services.send_batches import SendInterrupted
from quickbooks_sync.services.send_batches import send_give_up
from quickbooks_sync.services.send_batches import send_interrupted
from quickbooks_sync.services.send_batches import send_run

logger = logging.getLogger(__name__)

# One task run sends for at most this long, then hands the job to a fresh task (a big job never
# meets the time limits, and other jobs get a turn on the worker).
RUN_SECONDS = 10 * 60
MAX_RETRIES = 8
GAVE_UP = (
    "QuickBooks did not answer after repeated tries ({reason}). Nothing was sent twice: press "
    '"Retry failed" to send the rest; entries QuickBooks may already have are sent again with '
    "the same request id, so it answers what it already did."
)


@shared_task(
    # The name queued messages carry (kept from before tasks/ became a package).
    name="quickbooks_sync.tasks_send.send_job_run",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=RUN_SECONDS + 5 * 60,
    time_limit=RUN_SECONDS + 6 * 60,
)
def send_job_run(self, job_id: str) -> None:  # type: ignore[no-untyped-def]
    """Send a job's entries; retries with backoff while QBO fails transiently."""
    try:
        done = send_run(job_id=job_id, max_seconds=RUN_SECONDS)
    except SoftTimeLimitExceeded:
        done = False  # the lease is released; carry on in a fresh task
    except SendInterrupted as exc:
        # Counted in the database, not in the message: a run started by the resume task counts
        # too, so a job facing a QBO that never recovers stops after MAX_RETRIES runs.
        countdown = min(
            float(settings.QBO_SEND_BACKOFF_SECONDS) * 2 ** (self.request.retries + 3), 600.0
        )
        if send_interrupted(job_id=job_id, retry_in=countdown) > MAX_RETRIES:
            if send_give_up(job_id=job_id, error=GAVE_UP.format(reason=exc)):
                logger.error("QBO send %s gave up: %s", job_id, exc)
            else:
                logger.warning("QBO send %s: another worker holds it; not giving up", job_id)
            return
        raise self.retry(countdown=countdown, max_retries=None) from exc
    if not done:
        send_job_run.delay(job_id)


@shared_task(
    name="quickbooks_sync.tasks_send.send_jobs_resume",  # the name the beat schedule uses
    acks_late=True,
    time_limit=120,
)
def send_jobs_resume() -> int:
    """Periodic (Celery beat): start again the jobs nobody is running (a killed worker, a lost
    message). Several copies of a job's task are harmless: the lease lets one through."""
    job_ids = send_jobs_resume_due()
    for job_id in job_ids:
        logger.warning("QBO send %s has no live worker: resuming it", job_id)
        send_job_run.delay(job_id)
    return len(job_ids)
