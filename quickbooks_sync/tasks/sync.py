"""Celery task of a sync job (a sync, or creating missing users or customers): it takes the job's
id, calls the service, and owns the retry policy.

A job is a SyncJob row: the task reads its state from the database, so a message delivered
twice (acks_late, a worker lost mid-job) runs the job once more harmlessly. A job whose worker
died is re-run by the next "Sync" press (services.sync.STALE_AFTER); a job whose message never
reached the broker is enqueued by the periodic sync_jobs_resume once the broker is back.
"""

from __future__ import annotations

import logging

from celery import Task
from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from quickbooks_sync.qbo.errors import QBOError
from quickbooks_sync.qbo.errors import QBOThrottled
from quickbooks_sync.services import sync as sync_services
from quickbooks_sync.services.sync import sync_job_fail
from quickbooks_sync.services.sync import sync_job_waiting
from quickbooks_sync.services.sync import sync_run

logger = logging.getLogger(__name__)

MAX_RETRIES = 4
RETRY_BASE_SECONDS = 5  # 5, 10, 20, 40 s: a short outage passes, a long one fails the job


def retry_delay(error: QBOError, retries: int) -> float:
    """Seconds to wait before the next attempt: QBO's 60 s after a throttle (Intuit's "API
    call limits and throttles"), exponential backoff after a server error or timeout."""
    if isinstance(error, QBOThrottled):
        return error.retry_after_seconds
    return float(RETRY_BASE_SECONDS * 2**retries)


@shared_task(
    # The name queued messages carry (kept from before tasks/ became a package).
    name="quickbooks_sync.tasks.sync_job_run",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=20 * 60,
    time_limit=25 * 60,
)
def sync_job_run(self: Task[[str], None], job_id: str) -> None:
    """Run a sync or create-missing job; retry what QuickBooks may answer later."""
    try:
        sync_run(job_id=job_id)
    except QBOError as exc:
        if self.request.retries < MAX_RETRIES:
            delay = retry_delay(exc, self.request.retries)
            sync_job_waiting(
                job_id=job_id, message=f"{exc.human_message} Trying again in {delay:.0f} s."
            )
            raise self.retry(exc=exc, countdown=delay) from exc
        logger.warning("QBO job %s failed after %s retries: %s", job_id, MAX_RETRIES, exc.code)
        sync_job_fail(job_id=job_id, message=exc.human_message)
    except SoftTimeLimitExceeded:
        sync_job_fail(
            job_id=job_id,
            message="The job took too long and was stopped. Press Sync to try again.",
        )
    except Exception:
        # A bug: the job must not look busy until it goes stale. The traceback is logged.
        logger.exception("QBO job %s crashed", job_id)
        sync_job_fail(
            job_id=job_id,
            message="The job stopped on an unexpected error (it was logged). Press Sync to "
            "try again; if it happens again, tell your administrator.",
        )
        raise


@shared_task(
    name="quickbooks_sync.tasks.sync_jobs_resume",  # the name the beat schedule uses
    acks_late=True,
    time_limit=120,
)
def sync_jobs_resume() -> int:
    """Periodic (beat): enqueue the jobs that were queued while the broker was away."""
    return sync_services.sync_jobs_resume()
