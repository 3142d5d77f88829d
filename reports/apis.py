"""Reports API v1 in Clockify's dialect (see docs: rest-api-shape): the Detailed, Summary and
Weekly reports.

`POST /reports/v1/workspaces/{ws}/reports/detailed`, `.../reports/summary` and
`.../reports/weekly` translate their body into the pages' `DetailedFilters` (through the same
parser, so the same validation and messages) and read through `reports.selectors` and
`reports.summary`, so the API, the pages and the exports cannot disagree. Same permissions as
the pages: the owner and admins see everyone's entries, a member their own; another workspace
is a 404.

Choices where Clockify's documentation is silent or this product differs:
- `dateRangeStart` / `dateRangeEnd` are instants, as Clockify reads them: entries starting in
  [start, end], both included. A date-time without an offset is the caller's local time; a
  bare date (`2026-11-30`, not Clockify's) is that whole day in the caller's time zone. Days
  (Summary DATE groups, the Weekly report's) are the caller's time zone's.
- Rounding is the workspace's, per entry, in every report (one definition); `rounding` is
  accepted for Clockify clients' sake but cannot turn it off or on.
- `users|projects|clients|tasks` take `contains: "CONTAINS"` only; `tags` also
  `"DOES_NOT_CONTAIN"`. `status` takes Clockify's values; any but `"ALL"` has no effect and is
  named in X-Ignored-Fields (Clockify does not document that it narrows the entries; its web
  app sends ACTIVE beside the ids chosen). `"none"` among project or client ids selects
  entries without one.
- `approvalState`: `ALL` (or absent), `APPROVED`, `UNAPPROVED` (pending or not submitted),
  `PENDING`, `NOT_SUBMITTED`.
- `detailedFilter.pageSize` is at most 1000 (Clockify's limit; more is a 400);
  `detailedFilter.sortColumn` Clockify's DATE, ZONED_DATE, NATURAL, DURATION, USER, USER_DATE,
  ID, DESCRIPTION, and PROJECT, AMOUNT; `options.totals: "EXCLUDE"` answers `totals: []`.
- `totals[0].totalAmount` is in cents of the workspace's currency (only billable time earns);
  `totalAmountByCurrency` lists each currency when entries carry several. `rate` and `amount`
  of an entry are cents, `amount` 0 when not billable.
- `exportType` CSV, XLSX or PDF answers the whole filtered set as a file (paging ignored), the
  same files as the page's export links.
- Summary: `summaryFilter.groups` takes one to three of PROJECT, CLIENT, USER, TASK, TAG, DATE,
  TIMEENTRY (entries with the same description together), default `["PROJECT"]`; Clockify's
  other groupings are refused with a 400, and so are three levels with a CSV, XLSX or PDF
  export (the files show two). `summaryFilter.sortColumn` GROUP (names, the page's order; the
  default), DURATION or AMOUNT, each level sorted; `sortOrder` defaults to ASCENDING for
  GROUP, DESCENDING otherwise. Each group: `_id` (null for the "Without ..." group; an ISO
  date for DATE), `name`, `duration` and `billableDuration` in seconds, `amount` in cents (as
  `totalAmount`), `amountByCurrency`, and `children` (the next level; empty at the last).
  Under TAG an entry counts once per tag, so tag groups may add up to more than `totals`.
- Weekly: one week, the caller's (their week start), holding `dateRangeStart`, as the page's
  `week`; `dateRangeEnd` must fall in that week (a later one is a 400, not a silent cut).
  `weeklyFilter.group` USER (default) or PROJECT gives the rows; `weeklyFilter.subgroup` TIME
  (default) or EARNED picks what each of the seven `days` holds: `duration` in seconds or
  `amount` in cents. Each row (`groupOne`) has both week totals, `duration` and `amount`.
  The exports are the page's, which show time: EARNED with CSV, XLSX or PDF is a 400.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from reports.bodies import DEFAULT_PAGE_SIZE
from reports.bodies import SORT_COLUMNS
from reports.bodies import SUMMARY_GROUPS
from reports.bodies import WEEKLY_GROUPS
from reports.bodies import DetailedReportIn
from reports.bodies import SummaryReportIn
from reports.bodies import WeeklyReportIn
from reports.exports import detailed_csv_lines
from reports.exports_office import PDF_CONTENT_TYPE
from reports.exports_office import XLSX_CONTENT_TYPE
from reports.exports_office import detailed_pdf
from reports.exports_office import detailed_xlsx
from reports.exports_office import export_filename
from reports.exports_summary import summary_csv_lines
from reports.exports_summary import summary_pdf
from reports.exports_summary import summary_xlsx
from reports.exports_summary import weekly_csv_lines
from reports.exports_summary import weekly_filename
from reports.exports_summary import weekly_pdf
from reports.exports_summary import weekly_xlsx
from reports.filters import DetailedFilters
from reports.filters import FilterError
from reports.filters import detailed_filters_from_body
from reports.responses import report_file
from reports.selectors import DetailedTotals
from reports.selectors import Sort
from reports.selectors import detailed_rows
from reports.selectors import detailed_totals
from reports.selectors import with_tags
from reports.summary import MAX_API_SUMMARY_ROWS
from reports.summary import GroupBy
from reports.summary import SummaryGroup
from reports.summary import summary_groups
from reports.summary import summary_totals
from reports.summary import weekly_grid
from reports.views_summary import week_days
from workspaces.models import Membership
from workspaces.rest.base import WorkspaceApiView
from workspaces.rest.base import validated
from workspaces.rest.fields import format_datetime

TAG = ["reports"]

# --- output ---------------------------------------------------------------------------------


def _amount(by_currency: dict[str, int], currency: str) -> int:
    """One amount in cents: the only currency's, or the workspace currency's among several."""
    if len(by_currency) == 1:
        return next(iter(by_currency.values()))
    return by_currency.get(currency, 0)


def totals_out(totals: DetailedTotals, currency: str) -> dict[str, Any]:
    by_currency = {a.currency: a.cents for a in totals.amounts}
    return {
        "_id": "",
        "totalTime": totals.total_seconds,
        "totalBillableTime": totals.billable_seconds,
        "entriesCount": totals.entry_count,
        "totalAmount": _amount(by_currency, currency),
        "totalAmountByCurrency": [{"currency": c, "amount": a} for c, a in by_currency.items()],
    }


def entry_out(row: dict[str, Any], *, shows_rates: bool) -> dict[str, Any]:
    """A row of `detailed_rows` (with its tags) in Clockify's shape; `rate` is null for members
    (rates are for admins and the owner; the amount of their own time stays)."""
    billable = row["billable"]
    return {
        "_id": row["id"],
        "description": row["description"],
        "userId": row["user_id"],
        "userName": row["user__full_name"],
        "userEmail": row["user__email"],
        "billable": billable,
        "projectId": row["project_id"],
        "projectName": row["project__name"],
        "clientId": row["project__client_id"],
        "clientName": row["project__client__name"],
        "taskId": row["task_id"],
        "taskName": row["task__name"],
        "tags": [{"_id": tag_id, "name": name} for tag_id, name in row["tags"]],
        "isLocked": row["is_locked"],
        "timeInterval": {
            "start": format_datetime(row["start"]),
            "end": format_datetime(row["end"]),
            "duration": int(row["report_seconds"]),
        },
        "rate": row["hourly_rate_cents"] if shows_rates else None,
        "amount": int(row["report_amount_cents"]) if billable else 0,
        "currency": row["currency"],
    }


def report_responses(json_description: str) -> dict[tuple[int, str], OpenApiResponse]:
    """A report's documented answers: JSON, or the file its exportType asks for."""
    files = {"text/csv": "CSV", XLSX_CONTENT_TYPE: "XLSX", PDF_CONTENT_TYPE: "PDF"}
    return {
        (200, "application/json"): OpenApiResponse(
            OpenApiTypes.OBJECT, description=json_description
        ),
        **{
            (200, content_type): OpenApiResponse(
                OpenApiTypes.BINARY, description=f"exportType {export}"
            )
            for content_type, export in files.items()
        },
    }


