"""The squashed migrations: a database part-way through the replaced ones is refused clearly."""

import pytest
from django.core.checks import Tags
from django.core.checks import run_checks
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

pytestmark = pytest.mark.django_db


def squash_errors() -> list[str]:
    found = run_checks(databases=["default"], tags=[Tags.database])
    return [message.msg for message in found if message.id == "workspaces.E001"]


def test_a_migrated_database_passes():
    assert squash_errors() == []


def test_a_database_missing_one_replaced_migration_is_refused_by_name():
    MigrationRecorder(connection).record_unapplied("tracking", "0006_approval_notes_and_reminders")

    assert squash_errors() == [
        "Database 'default' applied 5 of the 6 migrations that "
        "tracking.0001_squashed_0006_approval_notes_and_reminders replaces."
    ]


def test_a_database_from_before_any_replaced_migration_is_not_refused():
    recorder = MigrationRecorder(connection)
    for name in (
        "0001_initial",
        "0002_apikey",
        "0003_time_rules_settings",
        "0004_approval_reminders",
        "0005_contractor",
    ):
        recorder.record_unapplied("workspaces", name)

    assert squash_errors() == []
