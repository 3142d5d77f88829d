"""The benchmark's bulk loader (manage.py bench_load_workspace) run small, and the report
benchmark (bench/reports_detailed.py) run once on its data, so neither can rot."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import itertools
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from django.core.management import CommandError
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from reports.filters import parse_detailed_filters
from reports.selectors import detailed_totals
from tracking.models import Client
from tracking.models import Project
from tracking.models import Tag
from tracking.models import Task
from tracking.models import TimeEntry
from tracking.models import TimeEntryTag
from tracking.services.rates import rate_for
from workspaces.models import Membership
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

SIZES = {"entries": 900, "members": 6, "projects": 12, "clients": 4, "tags": 5, "years": 1}


def load(**sizes: int) -> tuple[Workspace, str]:
    out = io.StringIO()
    call_command("bench_load_workspace", **{**SIZES, **sizes}, stdout=out)
    workspace_id = out.getvalue().strip().splitlines()[-1].split()[0].removeprefix("workspace=")
    return Workspace.objects.get(pk=workspace_id), out.getvalue()


def test_loads_the_sizes_asked_for_with_valid_data():
    workspace, output = load()
    assert "900 entries" in output
    ws = workspace.pk
    roles = Counter(Membership.objects.filter(workspace_id=ws).values_list("role", flat=True))
    assert roles == {"OWNER": 1, "ADMIN": 3, "MEMBER": 2}
    assert Client.objects.filter(workspace_id=ws).count() == 4
    assert Project.objects.filter(workspace_id=ws, client__workspace_id=ws).count() == 12
    assert Task.objects.filter(workspace_id=ws, project__workspace_id=ws).count() == 36
    assert Tag.objects.filter(workspace_id=ws).count() == 5

    entries = list(
        TimeEntry.objects.filter(workspace_id=ws).select_related("project", "task", "user")
    )
    assert len(entries) == 900
    members = set(Membership.objects.filter(workspace_id=ws).values_list("user_id", flat=True))
    now = timezone.now()
    for e in entries:
        assert e.end is not None and e.end > e.start  # finished, in order
        assert e.duration_seconds == (e.end - e.start).total_seconds()
        assert 300 <= e.duration_seconds <= 3 * 3600
        assert now - dt.timedelta(days=366) <= e.start and e.end <= now + dt.timedelta(days=1)
        assert e.user_id in members
        assert e.task is None or e.task.project_id == e.project_id
        assert e.project is None or e.project.workspace_id == ws
        assert e.currency == workspace.currency
    # A member's entries never overlap: each starts after the previous one ends.
    by_user: dict[str, list[TimeEntry]] = {}
    for e in sorted(entries, key=lambda e: e.start):
        by_user.setdefault(e.user_id, []).append(e)
    for rows in by_user.values():
        assert all(a.end <= b.start for a, b in itertools.pairwise(rows))
    # Rates follow the product's hierarchy (task > project > member > workspace).
    for e in entries[:40]:
        expected = rate_for(workspace=workspace, user=e.user, project=e.project, task=e.task)
        assert e.hourly_rate_cents == expected
    # A mix, as reports need: billable or not, with or without project, task and tags.
    assert {e.billable for e in entries} == {True, False}
    assert any(e.project is None for e in entries) and any(e.task for e in entries)
    tags_per_entry = Counter(
        TimeEntryTag.objects.filter(workspace_id=ws)
        .values("time_entry_id")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    assert set(tags_per_entry) == {1, 2, 3}
    assert 0 < sum(tags_per_entry.values()) < 900  # some entries have no tag

    owner = Membership.objects.get(workspace_id=ws, role=Membership.Role.OWNER)
    year = parse_detailed_filters(
        {
            "start": [(now - dt.timedelta(days=400)).date().isoformat()],
            "end": [(now + dt.timedelta(days=1)).date().isoformat()],
        },
        user=owner.user,
    )
    totals = detailed_totals(membership=owner, filters=year)
    assert totals.entry_count == 900
    assert totals.total_seconds == sum(e.duration_seconds or 0 for e in entries)


def test_two_loads_make_two_workspaces_and_bad_sizes_are_refused():
    first, _ = load(entries=50)
    second, _ = load(entries=50)
    assert first.pk != second.pk
    assert TimeEntry.objects.filter(workspace=second).count() == 50
    with pytest.raises(CommandError, match="--members must be at least 1"):
        call_command("bench_load_workspace", members=0, stdout=io.StringIO())


def bench_module() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "bench" / "reports_detailed.py"
    spec = importlib.util.spec_from_file_location("bench_reports_detailed", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_report_benchmark_runs_and_its_sql_gives_the_reports_answer(settings):
    """One round of every case on a small load: the hand-written SQL must agree with the
    selectors (the benchmark checks it), and every route answers."""
    settings.API_THROTTLE_RATE_PER_SECOND = 0
    load(entries=1500, members=5)
    bench = bench_module()
    found = bench.find_bench()
    bench.check_same_answer(found)
    lines: list[str] = []
    figures = bench.run(found, rounds=1, out=lines.append)
    assert [(f["case"].split(",")[0], f["route"]) for f in figures] == [
        *[("Dashboard", "page")] * 4,
        ("Detailed", "page"),
        ("Detailed", "api"),
        ("Detailed", "page"),
        ("Detailed", "api"),
        ("Summary", "page"),
    ]
    dashboard, reports = figures[:4], figures[4:]
    assert all(f["django_ms"] > 0 and f["sql_ms"] > 0 and f["queries"] > 0 for f in reports)
    assert all(f["django_ms"] > 0 and f["queries"] > 0 for f in dashboard)
    assert all("ratio" in line for line in lines[4:])
    assert all("limit 100 ms" in line for line in lines[:4])
