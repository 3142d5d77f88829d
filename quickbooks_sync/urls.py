"""QuickBooks pages. `urlpatterns` are a workspace's, mounted at /w/<ws>/quickbooks/ (connection,
sync, send); `public_urlpatterns` are outside any workspace, mounted at /quickbooks/: the OAuth
callback (Intuit redirects to one fixed URI; the workspace comes from the signed, single-use
`state`) and the endpoint of QuickBooks' webhooks (signed with the app's verifier token).

Settings > Integrations lives here (workspaces must not import quickbooks_sync);
`workspaces:settings_integrations` redirects to it."""

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import path

from quickbooks_sync.views import billing
from quickbooks_sync.views import changes
from quickbooks_sync.views import connection
from quickbooks_sync.views import schedule
from quickbooks_sync.views import send
from quickbooks_sync.views import send_corrections
from quickbooks_sync.views import sync

app_name = "quickbooks"

urlpatterns: list[URLPattern | URLResolver] = [
    # connection
    path("", connection.integrations, name="integrations"),
    path("connect/", connection.connect, name="connect"),
    path("disconnect/", connection.disconnect, name="disconnect"),
    # what changed in QuickBooks
    path("changes/check/", changes.check_now, name="changes_check"),
    path("changes/panel/", changes.panel, name="changes_panel"),
    # sync
    path("sync/", sync.sync, name="sync"),
    path("sync/create-missing-users/", sync.create_missing_users, name="create_missing_users"),
    path(
        "sync/create-missing-customers/",
        sync.create_missing_customers,
        name="create_missing_customers",
    ),
    path("jobs/<str:job_id>/", sync.sync_job, name="sync_job"),
    path("jobs/<str:job_id>/status/", sync.sync_job_status, name="sync_job_status"),
    path("jobs/<str:job_id>/links/", sync.sync_link, name="sync_link"),
    # send
    path("report/", send.report, name="send_report"),
    path("send/", send.send_confirm, name="send_confirm"),
    path("sends/<str:job_id>/", send.send_job, name="send_job"),
    path("sends/<str:job_id>/status/", send.send_job_status, name="send_job_status"),
    path("sends/<str:job_id>/retry-failed/", send.send_retry, name="send_retry"),
    path("corrections/", send_corrections.corrections_confirm, name="corrections_confirm"),
    path("service-item/", send.service_item, name="service_item"),
    path("approved-only/", send.approved_only, name="approved_only"),
    path("dashboard-panel/", send.dashboard_panel, name="dashboard_panel"),
    # approved time on a schedule
    path("schedule/", schedule.send_schedule, name="send_schedule"),
    # classes and items
    path("billing/", billing.billing, name="billing"),
]

public_urlpatterns: list[URLPattern | URLResolver] = [
    path("callback/", connection.callback, name="callback"),
    path("webhooks/", changes.webhook, name="webhook"),
]
