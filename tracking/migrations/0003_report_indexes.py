"""Report speed on large workspaces (bench/reports_detailed.py, a million entries).

- The (workspace, start) index covers what the reports total and group by, so the Detailed
  report's totals and the Summary's groups over a date range are index-only scans.
- Extended statistics on (project, user): PostgreSQL multiplied the two columns' distinct
  counts (98,000 groups for 2,600 real ones), sorted a year of entries to disk instead of
  hashing them, and took three times as long. PostgreSQL only (SQLite has no such thing).
"""

from django.db import migrations, models

STATISTICS = "entry_project_user_stats"


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (ndistinct) "
            "ON project_id, user_id FROM tracking_timeentry"
        )


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0002_approvals"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="timeentry",
            name="entry_ws_start",
        ),
        migrations.AddIndex(
            model_name="timeentry",
            index=models.Index(
                fields=["workspace", "-start"],
                include=(
                    "end",
                    "user",
                    "project",
                    "task",
                    "billable",
                    "duration_seconds",
                    "hourly_rate_cents",
                    "currency",
                ),
                name="entry_ws_start_covering",
            ),
        ),
        migrations.RunPython(create_statistics, drop_statistics),
    ]
