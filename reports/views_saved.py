"""Saved reports under /w/<ws>/reports/saved/: save a report's filters and grouping under a
name (private, or shared with the workspace's admins), list, open, rename, save new filters
to, delete. Writes go through reports/services.py; its errors come back as page messages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404
from django.http import HttpResponse
from django.http import QueryDict
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_POST

from reports import services
from reports.models import SavedReport
from reports.selectors import drop_missing_filter_ids
from reports.selectors import saved_report_get
from reports.selectors import saved_reports
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.models import Membership

NOUNS = {"member": "member", "client": "client", "project": "project", "task": "task", "tag": "tag"}


def _list_url(membership: Membership) -> str:
    return reverse("reports:saved_list", kwargs={"ws": membership.workspace_id})


def report_url(report: SavedReport, query: str | None = None) -> str:
    """The report page showing `report` (its saved query unless `query` is given)."""
    base = reverse(f"reports:{report.kind}", kwargs={"ws": report.workspace_id})
    query = report.query if query is None else query
    return f"{base}?{query}&saved={report.pk}" if query else f"{base}?saved={report.pk}"


def saved_context(request: WorkspaceRequest, *, kind: str, query: str) -> dict[str, Any]:
    """What a report page's "Save report" panel needs: the query it saves and, when the page
    was opened from a saved report of the viewer's own (?saved=<id>), that report (one query,
    none without ?saved)."""
    membership = request.membership
    current: SavedReport | None = None
    raw = request.GET.get("saved", "")
    if raw:
        try:
            found = saved_report_get(membership=membership, report_id=raw)
        except NotFound:
            found = None
        if found is not None and found.kind == kind:
            current = found
    return {
        "save_kind": kind,
        "save_query": query,
        "saved_report": current,
        "saved_is_mine": current is not None and current.owner_id == membership.user_id,
        "saved_changed": current is not None and current.query != query,
    }


@require_GET
@workspace_view()
def saved_list(request: WorkspaceRequest) -> HttpResponse:
    """The viewer's saved reports and, for admins, those shared with them."""
    membership = request.membership
    reports = list(saved_reports(membership=membership))
    return render(
        request,
        "reports/saved_list.html",
        {
            "nav": "reports",
            "tab": "saved",
            "mine": [r for r in reports if r.owner_id == membership.user_id],
            "shared": [r for r in reports if r.owner_id != membership.user_id],
        },
    )


@require_POST
@workspace_view()
def saved_create(request: WorkspaceRequest) -> HttpResponse:
    membership = request.membership
    kind = request.POST.get("kind", "")
    query = request.POST.get("query", "")
    try:
        report = services.saved_report_create(
            membership=membership,
            name=request.POST.get("name", ""),
            kind=kind,
            query=query,
            shared=request.POST.get("shared") == "on",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        if kind in SavedReport.Kind.values:
            base = reverse(f"reports:{kind}", kwargs={"ws": membership.workspace_id})
            return redirect(f"{base}?{query}" if query else base)
        return redirect(_list_url(membership))
    messages.success(request, f"Saved “{report.name}”. Saved reports lists it.")
    return redirect(report_url(report))


@require_GET
@workspace_view()
def saved_open(request: WorkspaceRequest, pk: str) -> HttpResponse:
    """Open a saved report: its report page with the query saved now. Filters naming things
    deleted since (a project, a removed member) are left out, saying so, so the link keeps
    working."""
    membership = request.membership
    try:
        report = saved_report_get(membership=membership, report_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    params = {k: list(v) for k, v in QueryDict(report.query).lists()}
    missing = drop_missing_filter_ids(membership=membership, params=params)
    for name, count in missing.items():
        noun = NOUNS[name] + ("s" if count > 1 else "")
        messages.warning(
            request,
            f"{count} {noun} in this report's filters no longer exist{'s' if count == 1 else ''}"
            " in the workspace: left out.",
        )
    query = urlencode([(k, v) for k, values in params.items() for v in values])
    return redirect(report_url(report, query))


@require_POST
@workspace_view()
def saved_update(request: WorkspaceRequest, pk: str) -> HttpResponse:
    """Rename (and share or unshare) a saved report, or save the page's filters to it
    (`query`): its link then opens the new filters."""
    membership = request.membership
    try:
        saved_report_get(membership=membership, report_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    new_query = request.POST.get("query")
    try:
        if new_query is not None:
            report = services.saved_report_update(
                membership=membership, report_id=pk, query=new_query
            )
            messages.success(request, f"“{report.name}” now opens these filters.")
            return redirect(report_url(report))
        report = services.saved_report_update(
            membership=membership,
            report_id=pk,
            name=request.POST.get("name", ""),
            shared=request.POST.get("shared") == "on",
        )
        messages.success(request, f"Saved report renamed “{report.name}”.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(_list_url(membership))


@require_POST
@workspace_view()
def saved_delete(request: WorkspaceRequest, pk: str) -> HttpResponse:
    membership = request.membership
    try:
        report = saved_report_get(membership=membership, report_id=pk)
        services.saved_report_delete(membership=membership, report_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Deleted the saved report “{report.name}”.")
    return redirect(_list_url(membership))
