"""Send and Sync pressed while the Celery broker is down: the job is committed and queued, the
page and the API say so (302 to the job page, 202 with the job; not a 500), and once the broker
is back a real worker's beat (the resume tasks) starts the jobs by themselves. The broker is a
redis-server of the test's own, stopped and started inside the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from quickbooks_sync.models import SendBatch
from quickbooks_sync.models import SendJob
from quickbooks_sync.models import SyncJob
from tests.api.conftest import api_client_for
from tests.quickbooks_sync.connection_helpers import emulator_marks
from tests.quickbooks_sync.send_helpers import landed
from tests.quickbooks_sync.send_helpers import ledger_of
from tests.quickbooks_sync.send_helpers import link_member
from tests.quickbooks_sync.send_helpers import linked_project
from tests.quickbooks_sync.send_helpers import many_entries
from tests.quickbooks_sync.send_helpers import start_send
from tests.quickbooks_sync.send_helpers import wait_for_job
from tests.quickbooks_sync.send_helpers import wait_until
from tests.quickbooks_sync.worker_process import Worker
from tests.quickbooks_sync.worker_process import broker_for_this_process
from tests.quickbooks_sync.worker_process import worker_env
from tests.redis_process import PrivateRedis

pytestmark = emulator_marks(time_scale=60, transaction=True)

FILTER = "range=custom&start=2026-03-08&end=2026-03-12"


@pytest.fixture
def broker(tmp_path) -> Iterator[PrivateRedis]:
    """A private Redis as this process's broker, already stopped: the broker is down."""
    server = PrivateRedis(tmp_path).start()
    try:
        with broker_for_this_process(server.url(0)):
            server.stop()
            yield server
    finally:
        server.stop()


def test_send_and_sync_with_the_broker_down_are_queued_and_start_when_it_returns(
    workspace,
    owner,
    admin,
    member,
    owner_client,
    sandbox,
    linked_connection,
    realm,
    broker,
    tmp_path,
):
    web, _ = linked_project(workspace, sandbox, realm, "Website", parent="Acme")
    entries = many_entries(workspace, member, web, 5, tag="page")

    # The page: Send is confirmed, the job committed, and its page says it waits for workers.
    confirm = reverse("quickbooks:send_confirm", kwargs={"ws": workspace.pk})
    response = owner_client.post(f"{confirm}?{FILTER}")
    assert response.status_code == 302
    page_job = SendJob.objects.get(workspace=workspace)
    assert page_job.state == "QUEUED"
    job_page = owner_client.get(response["Location"]).content.decode()
    assert 'data-testid="qbo-send-queued"' in job_page
    assert "cannot be reached right now" in job_page and "starts by itself" in job_page

    # The API: the same, a 202 with the job.
    api = api_client_for(admin)
    base = f"/api/v1/workspaces/{workspace.pk}/quickbooks"
    more = many_entries(workspace, admin, web, 3, tag="api")
    link_member(workspace, admin, sandbox, realm)
    started = api.post(
        f"{base}/sends",
        {
            "dateRangeStart": "2026-03-08T00:00:00Z",
            "dateRangeEnd": "2026-03-13T00:00:00Z",
            "users": {"ids": [str(admin.pk)], "contains": "CONTAINS"},
        },
        format="json",
    )
    assert started.status_code == 202, started.content
    api_job = started.json()
    assert api_job["state"] == "QUEUED"
    assert "cannot be reached right now" in SendJob.objects.get(pk=api_job["id"]).error

    sync = api.post(f"{base}/sync")
    assert sync.status_code == 202, sync.content
    sync_job = SyncJob.objects.get(pk=sync.json()["id"])
    assert sync_job.state == "QUEUED" and "cannot be reached" in sync_job.stage
    sync_page = owner_client.get(
        reverse("quickbooks:sync_job", kwargs={"ws": workspace.pk, "job_id": sync_job.pk})
    ).content.decode()
    assert "cannot be reached right now" in sync_page

    # The broker comes back; a worker with beat starts all three without anyone pressing.
    broker.start()
    env = worker_env(sandbox, CELERY_BROKER_URL=broker.url(0))
    worker = Worker(tmp_path, env).start()
    try:
        for job_id in (page_job.pk, api_job["id"]):
            job = wait_for_job(job_id, worker=worker, timeout=90)
            assert job.state == "SUCCEEDED", job.error
            assert job.error == ""
        wait_until(lambda: SyncJob.objects.get(pk=sync_job.pk).state == "SUCCEEDED", timeout=60)
    finally:
        worker.stop()
    result = landed(sandbox, realm, entries + more, ledger_of(workspace))
    assert (result.missing, result.doubled, result.ledger_mismatch) == ([], [], [])


def test_a_rate_limiter_redis_that_goes_away_makes_the_send_task_retry_not_die(
    workspace, owner, member, sandbox, linked_connection, realm, tmp_path
):
    """The worker's limiter Redis (REDIS_URL) is down when the send starts; the task backs off
    and retries (the resume task is kept out of it: a 10-minute stale time), and the job
    finishes once that Redis is back."""
    web, _ = linked_project(workspace, sandbox, realm, "Website", parent="Acme")
    entries = many_entries(workspace, member, web, 4, tag="limiter")
    with PrivateRedis(tmp_path) as limiter_redis, broker_for_this_process():
        env = worker_env(
            sandbox,
            REDIS_URL=limiter_redis.url(0),
            QBO_SEND_STALE_SECONDS=600,
            QBO_SEND_MAX_TRIES=2,
        )
        limiter_redis.stop()
        worker = Worker(tmp_path, env, concurrency=1).start()
        try:
            job_id = start_send(workspace, owner)
            wait_until(lambda: SendJob.objects.get(pk=job_id).interruptions >= 2, timeout=60)
            assert SendJob.objects.get(pk=job_id).state == "RUNNING"
            assert SendBatch.objects.filter(
                job_id=job_id, last_error__contains="rate limiter's store (Redis)"
            ).exists()
            limiter_redis.start()
            job = wait_for_job(job_id, worker=worker, timeout=60)
            assert job.state == "SUCCEEDED", job.error
            assert "raised unexpected" not in worker.output()
        finally:
            worker.stop()
    result = landed(sandbox, realm, entries, ledger_of(workspace))
    assert (result.missing, result.doubled, result.ledger_mismatch) == ([], [], [])
