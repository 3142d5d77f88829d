"""Build one large workspace fast, for the report benchmarks (bench/reports_*.py).

    manage.py bench_load_workspace [--entries 1000000] [--members 200] [--projects 2000]
                                   [--clients 300] [--tags 60] [--years 3] [--seed 1]

Catalog and people go in with `bulk_create`; time entries and their tags with PostgreSQL's
COPY in chunks (a million entries in about a minute). The data is what the product itself
would hold: every constraint holds (finished entries only, `end > start`, the stored duration
equal to `end - start`, rates fixed from the hierarchy task > project > member > workspace),
entries are written in the order they were tracked (as a live database fills), members track
consecutive entries from the morning on, mostly on a handful of their own projects. A mix of
billable and not, tasks on about 60 % of the entries with a project, zero to three tags.
No approvals: the approval filter is not part of the benchmark.

Each run adds a new workspace (users' emails carry its id) and prints its id and the owner's
email on the last line as `workspace=<id> owner=<email>`. PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import time
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser
from django.db import connection
from django.db import transaction
from django.utils import timezone

from tracking.models import Client
from tracking.models import Project
from tracking.models import Tag
from tracking.models import Task
from tracking.models import TimeEntry
from tracking.models import TimeEntryTag
from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace

COPY_CHUNK = 50_000  # rows per COPY: a few MB of text at a time
TASKS_PER_PROJECT = 3
PROJECTS_PER_MEMBER = 12  # the projects a member mostly tracks on
WORDS = [
    "Design review",
    "Client call",
    "Bug fixing",
    "Code review",
    "Planning",
    "Documentation",
    "Testing",
    "Deployment",
    "Research",
    "Support",
    "Sprint demo",
    "Estimates",
    "Onboarding",
    "Refactoring",
    "Workshop",
    "Invoice prep",
    "Data import",
    "Site visit",
    "Training",
    "Retrospective",
]
COPY_COLUMNS = (
    "id, workspace_id, user_id, description, project_id, task_id, billable, start, "
    '"end", duration_seconds, hourly_rate_cents, currency, is_locked, created_at, updated_at'
)


@dataclass(frozen=True)
class _Person:
    user_id: str
    rate: int | None
    projects: tuple[int, ...]  # indexes into the project list


@dataclass(frozen=True)
class _ProjectInfo:
    id: str
    billable: bool
    rate: int | None
    tasks: tuple[tuple[str, int | None], ...]  # (task id, task rate)


class Command(BaseCommand):
    help = "Bulk-load a large workspace (members, clients, projects, tags, entries) to benchmark."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entries", type=int, default=1_000_000)
        parser.add_argument("--members", type=int, default=200)
        parser.add_argument("--projects", type=int, default=2000)
        parser.add_argument("--clients", type=int, default=300)
        parser.add_argument("--tags", type=int, default=60)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_load_workspace loads with COPY: it needs PostgreSQL.")
        for name in ("entries", "members", "projects", "clients", "tags", "years"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1.")
        began = time.perf_counter()
        rng = random.Random(options["seed"])
        with transaction.atomic():
            workspace, owner, people, projects, tags = _catalog(rng, options)
            entries, tagged = _entries(_entry_rows(rng, workspace, people, projects, tags, options))
        # Planner statistics and the visibility map (index-only scans) as a live database has
        # them: autovacuum's work there. VACUUM cannot run inside a transaction (a test's).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in (TimeEntry, TimeEntryTag, Task, Project, Client, Tag, Membership, User):
                cursor.execute(f"{command} {model._meta.db_table}")
        self.stdout.write(
            f"{entries} entries ({tagged} tags on them), {len(people)} members, "
            f"{len(projects)} projects, {options['clients']} clients, {len(tags)} tags "
            f"in {time.perf_counter() - began:.1f} s"
        )
        self.stdout.write(f"workspace={workspace.pk} owner={owner.email}")


def _catalog(
    rng: random.Random, options: dict[str, Any]
) -> tuple[Workspace, User, list[_Person], list[_ProjectInfo], list[str]]:
    workspace = Workspace.objects.create(
        name="Benchmark workspace", hourly_rate_cents=6000, plan=Workspace.Plan.PRO
    )
    ws = workspace.pk
    password = make_password(None)  # unusable: the benchmark logs in with force_login
    users = User.objects.bulk_create(
        User(
            email=f"bench-{ws}-{i}@example.com",
            full_name=f"Member {i:04d}",
            password=password,
            active_workspace=workspace,
        )
        for i in range(options["members"])
    )
    memberships = []
    for i, user in enumerate(users):
        role = Membership.Role.OWNER if i == 0 else Membership.Role.MEMBER
        if 0 < i <= 3:
            role = Membership.Role.ADMIN
        rate = rng.choice([None, None, 4500, 7500, 9000])
        memberships.append(
            Membership(workspace=workspace, user=user, role=role, hourly_rate_cents=rate)
        )
    Membership.objects.bulk_create(memberships)
    clients = Client.objects.bulk_create(
        Client(workspace=workspace, name=f"Client {i:04d}") for i in range(options["clients"])
    )
    project_rows = Project.objects.bulk_create(
        Project(
            workspace=workspace,
            client=clients[i % len(clients)],
            name=f"Project {i:05d}",
            billable=rng.random() < 0.7,
            hourly_rate_cents=rng.choice([None, None, 8000, 12000]),
        )
        for i in range(options["projects"])
    )
    task_rows = Task.objects.bulk_create(
        Task(
            workspace=workspace,
            project=project,
            name=f"Task {n}",
            hourly_rate_cents=rng.choice([None, None, None, 15000]),
        )
        for project in project_rows
        for n in range(TASKS_PER_PROJECT)
    )
    tasks_of: dict[str, list[tuple[str, int | None]]] = {}
    for task in task_rows:
        tasks_of.setdefault(task.project_id, []).append((task.pk, task.hourly_rate_cents))
    projects = [
        _ProjectInfo(
            id=p.pk,
            billable=p.billable,
            rate=p.hourly_rate_cents,
            tasks=tuple(tasks_of.get(p.pk, ())),
        )
        for p in project_rows
    ]
    people = [
        _Person(
            user_id=m.user_id,
            rate=m.hourly_rate_cents,
            projects=tuple(
                rng.randrange(len(projects)) for _ in range(min(PROJECTS_PER_MEMBER, len(projects)))
            ),
        )
        for m in memberships
    ]
    tag_ids = [
        t.pk
        for t in Tag.objects.bulk_create(
            Tag(workspace=workspace, name=f"tag-{i:03d}") for i in range(options["tags"])
        )
    ]
    return workspace, users[0], people, projects, tag_ids


def _entries(rows: Iterable[tuple[str, list[str]]]) -> tuple[int, int]:
    """COPY the entries and their tags (`_entry_rows`) in chunks; returns (entries, entry
    tags) written."""
    entry_buf, tag_buf = io.StringIO(), io.StringIO()
    written = tagged = pending = 0
    for entry_line, tag_lines in rows:
        entry_buf.write(entry_line)
        for line in tag_lines:
            tag_buf.write(line)
            tagged += 1
        written += 1
        pending += 1
        if pending == COPY_CHUNK:
            _copy(entry_buf, tag_buf)
            entry_buf, tag_buf, pending = io.StringIO(), io.StringIO(), 0
    if pending:
        _copy(entry_buf, tag_buf)
    return written, tagged


def _copy(entry_buf: io.StringIO, tag_buf: io.StringIO) -> None:
    entry_buf.seek(0)
    tag_buf.seek(0)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor: Django's wrapper has no copy_expert
        raw.copy_expert(f"COPY {TimeEntry._meta.db_table} ({COPY_COLUMNS}) FROM STDIN", entry_buf)
        raw.copy_expert(
            f"COPY {TimeEntryTag._meta.db_table} (workspace_id, time_entry_id, tag_id) FROM STDIN",
            tag_buf,
        )


def _entry_rows(
    rng: random.Random,
    workspace: Workspace,
    people: list[_Person],
    projects: list[_ProjectInfo],
    tags: list[str],
    options: dict[str, Any],
) -> Iterator[tuple[str, list[str]]]:
    """(entry COPY line, its tag COPY lines) day by day over the last `years` years, each day's
    entries spread over members, each member's entries back to back from the morning."""
    ws = workspace.pk
    total = options["entries"]
    today = timezone.now().astimezone(dt.UTC).date()
    first_day = today - dt.timedelta(days=365 * options["years"])
    days = (today - first_day).days  # up to yesterday: nothing in the future
    ids = random.Random(os.urandom(16))  # ids differ between runs; the data does not
    made = 0
    for d in range(days):
        count = total * (d + 1) // days - made
        made += count
        day = dt.datetime.combine(first_day + dt.timedelta(days=d), dt.time(7), tzinfo=dt.UTC)
        by_person: dict[int, int] = {}
        for p in rng.choices(range(len(people)), k=count):
            by_person[p] = by_person.get(p, 0) + 1
        for p, n in sorted(by_person.items()):
            person = people[p]
            cursor = day + dt.timedelta(seconds=rng.randrange(0, 7200))
            for _ in range(n):
                start = cursor
                seconds = rng.randrange(300, 3 * 3600)
                end = start + dt.timedelta(seconds=seconds)
                cursor = end + dt.timedelta(seconds=rng.randrange(0, 1800))
                yield _entry_line(rng, ids, ws, person, projects, tags, start, end, seconds)


