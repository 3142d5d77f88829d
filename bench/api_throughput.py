"""How many REST API requests a second the product serves, against a stated target.

    .venv/bin/python bench/api_throughput.py [--seconds 10] [--clients 4] [--entries 500]
                                             [--rounds 20] [--smoke]

Builds its own PostgreSQL database (`tt_bench_api_<random>`, dropped at the end; the server from
BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/), migrates it, seeds one
workspace with `--clients` members, each with an API key and `--entries` finished entries
(project, task, two tags each), then starts gunicorn with its default worker count (one, unless
WEB_CONCURRENCY says otherwise) and DEBUG off, and drives it for `--seconds` per workload from
`--clients` threads, one member and key per thread (the real throttle of 50 requests a second
per key stays on, through a Redis of the run's own, or BENCH_REDIS_URL's):

1. start + stop a timer: `POST /time-entries` without end, then `PATCH /user/{u}/time-entries`;
2. list a user's 50 latest entries: `GET /user/{u}/time-entries?page-size=50`.

It prints requests a second, latency, the SQL queries each request runs (counted in-process
through Django's test client on the same database), and the ratio to the target: serving one
API key's whole allowance, 50 requests a second (Clockify's limit), on that default gunicorn.
A ratio of 1 or more means a single worker keeps up with a client going as fast as it may.
It checks that every request got the answer it should (429s, the throttle's, counted apart).
`--rounds` of the in-process reference. `--smoke`: 2 clients, 60 entries each, 1 s per
workload, 2 rounds. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_database  # noqa: E402
from bench import bench_run  # noqa: E402

TARGET_REQUESTS_PER_SECOND = 50  # one API key's allowance, as Clockify's


@dataclass
class Seat:
    """One benchmark client: a member, their key and the ids their requests name."""

    user_id: str
    key: str


@dataclass
class Seeded:
    workspace_id: str
    seats: list[Seat] = field(default_factory=list)


def seed(clients: int, entries: int) -> Seeded:
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from tracking.models import Project
    from tracking.models import Tag
    from tracking.models import Task
    from tracking.models import TimeEntry
    from tracking.models import TimeEntryTag
    from workspaces.models import Membership
    from workspaces.models import User
    from workspaces.models import Workspace
    from workspaces.services_api_keys import api_key_create

    call_command("migrate", verbosity=0)
    workspace = Workspace.objects.create(name="Bench Co", hourly_rate_cents=5000)
    project = Project.objects.create(workspace=workspace, name="Website", billable=True)
    task = Task.objects.create(workspace=workspace, project=project, name="Build")
    tags = [Tag.objects.create(workspace=workspace, name=f"tag-{i}") for i in range(2)]
    seeded = Seeded(workspace_id=workspace.pk)
    now = timezone.now().replace(microsecond=0)
    for i in range(clients):
        user = User.objects.create_user(email=f"bench{i}@example.com", full_name=f"Bench {i}")
        role = Membership.Role.OWNER if i == 0 else Membership.Role.MEMBER
        Membership.objects.create(workspace=workspace, user=user, role=role)
        rows = [
            TimeEntry(
                workspace=workspace,
                user=user,
                description=f"Entry {n}",
                project=project,
                task=task,
                billable=True,
                start=now - dt.timedelta(hours=2 * (n + 1)),
                end=now - dt.timedelta(hours=2 * (n + 1)) + dt.timedelta(hours=1),
                duration_seconds=3600,
                hourly_rate_cents=5000,
            )
            for n in range(entries)
        ]
        TimeEntry.objects.bulk_create(rows)
        TimeEntryTag.objects.bulk_create(
            TimeEntryTag(workspace=workspace, time_entry=e, tag=t) for e in rows for t in tags
        )
        seeded.seats.append(Seat(user_id=user.pk, key=api_key_create(user=user, name="bench").key))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as a live database would have
    return seeded


# --- what one request does ------------------------------------------------------------------


def start_path(seeded: Seeded) -> str:
    return f"/api/v1/workspaces/{seeded.workspace_id}/time-entries"


def user_path(seeded: Seeded, seat: Seat) -> str:
    return f"/api/v1/workspaces/{seeded.workspace_id}/user/{seat.user_id}/time-entries"


def iso_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1))


def queries_per_request(seeded: Seeded) -> dict[str, int]:
    """SQL queries of each request, counted in-process on the same database."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    seat = seeded.seats[0]
    client = Client(HTTP_X_API_KEY=seat.key)
    counts: dict[str, int] = {}
    with CaptureQueriesContext(connection) as ctx:
        r = client.post(start_path(seeded), {"description": "q"}, content_type="application/json")
    assert r.status_code == 201, r.content
    counts["start"] = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        r = client.patch(
            user_path(seeded, seat), {"end": iso_now()}, content_type="application/json"
        )
    assert r.status_code == 200, r.content
    counts["stop"] = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(user_path(seeded, seat), {"page-size": 50})
    assert r.status_code == 200 and len(r.json()) == 50, r.content
    counts["list"] = len(ctx.captured_queries)
    return counts


