"""quickbooks_sync's schema in one migration: it replaces 0001_initial to 0010_corrections.

The project squashed its migrations before its first release (0.1.0). A database that had
applied every replaced migration counts this one as applied; a fresh one runs it. A
database part-way through the replaced ones must first be migrated with a checkout from
before the squash (see docs/operations.md).
"""

import django.db.models.deletion
import django.utils.timezone
import quickbooks_sync.crypto
import workspaces.ids
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("quickbooks_sync", "0001_initial"),
        ("quickbooks_sync", "0002_send"),
        ("quickbooks_sync", "0003_send_interruptions"),
        ("quickbooks_sync", "0004_send_approved_only"),
        ("quickbooks_sync", "0005_manual_links"),
        ("quickbooks_sync", "0006_billing"),
        ("quickbooks_sync", "0007_send_schedule"),
        ("quickbooks_sync", "0008_quickbooks_changes"),
        ("quickbooks_sync", "0009_vendors"),
        ("quickbooks_sync", "0010_corrections"),
    ]

    dependencies = [
        ("tracking", "0001_squashed_0006_approval_notes_and_reminders"),
        ("workspaces", "0001_squashed_0005_contractor"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ChangeCheck",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("requested_at", models.DateTimeField(blank=True, null=True)),
                (
                    "requested_source",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("BUTTON", "Check now"),
                            ("WEBHOOK", "a QuickBooks notification"),
                        ],
                        max_length=8,
                    ),
                ),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("realm_id", models.CharField(blank=True, max_length=32)),
                ("checked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "checked_source",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("BUTTON", "Check now"),
                            ("WEBHOOK", "a QuickBooks notification"),
                        ],
                        max_length=8,
                    ),
                ),
                ("changed_since", models.DateTimeField(blank=True, null=True)),
                ("counts", models.JSONField(blank=True, default=dict)),
                ("changes", models.JSONField(blank=True, default=list)),
                ("complete", models.BooleanField(default=True)),
                ("window_capped", models.BooleanField(default=False)),
                ("error", models.CharField(blank=True, max_length=1000)),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "workspace",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workspaces.workspace",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ProjectBilling",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("class_id", models.CharField(blank=True, max_length=32)),
                ("class_name", models.CharField(blank=True, max_length=255)),
                ("item_id", models.CharField(blank=True, max_length=32)),
                ("item_name", models.CharField(blank=True, max_length=255)),
                (
                    "project",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="qbo_billing",
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
        ),
        migrations.CreateModel(
            name="QBOConnection",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("CONNECTED", "Connected"),
                            ("NEEDS_RECONNECT", "Needs reconnecting"),
                            ("DISCONNECTED", "Disconnected"),
                        ],
                        default="CONNECTED",
                        max_length=16,
                    ),
                ),
                ("realm_id", models.CharField(max_length=32)),
                ("company_name", models.CharField(blank=True, max_length=255)),
                ("company_plan", models.CharField(blank=True, max_length=64)),
                ("access_token", quickbooks_sync.crypto.EncryptedTextField(blank=True)),
                (
                    "refresh_token",
                    quickbooks_sync.crypto.EncryptedTextField(blank=True),
                ),
                (
                    "access_token_expires_at",
                    models.DateTimeField(blank=True, null=True),
                ),
                (
                    "refresh_token_expires_at",
                    models.DateTimeField(blank=True, null=True),
                ),
                ("problem", models.CharField(blank=True, max_length=500)),
                (
                    "connected_at",
                    models.DateTimeField(default=django.utils.timezone.now),
                ),
                ("disconnected_at", models.DateTimeField(blank=True, null=True)),
                ("last_synced_at", models.DateTimeField(blank=True, null=True)),
                ("service_item_id", models.CharField(blank=True, max_length=32)),
                ("service_item_name", models.CharField(blank=True, max_length=255)),
                ("send_approved_only", models.BooleanField(default=False)),
                ("class_tracking", models.BooleanField(default=False)),
                ("default_class_id", models.CharField(blank=True, max_length=32)),
                ("default_class_name", models.CharField(blank=True, max_length=255)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "connected_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "workspace",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="qbo_connection",
                        to="workspaces.workspace",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SendBatch",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("realm_id", models.CharField(max_length=32)),
                ("request_id", models.CharField(max_length=36, unique=True)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("PENDING", "Waiting for QuickBooks' answer"),
                            ("DONE", "Answered"),
                        ],
                        default="PENDING",
                        max_length=8,
                    ),
                ),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("last_error", models.CharField(blank=True, max_length=1000)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("last_attempt_at", models.DateTimeField(blank=True, null=True)),
                ("done_at", models.DateTimeField(blank=True, null=True)),
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
            name="SendJob",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("realm_id", models.CharField(max_length=32)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("SEND", "Send to QuickBooks"),
                            ("UPDATE", "Update in QuickBooks"),
                            ("DELETE", "Delete from QuickBooks"),
                        ],
                        default="SEND",
                        max_length=8,
                    ),
                ),
                ("filters", models.JSONField(blank=True, default=list)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("QUEUED", "Queued"),
                            ("RUNNING", "Sending"),
                            ("SUCCEEDED", "Finished"),
                            ("FAILED", "Stopped"),
                        ],
                        default="QUEUED",
                        max_length=16,
                    ),
                ),
                ("selected_count", models.PositiveIntegerField(default=0)),
                ("selected_seconds", models.PositiveBigIntegerField(default=0)),
                ("not_sent", models.JSONField(blank=True, default=dict)),
                ("sent_count", models.PositiveIntegerField(default=0)),
                ("sent_seconds", models.PositiveBigIntegerField(default=0)),
                ("failed_count", models.PositiveIntegerField(default=0)),
                ("interruptions", models.PositiveIntegerField(default=0)),
                ("error", models.CharField(blank=True, max_length=1000)),
                ("lease_owner", models.CharField(blank=True, max_length=36)),
                ("heartbeat_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
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
            name="SendItem",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("entry_key", models.CharField(max_length=24)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("PENDING", "Waiting"),
                            ("SENT", "Sent"),
                            ("FAILED", "Refused by QuickBooks"),
                            ("SKIPPED", "Not sent"),
                        ],
                        default="PENDING",
                        max_length=8,
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=40)),
                ("message", models.CharField(blank=True, max_length=1000)),
                ("payload", models.JSONField(blank=True, default=dict)),
                ("values", models.JSONField(blank=True, default=dict)),
                ("changes", models.JSONField(blank=True, default=list)),
                ("qbo_holds", models.JSONField(blank=True, default=dict)),
                ("seconds", models.PositiveIntegerField(default=0)),
                ("bid", models.CharField(blank=True, max_length=10)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "batch",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="items",
                        to="quickbooks_sync.sendbatch",
                    ),
                ),
                (
                    "time_entry",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
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
                (
                    "job",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="quickbooks_sync.sendjob",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="sendbatch",
            name="job",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="batches",
                to="quickbooks_sync.sendjob",
            ),
        ),
        migrations.CreateModel(
            name="ScheduledSend",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("slot", models.DateField()),
                ("due_at", models.DateTimeField()),
                ("ran_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("STARTED", "Send started"),
                            ("NOTHING", "Nothing to send"),
                            ("BUSY", "Skipped: the previous run was still sending"),
                            ("NOT_CONNECTED", "Skipped: QuickBooks not connected"),
                            ("PLAN", "Skipped: the plan lacks QuickBooks"),
                            ("ERROR", "Could not start"),
                        ],
                        max_length=16,
                    ),
                ),
                ("message", models.CharField(blank=True, max_length=1000)),
                ("not_sent", models.JSONField(blank=True, default=dict)),
                ("reported_at", models.DateTimeField(blank=True, null=True)),
                ("emailed", models.BooleanField(default=False)),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workspaces.workspace",
                    ),
                ),
                (
                    "job",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="scheduled_run",
                        to="quickbooks_sync.sendjob",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SendSchedule",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("enabled", models.BooleanField(default=False)),
                (
                    "frequency",
                    models.CharField(
                        choices=[("DAILY", "Every day"), ("WEEKLY", "Every week")],
                        default="WEEKLY",
                        max_length=8,
                    ),
                ),
                (
                    "weekday",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "Monday"),
                            (1, "Tuesday"),
                            (2, "Wednesday"),
                            (3, "Thursday"),
                            (4, "Friday"),
                            (5, "Saturday"),
                            (6, "Sunday"),
                        ],
                        default=0,
                    ),
                ),
                ("hour", models.PositiveSmallIntegerField(default=6)),
                (
                    "active_since",
                    models.DateTimeField(default=django.utils.timezone.now),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "changed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "workspace",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="qbo_send_schedule",
                        to="workspaces.workspace",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SentEntry",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("entry_key", models.CharField(max_length=24, unique=True)),
                ("realm_id", models.CharField(max_length=32)),
                ("qbo_time_activity_id", models.CharField(max_length=32)),
                ("sync_token", models.CharField(max_length=16)),
                ("values_sent", models.JSONField(default=dict)),
                ("version", models.PositiveIntegerField(default=1)),
                ("updated_at", models.DateTimeField(blank=True, null=True)),
                ("deleted_at", models.DateTimeField(blank=True, null=True)),
                ("entry_updated_at", models.DateTimeField(blank=True, null=True)),
                ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "batch",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="quickbooks_sync.sendbatch",
                    ),
                ),
                (
                    "job",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="quickbooks_sync.sendjob",
                    ),
                ),
                (
                    "time_entry",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="qbo_sent",
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
        migrations.CreateModel(
            name="SentVersion",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("version", models.PositiveIntegerField()),
                (
                    "operation",
                    models.CharField(
                        choices=[
                            ("create", "Sent"),
                            ("update", "Updated"),
                            ("read", "Read from QuickBooks"),
                            ("delete", "Deleted"),
                        ],
                        max_length=8,
                    ),
                ),
                ("values", models.JSONField(blank=True, default=dict)),
                ("sync_token", models.CharField(blank=True, max_length=16)),
                (
                    "recorded_at",
                    models.DateTimeField(default=django.utils.timezone.now),
                ),
                (
                    "job",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="quickbooks_sync.sendjob",
                    ),
                ),
                (
                    "sent_entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="versions",
                        to="quickbooks_sync.sententry",
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
            name="SyncJob",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("SYNC", "Sync users and customers"),
                            ("CREATE_EMPLOYEES", "Create missing users"),
                            (
                                "CREATE_CUSTOMERS",
                                "Create missing customers and projects",
                            ),
                        ],
                        max_length=24,
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("QUEUED", "Queued"),
                            ("RUNNING", "Running"),
                            ("SUCCEEDED", "Finished"),
                            ("FAILED", "Failed"),
                        ],
                        default="QUEUED",
                        max_length=16,
                    ),
                ),
                ("stage", models.CharField(blank=True, max_length=200)),
                ("progress_done", models.PositiveIntegerField(default=0)),
                ("progress_total", models.PositiveIntegerField(default=0)),
                ("result", models.JSONField(blank=True, default=dict)),
                ("error", models.CharField(blank=True, max_length=1000)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("heartbeat_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
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
            name="TaskBilling",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("item_id", models.CharField(blank=True, max_length=32)),
                ("item_name", models.CharField(blank=True, max_length=255)),
                (
                    "task",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="qbo_billing",
                        to="tracking.task",
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
            name="CustomerLink",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                (
                    "kind",
                    models.CharField(
                        choices=[("CLIENT", "Client"), ("PROJECT", "Project")],
                        max_length=8,
                    ),
                ),
                ("realm_id", models.CharField(max_length=32)),
                ("qbo_customer_id", models.CharField(max_length=32)),
                ("qbo_display_name", models.CharField(max_length=255)),
                (
                    "qbo_fully_qualified_name",
                    models.CharField(blank=True, max_length=1100),
                ),
                ("qbo_is_project", models.BooleanField(default=False)),
                ("manual", models.BooleanField(default=False)),
                ("linked_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "client",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="qbo_customer_link",
                        to="tracking.client",
                    ),
                ),
                (
                    "project",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="qbo_customer_link",
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
                "constraints": [
                    models.UniqueConstraint(
                        fields=("workspace", "realm_id", "kind", "qbo_customer_id"),
                        name="qbo_customer_link_one_per_kind",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("client__isnull", False),
                                ("kind", "CLIENT"),
                                ("project__isnull", True),
                            ),
                            models.Q(
                                ("client__isnull", True),
                                ("kind", "PROJECT"),
                                ("project__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="qbo_customer_link_kind_matches_target",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="EmployeeLink",
            fields=[
                ("id", workspaces.ids.ObjectIdField(serialize=False)),
                ("realm_id", models.CharField(max_length=32)),
                ("qbo_employee_id", models.CharField(max_length=32)),
                ("qbo_display_name", models.CharField(max_length=255)),
                (
                    "name_of",
                    models.CharField(
                        choices=[("Employee", "Employee"), ("Vendor", "Vendor")],
                        default="Employee",
                        max_length=8,
                    ),
                ),
                ("manual", models.BooleanField(default=False)),
                ("linked_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "membership",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="qbo_employee_link",
                        to="workspaces.membership",
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
                        fields=("workspace", "realm_id", "name_of", "qbo_employee_id"),
                        name="qbo_employee_link_one_member_per_person",
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="sendjob",
            index=models.Index(
                fields=["workspace", "-created_at"],
                name="quickbooks__workspa_53bf9c_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="sendjob",
            index=models.Index(
                condition=models.Q(("state__in", ("QUEUED", "RUNNING"))),
                fields=["state", "heartbeat_at"],
                name="qbo_send_job_active",
            ),
        ),
        migrations.AddIndex(
            model_name="senditem",
            index=models.Index(
                fields=["job", "state"], name="quickbooks__job_id_430164_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="senditem",
            index=models.Index(
                fields=["workspace", "time_entry"],
                name="quickbooks__workspa_b58a33_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="senditem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "PENDING")),
                fields=("time_entry",),
                name="qbo_send_item_one_pending_per_entry",
            ),
        ),
        migrations.AddConstraint(
            model_name="senditem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "PENDING")),
                fields=("entry_key",),
                name="qbo_send_item_one_pending_per_key",
            ),
        ),
        migrations.AddIndex(
            model_name="sendbatch",
            index=models.Index(
                fields=["job", "state", "created_at"],
                name="quickbooks__job_id_0568c0_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="scheduledsend",
            index=models.Index(
                fields=["workspace", "-due_at"], name="qbo_scheduled_send_recent"
            ),
        ),
        migrations.AddIndex(
            model_name="scheduledsend",
            index=models.Index(
                condition=models.Q(("reported_at__isnull", True)),
                fields=["ran_at"],
                name="qbo_scheduled_send_unreported",
            ),
        ),
        migrations.AddConstraint(
            model_name="scheduledsend",
            constraint=models.UniqueConstraint(
                fields=("workspace", "slot"), name="qbo_scheduled_send_once"
            ),
        ),
        migrations.AddIndex(
            model_name="sendschedule",
            index=models.Index(fields=["enabled"], name="qbo_schedule_enabled"),
        ),
        migrations.AddConstraint(
            model_name="sendschedule",
            constraint=models.CheckConstraint(
                condition=models.Q(("hour__lte", 23)), name="qbo_schedule_hour_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="sendschedule",
            constraint=models.CheckConstraint(
                condition=models.Q(("weekday__lte", 6)),
                name="qbo_schedule_weekday_valid",
            ),
        ),
        migrations.AddIndex(
            model_name="sententry",
            index=models.Index(
                fields=["workspace", "-sent_at"], name="quickbooks__workspa_60695f_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="sentversion",
            constraint=models.UniqueConstraint(
                fields=("sent_entry", "version"), name="qbo_sent_version_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="syncjob",
            index=models.Index(
                fields=["workspace", "-created_at"],
                name="quickbooks__workspa_7c24c2_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="syncjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state__in", ("QUEUED", "RUNNING"))),
                fields=("workspace",),
                name="qbo_sync_job_one_active_per_workspace",
            ),
        ),
    ]
