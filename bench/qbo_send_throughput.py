"""How fast the product sends time to QuickBooks, against the ceiling QuickBooks sets.

    .venv/bin/python bench/qbo_send_throughput.py [--entries 5000] [--scale 6]
                                                   [--companies 3] [--company-entries 2400]
                                                   [--workers 1,2,3] [--updates 2500] [--smoke]

QuickBooks lets an app make 40 batch requests a minute per company, 30 items each: at most
40 x 30 = 1,200 TimeActivities a minute a company (../shared/docs/qbo-facts.md §3). This starts
the QBO emulator as a process with those documented limits (500 requests/min, 10/s, 10 at once,
40 batches/min) and a compressed time scale (`--scale 6`: a QuickBooks minute lasts 10 s), builds
its own PostgreSQL database (`tt_bench_qbo_send_<random>`, dropped at the end; the server from
BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/), makes workspaces on the
Standard plan (sending time needs Standard, Pro or Enterprise), connects them through the
emulator's OAuth flow, links a member and a project, and sends through real Celery workers
(`celery -A timetracker worker`, the broker and the rate limiter in a Redis of the run's own, or
BENCH_REDIS_URL's), the limiter set to the same time scale.

1. One company, `--entries` entries, one worker (a job is one worker's at a time): the send's
   TimeActivities per QuickBooks minute against the 1,200 ceiling. Two figures: the job from
   start to finish, which includes the first minute's 40 batches that an empty window lets
   through at once, and the sustained rate, 40 batches' items over the mean time QuickBooks saw
   between a batch and the 40th after it (the emulator's request log), which is the limit's own
   measure. Target: sustained at least 0.9 of the ceiling.
2. `--companies` companies of `--company-entries` entries each, sent at once, with 1, 2, 3...
   workers: the total grows with the workers while each company stays within its own limits
   (from the emulator's request log: the slowest company's sustained rate, the most batches and
   requests a company's QuickBooks received in any sliding minute, and 429s).

3. Updates mixed in (`--updates`, 0 to skip): in the company of 1, `--updates` of its sent
   entries are edited and as many new entries tracked; then "Update in QuickBooks" (all changed)
   and "Send to QuickBooks" start together, on two workers, and share the company's 40 batches
   a minute: the TimeActivities created and updated per QuickBooks minute against the same
   ceiling (sustained, as in 1). Checked: every updated TimeActivity has its new description
   and SyncToken 1 (updated exactly once), every new entry is in QuickBooks once.

Every TimeActivity is checked to exist exactly once in the emulator. `--smoke`: a minute of 1 s,
1,260 entries (42 batches, the fewest the sustained rate is measured over), then 2 companies x
300 entries with 1 worker, and 630 updates mixed with 630 new entries. Not a test: numbers vary
by machine.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_database  # noqa: E402
from bench import bench_run  # noqa: E402
from tests.quickbooks_sync.worker_process import qbo_env  # noqa: E402
from tests.sandbox_process import SandboxProcess  # noqa: E402

BATCHES_PER_MINUTE = 40  # QBO, per company and app
REQUESTS_PER_MINUTE = 500
BATCH_ITEMS = 30
CEILING = BATCHES_PER_MINUTE * BATCH_ITEMS  # TimeActivities a minute a company
TARGET = 0.9


def product_env(
    sandbox: SandboxProcess, scale: float, database: str, redis_url: str
) -> dict[str, str]:
    """The settings of this process and of the workers: the bench database, Redis, the
    emulator as QuickBooks, the limiter on the emulator's time scale."""
    return {
        # Development, explicitly: the emulator's built-in app stands in for an Intuit app.
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": bench_database.database_url(database),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        **qbo_env(sandbox),
        "QBO_RATE_TIME_SCALE": str(scale),
        "LOG_LEVEL": "WARNING",
    }


# --- the product's side: workspaces, links, entries ------------------------------------------


@dataclass
class Company:
    realm: str
    workspace_id: str
    membership_id: str
    entries: int


