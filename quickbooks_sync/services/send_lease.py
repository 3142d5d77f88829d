"""A send job's lease: which worker runs the job, and its heartbeat.

A worker claims the job, shows life while it sends (`beat`, and `sleep` that beats), and lets go
when it stops (`release`). A job whose heartbeat is older than QBO_SEND_STALE_SECONDS is anyone's:
another worker (or the resume task) takes it over, and the old holder learns it at its next beat
(`LeaseLost`) and stops. The outbox keeps a takeover safe anyway: a batch is sent again only with
its own request id.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from quickbooks_sync.models import SendJob


def stale_after() -> timedelta:
    return timedelta(seconds=settings.QBO_SEND_STALE_SECONDS)


def lease_live(job: SendJob, now: datetime) -> bool:
    """A worker holds the job and showed life within the stale time."""
    return bool(
        job.lease_owner and job.heartbeat_at is not None and job.heartbeat_at > now - stale_after()
    )


class Lease:
    """This run's hold on a job. Another worker may take the job over when the heartbeat is
    stale; then `beat()` says so and this run stops (the outbox keeps that safe anyway)."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.owner = uuid.uuid4().hex

    def claim(self) -> SendJob | None:
        with transaction.atomic():
            job = SendJob.objects.select_for_update().filter(pk=self.job_id).first()
            if job is None or not job.is_active:
                return None
            now = timezone.now()
            if lease_live(job, now):
                return None
            job.lease_owner = self.owner
            job.heartbeat_at = now
            job.state = SendJob.State.RUNNING
            job.started_at = job.started_at or now
            job.error = ""  # WORKERS_UNREACHABLE, if the broker was away when it was queued
            job.save(update_fields=["lease_owner", "heartbeat_at", "state", "started_at", "error"])
            return job

    def beat(self) -> bool:
        return bool(
            SendJob.objects.filter(
                pk=self.job_id, lease_owner=self.owner, state=SendJob.State.RUNNING
            ).update(heartbeat_at=timezone.now())
        )

    def release(self) -> None:
        """Let the next try take the job at once (the heartbeat stays: a released job that
        nobody takes is resumed once it is stale)."""
        SendJob.objects.filter(pk=self.job_id, lease_owner=self.owner).update(lease_owner="")

    def sleep(self, seconds: float) -> None:
        """Wait, showing life every few seconds; LeaseLost when another worker took over."""
        deadline = time.monotonic() + seconds
        step = max(0.2, stale_after().total_seconds() / 4)
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, step))
            if not self.beat():
                raise LeaseLost


class LeaseLost(Exception):
    """Another worker took the job over (this one looked dead): stop, it carries on."""
