"""The Summary and Weekly report pages under /w/<ws>/reports/ and their CSV, XLSX and PDF
exports (built in reports/exports_summary.py). Every view is decorated with `workspace_view`:
an outsider gets a 404. The Summary takes the Detailed report's filters from the query string,
plus `group` and `sub_group`; the Weekly takes `week` (any day of it) and `by` (member or
project)."""

from __future__ import annotations

import datetime as dt
from html import escape  # the same five characters as django.utils.html.escape, faster
from typing import Any

from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from reports.charts import summary_charts
from reports.exports_office import export_filename
from reports.exports_summary import summary_csv_lines
from reports.exports_summary import summary_pdf
from reports.exports_summary import summary_xlsx
from reports.exports_summary import weekly_csv_lines
from reports.exports_summary import weekly_filename
from reports.exports_summary import weekly_pdf
from reports.exports_summary import weekly_xlsx
from reports.filters import MAX_DATE
from reports.filters import MIN_DATE
from reports.filters import DetailedFilters
from reports.filters import FilterError
from reports.filters import detailed_filters_check
from reports.filters import filter_form_values
from reports.filters import filter_form_values_as_sent
from reports.filters import parse_detailed_filters
from reports.filters import viewer_tz
from reports.responses import export_views
from reports.responses import report_file
from reports.rounding import workspace_rounding
from reports.selectors import detailed_totals
from reports.summary import MAX_PAGE_SUMMARY_ROWS
from reports.summary import PAGE_GROUPS
from reports.summary import GroupBy
from reports.summary import SummaryGroup
from reports.summary import SummaryTooLarge
from reports.summary import summary_groups
from reports.summary import summary_totals
from reports.summary import week_first_day
from reports.summary import weekly_grid
from reports.templatetags.report_format import money
from reports.views import filter_summary
from reports.views import form_choices
from reports.views import range_options
from reports.views_saved import saved_context
from tracking.templatetags.entry_format import hms
from tracking.templatetags.entry_format import user_date
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view
from workspaces.models import Membership
from workspaces.models import User

DEFAULT_GROUP = GroupBy.PROJECT
DEFAULT_SUB_GROUP = GroupBy.MEMBER
NO_AMOUNT = "\N{EN DASH}"


def _parse_summary(
    request: HttpRequest, membership: Membership
) -> tuple[DetailedFilters, GroupBy, GroupBy | None]:
    filters = parse_detailed_filters(dict(request.GET.lists()), user=membership.user)
    group = GroupBy.parse(request.GET.get("group", ""), name="group", default=DEFAULT_GROUP)
    assert group is not None
    sub_raw = request.GET.get("sub_group")
    sub = GroupBy.parse(sub_raw or "", name="sub_group", default=None)
    if sub_raw is None:
        sub = DEFAULT_SUB_GROUP if group != DEFAULT_SUB_GROUP else GroupBy.PROJECT
    if sub == group:
        raise FilterError("Choose a second grouping different from the first.", field="sub_group")
    detailed_filters_check(membership=membership, filters=filters)
    return filters, group, sub


def _grouping_query(group: GroupBy, sub: GroupBy | None) -> list[tuple[str, str]]:
    return [("group", group.value), ("sub_group", sub.value if sub else "none")]


def _table_rows(groups: list[SummaryGroup], user: User) -> SafeString:
    """The Summary table's body, written in one pass of Python: a year by project then member
    is some 4,000 rows, and the template's per-row filters (`hms`, `money`, `user_date`) and
    tags took 600 ms of a 1.2 s page; this takes a few. Every text is escaped here."""
    dates: dict[dt.date, str] = {}

    def row(css: str, g: SummaryGroup) -> str:
        if g.date is not None:
            label = dates.get(g.date)
            if label is None:
                label = dates[g.date] = escape(user_date(g.date, user))
        else:
            label = escape(g.label)
        detail = f' <span class="muted">· {escape(g.detail)}</span>' if g.detail else ""
        amount = ", ".join(money(a.cents, a.currency) for a in g.amounts) or NO_AMOUNT
        return (
            f'<tr class="{css}" data-key="{escape(g.key)}">'
            f'<th scope="row">{label}{detail}</th>'
            f'<td class="num">{hms(g.seconds)}</td>'
            f'<td class="num">{hms(g.billable_seconds)}</td>'
            f'<td class="num">{escape(amount)}</td></tr>\n'
        )

    lines: list[str] = []
    for group in groups:
        lines.append(row("group", group))
        lines.extend(row("sub", child) for child in group.children)
    return mark_safe("".join(lines))  # noqa: S308 - every text is escaped in row()


