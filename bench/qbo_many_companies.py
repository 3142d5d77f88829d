"""Many companies sending to QuickBooks at once: throughput by worker count, and each company
within its own limits.

    .venv/bin/python bench/qbo_many_companies.py [--companies 50] [--company-entries 120]
                                                 [--workers 1,2,4] [--scale 60] [--smoke]

QuickBooks limits each company (and app) on its own: 500 requests a minute, 10 a second, 10 at
once, 40 batch requests a minute (../shared/docs/qbo-facts.md §3). Every call the product makes
passes one door, the session of quickbooks_sync/qbo/, which takes a slot of that company's rate
limiter in Redis, shared by all workers. So more workers should mean more throughput (companies
never wait for each other) until the machine is the limit, while no company's QuickBooks ever
sees more than its limits.

`--companies` companies of `--company-entries` entries each are sent at once through 1, 2 and 4
Celery workers (one task at a time each), against the emulator with QuickBooks' documented
limits on a compressed clock (`--scale 60`: a QuickBooks minute lasts one second; the limiter on
the same clock), each run in a private database and Redis (qbo_send_throughput's setup and its
"many companies" measurement). It prints, from the emulator's request log: all companies'
TimeActivities per QuickBooks minute, each company's most batches and requests in any sliding
QuickBooks minute (against 40 and 500), and 429s; and checks that every entry is in QuickBooks
exactly once. `--smoke`: 2 companies of 31 entries (two batches) through 1 and 2 workers. Not a
test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_run  # noqa: E402
from bench.qbo_send_throughput import emulated_product  # noqa: E402
from bench.qbo_send_throughput import many_companies  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--companies", type=int, default=50)
    parser.add_argument("--company-entries", type=int, default=120)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--scale", type=float, default=60.0)
    args = bench_run.parse_args(
        parser, smoke={"companies": 2, "company_entries": 31, "workers": "1,2"}
    )
    with emulated_product(args, "qbo_many") as (sandbox, pool):
        landed = many_companies(sandbox, pool, args)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload {load}")
    print(f"check: every entry exactly once in QuickBooks ({landed:,} TimeActivities, 0 doubled)")


if __name__ == "__main__":
    main()
