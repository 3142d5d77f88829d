"""Celery task of a "what changed in QuickBooks" check: one ChangeDataCapture call for one
workspace (services.changes), retried while QuickBooks answers something a wait can cure."""

from __future__ import annotations

import logging

from celery import Task
from celery import shared_task

from quickbooks_sync.qbo.errors import QBOError
from quickbooks_sync.qbo.limiter import RateLimitTimeout
from quickbooks_sync.services.changes import change_check_failed
from quickbooks_sync.services.changes import change_check_run
from quickbooks_sync.services.connection import ConnectionUnavailable
from quickbooks_sync.tasks.sync import retry_delay

logger = logging.getLogger(__name__)

MAX_RETRIES = 3


@shared_task(
    name="quickbooks_sync.tasks.change_check_run",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=5 * 60,
    time_limit=6 * 60,
)
def change_check_run_task(self: Task[[str], None], workspace_id: str) -> None:
    try:
        change_check_run(workspace_id=workspace_id)
    except (ConnectionUnavailable, RateLimitTimeout) as exc:
        change_check_failed(workspace_id=workspace_id, message=exc.message)
    except QBOError as exc:
        if exc.retryable and self.request.retries < MAX_RETRIES:
            raise self.retry(exc=exc, countdown=retry_delay(exc, self.request.retries)) from exc
        logger.warning("QBO change check of %s failed: %s", workspace_id, exc.code)
        change_check_failed(
            workspace_id=workspace_id,
            message=f"QuickBooks did not answer the check: {exc.human_message}",
        )
    except Exception:
        logger.exception("QBO change check of %s crashed", workspace_id)
        change_check_failed(
            workspace_id=workspace_id,
            message="The check stopped on an unexpected error (it was logged). Try again.",
        )
        raise