@require_GET
@workspace_view()
def summary(request: WorkspaceRequest) -> HttpResponse:
    """The Summary report: the filtered time grouped on two levels, with totals, a bar chart
    of time per day and a share chart of the first grouping. A grouping of more rows than a
    page can show (MAX_PAGE_SUMMARY_ROWS) keeps the totals and the chart and says so in place
    of the table; the CSV export still gives all of it."""
    membership = request.membership
    params = dict(request.GET.lists())
    context: dict[str, Any] = {
        "nav": "reports",
        "tab": "summary",
        "choices": form_choices(membership, params),
        "ranges": range_options(membership.user),
        "group_choices": list(PAGE_GROUPS),
        "rounding": workspace_rounding(membership.workspace),
    }
    try:
        filters, group, sub = _parse_summary(request, membership)
    except FilterError as exc:
        context.update(
            error=exc,
            form=filter_form_values_as_sent(params),
            group=request.GET.get("group", ""),
            sub_group=request.GET.get("sub_group", ""),
            filters=None,
        )
        return render(request, "reports/summary.html", context, status=400)
    query = [*filters.to_query(), *_grouping_query(group, sub)]
    context.update(
        filters=filters,
        form=filter_form_values(filters),
        group=group.value,
        sub_group=sub.value if sub else "none",
        group_by=group,
        sub_group_by=sub,
        export_query=urlencode(query),
        filter_query=urlencode(filters.to_query()),
        **saved_context(request, kind="summary", query=urlencode(query)),
        filter_summary=filter_summary(membership, filters),
    )
    try:
        groups = summary_groups(
            membership=membership,
            filters=filters,
            group_by=group,
            sub_group_by=sub,
            max_rows=MAX_PAGE_SUMMARY_ROWS,
        )
        totals = summary_totals(
            membership=membership, filters=filters, group_by=group, groups=groups
        )
    except SummaryTooLarge as exc:
        groups = []
        context["too_large"] = exc
        totals = detailed_totals(membership=membership, filters=filters)
    context.update(
        groups=groups,
        table_rows=_table_rows(groups, membership.user),
        totals=totals,
    )
    context["chart"], context["shares"] = summary_charts(
        membership=membership, filters=filters, group_by=group, groups=groups
    )
    return render(request, "reports/summary.html", context)


def _summary_export(request: WorkspaceRequest, export_format: str) -> HttpResponse:
    """The Summary report's grouped table as a file (CSV, XLSX or PDF), with the page's
    filters and groupings."""
    membership = request.membership
    filters, group, sub = _parse_summary(request, membership)
    report: dict[str, Any] = {
        "membership": membership,
        "filters": filters,
        "group_by": group,
        "sub_group_by": sub,
    }
    return report_file(
        export_format,
        lambda extension: export_filename(filters, extension, "summary"),
        lambda: summary_csv_lines(summary_groups(**report)),
        summary_xlsx,
        summary_pdf,
        **report,
    )


summary_csv, summary_xlsx_export, summary_pdf_export = export_views(_summary_export, "summary")


# --- Weekly ---------------------------------------------------------------------------------

WEEKLY_BY = (GroupBy.MEMBER, GroupBy.PROJECT)


_WEEK_LIMITS = (
    f"The week must lie between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}: "
    "choose a day of a week within those dates."
)


def week_days(day: dt.date, user: User, *, field: str = "week") -> tuple[dt.date, dt.date]:
    """The first and last day of the `user`'s week holding `day`; FilterError (naming `field`)
    when the week reaches past the dates a report takes (MIN_DATE..MAX_DATE)."""
    # Checked before any arithmetic: 9999-12-31 plus a day is an OverflowError.
    if not MIN_DATE <= day <= MAX_DATE:
        raise FilterError(_WEEK_LIMITS, field=field)
    first = week_first_day(day, int(user.week_start))
    if first < MIN_DATE or first > MAX_DATE - dt.timedelta(days=6):
        raise FilterError(_WEEK_LIMITS, field=field)
    return first, first + dt.timedelta(days=6)


WEEKLY_VIEWS = ("time", "earned")
# The Weekly page's own parameters; the rest are the Detailed report's filters.
_WEEKLY_OWN = {"week", "by", "view", "saved", "range", "start", "end"}


