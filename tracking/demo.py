"""Demo data for `make run`: a workspace a newcomer can click through at once.

The names of the members match the employees of the QBO emulator's demo company (its
`seed-demo`), except Liam Becker, who has no employee there, so the QuickBooks sync has something
to link and something to report.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tracking.models import Client
from tracking.models import Project
from tracking.models import ProjectMember
from tracking.models import Tag
from tracking.models import Task
from tracking.models import TimeEntry
from tracking.models import TimeEntryTag
from tracking.services.rates import rate_for
from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace

DEMO_PASSWORD = "demo-password-2026"
DEMO_WORKSPACE = "Northwind Studio"


@dataclass(frozen=True)
class DemoPerson:
    name: str
    email: str
    role: str
    rate_cents: int | None


PEOPLE = (
    DemoPerson("Dana Whitfield", "dana@northwind.example", Membership.Role.OWNER, 12000),
    DemoPerson("Marcus Chen", "marcus@northwind.example", Membership.Role.ADMIN, 10000),
    DemoPerson("Priya Raman", "priya@northwind.example", Membership.Role.MEMBER, 8500),
    DemoPerson("Tomás Alvarez", "tomas@northwind.example", Membership.Role.MEMBER, 7500),
    DemoPerson("Grace O'Neill", "grace@northwind.example", Membership.Role.MEMBER, None),
    DemoPerson("Liam Becker", "liam@northwind.example", Membership.Role.MEMBER, 6500),
)

# client name (None: no client) -> [(project, billable, rate cents or None, color, [tasks])]
CATALOG: dict[str | None, list[tuple[str, bool, int | None, str, list[str]]]] = {
    "Summit Dental": [
        ("Patient Portal", True, 14000, "#0b6bcb", ["Design", "Development", "QA"]),
        ("Marketing Site", True, None, "#8e24aa", ["Copywriting", "Development"]),
    ],
    "Harbor Logistics": [
        ("Warehouse App", True, 13000, "#2e7d32", ["Planning", "Development", "Deployment"]),
        ("Fleet Dashboard", True, None, "#ef6c00", ["Design", "Development"]),
    ],
    "Internal": [
        ("Internal Tools", False, None, "#546e7a", ["Maintenance"]),
    ],
    None: [
        ("Team Meetings", False, None, "#6d4c41", []),
    ],
}
TAGS = ("meeting", "research", "bugfix", "deployment", "review")
DESCRIPTIONS = (
    "Sprint planning",
    "Implement login flow",
    "Fix checkout rounding bug",
    "Client call",
    "Code review",
    "Write release notes",
    "Database migration",
    "Design review",
    "Update onboarding docs",
    "Investigate slow report",
    "",
)


def demo_exists() -> bool:
    return Workspace.objects.filter(
        name=DEMO_WORKSPACE, memberships__user__email=PEOPLE[0].email
    ).exists()


@transaction.atomic
def seed_demo(*, days: int = 91, seed: int = 2026) -> Workspace:
    """Create the demo workspace with three months of entries (once; see demo_exists)."""
    rng = random.Random(seed)
    workspace = Workspace.objects.create(
        name=DEMO_WORKSPACE,
        currency="USD",
        time_zone="America/New_York",
        plan=Workspace.Plan.STANDARD,
        hourly_rate_cents=9000,
        rounding_enabled=False,
    )
    users: list[User] = []
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first() or User.objects.create_user(
            person.email, DEMO_PASSWORD, full_name=person.name, time_zone="America/New_York"
        )
        user.active_workspace = workspace
        user.save(update_fields=["active_workspace"])
        Membership.objects.create(
            workspace=workspace, user=user, role=person.role, hourly_rate_cents=person.rate_cents
        )
        users.append(user)

    projects: list[Project] = []
    tasks: dict[str, list[Task]] = {}
    for client_name, client_projects in CATALOG.items():
        client = (
            Client.objects.create(workspace=workspace, name=client_name) if client_name else None
        )
        for name, billable, rate, color, task_names in client_projects:
            project = Project.objects.create(
                workspace=workspace,
                client=client,
                name=name,
                billable=billable,
                hourly_rate_cents=rate,
                color=color,
            )
            projects.append(project)
            tasks[project.id] = [
                Task.objects.create(workspace=workspace, project=project, name=task_name)
                for task_name in task_names
            ]
    # A per-member project rate, so the whole rate hierarchy shows up in the data.
    ProjectMember.objects.create(
        workspace=workspace, project=projects[0], user=users[2], hourly_rate_cents=15000
    )
    tags = [Tag.objects.create(workspace=workspace, name=name) for name in TAGS]

    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    today = timezone.now().astimezone(zone).date()
    rates: dict[tuple[str, str, str | None], int] = {}
    entries: list[TimeEntry] = []
    entry_tags: list[tuple[int, Tag]] = []
    for offset in range(days, 0, -1):
        day = today - dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for user in users:
            cursor = dt.datetime.combine(day, dt.time(9, rng.choice((0, 15, 30))), tzinfo=zone)
            for _ in range(rng.randint(2, 4)):
                project = rng.choice(projects)
                task = rng.choice(tasks[project.id]) if tasks[project.id] else None
                minutes = rng.choice((25, 45, 60, 90, 105, 120, 150))
                start = cursor.astimezone(dt.UTC)
                end = start + dt.timedelta(minutes=minutes, seconds=rng.randint(0, 59))
                key = (user.id, project.id, task.id if task else None)
                if key not in rates:
                    rates[key] = rate_for(
                        workspace=workspace, user=user, project=project, task=task
                    )
                entries.append(
                    TimeEntry(
                        workspace=workspace,
                        user=user,
                        description=rng.choice(DESCRIPTIONS),
                        project=project,
                        task=task,
                        billable=project.billable,
                        start=start,
                        end=end,
                        duration_seconds=int((end - start).total_seconds()),
                        hourly_rate_cents=rates[key],
                        currency=workspace.currency,
                    )
                )
                if rng.random() < 0.3:
                    entry_tags.append((len(entries) - 1, rng.choice(tags)))
                cursor = (end + dt.timedelta(minutes=rng.choice((0, 10, 30)))).astimezone(zone)
    TimeEntry.objects.bulk_create(entries, batch_size=1000)
    TimeEntryTag.objects.bulk_create(
        [
            TimeEntryTag(workspace=workspace, time_entry=entries[index], tag=tag)
            for index, tag in entry_tags
        ],
        batch_size=1000,
    )
    return workspace