def company_create(sandbox: SandboxProcess, name: str, entries: int) -> Company:
    """A workspace on the Standard plan connected to a new emulated company, its owner linked
    to a QBO employee, one project linked to a QBO customer, and `entries` finished 15-minute
    entries."""
    from tests.quickbooks_sync.connection_helpers import connect_workspace
    from tests.quickbooks_sync.send_helpers import link_member
    from tests.quickbooks_sync.send_helpers import linked_project
    from tracking.models import TimeEntry
    from workspaces.models import Membership
    from workspaces.models import User
    from workspaces.models import Workspace
    from workspaces.services import workspace_create
    from workspaces.services import workspace_plan_change

    realm = sandbox.create_company(name=name)
    user = User.objects.create_user(email=f"owner-{realm}@example.com", full_name=f"Owner {realm}")
    workspace = workspace_create(user=user, name=name)
    membership = Membership.objects.get(workspace=workspace, user=user)
    workspace_plan_change(actor=membership, plan=Workspace.Plan.STANDARD)
    connect_workspace(workspace, sandbox, realm, user=user)
    link_member(workspace, user, sandbox, realm)
    project, _ = linked_project(workspace, sandbox, realm, f"Website of {name}")
    first = dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
    TimeEntry.objects.bulk_create(
        [
            TimeEntry(
                workspace=workspace,
                user=user,
                project=project,
                description=f"{name} entry {n}",
                start=first + dt.timedelta(minutes=20 * n),
                end=first + dt.timedelta(minutes=20 * n + 15),
                duration_seconds=900,
            )
            for n in range(entries)
        ],
        batch_size=2000,
    )
    return Company(realm, workspace.pk, membership.pk, entries)


def send_start(company: Company) -> str:
    """What the admin's "Send to QuickBooks" does: every entry of the workspace's range."""
    from quickbooks_sync.services.send import send_start as start
    from reports.filters import DateRange
    from reports.filters import DetailedFilters
    from workspaces.models import Membership

    filters = DetailedFilters(
        date_range=DateRange.CUSTOM, start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31)
    )
    job = start(membership=Membership.objects.get(pk=company.membership_id), filters=filters)
    if job.selected_count != company.entries:
        raise SystemExit(f"selected {job.selected_count} of {company.entries} entries")
    return str(job.pk)


def wait_for_jobs(job_ids: list[str], timeout: float) -> float:
    """Seconds until every job has finished; stops the bench if one failed."""
    from quickbooks_sync.models import SendJob

    began = time.monotonic()
    while time.monotonic() - began < timeout:
        states = dict(SendJob.objects.filter(pk__in=job_ids).values_list("pk", "state"))
        if all(state == SendJob.State.SUCCEEDED for state in states.values()):
            return time.monotonic() - began
        failed = {pk: state for pk, state in states.items() if state == SendJob.State.FAILED}
        if failed:
            errors = list(SendJob.objects.filter(pk__in=failed).values_list("error", flat=True))
            raise SystemExit(f"send failed: {errors}")
        time.sleep(0.05)
    raise SystemExit(f"the sends did not finish within {timeout:.0f} s")


# --- workers ---------------------------------------------------------------------------------


class Workers:
    """Celery worker processes, one task at a time each (the send tests' Worker), kept from one
    measurement to the next (a worker takes seconds to start): `use(n)` leaves n running."""

    def __init__(self, env: dict[str, str], directory: Path) -> None:
        self.env = {**os.environ, **env}
        self.directory = directory
        self.running: list[Any] = []

    def use(self, count: int) -> None:
        from tests.quickbooks_sync.worker_process import Worker

        while len(self.running) > count:
            self.running.pop().stop()
        while len(self.running) < count:
            self.running.append(Worker(self.directory, self.env, concurrency=1).start(60))


@contextlib.contextmanager
def workers(env: dict[str, str], directory: Path) -> Iterator[Workers]:
    pool = Workers(env, directory)
    try:
        yield pool
    finally:
        pool.use(0)


# --- what QuickBooks saw ---------------------------------------------------------------------