def _parse_weekly(request: HttpRequest, membership: Membership) -> tuple[DetailedFilters, GroupBy]:
    """The week (`week`, any day of it; this week by default) as a custom range of the
    Detailed report's filter, with the Detailed filters given (member, client, project, task,
    tag, billable, description, approval), and the rows (`by` member or project)."""
    user = membership.user
    raw_week = request.GET.get("week", "").strip()
    if raw_week:
        try:
            if len(raw_week) != 10:
                raise ValueError
            day = dt.date.fromisoformat(raw_week)
        except ValueError:
            raise FilterError("The week must be a date like 2026-11-23.", field="week") from None
    else:
        day = dt.datetime.now(viewer_tz(user)).date()
    first, last = week_days(day, user)
    # The week is a custom range of the Detailed report's filter: same scoping, same rounding.
    params = {k: v for k, v in request.GET.lists() if k not in _WEEKLY_OWN}
    params.update(start=[first.isoformat()], end=[last.isoformat()])
    filters = parse_detailed_filters(params, user=user)
    detailed_filters_check(membership=membership, filters=filters)
    by = GroupBy.parse(request.GET.get("by", ""), name="by", default=GroupBy.MEMBER)
    if by not in WEEKLY_BY:
        raise FilterError("Show members or projects by week.", field="by")
    assert by is not None
    return filters, by


def _weekly_filter_query(filters: DetailedFilters) -> list[tuple[str, str]]:
    """The filter's parameters other than its dates (the week gives those)."""
    return [(k, v) for k, v in filters.to_query() if k not in ("range", "start", "end")]


@require_GET
@workspace_view()
def weekly(request: WorkspaceRequest) -> HttpResponse:
    """The Weekly report: members (or projects) by the seven days of a week, with totals."""
    membership = request.membership
    context: dict[str, Any] = {
        "nav": "reports",
        "tab": "weekly",
        "rounding": workspace_rounding(membership.workspace),
        "by_choices": WEEKLY_BY,
    }
    params = dict(request.GET.lists())
    view = request.GET.get("view", "time")
    context.update(
        choices=form_choices(membership, params),
        view_choices=WEEKLY_VIEWS,
        hide_dates=True,
    )
    try:
        if view not in WEEKLY_VIEWS:
            raise FilterError("Show the week's time or what it earned.", field="view")
        filters, by = _parse_weekly(request, membership)
    except FilterError as exc:
        context.update(
            error=exc,
            week=request.GET.get("week", ""),
            by=request.GET.get("by", ""),
            view=view,
            form=filter_form_values_as_sent(params),
        )
        return render(request, "reports/weekly.html", context, status=400)
    grid = weekly_grid(membership=membership, filters=filters, rows_by=by)
    week = filters.start
    base = [*_weekly_filter_query(filters), ("by", by.value)]
    kept = [*base, ("view", view)] if view != "time" else base

    def week_query(day: dt.date) -> str:
        return urlencode([("week", day.isoformat()), *kept])

    context.update(
        grid=grid,
        week=week.isoformat(),
        by=by.value,
        by_label=by.label,
        view=view,
        form=filter_form_values(filters),
        previous_query=week_query(week - dt.timedelta(days=7)),
        next_query=week_query(week + dt.timedelta(days=7)),
        export_query=urlencode(
            [("week", week.isoformat()), *_weekly_filter_query(filters), ("by", by.value)]
        ),
        filter_query=urlencode(_weekly_filter_query(filters)),
        filter_summary=filter_summary(membership, filters),
        **saved_context(request, kind="weekly", query=urlencode(kept)),
    )
    return render(request, "reports/weekly.html", context)


def _weekly_export(request: WorkspaceRequest, export_format: str) -> HttpResponse:
    """The week's grid (time) as a file (CSV, XLSX or PDF), with the page's filters."""
    membership = request.membership
    filters, by = _parse_weekly(request, membership)
    report: dict[str, Any] = {"membership": membership, "filters": filters, "rows_by": by}
    return report_file(
        export_format,
        lambda extension: weekly_filename(filters, extension),
        lambda: weekly_csv_lines(weekly_grid(**report), by),
        weekly_xlsx,
        weekly_pdf,
        **report,
    )


weekly_csv, weekly_xlsx_export, weekly_pdf_export = export_views(_weekly_export, "weekly")