def in_process_ms(seeded: Seeded, rounds: int) -> dict[str, float]:
    """Milliseconds per request through Django's test client in this process: no HTTP, no
    concurrency, so a reference that moves less with the machine's load than the figures
    through gunicorn."""
    from django.test import Client

    seat = seeded.seats[-1]
    client = Client(HTTP_X_API_KEY=seat.key)
    began = time.perf_counter()
    for _ in range(rounds):
        client.post(start_path(seeded), {"description": "t"}, content_type="application/json")
        client.patch(user_path(seeded, seat), {"end": iso_now()}, content_type="application/json")
    timer = (time.perf_counter() - began) / (2 * rounds) * 1000
    began = time.perf_counter()
    for _ in range(rounds):
        client.get(user_path(seeded, seat), {"page-size": 50})
    listing = (time.perf_counter() - began) / rounds * 1000
    return {"timer": timer, "list": listing}


# --- the server and the load ----------------------------------------------------------------


def start_gunicorn(port: int, database: str, redis_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": bench_database.database_url(database),
        "REDIS_URL": redis_url,
        "DJANGO_DEBUG": "0",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP, no TLS proxy in front
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "timetracker.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    # Starting gunicorn imports Django in each worker; on a busy 2-core CI machine that took
    # over 30 s once. Waiting longer costs nothing when it starts at once.
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/v1/user", timeout=10)
            return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not answer within 120 s")


@dataclass
class Result:
    requests: int = 0
    throttled: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, seconds: float, expected: int) -> None:
        with self.lock:
            self.requests += 1
            self.latencies.append(seconds)
            if status == 429:
                self.throttled += 1
            elif status != expected:
                self.errors += 1


def drive(base: str, seeded: Seeded, workload: str, seconds: float) -> tuple[Result, float]:
    result = Result()
    stop_at = time.time() + seconds

    def timed(session: requests.Session, method: str, url: str, expected: int, **kw) -> None:
        began = time.perf_counter()
        r = session.request(method, url, timeout=30, **kw)
        result.add(r.status_code, time.perf_counter() - began, expected)

    def run(seat: Seat) -> None:
        session = requests.Session()
        session.headers["X-Api-Key"] = seat.key
        while time.time() < stop_at:
            if workload == "timer":
                timed(session, "POST", base + start_path(seeded), 201, json={"description": "b"})
                timed(
                    session, "PATCH", base + user_path(seeded, seat), 200, json={"end": iso_now()}
                )
            else:
                timed(session, "GET", base + user_path(seeded, seat), 200, params={"page-size": 50})

    began = time.time()
    threads = [threading.Thread(target=run, args=(seat,)) for seat in seeded.seats]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result, time.time() - began


def report(name: str, result: Result, elapsed: float, queries: str) -> int:
    rate = result.requests / elapsed
    lat = sorted(result.latencies) or [0.0]
    p95 = lat[int(0.95 * (len(lat) - 1))]
    print(
        f"{name:<38} {rate:7.1f} req/s  median {statistics.median(lat) * 1000:6.1f} ms  "
        f"p95 {p95 * 1000:6.1f} ms  queries/request {queries:<10} "
        f"429s {result.throttled}  errors {result.errors}  "
        f"ratio to {TARGET_REQUESTS_PER_SECOND} req/s: {rate / TARGET_REQUESTS_PER_SECOND:.2f}"
    )
    if result.errors or not result.requests:
        raise SystemExit(
            f"check failed: {name}: {result.errors} of {result.requests} requests answered "
            "otherwise than expected"
        )
    return result.requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20, help="of the in-process reference")
    args = bench_run.parse_args(
        parser, smoke={"seconds": 1.0, "clients": 2, "entries": 60, "rounds": 2}
    )
    with (
        bench_database.private_database("api") as database,
        bench_run.private_redis() as redis_url,
    ):
        measure(args, database, redis_url)


def measure(args: argparse.Namespace, database: str, redis_url: str) -> None:
    bench_database.django_setup(database, redis_url)
    seeded = seed(args.clients, args.entries)
    counts = queries_per_request(seeded)
    local = in_process_ms(seeded, args.rounds)

    port = bench_run.free_port()
    server = start_gunicorn(port, database, redis_url)
    base = f"http://127.0.0.1:{port}"
    workers = os.environ.get("WEB_CONCURRENCY", "1 (gunicorn's default)")
    try:
        print(
            f"gunicorn workers: {workers}; {args.clients} client threads, one API key each; "
            f"{args.entries} entries per user; {args.seconds:g} s per workload"
        )
        print(
            f"in-process, one thread, no HTTP: start/stop {local['timer']:.1f} ms a request, "
            f"list {local['list']:.1f} ms a request"
        )
        result, elapsed = drive(base, seeded, "timer", args.seconds)
        answered = report(
            "start + stop a timer (each request)",
            result,
            elapsed,
            f"{counts['start']}+{counts['stop']}",
        )
        print(f"{'  = start+stop pairs per second':<38} {result.requests / 2 / elapsed:7.1f}")
        result, elapsed = drive(base, seeded, "list", args.seconds)
        answered += report("list a user's 50 latest entries", result, elapsed, str(counts["list"]))
        print(f"check: every request answered as expected ({answered:,}; 429s apart)")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