class DetailedReportApi(WorkspaceApiView):
    @extend_schema(
        tags=TAG,
        operation_id="reports_detailed",
        summary="Detailed report: entries with filters, paging and totals, or an export file",
        request=DetailedReportIn,
        responses=report_responses("`{totals, timeentries}` (exportType JSON)."),
    )
    def post(self, request: Request, ws: str) -> Any:
        membership = self.membership
        body = validated(DetailedReportIn, request)
        filters = detailed_filters_from_body(body, membership=membership, exact_times=True)
        page_options = body.get("detailedFilter") or {}
        sort = Sort(
            key=SORT_COLUMNS[page_options.get("sortColumn", "DATE")],
            descending=body["sortOrder"] == "DESCENDING",
        )
        if body["exportType"] != "JSON":
            return report_file(
                body["exportType"],
                lambda extension: export_filename(filters, extension),
                lambda: detailed_csv_lines(membership=membership, filters=filters, sort=sort),
                detailed_xlsx,
                detailed_pdf,
                membership=membership,
                filters=filters,
                sort=sort,
            )
        page = page_options.get("page", 1)
        size = page_options.get("pageSize", DEFAULT_PAGE_SIZE)  # at most MAX_PAGE_SIZE
        options = page_options.get("options") or {}
        totals: list[dict[str, Any]] = []
        if options.get("totals", "CALCULATE") == "CALCULATE":
            totals = [
                totals_out(
                    detailed_totals(membership=membership, filters=filters),
                    membership.workspace.currency,
                )
            ]
        rows = detailed_rows(membership=membership, filters=filters, sort=sort)
        page_rows = with_tags(list(rows[(page - 1) * size : page * size]))
        return Response(
            {
                "totals": totals,
                "timeentries": [entry_out(r, shows_rates=membership.is_admin) for r in page_rows],
            }
        )


