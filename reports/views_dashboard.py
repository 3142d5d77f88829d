"""The dashboard, the landing page of a workspace: /w/<ws>/dashboard/ (reports/dashboard.py
reads its figures with the reports' selectors)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import dateformat
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from reports.charts import Series
from reports.charts import stacked_bars
from reports.dashboard import RANGES
from reports.dashboard import dashboard
from reports.dashboard import dashboard_filters
from reports.filters import FilterError
from reports.rounding import workspace_rounding
from reports.selectors import member_choices
from reports.selectors import project_choices
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view

QUERY_KEYS = {"range", "project", "member"}  # what the QuickBooks panel is asked with


def _day_label(day: dt.date) -> str:
    return dateformat.format(day, "D j")


@require_GET
@workspace_view()
def dashboard_page(request: WorkspaceRequest) -> HttpResponse:
    """Who is tracking now, the range's time per day by project, the top projects and clients,
    the billable share and the approval state, for this week, last week or this month."""
    membership = request.membership
    params = dict(request.GET.lists())
    choices = {
        "projects": project_choices(membership=membership),
        "members": member_choices(membership=membership),
    }
    context: dict[str, Any] = {
        "nav": "dashboard",
        "ranges": RANGES,
        "choices": choices,
        "rounding": workspace_rounding(membership.workspace),
    }
    try:
        filters = dashboard_filters(params, membership=membership)
    except FilterError as exc:
        context.update(
            error=exc,
            form={
                "range": (params.get("range") or [""])[0],
                "project": set(params.get("project", [])),
                "member": set(params.get("member", [])),
            },
        )
        return render(request, "reports/dashboard.html", context, status=400)
    board = dashboard(membership=membership, filters=filters)
    by_day = {d.day: d for d in board.days}
    charted = [Series(p.key, p.label, p.seconds) for p in board.chart_projects]
    report_query = urlencode(filters.to_query())
    context.update(
        board=board,
        filters=filters,
        totals=board.totals,
        form={
            "range": filters.date_range.value,
            "project": set(filters.projects) | ({"none"} if filters.without_project else set()),
            "member": set(filters.members),
        },
        chart={
            **stacked_bars(
                days=[d.day for d in board.days],
                series=charted,
                seconds_of=lambda day, key: by_day[day].by_project.get(key, 0),
                other_of=lambda day: by_day[day].seconds
                - sum(by_day[day].by_project.get(s.key, 0) for s in charted),
                day_label=_day_label,
                title="Time per day by project",
            ),
        },
        report_query=report_query,
        dashboard_query=urlencode(
            [(k, v) for k, values in request.GET.lists() if k in QUERY_KEYS for v in values]
        ),
    )
    return render(request, "reports/dashboard.html", context)
