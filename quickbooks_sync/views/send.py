"""Pages of "Send to QuickBooks" (the owner and admins of a connected workspace):

- the Detailed report's QuickBooks view (/w/<ws>/quickbooks/report/?<the report's filters>):
  the entries within the filters not sent yet, or (show=sent) the sent ones with their
  TimeActivity Id, when they were sent and whether they changed since;
- "Send to QuickBooks": a confirmation page counting what goes and what does not, by reason
  (works without JavaScript), whose POST starts the job;
- the job's page: a progress bar htmx polls every second (a meta refresh without JavaScript),
  then the outcome per entry and "Retry failed";
- the service item sent with each TimeActivity (Settings > Integrations links here).

The filters are the Detailed report's query string, parsed by reports' own parser."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_POST

from quickbooks_sync.mapping import RefusalReason
from quickbooks_sync.models import SendItem
from quickbooks_sync.models import SendJob
from quickbooks_sync.selectors.connection import connection_get
from quickbooks_sync.selectors.connection import connection_of
from quickbooks_sync.selectors.send import can_send
from quickbooks_sync.selectors.send import not_sent_rows
from quickbooks_sync.selectors.send import report_entries_not_sent
from quickbooks_sync.selectors.send import report_entries_sent
from quickbooks_sync.selectors.send import send_job_items
from quickbooks_sync.selectors.send import send_job_left
from quickbooks_sync.selectors.send import send_job_refusals
from quickbooks_sync.selectors.sync import sync_needed_first
from quickbooks_sync.services.send import NOT_APPROVED
from quickbooks_sync.services.send import NOT_SENT_LABELS
from quickbooks_sync.services.send import NOT_SENT_MESSAGES
from quickbooks_sync.services.send import SendPreview
from quickbooks_sync.services.send import send_blockers
from quickbooks_sync.services.send import send_job_get
from quickbooks_sync.services.send import send_preview
from quickbooks_sync.services.send import send_retry_failed
from quickbooks_sync.services.send import send_start
from quickbooks_sync.services.send_corrections import MAX_CHOSEN
from quickbooks_sync.services.service_item import send_approved_only_set
from quickbooks_sync.services.service_item import service_item_choices
from quickbooks_sync.services.service_item import service_item_set
from quickbooks_sync.views.confirm import confirm_page
from quickbooks_sync.views.connection import integrations_subpage
from quickbooks_sync.views.send_corrections import annotate_differences
from quickbooks_sync.views.send_corrections import deleted_here_rows
from quickbooks_sync.views.send_corrections import describe_stale
from reports.dashboard import dashboard_filters
from reports.filters import DateRange
from reports.filters import DetailedFilters
from reports.filters import FilterError
from reports.filters import detailed_filters_from_query
from reports.filters import filter_form_values
from reports.filters import filter_form_values_as_sent
from reports.rounding import workspace_rounding
from reports.selectors import detailed_filter_choices
from tracking.models import Project
from tracking.templatetags.entry_format import hms
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.models import Membership
from workspaces.models import User

POLL_SECONDS = 1
ITEMS_PAGE_SIZE = 100
PAGE_SIZE = 50  # entries a page, as the Detailed report's pages
SHOW_SENT = "sent"


def _filters(request: WorkspaceRequest) -> DetailedFilters:
    return detailed_filters_from_query(dict(request.GET.lists()), membership=request.membership)


NAMES_SHOWN = 5  # names a blocker lists before "and N more"


def _names(names: list[str]) -> str:
    names = sorted(names, key=str.casefold)
    shown = ", ".join(names[:NAMES_SHOWN])
    return f"{shown} and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else shown


def blocker_rows(
    preview: SendPreview, *, membership: Membership, filters: DetailedFilters
) -> list[dict[str, Any]]:
    """What blocks entries from going, one row per reason: its label, the projects or members
    concerned by name ("Project not linked: Warehouse App, Fleet Dashboard (12 entries)"), and
    the actions that fix it (links). Two queries for the names, none when none are needed."""
    ws = membership.workspace_id
    rows = not_sent_rows(preview.not_sent_json(), most_first=True)
    project_ids = {p for c in preview.not_sent.values() for p in c.project_ids}
    user_ids = {u for c in preview.not_sent.values() for u in c.user_ids}
    projects: dict[str, str] = {}
    members: dict[str, str] = {}
    if project_ids and RefusalReason.PROJECT_NOT_LINKED.value in preview.not_sent:
        projects = dict(
            Project.objects.filter(workspace_id=ws, pk__in=project_ids).values_list("pk", "name")
        )
    if user_ids and RefusalReason.MEMBER_NOT_LINKED.value in preview.not_sent:
        members = {
            pk: name or email
            for pk, name, email in User.objects.filter(pk__in=user_ids).values_list(
                "pk", "full_name", "email"
            )
        }

    def url(name: str, **kwargs: str) -> str:
        return reverse(name, kwargs={"ws": ws, **kwargs})

    dates = [
        ("range", "custom"),
        ("start", filters.start.isoformat()),
        ("end", filters.end.isoformat()),
    ]
    detailed = url("reports:detailed")
    for row in rows:
        count = preview.not_sent[row["reason"]]
        fixes: list[tuple[str, str]] = []
        names = ""
        reason = row["reason"]
        if reason == RefusalReason.PROJECT_NOT_LINKED.value:
            names = _names([projects[p] for p in count.project_ids if p in projects])
            fixes = [
                ("Sync customers", url("quickbooks:integrations") + "#qbo-sync"),
                ("Create missing customers", url("quickbooks:create_missing_customers")),
            ]
            if len(count.project_ids) == 1:
                (only,) = count.project_ids
                fixes.append(("Open the project", url("tracking:project_detail", pk=only)))
        elif reason == RefusalReason.MEMBER_NOT_LINKED.value:
            names = _names([members[u] for u in count.user_ids if u in members])
            fixes = [
                ("Sync users", url("quickbooks:integrations") + "#qbo-sync"),
                ("Create missing users", url("quickbooks:create_missing_users")),
            ]
        elif reason == NOT_APPROVED:
            fixes = [("Review the weeks waiting", url("tracking:approvals_pending"))]
        elif reason == RefusalReason.BILLABLE_WITHOUT_PROJECT.value:
            query = urlencode([*dates, ("project", "none"), ("billable", "yes")])
            fixes = [("Give them a project", f"{detailed}?{query}")]
        elif reason in (
            RefusalReason.TOO_LONG.value,
            RefusalReason.TOO_SHORT.value,
            RefusalReason.RUNNING.value,
        ):
            fixes = [("Find them in the Detailed report", f"{detailed}?{urlencode(dates)}")]
        row.update(names=names, fixes=fixes)
    return rows


@require_GET
@workspace_view(Membership.Role.ADMIN)
def report(request: WorkspaceRequest) -> HttpResponse:
    """The Detailed report's QuickBooks view: not sent entries (default) or sent ones."""
    membership = request.membership
    params = dict(request.GET.lists())
    show_sent = request.GET.get("show") == SHOW_SENT
    # Read once for the whole page (the banner in base.html answers from it too).
    connection = connection_of(membership)
    context: dict[str, Any] = {
        "nav": "reports",
        "choices": detailed_filter_choices(
            membership=membership, projects=params.get("project", []), tasks=params.get("task", [])
        ),
        "ranges": list(DateRange),
        "rounding": workspace_rounding(membership.workspace),
        "show_sent": show_sent,
        "connected": connection is not None and connection.is_connected,
        "plan_has_quickbooks": membership.workspace.has_quickbooks,
        "needs_sync": sync_needed_first(connection=connection),
    }
    try:
        filters = _filters(request)
    except FilterError as exc:
        context.update(error=exc, form=filter_form_values_as_sent(params), filters=None)
        return render(request, "quickbooks_sync/send_report.html", context, status=400)
    filter_query = urlencode(filters.to_query())
    select = report_entries_sent if show_sent else report_entries_not_sent
    page = Paginator(select(membership=membership, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page_query = [*filters.to_query(), *([("show", SHOW_SENT)] if show_sent else [])]
    rows = list(page.object_list)
    if not show_sent and rows:
        # Mark the entries that cannot go, and why, before anyone presses Send.
        blockers = send_blockers(membership=membership, entry_ids=[r.pk for r in rows])
        for row in rows:
            reason = blockers.get(row.pk)
            row.blocker = NOT_SENT_LABELS.get(reason, reason) if reason else ""
            row.blocker_message = NOT_SENT_MESSAGES.get(reason, "") if reason else ""
    can_correct = bool(
        show_sent
        and context["connected"]
        and context["plan_has_quickbooks"]
        and not context["needs_sync"]
    )
    if can_correct and connection is not None:
        # Beside today's values, what QuickBooks holds where it differs; and deleted entries
        # QuickBooks still has, for "Delete from QuickBooks" (plan-gated, as sending).
        annotate_differences(membership, connection, rows)
        context.update(
            deleted_rows=deleted_here_rows(membership, connection, filters),
            max_chosen=MAX_CHOSEN,
            filter_pairs=filters.to_query(),
        )
    context["can_correct"] = can_correct
    context.update(
        filters=filters,
        form=filter_form_values(filters),
        page=page,
        rows=rows,
        filter_query=filter_query,
        page_query=urlencode(page_query),
        detailed_url=reverse("reports:detailed", kwargs={"ws": membership.workspace_id}),
    )
    return render(request, "quickbooks_sync/send_report.html", context)


@require_http_methods(["GET", "POST"])
@workspace_view(Membership.Role.ADMIN)
def send_confirm(request: WorkspaceRequest) -> HttpResponse:
    """GET: how many entries and hours would go within the filters (all pages) and how many
    would not, by reason. POST: start the send (the filters are pinned to their dates)."""
    membership = request.membership
    ws = membership.workspace_id
    try:
        filters = _filters(request)
    except FilterError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("quickbooks:send_report", kwargs={"ws": ws}))
    pinned = filters.resolved()
    context: dict[str, Any] = {
        "nav": "reports",
        "filters": pinned,
        "filter_query": urlencode(pinned.to_query()),
        "needs_sync": sync_needed_first(connection=connection_of(membership)),
    }
    return confirm_page(
        request,
        "quickbooks_sync/send_confirm.html",
        context,
        start=lambda: send_start(membership=membership, filters=pinned),
        preview=lambda: send_preview(membership=membership, filters=pinned),
        describe=lambda preview: {
            "reasons": blocker_rows(preview, membership=membership, filters=pinned),
            "approved_only": preview.not_sent.get(NOT_APPROVED),
        },
    )


def _job(request: WorkspaceRequest, job_id: str) -> SendJob:
    try:
        return send_job_get(membership=request.membership, job_id=job_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _job_context(request: HttpRequest, job: SendJob) -> dict[str, Any]:
    context: dict[str, Any] = {
        "job": job,
        "poll_seconds": POLL_SECONDS,
        "report_query": urlencode(job.filters),
    }
    if not job.is_active:
        left = send_job_left(job)
        refusals = send_job_refusals(job)
        show = request.GET.get("items", "")
        state = show.upper() if show.upper() in SendItem.State.values else None
        items = Paginator(send_job_items(job=job, state=state), ITEMS_PAGE_SIZE)
        items_page = items.get_page(request.GET.get("page"))
        if job.kind != SendJob.Kind.SEND:
            describe_stale(job, list(items_page.object_list))
        context.update(
            reasons=not_sent_rows(job.not_sent, most_first=True),
            items_page=items_page,
            items_filter=show,
            waiting=left.waiting,
            can_retry=left.can_retry,
            refusals=refusals,
            outcome_line=outcome_line(job, left.waiting),
        )
    return context


DONE_VERBS: dict[str, str] = {
    SendJob.Kind.SEND: "Sent",
    SendJob.Kind.UPDATE: "Updated in QuickBooks",
    SendJob.Kind.DELETE: "Deleted from QuickBooks",
}


def outcome_line(job: SendJob, waiting: int) -> str:
    """The outcome in one sentence, for the top of a finished send's page."""
    entries = "entry" if job.selected_count == 1 else "entries"
    verb = DONE_VERBS.get(job.kind, "Sent")
    parts = [f"{verb} {job.sent_count} of {job.selected_count} {entries} ({hms(job.sent_seconds)})"]
    if job.failed_count:
        parts.append(f"{job.failed_count} refused by QuickBooks or stopped")
    if waiting:
        parts.append(f"{waiting} waiting for QuickBooks' answer")
    not_sent = sum(int(c.get("entries", 0)) for c in (job.not_sent or {}).values())
    if not_sent:
        parts.append(f"{not_sent} not sent (see the reasons below)")
    return "; ".join(parts) + "."


@require_GET
@workspace_view(Membership.Role.ADMIN)
def send_job(request: WorkspaceRequest, job_id: str) -> HttpResponse:
    job = _job(request, job_id)
    context = {
        "nav": "reports",
        "scheduled_run": getattr(job, "scheduled_run", None),
        **_job_context(request, job),
    }
    return render(request, "quickbooks_sync/send_job.html", context)


@require_GET
@workspace_view(Membership.Role.ADMIN)
def send_job_status(request: WorkspaceRequest, job_id: str) -> HttpResponse:
    """The fragment htmx polls: the progress bar while the job runs, then its outcome."""
    job = _job(request, job_id)
    return render(request, "quickbooks_sync/send_job_status.html", _job_context(request, job))


@require_POST
@workspace_view(Membership.Role.ADMIN)
def send_retry(request: WorkspaceRequest, job_id: str) -> HttpResponse:
    """Send again what QuickBooks refused (after the cause was fixed) and what a stopped job
    left unsent."""
    job = _job(request, job_id)
    try:
        send_retry_failed(membership=request.membership, job_id=job.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("quickbooks:send_job", ws=job.workspace_id, job_id=job.pk)


@require_http_methods(["GET", "POST"])
@workspace_view(Membership.Role.ADMIN)
def service_item(request: WorkspaceRequest) -> HttpResponse:
    """Choose the service item (ItemRef) sent with each TimeActivity, or none."""
    membership = request.membership

    def save() -> str:
        connection = service_item_set(
            membership=membership, item_id=request.POST.get("service_item", "")
        )
        name = connection.service_item_name
        if name:
            return f"TimeActivities will be sent with the service item “{name}”."
        return "TimeActivities will be sent without a service item."

    return integrations_subpage(
        request,
        "quickbooks_sync/service_item.html",
        lambda: {"items": service_item_choices(membership=membership)},
        save=save,
        anchor="#quickbooks",
    )


@require_POST
@workspace_view(Membership.Role.ADMIN)
def approved_only(request: WorkspaceRequest) -> HttpResponse:
    """Turn "send only approved time" on or off (Integrations tab)."""
    membership = request.membership
    on = request.POST.get("send_approved_only") == "on"
    try:
        send_approved_only_set(membership=membership, on=on)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "Only approved time will be sent to QuickBooks."
            if on
            else "Any time within the filters will be sent to QuickBooks, approved or not.",
        )
    return redirect(reverse("quickbooks:integrations", kwargs={"ws": membership.workspace_id}))


@require_GET
@workspace_view(Membership.Role.ADMIN)
def dashboard_panel(request: WorkspaceRequest) -> HttpResponse:
    """The dashboard's QuickBooks panel (htmx loads it after the page, so the dashboard's own
    figures do not wait for it): within the dashboard's filters, the entries ready to send and
    those that cannot go, by reason, and the last sync and send. Nothing for a workspace that
    is not connected or whose plan lacks QuickBooks."""
    membership = request.membership
    if not can_send(membership):
        return HttpResponse("")
    try:
        filters = dashboard_filters(dict(request.GET.lists()), membership=membership)
        preview = send_preview(membership=membership, filters=filters)
    except ApplicationError as exc:
        return render(
            request, "quickbooks_sync/_dashboard_panel.html", {"error": exc.message}, status=200
        )
    connection = connection_get(workspace_id=membership.workspace_id)
    last_send = (
        SendJob.objects.filter(workspace_id=membership.workspace_id).order_by("-created_at").first()
    )
    query = urlencode(filters.resolved().to_query())
    return render(
        request,
        "quickbooks_sync/_dashboard_panel.html",
        {
            "preview": preview,
            "reasons": blocker_rows(preview, membership=membership, filters=filters),
            "connection": connection,
            "last_send": last_send,
            "filter_query": query,
        },
    )
