"""What serving costs: the production server driven by wrk, against the same views in-process.

    .venv/bin/python bench/serve_throughput.py [--seconds 10] [--members 8] [--entries 1500]
    .venv/bin/python bench/serve_throughput.py --smoke        # a few seconds, tiny data

Starts the production profile as Docker Compose runs it (tests/production_stack.py: gunicorn
with gunicorn.conf.py and `--workers` workers, DEBUG off, whitenoise; requests carry the
X-Forwarded-Proto header the TLS proxy sets) on a PostgreSQL database of its own, created for the
run and dropped at its end (on BENCH_DATABASE_URL), and a Redis of its own (or BENCH_REDIS_URL),
seeded with one
workspace of `--members` members, each with an API key and `--entries` entries (project, task,
two tags). wrk (Debian's package: scripts/ensure-wrk.sh installs it) then drives, for
`--seconds` each, with one connection per gunicorn worker and then with one connection:

1. a user's 50 latest entries: `GET /api/v1/.../user/{u}/time-entries?page-size=50` (keys in
   turn, so the real per-key throttle of 50 requests a second, through Redis, stays on);
2. timer start + stop: `POST .../time-entries` without end, then `PATCH .../user/{u}/time-entries`
   (one member per connection, so a stop always finds its own timer);
3. the Detailed report's first page (50 rows and the totals), everyone's last 30 days, as the
   owner signed in (session cookie).

It prints, per workload: requests a second, median and p95 latency through the server with one
connection per worker (throughput), median and p95 with a single connection (one request at a
time: what serving adds, without queueing), the same requests' median and p95 in this process
through Django's test client (no HTTP, no gunicorn, no concurrency), and the serving ratio:
the single-connection median over the in-process median. The stated limit is 1.5 (serving may
add up to half of what the view itself costs). wrk, gunicorn and PostgreSQL share the machine's
cores, so a loaded machine shows in the ratio. It checks that every request through gunicorn
was answered 2xx, and stops otherwise. Not a test: figures vary by machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_database  # noqa: E402
from bench import bench_run  # noqa: E402
from bench.api_throughput import Seeded  # noqa: E402
from bench.api_throughput import iso_now  # noqa: E402
from bench.api_throughput import seed  # noqa: E402
from bench.api_throughput import start_path  # noqa: E402
from bench.api_throughput import user_path  # noqa: E402

RATIO_LIMIT = 1.5
FORWARDED = {"X-Forwarded-Proto": "https"}  # what the TLS proxy in front adds

# wrk's Lua side: `plans` lists {method, path, headers, body} per thread (thread i takes list i
# modulo their number), sent in turn; done() prints the first refused answer of each thread and
# the figures as one JSON line.
WRK_SCRIPT = """
local plans = %(plans)s
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  plan = plans[(id %% #plans) + 1]
  step = 1
end
-- The plan advances on each answer, not in request(): wrk calls request() once more than it
-- sends (to check the script), which would skip a timer's start.
function response(status, headers, body)
  if status > 399 and not first_bad then
    first_bad = status .. " " .. string.sub(body or "", 1, 300)
  end
  step = step %% #plan + 1
end
function request()
  local r = plan[step]
  local body = r.body
  if body == "END_NOW" then
    body = '{"end": "' .. os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", os.time() + 1) .. '"}'
  end
  return wrk.format(r.method, r.path, r.headers, body)
end
function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    local bad = t:get("first_bad")
    if bad then io.write("BAD " .. string.gsub(bad, "\\n", " ") .. "\\n") end
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "us": %%d, "p50": %%d, "p95": %%d, ' ..
    '"bad_status": %%d, "io_errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None = None


@dataclass
class Served:
    rps: float
    p50_ms: float
    p95_ms: float
    bad_status: int
    io_errors: int


def lua_value(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{lua_value(k)}] = {lua_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(lua_value(v) for v in value) + "}"
    if value is None:
        return "nil"
    return json.dumps(str(value))  # a JSON string is a valid Lua string here (ASCII only)


def wrk(base: str, plans: list[list[Request]], *, connections: int, seconds: float) -> Served:
    lua = WRK_SCRIPT % {
        "plans": lua_value(
            [
                [
                    {
                        "method": r.method,
                        "path": r.path,
                        "headers": {**FORWARDED, **r.headers},
                        "body": r.body,
                    }
                    for r in plan
                ]
                for plan in plans
            ]
        ),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        ran = subprocess.run(
            [
                shutil.which("wrk") or "wrk",
                f"-t{connections}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 120,
        )
        out = ran.stdout
        if "RESULT " not in out:
            raise SystemExit(f"wrk said:\n{ran.stdout}\n{ran.stderr}")
    finally:
        os.unlink(script.name)
    for bad in (x for x in out.splitlines() if x.startswith("BAD ")):
        print(f"  first refused answer of a connection: {bad.removeprefix('BAD ')}")
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    figures = json.loads(line.removeprefix("RESULT "))
    return Served(
        rps=figures["requests"] / (figures["us"] / 1e6),
        p50_ms=figures["p50"] / 1000,
        p95_ms=figures["p95"] / 1000,
        bad_status=figures["bad_status"],
        io_errors=figures["io_errors"],
    )


# --- the three workloads --------------------------------------------------------------------


def report_path(seeded: Seeded) -> str:
    return (
        f"/w/{seeded.workspace_id}/reports/detailed/?range=custom"
        f"&start={time.strftime('%Y-%m-%d', time.gmtime(time.time() - 30 * 86400))}"
        f"&end={time.strftime('%Y-%m-%d', time.gmtime())}"
    )


def session_cookie(user_id: str) -> str:
    from django.conf import settings
    from django.test import Client

    from workspaces.models import User

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def plans(seeded: Seeded, cookie: str) -> dict[str, list[list[Request]]]:
    json_type = {"Content-Type": "application/json"}
    return {
        "API: a user's 50 latest entries": [
            [
                Request("GET", user_path(seeded, seat) + "?page-size=50", {"X-Api-Key": seat.key})
                for seat in seeded.seats
            ]
        ],
        "API: timer start + stop (2 requests)": [
            [
                Request(
                    "POST",
                    start_path(seeded),
                    {"X-Api-Key": seat.key, **json_type},
                    '{"description": "wrk"}',
                ),
                Request(
                    "PATCH",
                    user_path(seeded, seat),
                    {"X-Api-Key": seat.key, **json_type},
                    "END_NOW",
                ),
            ]
            for seat in seeded.seats
        ],
        "Detailed report, first page (owner)": [
            [Request("GET", report_path(seeded), {"Cookie": cookie})]
        ],
    }


def in_process(plan: list[list[Request]], rounds: int) -> tuple[float, float]:
    """Median and p95 milliseconds per request through Django's test client, here."""
    from django.test import Client

    client = Client()
    times: list[float] = []
    for round_ in range(rounds):
        # Connections' plans in turn: keys rotate, so the per-key throttle (50 a second) stays
        # out of the way, as it does for wrk.
        for r in plan[round_ % len(plan)]:
            headers = {**FORWARDED, **r.headers}
            extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
            cookie = extra.pop("HTTP_COOKIE", None)
            if cookie:
                name, _, value = cookie.partition("=")
                client.cookies[name] = value
            extra.pop("HTTP_CONTENT_TYPE", None)
            body = iso_body() if r.body == "END_NOW" else r.body
            began = time.perf_counter()
            response = client.generic(
                r.method, r.path, data=body or "", content_type="application/json", **extra
            )
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code in (200, 201), (r.method, r.path, response.status_code)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def iso_body() -> str:
    return json.dumps({"end": iso_now()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--entries", type=int, default=1500)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (and connections)")
    parser.add_argument("--rounds", type=int, default=30, help="in-process requests per view")
    args = bench_run.parse_args(
        parser, smoke={"seconds": 1, "members": 2, "entries": 60, "rounds": 3}
    )
    args.members = max(args.members, args.workers)  # one member per timer connection

    subprocess.run(["bash", str(ROOT / "scripts/ensure-wrk.sh")], check=True)
    with (
        bench_database.private_database("serve") as database,
        bench_run.private_redis() as redis_url,
    ):
        try:
            run(args, database, redis_url)
        finally:
            from django.db import connections

            connections.close_all()


def run(args: argparse.Namespace, database: str, redis_url: str) -> None:
    # The server's own settings in this process too (its SECRET_KEY, so the session we sign
    # here is valid there; the proxy's header trusted), for the in-process figures.
    os.environ["PROXY_SSL_HEADER"] = "X-Forwarded-Proto"
    os.environ["SECURE_SSL_REDIRECT"] = "true"
    # What serving costs, not the per-key API throttle (50 requests a second): on an idle
    # machine one key's wrk connections go faster than that and drew 429s. Off on both sides.
    os.environ["API_THROTTLE_RATE_PER_SECOND"] = "0"
    static_root = Path(os.environ.get("VAR_DIR", ROOT / "var")) / "bench-static"
    os.environ["STATIC_ROOT"] = str(static_root)
    bench_database.django_setup(database, redis_url)
    seeded = seed(args.members, args.entries)
    cookie = session_cookie(seeded.seats[0].user_id)  # the owner
    workloads = plans(seeded, cookie)

    from tests.production_stack import ProductionStack

    with (
        tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp,
        ProductionStack(
            Path(tmp),
            database_url=bench_database.database_url(database),
            redis_url=redis_url,
            broker_url=redis_url,
            workers=args.workers,
            celery=False,
            static_root=static_root,
            SECRET_KEY=os.environ["SECRET_KEY"],
            API_THROTTLE_RATE_PER_SECOND="0",
            LOG_LEVEL="WARNING",
        ) as stack,
    ):
        # After the stack's collectstatic: pages name their static files by the manifest.
        local = {name: in_process(plan, args.rounds) for name, plan in workloads.items()}
        print(
            f"gunicorn {args.workers} worker(s), wrk {args.workers} connection(s), "
            f"{args.seconds:g} s each; {args.members} members x {args.entries} entries; "
            f"in-process: {args.rounds} rounds"
        )
        print(
            f"{'':38} {args.workers} conn: {'req/s':>7} {'median':>8} {'p95':>8} | 1 conn: "
            f"{'median':>8} {'p95':>8} | in-proc: {'median':>8} {'p95':>8} | ratio  non-2xx"
        )
        worst = 0.0
        refused = 0
        for name, plan in workloads.items():
            loaded = wrk(stack.base_url, plan, connections=args.workers, seconds=args.seconds)
            alone = wrk(stack.base_url, plan, connections=1, seconds=args.seconds)
            median, p95 = local[name]
            ratio = alone.p50_ms / median
            worst = max(worst, ratio)
            bad = loaded.bad_status + alone.bad_status
            errors = loaded.io_errors + alone.io_errors
            refused += bad + errors
            print(
                f"{name:38} {loaded.rps:13.1f} {loaded.p50_ms:6.1f}ms {loaded.p95_ms:6.1f}ms | "
                f"{alone.p50_ms:14.1f}ms {alone.p95_ms:6.1f}ms | "
                f"{median:15.1f}ms {p95:6.1f}ms | {ratio:5.2f}  {bad}"
                + (f" (+{errors} socket errors)" if errors else "")
            )
        print(
            "serving ratio (median through gunicorn with one connection / median in-process), "
            f"worst {worst:.2f}: {'within' if worst <= RATIO_LIMIT else 'OVER'} the stated "
            f"limit of {RATIO_LIMIT}"
        )
    if refused:
        raise SystemExit(f"{refused} request(s) through gunicorn were refused or failed")
    print("check: every request through gunicorn was answered 2xx")


if __name__ == "__main__":
    main()