def _entry_line(
    rng: random.Random,
    ids: random.Random,
    ws: str,
    person: _Person,
    projects: list[_ProjectInfo],
    tags: list[str],
    start: dt.datetime,
    end: dt.datetime,
    seconds: int,
) -> tuple[str, list[str]]:
    entry_id = f"{int(start.timestamp()) & 0xFFFFFFFF:08x}{ids.getrandbits(64):016x}"
    project_id = task_id = r"\N"
    billable = False
    rate: int | None = None
    if rng.random() < 0.9:
        project = projects[rng.choice(person.projects)]
        project_id, billable, rate = project.id, project.billable, project.rate
        if project.tasks and rng.random() < 0.6:
            task_id, task_rate = rng.choice(project.tasks)
            rate = task_rate if task_rate is not None else rate
    rate = rate if rate is not None else (person.rate if person.rate is not None else 6000)
    stamp = end.isoformat()
    entry = (
        f"{entry_id}\t{ws}\t{person.user_id}\t{rng.choice(WORDS)} {rng.randrange(100)}\t"
        f"{project_id}\t{task_id}\t{'t' if billable else 'f'}\t{start.isoformat()}\t{stamp}\t"
        f"{seconds}\t{rate}\tUSD\tf\t{stamp}\t{stamp}\n"
    )
    picked = rng.sample(tags, k=min(len(tags), rng.choice((0, 1, 1, 2, 3))))
    return entry, [f"{ws}\t{entry_id}\t{tag}\n" for tag in picked]