@dataclass
class Seen:
    """One company's calls as the emulator logged them (arrival times, real seconds)."""

    batches: list[float]
    requests: list[float]
    throttled: int
    activities: int
    doubled: int


def seen(sandbox: SandboxProcess, realm: str) -> Seen:
    log = sandbox.control("GET", f"/requests?realm={realm}&limit=5000")["requests"]
    v3 = [row for row in log if row["path"].startswith("/v3/")]
    arrivals = sorted(row["at"] - row["duration_ms"] / 1000 for row in v3 if row["status"] != 429)
    batches = sorted(
        row["at"] - row["duration_ms"] / 1000
        for row in v3
        if urlsplit(row["path"]).path.endswith("/batch") and row["status"] != 429
    )
    from tests.quickbooks_sync.send_helpers import time_activities

    rows = time_activities(sandbox, realm)
    descriptions = [row.get("Description", "") for row in rows]
    return Seen(
        batches=batches,
        requests=arrivals,
        throttled=sum(1 for row in v3 if row["status"] == 429),
        activities=len(rows),
        doubled=len(descriptions) - len(set(descriptions)),
    )


def most_in_window(times: list[float], span: float) -> int:
    """The most calls that arrived within any `span` seconds."""
    most, first = 0, 0
    for last in range(len(times)):
        while times[last] - times[first] >= span:
            first += 1
        most = max(most, last - first + 1)
    return most


def sustained_per_minute(batches: list[float], items: int, minute: float) -> float:
    """TimeActivities a QuickBooks minute at the pace the limit allows: the items of 40 batches
    over the mean time from a batch to the 40th after it."""
    if len(batches) <= BATCHES_PER_MINUTE:
        return float("nan")
    gaps = [
        batches[i + BATCHES_PER_MINUTE] - batches[i]
        for i in range(len(batches) - BATCHES_PER_MINUTE)
    ]
    per_batch = items / len(batches)
    return BATCHES_PER_MINUTE * per_batch / (sum(gaps) / len(gaps) / minute)


def check_landed(company: Company, view: Seen) -> int:
    """Every entry of the company exactly once in its QuickBooks; the count."""
    if view.activities != company.entries or view.doubled:
        raise SystemExit(
            f"check failed: company {company.realm}: {view.activities} TimeActivities for "
            f"{company.entries} entries, {view.doubled} doubled"
        )
    return view.activities


def ratio(value: float) -> str:
    """A ratio to the ceiling, or n/a where too few batches went to measure it."""
    return "n/a" if value != value else f"{value:.2f}"


# --- the two measurements --------------------------------------------------------------------


def one_company(
    sandbox: SandboxProcess, pool: Workers, args: argparse.Namespace
) -> tuple[float, int, Company]:
    minute = 60.0 / args.scale
    company = company_create(sandbox, "Throughput Co", args.entries)
    pool.use(1)
    job = send_start(company)
    seconds = wait_for_jobs([job], timeout=60 + 4 * minute * args.entries / CEILING)
    view = seen(sandbox, company.realm)
    landed = check_landed(company, view)
    overall = company.entries / (seconds / minute)
    sustained = sustained_per_minute(view.batches, company.entries, minute)
    print(f"\n1. One company, {company.entries} entries, 1 worker (a minute = {minute:g} s)")
    print(f"   job start to finish: {seconds:.1f} s = {seconds / minute:.2f} QuickBooks minutes")
    print(
        f"   {len(view.batches)} batches, {len(view.requests)} requests, "
        f"{view.throttled} answered 429; every entry once in QuickBooks"
    )
    print(
        f"   whole job:  {overall:,.0f} TimeActivities/min = {overall / CEILING:.2f} x ceiling "
        "(includes the first minute's burst)"
    )
    print(
        f"   sustained:  {sustained:,.0f} TimeActivities/min = {ratio(sustained / CEILING)} x "
        f"ceiling of {CEILING:,} (target >= {TARGET})"
    )
    return sustained / CEILING, landed, company


