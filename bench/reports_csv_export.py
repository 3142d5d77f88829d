"""The Detailed report's CSV export of 100,000 rows: rows a second and peak memory.

    .venv/bin/python bench/reports_csv_export.py [--rows 100000] [--entries 1000000]
                                                 [--database tt_bench] [--smoke]

Uses the benchmark data of bench/reports_detailed.py (a private database loaded by
`manage.py bench_load_workspace`, with the same options). Picks the newest days of the
workspace that hold at least `--rows` entries, then exports them as the owner through the real view
(`GET .../reports/detailed/export.csv`, Django's test client, streamed) in a fresh child
process, reading the response as it streams. Memory is the child's peak resident set size
(`ru_maxrss`: Python, Django and the export together), printed beside the same figure taken
just before the export, so the export's own share shows. The stated limit is a peak under
150 MB. It checks that the CSV holds one row per entry the Detailed report counts for the same
range. `--smoke`: the report benchmarks' small load, 300 rows. Not a test: numbers vary by
machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project
sys.path.insert(0, str(Path(__file__).resolve().parent))  # this folder's modules

from reports_detailed import ROOT
from reports_detailed import SMOKE_DATA
from reports_detailed import add_data_arguments
from reports_detailed import bench_data
from reports_detailed import setup_django

from bench import bench_run

PEAK_LIMIT_MB = 150.0


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def child(database: str, workspace_id: str, start: str, end: str) -> None:
    """Export in this process and print one JSON line of figures."""
    setup_django(database)
    from django.test import Client
    from django.urls import reverse

    from workspaces.models import Membership

    owner = Membership.objects.get(workspace_id=workspace_id, role=Membership.Role.OWNER).user
    client = Client()
    client.force_login(owner)
    url = reverse("reports:detailed_csv", kwargs={"ws": workspace_id})
    query = {"range": "custom", "start": start, "end": end}
    warm = client.get(url, {**query, "start": end})  # one day: imports and caches loaded
    sum(1 for _ in warm.streaming_content)
    before = rss_mb()
    began = time.perf_counter()
    response = client.get(url, query)
    assert response.status_code == 200, response.status_code
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    seconds = time.perf_counter() - began
    print(
        json.dumps(
            {"rows": lines - 1, "seconds": seconds, "before_mb": before, "peak_mb": rss_mb()}
        )
    )


def newest_days_with(rows: int) -> tuple[str, str, str]:
    """(workspace id, first day, last day) of the newest days holding at least `rows`."""
    from django.db import connection
    from reports_detailed import find_bench

    bench = find_bench()
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT start FROM tracking_timeentry WHERE workspace_id = %s AND "end" IS NOT NULL'
            " ORDER BY start DESC OFFSET %s LIMIT 1",
            [bench.workspace_id, rows - 1],
        )
        found = cursor.fetchone()
    if found is None:
        raise SystemExit(f"The benchmark workspace has fewer than {rows} entries.")
    first: dt.datetime = found[0]
    return bench.workspace_id, first.date().isoformat(), dt.date.today().isoformat()


def entries_counted(workspace_id: str, start: str, end: str) -> int:
    """How many entries the Detailed report counts for the owner over these days."""
    from reports.filters import parse_detailed_filters
    from reports.selectors import detailed_totals
    from workspaces.models import Membership

    owner = Membership.objects.select_related("user", "workspace").get(
        workspace_id=workspace_id, role=Membership.Role.OWNER
    )
    query = {"range": ["custom"], "start": [start], "end": [end]}
    filters = parse_detailed_filters(query, user=owner.user)
    return detailed_totals(membership=owner, filters=filters).entry_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    add_data_arguments(parser)
    parser.add_argument(
        "--child", nargs=4, metavar=("DB", "WS", "START", "END"), help=argparse.SUPPRESS
    )
    args = bench_run.parse_args(parser, smoke={"rows": 300, **SMOKE_DATA})
    if args.child:
        child(*args.child)
        return
    with bench_data(args) as database:
        measure(database, args.rows)


def measure(database: str, rows: int) -> None:
    workspace_id, start, end = newest_days_with(rows)
    done = subprocess.run(
        [sys.executable, __file__, "--child", database, workspace_id, start, end],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    expected = entries_counted(workspace_id, start, end)
    rate = figures["rows"] / figures["seconds"]
    verdict = "ok" if figures["peak_mb"] < PEAK_LIMIT_MB else "OVER THE LIMIT"
    print(
        f"CSV export {start}..{end}: {figures['rows']:,} rows in {figures['seconds']:.1f} s = "
        f"{rate:,.0f} rows/s; peak RSS {figures['peak_mb']:.0f} MB "
        f"({figures['before_mb']:.0f} MB before the export; limit {PEAK_LIMIT_MB:.0f} MB, "
        f"ratio {figures['peak_mb'] / PEAK_LIMIT_MB:.2f})  {verdict}"
    )
    if figures["rows"] != expected:
        raise SystemExit(
            f"check failed: the CSV holds {figures['rows']:,} rows; the Detailed report counts "
            f"{expected:,} entries over {start}..{end}"
        )
    print(f"check: one CSV row per entry the Detailed report counts ({expected:,})")


if __name__ == "__main__":
    main()
