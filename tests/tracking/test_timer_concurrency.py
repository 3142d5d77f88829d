"""Two timer starts at the same moment on PostgreSQL leave exactly one running timer."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db import connections

from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.factories import WorkspaceFactory
from tracking.models import TimeEntry
from tracking.services.entries import timer_start
from workspaces.models import Membership


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("running_before", [False, True])
def test_two_concurrent_starts_leave_one_running_timer(running_before):
    if connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL (set DATABASE_URL).")
    workspace = WorkspaceFactory.create()
    user = UserFactory.create()
    MembershipFactory.create(workspace=workspace, user=user)
    if running_before:
        membership = Membership.objects.select_related("workspace", "user").get(user=user)
        timer_start(membership=membership, description="already running")

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    started: list[TimeEntry] = []

    def start(name: str) -> None:
        try:
            membership = Membership.objects.select_related("workspace", "user").get(user=user)
            barrier.wait(timeout=10)
            started.append(timer_start(membership=membership, description=name))
        except BaseException as exc:  # reported below, on the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start, args=(n,)) for n in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert errors == []
    assert len(started) == 2
    running = list(TimeEntry.objects.filter(user=user, end=None))
    assert len(running) == 1
    # The other start's timer was stopped, not lost.
    descriptions = set(TimeEntry.objects.filter(user=user).values_list("description", flat=True))
    assert {"A", "B"} <= descriptions
    assert TimeEntry.objects.filter(user=user).count() == (3 if running_before else 2)