def many_companies(sandbox: SandboxProcess, pool: Workers, args: argparse.Namespace) -> int:
    """The rate with each worker count; the TimeActivities checked."""
    minute = 60.0 / args.scale
    counts = [int(n) for n in args.workers.split(",")]
    print(
        f"\n2. {args.companies} companies x {args.company_entries} entries, sent at once "
        f"(a minute = {minute:g} s)"
    )
    print(
        "   workers  seconds  TimeActivities/min (all)  x one ceiling  | per company: "
        "sustained  batches/min (most)  requests/min (most)  429s"
    )
    landed = 0
    for count in counts:
        companies = [
            company_create(sandbox, f"Co {count}-{i}", args.company_entries)
            for i in range(args.companies)
        ]
        pool.use(count)
        # From the first press of Send: the workers send while the later jobs are selected.
        began = time.monotonic()
        jobs = [send_start(company) for company in companies]
        total = sum(company.entries for company in companies)
        wait_for_jobs(jobs, timeout=60 + 4 * minute * total / CEILING)
        seconds = time.monotonic() - began
        views = [seen(sandbox, company.realm) for company in companies]
        for company, view in zip(companies, views, strict=True):
            landed += check_landed(company, view)
        rate = total / (seconds / minute)
        batches = max(most_in_window(view.batches, minute) for view in views)
        requests_ = max(most_in_window(view.requests, minute) for view in views)
        throttled = sum(view.throttled for view in views)
        slowest = min(
            sustained_per_minute(view.batches, company.entries, minute) / CEILING
            for company, view in zip(companies, views, strict=True)
        )
        print(
            f"   {count:>7}  {seconds:>7.1f}  {rate:>24,.0f}  {rate / CEILING:>13.2f}  "
            f"{ratio(slowest):>9}  {batches:>11} (<= {BATCHES_PER_MINUTE})  {requests_:>8} (<= "
            f"{REQUESTS_PER_MINUTE})  {throttled:>4}"
        )
    return landed


def mixed_updates(
    sandbox: SandboxProcess, pool: Workers, args: argparse.Namespace, company: Company
) -> int:
    """Measurement 3: updates and new entries at once in `company` (sent by measurement 1);
    the TimeActivities checked."""
    from django.db.models import F
    from django.db.models import Value
    from django.db.models.functions import Concat

    from quickbooks_sync.services.send_corrections import correction_start
    from reports.filters import DateRange
    from reports.filters import DetailedFilters
    from tracking.models import TimeEntry
    from workspaces.models import Membership

    minute = 60.0 / args.scale
    entries = TimeEntry.objects.filter(workspace_id=company.workspace_id).order_by("start", "pk")
    edited = list(entries.values_list("pk", flat=True)[: args.updates])
    TimeEntry.objects.filter(pk__in=edited).update(
        description=Concat(F("description"), Value(" (fixed)"))
    )
    template = entries.first()
    assert template is not None
    first = dt.datetime(2026, 9, 1, 8, tzinfo=dt.UTC)
    TimeEntry.objects.bulk_create(
        [
            TimeEntry(
                workspace_id=company.workspace_id,
                user_id=template.user_id,
                project_id=template.project_id,
                description=f"new entry {n}",
                start=first + dt.timedelta(minutes=20 * n),
                end=first + dt.timedelta(minutes=20 * n + 15),
                duration_seconds=900,
            )
            for n in range(args.updates)
        ],
        batch_size=2000,
    )
    before = len(seen(sandbox, company.realm).batches)
    pool.use(2)
    filters = DetailedFilters(
        date_range=DateRange.CUSTOM, start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31)
    )
    update = correction_start(
        membership=Membership.objects.get(pk=company.membership_id),
        kind="UPDATE",
        filters=filters,
    )
    if update.selected_count != args.updates:
        raise SystemExit(f"update selected {update.selected_count} of {args.updates} entries")
    send = send_start(
        Company(company.realm, company.workspace_id, company.membership_id, args.updates)
    )
    items = 2 * args.updates
    seconds = wait_for_jobs([str(update.pk), send], timeout=60 + 4 * minute * items / CEILING)
    view = seen(sandbox, company.realm)
    rows = time_activities_of(sandbox, company.realm)
    fixed = [row for row in rows if row.get("Description", "").endswith(" (fixed)")]
    if (
        view.activities != company.entries + args.updates
        or view.doubled
        or len(fixed) != args.updates
        or any(row["SyncToken"] != "1" for row in fixed)
        or sum(1 for row in rows if row["SyncToken"] != "0") != args.updates
    ):
        raise SystemExit(
            f"check failed: {view.activities} TimeActivities, {view.doubled} doubled, "
            f"{len(fixed)} of {args.updates} updated"
        )
    batches = view.batches[before:]
    overall = items / (seconds / minute)
    sustained = sustained_per_minute(batches, items, minute)
    print(
        f"\n3. Updates mixed in: {args.updates} updates + {args.updates} new entries at once, "
        f"2 workers, one company (a minute = {minute:g} s)"
    )
    print(
        f"   {len(batches)} batches, {view.throttled} answered 429 in all; every update applied "
        "once (SyncToken 1), every new entry once"
    )
    print(
        f"   mixed whole: {overall:,.0f} TimeActivities/min = {overall / CEILING:.2f} x ceiling "
        f"({seconds:.1f} s)"
    )
    print(
        f"   mixed sustained: {sustained:,.0f} TimeActivities/min = "
        f"{ratio(sustained / CEILING)} x ceiling of {CEILING:,}"
    )
    return args.updates * 2