# --- Summary --------------------------------------------------------------------------------


def _sorted_groups(
    groups: list[SummaryGroup], column: str, descending: bool, currency: str
) -> list[SummaryGroup]:
    """Each level in the order asked for; GROUP keeps the page's (names, "Without" last)."""
    children_sorted = [
        replace(g, children=tuple(_sorted_groups(list(g.children), column, descending, currency)))
        for g in groups
    ]
    if column == "DURATION":
        return sorted(children_sorted, key=lambda g: g.seconds, reverse=descending)
    if column == "AMOUNT":

        def cents(g: SummaryGroup) -> int:
            return _amount({a.currency: a.cents for a in g.amounts}, currency)

        return sorted(children_sorted, key=cents, reverse=descending)
    return children_sorted[::-1] if descending else children_sorted


def group_out(group: SummaryGroup, currency: str) -> dict[str, Any]:
    by_currency = {a.currency: a.cents for a in group.amounts}
    return {
        "_id": group.key or None,
        "name": group.label,
        "duration": group.seconds,
        "billableDuration": group.billable_seconds,
        "amount": _amount(by_currency, currency),
        "amountByCurrency": [{"currency": c, "amount": a} for c, a in by_currency.items()],
        "children": [group_out(child, currency) for child in group.children],
    }


class SummaryReportApi(WorkspaceApiView):
    @extend_schema(
        tags=TAG,
        operation_id="reports_summary",
        summary="Summary report: time and amounts grouped on one to three levels, or an export",
        description=(
            "The Detailed report's filters, grouped by `summaryFilter.groups` (one to three of "
            "PROJECT, CLIENT, USER, TASK, TAG, DATE, TIMEENTRY; default PROJECT) and sorted by "
            "`summaryFilter.sortColumn` (GROUP, DURATION, AMOUNT) and `sortOrder`. Answers "
            "`{totals, groupOne}`; durations in seconds, amounts in cents. Members see only "
            "their own time. `exportType` CSV, XLSX or PDF answers the grouped table as a file."
        ),
        request=SummaryReportIn,
        responses=report_responses(
            "`{totals, groupOne[{_id, name, duration, amount, children}]}` (exportType JSON)."
        ),
    )
    def post(self, request: Request, ws: str) -> Any:
        membership = self.membership
        body = validated(SummaryReportIn, request)
        filters = detailed_filters_from_body(body, membership=membership, exact_times=True)
        options = body.get("summaryFilter") or {}
        levels = [SUMMARY_GROUPS[g] for g in options.get("groups", ["PROJECT"])]
        group_by, sub_group_by = levels[0], (levels[1] if len(levels) > 1 else None)
        third_group_by = levels[2] if len(levels) > 2 else None
        if body["exportType"] != "JSON" and third_group_by is not None:
            raise FilterError(
                "The Summary exports show two levels: give at most two summaryFilter.groups "
                "with exportType CSV, XLSX or PDF (JSON takes three).",
                field="summaryFilter",
            )
        column = options.get("sortColumn", "GROUP")
        order = body["sortOrder"] or ("ASCENDING" if column == "GROUP" else "DESCENDING")
        currency = membership.workspace.currency
        groups = _sorted_groups(
            summary_groups(
                membership=membership,
                filters=filters,
                group_by=group_by,
                sub_group_by=sub_group_by,
                third_group_by=third_group_by,
                max_rows=MAX_API_SUMMARY_ROWS if body["exportType"] == "JSON" else None,
            ),
            column,
            order == "DESCENDING",
            currency,
        )
        if body["exportType"] != "JSON":
            return report_file(
                body["exportType"],
                lambda extension: export_filename(filters, extension, "summary"),
                lambda: summary_csv_lines(groups),
                summary_xlsx,
                summary_pdf,
                membership=membership,
                filters=filters,
                group_by=group_by,
                sub_group_by=sub_group_by,
                groups=groups,
            )
        totals = summary_totals(
            membership=membership, filters=filters, group_by=group_by, groups=groups
        )
        return Response(
            {
                "totals": [totals_out(totals, currency)],
                "groupOne": [group_out(g, currency) for g in groups],
            }
        )


