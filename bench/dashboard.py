"""The dashboard (the landing page) on the benchmark workspace of a million entries.

    .venv/bin/python bench/dashboard.py [--rounds 15] [--entries 1000000] [--reload]
    .venv/bin/python bench/dashboard.py --smoke      # a small private database, one round

Uses its own PostgreSQL database `tt_bench_dashboard` (server from BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/), loaded once by `manage.py bench_load_workspace` (200
members, 2,000 projects under 300 clients, over three years, up to today) and kept for the
next run; --reload loads it again. `--smoke` runs every case once on `tt_bench_dashboard_smoke`,
loaded afresh with 3,000 entries, to prove the script works, not to measure.

Cases, each the page's GET through the real view as the owner (`django.test.Client`, in this
process, rendered), after one warm-up, `--rounds` times in turn: this week, last week and this
month for everyone; this month for one member (the admin's filter); this week as that member
(their own dashboard). Some timers are left running so "Tracking now" has rows. The stated
limit: every median under 100 ms. Each line says how much of it waited on the database, over
how many queries. A reference line measures the Detailed report (last month, everyone: the
first case of bench/reports_detailed.py, whose limit is the same 100 ms) in the same rounds,
so a loaded machine shows as a slow reference. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_database  # noqa: E402

DB_NAME = "tt_bench_dashboard"
SMOKE_DB_NAME = "tt_bench_dashboard_smoke"
SMOKE_ENTRIES = 3000
MEDIAN_LIMIT_MS = 100.0
RUNNING_TIMERS = 20
REFERENCE = "(reference) Detailed report, last month, everyone"


def prepare_database(name: str, entries: int, reload: bool, *, members: int = 200) -> None:
    """Create and load `name` unless it already holds a benchmark workspace."""
    conn = bench_database.server_connection()
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cur.fetchone() is not None
    conn.close()
    env = {**os.environ, "DATABASE_URL": bench_database.database_url(name)}
    env.setdefault("QBO_ALLOW_EMULATOR", "true")
    manage = [sys.executable, str(ROOT / "manage.py")]
    if exists and not reload:
        import psycopg2

        with psycopg2.connect(bench_database.database_url(name)) as db, db.cursor() as cur:
            cur.execute(
                "SELECT to_regclass('tracking_timeentry') IS NOT NULL"
                " AND EXISTS (SELECT 1 FROM workspaces_workspace"
                "             WHERE name = 'Benchmark workspace')"
            )
            row = cur.fetchone()
        if row and row[0]:
            # Code newer than the data: bring the schema up to date, keep the rows.
            subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
            return
    env["DATABASE_URL"] = bench_database.recreate_database(name)
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    load = [*manage, "bench_load_workspace", "--entries", str(entries)]
    if members != 200:
        load += ["--members", str(members), "--projects", "40", "--clients", "8", "--years", "1"]
    subprocess.run(load, cwd=ROOT, env=env, check=True)


def setup_django(name: str) -> None:
    bench_database.django_setup(name)
    from django.conf import settings

    # Without DEBUG the hashed-name static storage wants `collectstatic`'s manifest; the
    # benchmark measures the page, not static file names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def start_timers(workspace_id: str) -> None:
    """Leave RUNNING_TIMERS members' timers running (idempotent: each member has one at most)."""
    from django.utils import timezone

    from tracking.models import TimeEntry
    from workspaces.models import Membership

    running = set(
        TimeEntry.objects.filter(workspace_id=workspace_id, end__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    users = Membership.objects.filter(workspace_id=workspace_id).order_by("user_id")
    for user_id in users.values_list("user_id", flat=True)[:RUNNING_TIMERS]:
        if user_id not in running:
            TimeEntry.objects.create(
                workspace_id=workspace_id,
                user_id=user_id,
                start=timezone.now() - dt.timedelta(minutes=30),
                description="Benchmark timer",
            )


def timed(fn: Callable[[], Any]) -> tuple[float, float, int]:
    """(wall ms, database ms, queries) of one call."""
    from django.db import connection

    waited = [0.0]
    queries = [0]

    def clock(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        queries[0] += 1
        try:
            return execute(sql, params, many, context)
        finally:
            waited[0] += time.perf_counter() - began

    began = time.perf_counter()
    with connection.execute_wrapper(clock):
        fn()
    return (time.perf_counter() - began) * 1000, waited[0] * 1000, queries[0]


def run(rounds: int, out: Callable[[str], None] = print) -> list[dict[str, Any]]:
    from django.test import Client
    from django.urls import reverse

    from workspaces.models import Membership, Workspace

    workspace = Workspace.objects.filter(name="Benchmark workspace").latest("created_at")
    owner = Membership.objects.get(workspace=workspace, role=Membership.Role.OWNER).user
    member = (
        Membership.objects.filter(workspace=workspace, role=Membership.Role.MEMBER)
        .select_related("user")
        .order_by("user__full_name")
        .first()
    )
    assert member is not None
    start_timers(workspace.pk)
    url = reverse("dashboard:home", kwargs={"ws": workspace.pk})
    owner_client, member_client = Client(), Client()
    owner_client.force_login(owner)
    member_client.force_login(member.user)

    def page(client: Client, query: dict[str, Any]) -> Callable[[], Any]:
        def go() -> None:
            response = client.get(url, query)
            assert response.status_code == 200, response.status_code

        return go

    cases: dict[str, Callable[[], Any]] = {
        "this week, everyone": page(owner_client, {}),
        "last week, everyone": page(owner_client, {"range": "last_week"}),
        "this month, everyone": page(owner_client, {"range": "this_month"}),
        "this month, one member": page(
            owner_client, {"range": "this_month", "member": member.user_id}
        ),
        "this week, as a member": page(member_client, {}),
    }
    today = dt.date.today()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    detailed_url = reverse("reports:detailed", kwargs={"ws": workspace.pk})
    month = {"start": last_month_end.replace(day=1).isoformat(), "end": last_month_end.isoformat()}

    def reference() -> None:
        response = owner_client.get(detailed_url, month)
        assert response.status_code == 200, response.status_code

    cases[REFERENCE] = reference
    for fn in cases.values():
        fn()  # warm-up (and the first visit's active-workspace write)
    times: dict[str, list[tuple[float, float, int]]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            times[name].append(timed(fn))
    figures = []
    for name, values in times.items():
        median = statistics.median(v[0] for v in values)
        figure = {
            "case": name,
            "ms": median,
            "db_ms": statistics.median(v[1] for v in values),
            "queries": values[0][2],
        }
        figures.append(figure)
        verdict = "ok" if median < MEDIAN_LIMIT_MS else "OVER THE LIMIT"
        title = name if name == REFERENCE else f"Dashboard, {name}"
        out(
            f"{title:<50} median {median:6.1f} ms (of it SQL {figure['db_ms']:5.1f} ms"
            f" in {figure['queries']:>2} queries)  limit {MEDIAN_LIMIT_MS:.0f} ms  {verdict}"
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--reload", action="store_true", help="drop and load the data again")
    parser.add_argument("--smoke", action="store_true", help="a small private database, 1 round")
    args = parser.parse_args()
    if args.smoke:
        prepare_database(SMOKE_DB_NAME, SMOKE_ENTRIES, reload=True, members=10)
        setup_django(SMOKE_DB_NAME)
        rounds = 1
    else:
        prepare_database(DB_NAME, args.entries, args.reload)
        setup_django(DB_NAME)
        rounds = args.rounds
    from tracking.models import TimeEntry

    print(f"{TimeEntry.objects.count():,} entries; median of {rounds} rounds")
    run(rounds)


if __name__ == "__main__":
    main()
