"""The Detailed report's CSV export of 100,000 rows: rows a second and peak memory.

    .venv/bin/python bench/reports_csv_export.py [--rows 100000] [--entries 1000000]

Uses the benchmark database of bench/reports_detailed.py (`tt_bench`, loaded by
`manage.py bench_load_workspace` when missing). Picks the newest days of the workspace that
hold at least `--rows` entries, then exports them as the owner through the real view
(`GET .../reports/detailed/export.csv`, Django's test client, streamed) in a fresh child
process, reading the response as it streams. Memory is the child's peak resident set size
(`ru_maxrss`: Python, Django and the export together), printed beside the same figure taken
just before the export, so the export's own share shows. The stated limit is a peak under
150 MB. Not a test: numbers vary by machine.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reports_detailed import ROOT, prepare_database, setup_django

PEAK_LIMIT_MB = 150.0


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def child(workspace_id: str, start: str, end: str) -> None:
    """Export in this process and print one JSON line of figures."""
    setup_django()
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
    setup_django()
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("WS", "START", "END"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    prepare_database(args.entries, args.reload)
    workspace_id, start, end = newest_days_with(args.rows)
    done = subprocess.run(
        [sys.executable, __file__, "--child", workspace_id, start, end],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    rate = figures["rows"] / figures["seconds"]
    verdict = "ok" if figures["peak_mb"] < PEAK_LIMIT_MB else "OVER THE LIMIT"
    print(
        f"CSV export {start}..{end}: {figures['rows']:,} rows in {figures['seconds']:.1f} s = "
        f"{rate:,.0f} rows/s; peak RSS {figures['peak_mb']:.0f} MB "
        f"({figures['before_mb']:.0f} MB before the export; limit {PEAK_LIMIT_MB:.0f} MB, "
        f"ratio {figures['peak_mb'] / PEAK_LIMIT_MB:.2f})  {verdict}"
    )


if __name__ == "__main__":
    main()
