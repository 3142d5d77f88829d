"""Timesheet approvals pages under /w/<ws>/approvals/.

Everyone sees their own weeks and submits or withdraws them; the owner and admins also see the
queue of pending submissions, open one (its entries) and approve or reject it with a note.
Writes go through tracking/services/approvals.py; its errors come back as page messages.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_POST

from tracking.models import WeekApproval
from tracking.selectors.approvals import approval_get
from tracking.selectors.approvals import approval_grid
from tracking.selectors.approvals import member_weeks
from tracking.selectors.approvals import pending_approvals
from tracking.selectors.approvals import week_review
from tracking.services import approvals as services
from tracking.time_rules import week_flags
from tracking.time_rules import week_start_checked
from tracking.views.redirects import redirect_back
from tracking.views.redirects import redirect_back_target
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.models import Membership

ADMIN = Membership.Role.ADMIN


def _approval_or_404(membership: Membership, pk: str) -> WeekApproval:
    try:
        return approval_get(membership=membership, approval_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _my_weeks_url(membership: Membership) -> str:
    return reverse("tracking:approvals", kwargs={"ws": membership.workspace_id})


def _detail_url(membership: Membership, pk: str) -> str:
    return reverse("tracking:approval_detail", kwargs={"ws": membership.workspace_id, "pk": pk})


@require_GET
@workspace_view()
def my_weeks(request: WorkspaceRequest) -> HttpResponse:
    """The acting member's recent weeks: time, approval state, the reviewer's note."""
    membership = request.membership
    context = {
        "nav": "approvals",
        "weeks": member_weeks(membership=membership),
        "pending_count": pending_approvals(membership=membership).count()
        if membership.is_admin
        else 0,
    }
    return render(request, "tracking/approvals/my_weeks.html", context)


@require_http_methods(["GET", "POST"])
@workspace_view()
def week_submit(request: WorkspaceRequest) -> HttpResponse:
    """GET ?week=: the week's summary (time by day, what to look at) with a Submit button; POST
    submits it. The timesheet and the tracker's week headers link to the summary."""
    membership = request.membership
    raw = (request.POST.get("week") or request.GET.get("week") or "").strip()
    try:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise ApplicationError("Choose a week to submit.", field="week") from None
        week = week_start_checked(day, membership.user.week_start)
        if request.method == "GET":
            review = week_review(membership=membership, week_start=week)
            flags = week_flags(review.entries, workspace=membership.workspace, user=membership.user)
            return render(
                request,
                "tracking/approvals/submit.html",
                {
                    "nav": "approvals",
                    "review": review,
                    "week_end": week + dt.timedelta(days=6),
                    "flag_lines": flags.lines(membership.user),
                    "has_running": bool(flags.running),
                    "back": redirect_back_target(request),
                },
            )
        approval = services.week_submit(
            membership=membership, week_start=week, note=request.POST.get("note", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Week of {approval.week_start:%b %-d, %Y} submitted for approval."
        )
    return redirect_back(request, _my_weeks_url(membership))


@require_POST
@workspace_view()
def week_withdraw(request: WorkspaceRequest, pk: str) -> HttpResponse:
    membership = request.membership
    _approval_or_404(membership, pk)  # another's submission or a bad id
    try:
        services.week_withdraw(membership=membership, approval_id=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Submission withdrawn; you can change the week and resubmit.")
    return redirect_back(request, _my_weeks_url(membership))


@require_GET
@workspace_view(ADMIN)
def pending(request: WorkspaceRequest) -> HttpResponse:
    """Submissions waiting for a decision: member, week, total hours."""
    return render(
        request,
        "tracking/approvals/pending.html",
        {"nav": "approvals", "approvals": pending_approvals(membership=request.membership)},
    )


@require_GET
@workspace_view()
def detail(request: WorkspaceRequest, pk: str) -> HttpResponse:
    """One submission (admins: anyone's; a member: their own): the week as a grid of projects
    by days with day totals, the flags an approver should look at (the time rules' and
    changes after submitting), the member's note, the entries; approve or reject with a note
    from here."""
    membership = request.membership
    approval = _approval_or_404(membership, pk)
    grid = approval_grid(approval=approval, workspace=membership.workspace)
    return render(
        request,
        "tracking/approvals/detail.html",
        {
            "nav": "approvals",
            "approval": approval,
            "grid": grid,
            "entries": grid.entries,
            "total_seconds": grid.seconds,
            "week_end": approval.week_start + dt.timedelta(days=6),
        },
    )


def _decide(request: WorkspaceRequest, pk: str, decision: str) -> HttpResponse:
    membership = request.membership
    _approval_or_404(membership, pk)
    try:
        if decision == "approve":
            services.week_approve(membership=membership, approval_id=pk)
            messages.success(request, "Week approved; its entries are locked.")
        else:
            services.week_reject(
                membership=membership, approval_id=pk, note=request.POST.get("note", "")
            )
            messages.success(request, "Week rejected; the member sees your note.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(_detail_url(membership, pk))
    return redirect(reverse("tracking:approvals_pending", kwargs={"ws": membership.workspace_id}))


@require_POST
@workspace_view(ADMIN)
def approve(request: WorkspaceRequest, pk: str) -> HttpResponse:
    return _decide(request, pk, "approve")


@require_POST
@workspace_view(ADMIN)
def reject(request: WorkspaceRequest, pk: str) -> HttpResponse:
    return _decide(request, pk, "reject")
