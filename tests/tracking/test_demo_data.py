"""The demo data `make run` loads: realistic, consistent with the rules, loaded once."""

from __future__ import annotations

from django.core.management import call_command
from django.db.models import Count
from django.db.models import F

from tracking.demo import CATALOG
from tracking.demo import DEMO_PASSWORD
from tracking.demo import DEMO_WORKSPACE
from tracking.demo import PEOPLE
from tracking.models import Project
from tracking.models import TimeEntry
from tracking.services.rates import rate_for
from workspaces.models import Membership
from workspaces.models import Workspace


def test_seed_demo_builds_a_consistent_workspace_once(db):
    call_command("seed_demo")
    call_command("seed_demo")  # a second run keeps what is there
    workspace = Workspace.objects.get(name=DEMO_WORKSPACE)
    assert Workspace.objects.filter(name=DEMO_WORKSPACE).count() == 1
    assert workspace.plan == Workspace.Plan.STANDARD  # QuickBooks can be tried at once

    memberships = Membership.objects.filter(workspace=workspace).select_related("user")
    roles = {m.user.full_name: m.role for m in memberships}
    assert roles == {p.name: p.role for p in PEOPLE}
    assert list(roles.values()).count(Membership.Role.OWNER) == 1
    assert all(m.user.check_password(DEMO_PASSWORD) for m in memberships)

    projects = Project.objects.filter(workspace=workspace)
    assert projects.count() == sum(len(v) for v in CATALOG.values())
    assert projects.filter(client__isnull=True).exists()  # a project without a client too

    entries = TimeEntry.objects.filter(workspace=workspace)
    first, last = entries.order_by("start").first(), entries.order_by("-start").first()
    assert first and last and (last.start - first.start).days >= 80  # about three months
    per_user = entries.values("user").annotate(n=Count("id"))
    assert len(per_user) == len(PEOPLE) and min(r["n"] for r in per_user) > 100
    assert not entries.filter(end__isnull=True).exists()
    # Stored durations and rates obey the same rules as entries saved through the services.
    for entry in entries.select_related("project", "task", "user").order_by("?")[:200]:
        assert entry.end is not None
        assert entry.duration_seconds == int((entry.end - entry.start).total_seconds())
        assert entry.billable == entry.project.billable
        assert entry.hourly_rate_cents == rate_for(
            workspace=workspace, user=entry.user, project=entry.project, task=entry.task
        )
    assert not entries.exclude(task__project=F("project")).exclude(task__isnull=True).exists()
