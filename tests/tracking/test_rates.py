"""The rate hierarchy: task, else project member, else project, else member, else workspace;
rates fixed at save, re-rated only by the explicit re-apply action."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import membership_of
from tests.tracking.factories import ProjectFactory
from tests.tracking.factories import ProjectMemberFactory
from tests.tracking.factories import TaskFactory
from tests.tracking.factories import TimeEntryFactory
from tracking.models import TimeEntry
from tracking.services.entries import time_entry_create
from tracking.services.entries import time_entry_update
from tracking.services.rates import rate_for
from tracking.services.rates import time_entries_reapply_rates
from workspaces.errors import ApplicationError
from workspaces.models import AuditLog
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def levels(workspace, member):
    """Every level set, so removing one at a time shows the next one down."""
    workspace.hourly_rate_cents = 1000
    workspace.save()
    Membership.objects.filter(workspace=workspace, user=member).update(hourly_rate_cents=2000)
    project = ProjectFactory.create(workspace=workspace, hourly_rate_cents=3000)
    project_member = ProjectMemberFactory.create(
        project=project, user=member, hourly_rate_cents=4000
    )
    task = TaskFactory.create(project=project, hourly_rate_cents=5000)
    return project, project_member, task


def test_task_rate_wins(workspace, member, levels):
    project, _, task = levels
    assert rate_for(workspace=workspace, user=member, project=project, task=task) == 5000


def test_project_member_rate_without_task_rate(workspace, member, levels):
    project, _, task = levels
    task.hourly_rate_cents = None
    task.save()
    assert rate_for(workspace=workspace, user=member, project=project, task=task) == 4000
    assert rate_for(workspace=workspace, user=member, project=project, task=None) == 4000


def test_project_rate_without_member_rate(workspace, member, levels):
    project, project_member, _ = levels
    project_member.hourly_rate_cents = None
    project_member.save()
    assert rate_for(workspace=workspace, user=member, project=project, task=None) == 3000


def test_project_member_rate_is_per_user(workspace, member, admin, levels):
    project, _, _ = levels
    # The admin has no rate on the project: the project's rate applies to them.
    assert rate_for(workspace=workspace, user=admin, project=project, task=None) == 3000


def test_member_rate_without_project_rate(workspace, member, levels):
    project, project_member, _ = levels
    project_member.delete()
    project.hourly_rate_cents = None
    project.save()
    assert rate_for(workspace=workspace, user=member, project=project, task=None) == 2000
    assert rate_for(workspace=workspace, user=member, project=None, task=None) == 2000


def test_workspace_rate_last(workspace, member, levels):
    Membership.objects.filter(workspace=workspace, user=member).update(hourly_rate_cents=None)
    assert rate_for(workspace=workspace, user=member, project=None, task=None) == 1000


def test_rate_and_currency_fixed_when_entry_saved(workspace, member, levels):
    project, _, task = levels
    workspace.currency = "EUR"
    workspace.save()
    ms = membership_of(workspace, member)
    start = timezone.now() - dt.timedelta(hours=3)
    entry = time_entry_create(
        membership=ms, start=start, duration_seconds=3600, project_id=project.pk, task_id=task.pk
    )
    assert (entry.hourly_rate_cents, entry.currency) == (5000, "EUR")

    # A rate change does not touch the saved entry, nor does editing its description...
    task.hourly_rate_cents = 9900
    task.save()
    time_entry_update(membership=ms, entry=entry, description="Still the old rate")
    entry.refresh_from_db()
    assert entry.hourly_rate_cents == 5000
    # ...but moving it to other work rates it anew.
    time_entry_update(membership=ms, entry=entry, task_id=None)
    entry.refresh_from_db()
    assert entry.hourly_rate_cents == 4000


def test_reapply_scopes(workspace, member, admin, levels):
    project, _, task = levels
    other_project = ProjectFactory.create(workspace=workspace, hourly_rate_cents=None)
    on_task = TimeEntryFactory.create(
        workspace=workspace, user=member, project=project, task=task, hourly_rate_cents=1
    )
    on_project = TimeEntryFactory.create(
        workspace=workspace, user=member, project=project, hourly_rate_cents=1
    )
    admins = TimeEntryFactory.create(
        workspace=workspace, user=admin, project=project, hourly_rate_cents=1
    )
    elsewhere = TimeEntryFactory.create(
        workspace=workspace, user=member, project=other_project, hourly_rate_cents=1
    )
    locked = TimeEntryFactory.create(
        workspace=workspace, user=member, project=project, hourly_rate_cents=1, is_locked=True
    )

    def rate(entry):
        return TimeEntry.objects.get(pk=entry.pk).hourly_rate_cents

    assert time_entries_reapply_rates(workspace=workspace, scope="task", task=task) == 1
    assert (rate(on_task), rate(on_project)) == (5000, 1)

    assert (
        time_entries_reapply_rates(
            workspace=workspace, scope="project_member", user=member, project=project
        )
        == 1
    )
    assert (rate(on_project), rate(admins)) == (4000, 1)

    assert time_entries_reapply_rates(workspace=workspace, scope="project", project=project) == 1
    assert rate(admins) == 3000
    assert rate(elsewhere) == 1

    assert time_entries_reapply_rates(workspace=workspace, scope="member", user=member) == 1
    assert rate(elsewhere) == 2000  # the member's own rate: the project has none
    # Locked entries keep their rate, whatever the scope.
    assert time_entries_reapply_rates(workspace=workspace, scope="workspace") == 0
    assert rate(locked) == 1


def test_reapply_rejects_unknown_scope_and_missing_target(workspace):
    with pytest.raises(ApplicationError):
        time_entries_reapply_rates(workspace=workspace, scope="everything")
    with pytest.raises(ApplicationError):
        time_entries_reapply_rates(workspace=workspace, scope="project")


def test_reapply_view_is_for_admins(workspace, member, admin, member_client, admin_client_):
    entry = TimeEntryFactory.create(workspace=workspace, user=member, hourly_rate_cents=1)
    url = reverse("tracking:rates_reapply", kwargs={"ws": workspace.pk})
    data = {"scope": "member", "user": member.pk, "next": "/somewhere/"}
    assert member_client.post(url, data).status_code == 403
    assert TimeEntry.objects.get(pk=entry.pk).hourly_rate_cents == 1

    response = admin_client_.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == "/somewhere/"
    assert TimeEntry.objects.get(pk=entry.pk).hourly_rate_cents == workspace.hourly_rate_cents
    log = AuditLog.objects.get(workspace=workspace, event="rates.reapplied")
    assert (log.actor, log.target, log.details) == (
        admin,
        member.full_name,
        {"scope": "member", "entries": 1},
    )


def test_reapply_view_refuses_other_workspaces_objects(
    workspace, admin_client_, other_workspace, outsider, outsider_client
):
    foreign_project = ProjectFactory.create(workspace=other_workspace)
    url = reverse("tracking:rates_reapply", kwargs={"ws": workspace.pk})
    response = admin_client_.post(url, {"scope": "project", "project": foreign_project.pk})
    assert response.status_code == 404
    response = admin_client_.post(url, {"scope": "member", "user": outsider.pk})
    assert response.status_code == 404
    assert outsider_client.post(url, {"scope": "workspace"}).status_code == 404


def test_reapply_view_ignores_offsite_next(workspace, admin_client_):
    url = reverse("tracking:rates_reapply", kwargs={"ws": workspace.pk})
    response = admin_client_.post(url, {"scope": "workspace", "next": "https://evil.example/"})
    assert response["Location"] == reverse("tracking:tracker", kwargs={"ws": workspace.pk})


def test_reapply_marks_rerated_entries_as_changed_and_nothing_else(workspace, member, levels):
    """A new rate is a change of the entry (updated_at moves: e.g. "changed since sent" to
    QuickBooks); entries already at the rate, and locked ones, keep their updated_at."""
    project, _, _ = levels
    long_ago = timezone.now() - dt.timedelta(days=30)
    rerated, at_rate, locked = (
        TimeEntryFactory.create(
            workspace=workspace,
            user=member,
            project=project,
            hourly_rate_cents=cents,
            is_locked=is_locked,
            updated_at=long_ago,
        )
        for cents, is_locked in ((1, False), (4000, False), (1, True))
    )

    assert time_entries_reapply_rates(workspace=workspace, scope="project", project=project) == 1

    def updated(entry):
        return TimeEntry.objects.get(pk=entry.pk).updated_at

    assert updated(rerated) > timezone.now() - dt.timedelta(minutes=1)
    assert updated(at_rate) == updated(locked) == long_ago
