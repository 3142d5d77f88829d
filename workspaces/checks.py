"""A database left part-way through the migrations squashed before 0.1.0 gets a clear error.

Django counts a squashed migration as applied when every migration it replaces is, and runs
it on a fresh database. A database that applied only some of them would otherwise fail deep
inside `migrate` ("Related model ... cannot be resolved"). Registered in the database tag, so
`migrate` runs it against the database it is about to change.
"""

from typing import Any

from django.core.checks import CheckMessage
from django.core.checks import Error
from django.core.checks import Tags
from django.core.checks import register
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

BEFORE_SQUASH = "88e6aff"


@register(Tags.database)
def squashed_migrations_whole(databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    loader = MigrationLoader(None, load=False)
    loader.load_disk()
    squashed = [m for m in loader.disk_migrations.values() if m.replaces]
    errors: list[CheckMessage] = []
    for alias in databases or ():
        recorder = MigrationRecorder(connections[alias])
        if not recorder.has_table():
            continue
        applied = set(recorder.applied_migrations())
        for migration in squashed:
            done = [key for key in migration.replaces if tuple(key) in applied]
            if done and len(done) < len(migration.replaces):
                errors.append(
                    Error(
                        f"Database {alias!r} applied {len(done)} of the "
                        f"{len(migration.replaces)} migrations that "
                        f"{migration.app_label}.{migration.name} replaces.",
                        hint=(
                            "Migrate it with a checkout of commit "
                            f"{BEFORE_SQUASH} first (`manage.py migrate`), then with this "
                            "one. See docs/operations.md, Upgrading."
                        ),
                        id="workspaces.E001",
                    )
                )
    return errors