def time_activities_of(sandbox: SandboxProcess, realm: str) -> list[dict[str, Any]]:
    from tests.quickbooks_sync.send_helpers import time_activities

    return time_activities(sandbox, realm)


@contextlib.contextmanager
def emulated_product(
    args: argparse.Namespace, label: str
) -> Iterator[tuple[SandboxProcess, Workers]]:
    """The emulator with QuickBooks' documented limits on the compressed clock (`args.scale`),
    the product set up in this process on a private database and Redis (`label` names the
    database), and a pool of workers for them; all stopped and dropped on the way out."""
    with (
        tempfile.TemporaryDirectory(prefix=f"{label}-bench-") as tmp,
        bench_database.private_database(label) as database,
        bench_run.private_redis() as redis_url,
    ):
        # QuickBooks' documented limits (the emulator's defaults), on the compressed clock.
        emulator = {"time_scale": args.scale, "request_log_max": 200_000}
        with SandboxProcess(Path(tmp) / "qbo.sqlite3", settings=emulator) as sandbox:
            env = product_env(sandbox, args.scale, database, redis_url)
            os.environ.update(env)
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timetracker.settings")
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            print(
                f"QBO ceiling per company: {BATCHES_PER_MINUTE} batches x {BATCH_ITEMS} items = "
                f"{CEILING:,} TimeActivities a minute; emulator and limiter at time scale "
                f"{args.scale:g}"
            )
            with workers(env, Path(tmp)) as pool:
                yield sandbox, pool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--scale", type=float, default=6.0)
    parser.add_argument("--companies", type=int, default=3)
    parser.add_argument("--company-entries", type=int, default=2400)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--updates", type=int, default=2500)
    args = bench_run.parse_args(
        parser,
        smoke={
            "entries": 42 * BATCH_ITEMS,
            "scale": 60.0,
            "companies": 2,
            "company_entries": 300,
            "workers": "1",
            "updates": 630,
        },
    )
    with emulated_product(args, "qbo_send") as (sandbox, pool):
        sustained, landed, company = one_company(sandbox, pool, args)
        if args.updates:
            landed += mixed_updates(sandbox, pool, args, company)
        if args.companies and args.workers:
            landed += many_companies(sandbox, pool, args)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nsustained ratio (one company): {ratio(sustained)} (target >= {TARGET}); load {load}")
    print(f"check: every entry exactly once in QuickBooks ({landed:,} TimeActivities, 0 doubled)")


if __name__ == "__main__":
    main()