# --- Weekly ---------------------------------------------------------------------------------


def weekly_filters_from_body(body: dict[str, Any], *, membership: Membership) -> DetailedFilters:
    """The body's filters over the caller's week holding `dateRangeStart`; FilterError (400)
    when the week passes the report's dates or `dateRangeEnd` falls outside it.

    Unlike Detailed and Summary, the dates are read as the calendar days they name, not as
    instants: the report is whole days of the caller's week, and the usual body (a week's
    Monday 00:00Z to Sunday 23:59:59Z) must name that week for a caller in any time zone,
    not the week before (west of UTC) or one running a day over (east of UTC)."""
    filters = detailed_filters_from_body(body, membership=membership)
    first, last = week_days(filters.start, membership.user, field="dateRangeStart")
    if filters.end > last:
        raise FilterError(
            f"The Weekly report covers one week ({first.isoformat()} to {last.isoformat()}, "
            "the week of dateRangeStart): give a dateRangeEnd within it.",
            field="dateRangeEnd",
        )
    return replace(filters, start=first, end=last)


def weekly_group_out(
    group: SummaryGroup, days: list[dt.date], earned: bool, currency: str
) -> dict[str, Any]:
    """A row of the week: its totals and the seven days (time, or amounts when EARNED)."""
    per_day = {child.date: child for child in group.children}
    day_values = []
    for day in days:
        child = per_day.get(day)
        if earned:
            cents = _amount({a.currency: a.cents for a in child.amounts}, currency) if child else 0
            day_values.append({"date": day.isoformat(), "amount": cents})
        else:
            day_values.append({"date": day.isoformat(), "duration": child.seconds if child else 0})
    row = group_out(replace(group, children=()), currency)
    del row["children"]  # the days stand in for them
    return {**row, "days": day_values}


class WeeklyReportApi(WorkspaceApiView):
    @extend_schema(
        tags=TAG,
        operation_id="reports_weekly",
        summary="Weekly report: members or projects by the seven days of a week, or an export",
        description=(
            "The week (the caller's week start) holding `dateRangeStart`, with the Detailed "
            "report's filters; `dateRangeEnd` must fall in that week. `weeklyFilter.group` USER "
            "or PROJECT picks the rows, `weeklyFilter.subgroup` TIME or EARNED what each day "
            "holds (`duration` in seconds or `amount` in cents). Answers `{totals, groupOne[{_id, "
            "name, duration, amount, days[{date, duration|amount}]}]}`. Members see only their "
            "own time. `exportType` CSV, XLSX or PDF answers the page's export (time only)."
        ),
        request=WeeklyReportIn,
        responses=report_responses(
            "`{totals, groupOne[{_id, name, duration, amount, days[]}]}` (exportType JSON)."
        ),
    )
    def post(self, request: Request, ws: str) -> Any:
        membership = self.membership
        body = validated(WeeklyReportIn, request)
        filters = weekly_filters_from_body(body, membership=membership)
        options = body.get("weeklyFilter") or {}
        rows_by = WEEKLY_GROUPS[options.get("group", "USER")]
        earned = options.get("subgroup", "TIME") == "EARNED"
        export = body["exportType"]
        if export != "JSON" and earned:
            raise FilterError(
                "The Weekly exports show time: give weeklyFilter.subgroup TIME (or leave it out) "
                "with exportType CSV, XLSX or PDF.",
                field="weeklyFilter",
            )
        if export != "JSON":
            return report_file(
                export,
                lambda extension: weekly_filename(filters, extension),
                lambda: weekly_csv_lines(
                    weekly_grid(membership=membership, filters=filters, rows_by=rows_by), rows_by
                ),
                weekly_xlsx,
                weekly_pdf,
                membership=membership,
                filters=filters,
                rows_by=rows_by,
            )
        # The grid's own reading (weekly_grid): the rows by day, with amounts kept.
        groups = summary_groups(
            membership=membership, filters=filters, group_by=rows_by, sub_group_by=GroupBy.DATE
        )
        totals = summary_totals(
            membership=membership, filters=filters, group_by=rows_by, groups=groups
        )
        currency = membership.workspace.currency
        days = [filters.start + dt.timedelta(days=i) for i in range(7)]
        return Response(
            {
                "totals": [totals_out(totals, currency)],
                "groupOne": [weekly_group_out(g, days, earned, currency) for g in groups],
            }
        )
