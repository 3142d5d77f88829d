"""Pages of the QuickBooks sync (admins and the owner): the Sync button (its panel sits on the
Integrations page), a job's page with a progress bar that htmx polls and then the result, and
the two create-missing actions, each behind a confirmation page (works without JavaScript)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_POST

from quickbooks_sync.models import SyncJob
from quickbooks_sync.selectors.sync import sync_job_get
from quickbooks_sync.selectors.sync import sync_job_latest
from quickbooks_sync.selectors.sync import sync_job_linkable
from quickbooks_sync.services.links import link_manual
from quickbooks_sync.services.links import link_undo
from quickbooks_sync.services.sync import JobBusy
from quickbooks_sync.services.sync import sync_start
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.models import Membership

POLL_SECONDS = 1

# What each confirmation page lists from the last sync's result: (result key, heading, test id).
CONFIRM_LISTS: dict[str, list[tuple[str, str, str]]] = {
    SyncJob.Kind.CREATE_EMPLOYEES: [
        ("membersWithoutEmployee", "Members to create as employees in QuickBooks", "members"),
        ("contractorsWithoutVendor", "Contractors to create as vendors in QuickBooks", "vendors"),
    ],
    SyncJob.Kind.CREATE_CUSTOMERS: [
        ("customersWithoutClient", "Clients to create here", "clients"),
        ("customersWithoutProject", "Projects to create here", "projects"),
    ],
}

CONFIRM: dict[str, dict[str, str]] = {
    SyncJob.Kind.CREATE_EMPLOYEES: {
        "title": "Create missing users in QuickBooks",
        "explain": (
            "An employee is created in QuickBooks for each active member who has none, and a "
            "vendor for each active contractor who has none, with the member's name as display "
            "name (given and family names split from it). QuickBooks refuses a name that "
            "another employee, customer or vendor already has; such members are listed in the "
            "result with the reason."
        ),
        "button": "Create them in QuickBooks",
    },
    SyncJob.Kind.CREATE_CUSTOMERS: {
        "title": "Create missing customers and projects here",
        "explain": (
            "A client is created here for each QuickBooks customer with sub-customers that has "
            "none, and a project for each customer, sub-customer or QuickBooks project that has "
            "none, in the same hierarchy. Nothing is changed in QuickBooks."
        ),
        "button": "Create the clients and projects",
    },
}


def _start(request: WorkspaceRequest, kind: str) -> HttpResponse:
    ws = request.workspace.pk
    try:
        job = sync_start(membership=request.membership, kind=kind)
    except JobBusy as exc:
        messages.warning(request, exc.message)
        running = sync_job_latest(workspace_id=ws)
        if running is not None:
            return redirect("quickbooks:sync_job", ws=ws, job_id=running.pk)
        return redirect("quickbooks:integrations", ws=ws)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("quickbooks:integrations", ws=ws)
    return redirect("quickbooks:sync_job", ws=ws, job_id=job.pk)


def _job(request: WorkspaceRequest, job_id: str) -> SyncJob:
    try:
        return sync_job_get(
            workspace_id=request.workspace.pk,
            job_id=job_id,
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _job_context(request: WorkspaceRequest, job_id: str, *, compact: bool) -> dict[str, Any]:
    """What a job's page and the fragment htmx polls on it (compact: the Integrations panel's)
    show."""
    job = _job(request, job_id)
    return {
        "job": job,
        "poll_seconds": POLL_SECONDS,
        "compact": compact,
        "linkable": sync_job_linkable(job),
    }


@require_POST
@workspace_view(Membership.Role.ADMIN)
def sync(request: WorkspaceRequest) -> HttpResponse:
    """Start a sync (or land on the one already running)."""
    return _start(request, SyncJob.Kind.SYNC)


@require_GET
@workspace_view(Membership.Role.ADMIN)
def sync_job(request: WorkspaceRequest, job_id: str) -> HttpResponse:
    context = _job_context(request, job_id, compact=False)
    return render(request, "quickbooks_sync/sync_job.html", {"nav": "settings", **context})


@require_GET
@workspace_view(Membership.Role.ADMIN)
def sync_job_status(request: WorkspaceRequest, job_id: str) -> HttpResponse:
    """The fragment htmx polls: the progress bar while the job runs, then its outcome."""
    context = _job_context(request, job_id, compact=request.GET.get("compact") == "1")
    return render(request, "quickbooks_sync/sync_job_status.html", context)


@require_POST
@workspace_view(Membership.Role.ADMIN)
def sync_link(request: WorkspaceRequest, job_id: str) -> HttpResponse:
    """Link by hand, from the result page's searchable list (or undo a link made by hand)."""
    job = _job(request, job_id)
    post = request.POST
    try:
        if post.get("undo"):
            link_undo(
                actor=request.membership,
                job_id=job.pk,
                side=post.get("side", ""),
                local_id=post.get("local_id", ""),
            )
            messages.success(request, "Link undone: both are listed as unlinked again.")
        else:
            row = link_manual(
                actor=request.membership,
                job_id=job.pk,
                side=post.get("side", ""),
                local_id=post.get("local_id", ""),
                qbo_label=post.get("qbo", ""),
            )
            there = (
                row.get("employeeName") or row.get("vendorName") or row.get("fullyQualifiedName")
            )
            messages.success(request, f"Linked by hand to “{there}”.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    anchor = {
        "member": "#qbo-users",
        "contractor": "#qbo-contractors",
        "project": "#qbo-customers",
        "client": "#qbo-customers",
    }
    target = reverse("quickbooks:sync_job", kwargs={"ws": job.workspace_id, "job_id": job.pk})
    return redirect(target + anchor.get(post.get("side", ""), ""))


def _confirm(request: WorkspaceRequest, kind: str) -> HttpResponse:
    if request.method == "POST":
        return _start(request, kind)
    latest = (
        SyncJob.objects.filter(
            workspace_id=request.workspace.pk,
            state=SyncJob.State.SUCCEEDED,
        )
        .order_by("-finished_at")
        .first()
    )
    lists = (
        [
            {"heading": heading, "testid": testid, "rows": latest.result.get(key, [])}
            for key, heading, testid in CONFIRM_LISTS[kind]
        ]
        if latest is not None
        else None
    )
    return render(
        request,
        "quickbooks_sync/sync_confirm.html",
        {"nav": "settings", "kind": kind, "copy": CONFIRM[kind], "lists": lists, "latest": latest},
    )


@require_http_methods(["GET", "POST"])
@workspace_view(Membership.Role.ADMIN)
def create_missing_users(request: WorkspaceRequest) -> HttpResponse:
    return _confirm(request, SyncJob.Kind.CREATE_EMPLOYEES)


@require_http_methods(["GET", "POST"])
@workspace_view(Membership.Role.ADMIN)
def create_missing_customers(request: WorkspaceRequest) -> HttpResponse:
    return _confirm(request, SyncJob.Kind.CREATE_CUSTOMERS)
