"""tracking's schema in one migration: it replaces 0001_initial to 0006_approval_notes_and_reminders.

The project squashed its migrations before its first release (0.1.0). A database that had
applied every replaced migration counts this one as applied; a fresh one runs it. A
database part-way through the replaced ones must first be migrated with a checkout from
before the squash (see docs/operations.md).

The PostgreSQL extended statistics of the old 0003_report_indexes are kept: on project and
user, PostgreSQL otherwise multiplies the two columns' distinct counts and sorts a year of
entries to disk for the Summary report (bench/reports_detailed.py).
"""

import django.db.models.deletion
import django.utils.timezone
import workspaces.ids
from django.conf import settings
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
    initial = True

    replaces = [
        ("tracking", "0001_initial"),
        ("tracking", "0002_approvals"),
        ("tracking", "0003_report_indexes"),
        ("tracking", "0004_clockify_client_task_fields"),
        ("tracking", "0005_favorites"),
        ("tracking", "0006_approval_notes_and_reminders"),
    ]

    dependencies = [
        ("workspaces", "0001_squashed_0005_contractor"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Client",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("name", models.CharField(max_length=100)),
                ("note", models.TextField(blank=True, default="")),
                ("email", models.CharField(blank=True, default="", max_length=254)),
                ("address", models.TextField(blank=True, default="")),
                ("archived", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clients",
                        to="workspaces.workspace",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Project",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("name", models.CharField(max_length=100)),
                ("color", models.CharField(default="#0b6bcb", max_length=7)),
                ("billable", models.BooleanField(default=True)),
                (
                    "hourly_rate_cents",
                    models.PositiveIntegerField(blank=True, null=True),
                ),
                ("is_public", models.BooleanField(default=True)),
                ("note", models.TextField(blank=True, default="")),
                ("archived", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "client",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="projects",
                        to="tracking.client",
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="projects",
                        to="workspaces.workspace",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="ProjectMember",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "hourly_rate_cents",
                    models.PositiveIntegerField(blank=True, null=True),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="tracking.project",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workspaces.workspace",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="project",
            name="members",
            field=models.ManyToManyField(
                blank=True,
                related_name="+",
                through="tracking.ProjectMember",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.CreateModel(
            name="Tag",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("name", models.CharField(max_length=100)),
                ("archived", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tags",
                        to="workspaces.workspace",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Task",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("name", models.CharField(max_length=100)),
                (
                    "status",
                    models.CharField(
                        choices=[("ACTIVE", "Active"), ("DONE", "Done")],
                        default="ACTIVE",
                        max_length=6,
                    ),
                ),
                (
                    "hourly_rate_cents",
                    models.PositiveIntegerField(blank=True, null=True),
                ),
                ("billable", models.BooleanField(default=True)),
                ("estimate_seconds", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "assignees",
                    models.ManyToManyField(
                        blank=True, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tasks",
                        to="tracking.project",
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workspaces.workspace",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="FavoriteEntry",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                (
                    "description",
                    models.CharField(blank=True, default="", max_length=3000),
                ),
                ("tag_ids", models.JSONField(blank=True, default=list)),
                ("billable", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workspaces.workspace",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tracking.project",
                    ),
                ),
                (
                    "task",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tracking.task",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at"],
            },
        ),
        migrations.CreateModel(
            name="TimeEntry",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                (
                    "description",
                    models.CharField(blank=True, default="", max_length=3000),
                ),
                ("billable", models.BooleanField(default=False)),
                ("start", models.DateTimeField()),
                ("end", models.DateTimeField(blank=True, null=True)),
                (
                    "duration_seconds",
                    models.PositiveIntegerField(blank=True, null=True),
                ),
                ("hourly_rate_cents", models.PositiveIntegerField(default=0)),
                ("currency", models.CharField(default="USD", max_length=3)),
                ("is_locked", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "project",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="time_entries",
                        to="tracking.project",
                    ),
                ),
                (
                    "task",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="time_entries",
                        to="tracking.task",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="time_entries",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workspaces.workspace",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="TimeEntryTag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "tag",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tracking.tag",
                    ),
                ),
                (
                    "time_entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tracking.timeentry",
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workspaces.workspace",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="timeentry",
            name="tags",
            field=models.ManyToManyField(
                blank=True,
                related_name="+",
                through="tracking.TimeEntryTag",
                to="tracking.tag",
            ),
        ),
        migrations.CreateModel(
            name="WeekApproval",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("week_start", models.DateField()),
                ("since", models.DateTimeField()),
                ("until", models.DateTimeField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("PENDING", "Pending"),
                            ("APPROVED", "Approved"),
                            ("REJECTED", "Rejected"),
                            ("WITHDRAWN", "Withdrawn"),
                        ],
                        default="PENDING",
                        max_length=9,
                    ),
                ),
                ("total_seconds", models.PositiveIntegerField(default=0)),
                ("note", models.TextField(blank=True, default="")),
                ("member_note", models.TextField(blank=True, default="")),
                (
                    "submitted_at",
                    models.DateTimeField(default=django.utils.timezone.now),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workspaces.workspace",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ApprovalReminder",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("week_start", models.DateField()),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("SUBMIT", "Submit your week"),
                            ("REVIEW", "Weeks waiting for approval"),
                        ],
                        max_length=6,
                    ),
                ),
                ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workspaces.workspace",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("workspace", "user", "week_start", "kind"),
                        name="approval_reminder_once",
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                fields=["workspace", "archived", "name"],
                name="tracking_cl_workspa_7735f5_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.UniqueConstraint(
                fields=("workspace", "name"), name="client_unique_name"
            ),
        ),
        migrations.AddIndex(
            model_name="projectmember",
            index=models.Index(
                fields=["workspace", "user"], name="tracking_pr_workspa_e97de1_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="projectmember",
            constraint=models.UniqueConstraint(
                fields=("project", "user"), name="project_member_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                fields=["workspace", "archived", "name"],
                name="tracking_pr_workspa_a828d6_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.UniqueConstraint(
                fields=("workspace", "client", "name"),
                name="project_unique_name_per_client",
            ),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.UniqueConstraint(
                condition=models.Q(("client__isnull", True)),
                fields=("workspace", "name"),
                name="project_unique_name_without_client",
            ),
        ),
        migrations.AddIndex(
            model_name="tag",
            index=models.Index(
                fields=["workspace", "archived", "name"],
                name="tracking_ta_workspa_f93593_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.UniqueConstraint(
                fields=("workspace", "name"), name="tag_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                fields=["workspace", "project", "status"],
                name="tracking_ta_workspa_fb621c_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="task",
            constraint=models.UniqueConstraint(
                fields=("project", "name"), name="task_unique_name"
            ),
        ),
        migrations.AddIndex(
            model_name="favoriteentry",
            index=models.Index(
                fields=["workspace", "user", "created_at"], name="favorite_ws_user"
            ),
        ),
        migrations.AddIndex(
            model_name="timeentrytag",
            index=models.Index(
                fields=["workspace", "tag"], name="tracking_ti_workspa_c18f52_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="timeentrytag",
            constraint=models.UniqueConstraint(
                fields=("time_entry", "tag"), name="time_entry_tag_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="timeentry",
            index=models.Index(
                fields=["workspace", "user", "-start"], name="entry_ws_user_start"
            ),
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
        migrations.AddIndex(
            model_name="timeentry",
            index=models.Index(
                fields=["workspace", "project", "-start"], name="entry_ws_project_start"
            ),
        ),
        migrations.AddConstraint(
            model_name="timeentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("end__isnull", True)),
                fields=("workspace", "user"),
                name="time_entry_one_running_timer",
            ),
        ),
        migrations.AddConstraint(
            model_name="timeentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("end__isnull", True),
                    ("end__gt", models.F("start")),
                    _connector="OR",
                ),
                name="time_entry_end_after_start",
            ),
        ),
        migrations.AddConstraint(
            model_name="timeentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("duration_seconds__isnull", True),
                    ("duration_seconds__lte", 3596400),
                    _connector="OR",
                ),
                name="time_entry_at_most_999_hours",
            ),
        ),
        migrations.AddIndex(
            model_name="weekapproval",
            index=models.Index(
                fields=["workspace", "status", "week_start"], name="approval_ws_status"
            ),
        ),
        migrations.AddIndex(
            model_name="weekapproval",
            index=models.Index(
                fields=["workspace", "user", "since"], name="approval_ws_user_since"
            ),
        ),
        migrations.AddConstraint(
            model_name="weekapproval",
            constraint=models.UniqueConstraint(
                fields=("workspace", "user", "week_start"),
                name="week_approval_unique_week",
            ),
        ),
        migrations.AddConstraint(
            model_name="weekapproval",
            constraint=models.CheckConstraint(
                condition=models.Q(("until__gt", models.F("since"))),
                name="week_approval_until_after_since",
            ),
        ),
        migrations.RunPython(create_statistics, drop_statistics),
    ]
