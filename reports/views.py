"""The report pages under /w/<ws>/reports/ (every view decorated with `workspace_view`: an
outsider gets a 404). Filters live in the query string, so a link reproduces the report."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.http import HttpResponse
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_http_methods

from reports.charts import bucket_bars
from reports.exports import detailed_csv_lines
from reports.exports_office import detailed_pdf
from reports.exports_office import detailed_xlsx
from reports.exports_office import export_filename
from reports.exports_office import filters_text
from reports.filters import DateRange
from reports.filters import DetailedFilters
from reports.filters import FilterError
from reports.filters import detailed_filters_check
from reports.filters import filter_form_values
from reports.filters import filter_form_values_as_sent
from reports.filters import parse_detailed_filters
from reports.filters import preset_dates
from reports.filters import viewer_tz
from reports.forms import ReportEntryForm
from reports.forms import shown_values
from reports.responses import export_views
from reports.responses import report_file
from reports.rounding import Rounding
from reports.rounding import workspace_rounding
from reports.selectors import FilterChoices
from reports.selectors import Sort
from reports.selectors import SortKey
from reports.selectors import detailed_entries
from reports.selectors import detailed_filter_choices
from reports.selectors import detailed_row
from reports.selectors import detailed_rows
from reports.selectors import detailed_totals
from reports.selectors import filter_task_choices
from reports.selectors import with_tags
from reports.summary import time_buckets
from reports.templatetags.report_format import money
from reports.views_saved import saved_context
from tracking.models import TimeEntry
from tracking.notices import attach_entry_notices
from tracking.selectors.entries import active_tags
from tracking.selectors.entries import project_picker_groups
from tracking.selectors.entries import time_entry_get
from tracking.selectors.entries import trackable_projects
from tracking.services import entries as entry_services
from tracking.templatetags.entry_format import hms
from tracking.templatetags.entry_format import user_date
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.ids import is_object_id
from workspaces.models import Membership
from workspaces.models import User

PAGE_SIZE = 50
# A new sort column starts in the direction people expect: newest, longest, largest first.
DESCENDING_FIRST = {SortKey.DATE, SortKey.DURATION, SortKey.AMOUNT}
SORT_LABELS = {
    SortKey.DATE: "Date",
    SortKey.DURATION: "Duration",
    SortKey.MEMBER: "Member",
    SortKey.PROJECT: "Project",
    SortKey.AMOUNT: "Amount",
}


class CountedPaginator(Paginator):
    """A paginator told the row count: the totals query has just counted the filtered set,
    so counting it again for the pages would scan the same rows twice."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _sort_links(filter_query: list[tuple[str, str]], sort: Sort) -> dict[str, dict[str, str]]:
    """Per sortable column: the URL that sorts by it (flipping the direction when it is the
    current one) and its aria-sort state."""
    links: dict[str, dict[str, str]] = {}
    for key in SORT_LABELS:  # the table's columns
        if key == sort.key:
            target = Sort(key=key, descending=not sort.descending)
            state = "descending" if sort.descending else "ascending"
        else:
            target = Sort(key=key, descending=key in DESCENDING_FIRST)
            state = "none"
        links[key.value] = {
            "url": "?" + urlencode([*filter_query, ("sort", target.param)]),
            "state": state,
            "label": SORT_LABELS[key],
        }
    return links


def _may_edit(membership: Membership, user_id: str, is_locked: bool) -> bool:
    """Admins edit any entry; members their own unlocked ones (the tracker's rule)."""
    return membership.is_admin or (user_id == membership.user_id and not is_locked)


def _can_edit(membership: Membership, entry: TimeEntry) -> bool:
    return _may_edit(membership, entry.user_id, entry.is_locked)


class RowCells:
    """Writes rows of `detailed_rows` as the table's cell texts, in Python: the template's
    per-row filters (dates and times in the viewer's zone and format, durations, money) cost
    more than the page's queries. The template escapes the texts."""

    # Each row links to its edit page and its in-place edit: reversed once with this stand-in
    # id, then the row's id put in (100 `{% url %}` tags cost 3 ms of a page's template).
    ID = "__id__"

    def __init__(
        self, membership: Membership, rounding: Rounding | None, filter_query: str
    ) -> None:
        self.membership = membership
        self.rounding = rounding
        ws = membership.workspace_id
        self.edit_url = reverse("tracking:entry_edit", kwargs={"ws": ws, "pk": self.ID})
        self.inline_edit_url = (
            reverse("reports:entry_edit", kwargs={"ws": ws, "pk": self.ID})
            + f"?q={quote(filter_query, safe='/')}"  # as the `urlencode` filter writes it
        )
        user = membership.user
        self.time_zone = viewer_tz(user)
        self.date_format = user.date_format
        self.time_format = user.time_format
        self.dates: dict[dt.date, str] = {}

    def date(self, day: dt.date) -> str:
        text = self.dates.get(day)
        if text is None:
            text = self.dates[day] = dateformat.format(day, self.date_format)
        return text

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        start = row["start"].astimezone(self.time_zone)
        end = row["end"].astimezone(self.time_zone)
        seconds = int(row["report_seconds"])
        tracked = row["duration_seconds"]
        currency = row["currency"]
        return {
            "id": row["id"],
            "date": self.date(start.date()),
            "description": row["description"] or "(no description)",
            "project": row["project__name"],
            "client": row["project__client__name"],
            "task": row["task__name"],
            "tags": [name for _, name in row["tags"]],
            "member": row["user__full_name"] or row["user__email"],
            "time": f"{dateformat.format(start, self.time_format)} \N{EN DASH} "
            f"{dateformat.format(end, self.time_format)}",
            "duration": hms(seconds),
            "tracked": hms(tracked) if self.rounding and seconds != tracked else "",
            "billable": "Billable" if row["billable"] else "Non-billable",
            "rate": money(row["hourly_rate_cents"], currency) if self.membership.is_admin else "",
            "amount": money(row["report_amount_cents"], currency) if row["billable"] else "",
            "can_edit": _may_edit(self.membership, row["user_id"], row["is_locked"]),
            "edit_url": self.edit_url.replace(self.ID, row["id"]),
            "inline_edit_url": self.inline_edit_url.replace(self.ID, row["id"]),
        }


@require_GET
@workspace_view()
def detailed(request: WorkspaceRequest) -> HttpResponse:
    """The Detailed report: every entry in the filters, sortable, 50 a page, with totals over
    the whole filtered set and the workspace's rounding applied per entry."""
    membership = request.membership
    params = dict(request.GET.lists())
    context: dict[str, Any] = {
        "nav": "reports",
        "choices": form_choices(membership, params),
        "ranges": range_options(membership.user),
        "rounding": workspace_rounding(membership.workspace),
    }
    try:
        filters = parse_detailed_filters(params, user=membership.user)
        sort = Sort.parse(request.GET.get("sort", ""))
        detailed_filters_check(membership=membership, filters=filters)
    except FilterError as exc:
        # Show the form as sent, so the person can fix it; no report for a filter we can't use.
        context.update(error=exc, form=filter_form_values_as_sent(params), filters=None)
        return render(request, "reports/detailed.html", context, status=400)

    filter_query = filters.to_query()
    totals = detailed_totals(membership=membership, filters=filters)
    entries = detailed_rows(membership=membership, filters=filters, sort=sort)
    paginator = CountedPaginator(entries, PAGE_SIZE, count=totals.entry_count)
    page = paginator.get_page(request.GET.get("page"))
    cells = RowCells(membership, context["rounding"], urlencode(filter_query))
    rows = [cells(row) for row in with_tags(list(page.object_list))]
    page_query = [*filter_query, ("sort", sort.param)] if sort != Sort() else filter_query
    context.update(
        filters=filters,
        form=filter_form_values(filters),
        sort=sort,
        sort_links=_sort_links(filter_query, sort),
        page=page,
        rows=rows,
        page_query=urlencode(page_query),
        totals=totals,
        export_query=urlencode(page_query),
        filter_query=urlencode(filter_query),
        **saved_context(request, kind="detailed", query=urlencode(page_query)),
        filter_summary=filter_summary(membership, filters),
        chart=bucket_bars(time_buckets(membership=membership, filters=filters), membership.user),
    )
    return render(request, "reports/detailed.html", context)


def _export_filters(request: WorkspaceRequest) -> tuple[DetailedFilters, Sort]:
    """The page's filters and sort for an export; FilterError when they cannot be used."""
    membership = request.membership
    filters = parse_detailed_filters(dict(request.GET.lists()), user=membership.user)
    sort = Sort.parse(request.GET.get("sort", ""))
    detailed_filters_check(membership=membership, filters=filters)
    return filters, sort


def _export(request: WorkspaceRequest, export_format: str) -> HttpResponse:
    """The Detailed report with the page's filters, sort and rounding as a file: CSV streamed
    (constant memory), an XLSX workbook or a PDF."""
    filters, sort = _export_filters(request)
    report: dict[str, Any] = {"membership": request.membership, "filters": filters, "sort": sort}
    return report_file(
        export_format,
        lambda extension: export_filename(filters, extension),
        lambda: detailed_csv_lines(**report),
        detailed_xlsx,
        detailed_pdf,
        **report,
    )


detailed_csv, detailed_xlsx_export, detailed_pdf_export = export_views(_export, "detailed")


def range_options(user: User) -> list[dict[str, str]]:
    """The Dates select's options, each preset with the dates it means today for `user`, so the
    From and To fields follow a change of Dates at once (static/js/report-filters.js)."""
    today = dt.datetime.now(viewer_tz(user)).date()
    options = []
    for choice in DateRange:
        option = {"value": choice.value, "label": choice.label, "start": "", "end": ""}
        if choice != DateRange.CUSTOM:
            start, end = preset_dates(choice, today=today, week_start=int(user.week_start))
            option.update(start=start.isoformat(), end=end.isoformat())
        options.append(option)
    return options


def filter_summary(membership: Membership, filters: DetailedFilters) -> str:
    """The active filters in one line, for above the results: the dates, then the other
    filters named (exports' filters_text; one query per kind of id given)."""
    user = membership.user
    dates = f"{user_date(filters.start, user)} \N{EN DASH} {user_date(filters.end, user)}"
    if filters.date_range != DateRange.CUSTOM:
        dates = f"{filters.date_range.label} ({dates})"
    others = filters_text(membership=membership, filters=filters)
    return f"{dates} · {others.replace('; ', ' · ')}" if others else f"{dates} · no other filters"


def form_choices(membership: Membership, params: dict[str, list[str]]) -> FilterChoices:
    """The filter form's options for the query string `params` as sent (also when it does not
    parse, so the form shows what was chosen): the Tasks select lists the chosen projects'
    tasks and the chosen tasks."""
    return detailed_filter_choices(
        membership=membership, projects=params.get("project", []), tasks=params.get("task", [])
    )


@require_GET
@workspace_view()
def filter_tasks(request: WorkspaceRequest) -> HttpResponse:
    """The filter form's Tasks field for the projects and tasks in the query string: htmx
    swaps it in when the Projects selection changes (without JavaScript, applying the filters
    lists the chosen projects' tasks). Ids the viewer may not see list nothing."""
    membership = request.membership
    projects = request.GET.getlist("project")
    tasks = request.GET.getlist("task")
    context = {
        "choices": {
            "tasks": filter_task_choices(membership=membership, projects=projects, tasks=tasks),
            "projects_chosen": any(is_object_id(p) for p in projects),
        },
        "form": {"task": set(tasks)},
    }
    return render(request, "reports/_task_field.html", context)


def _editable_entry(request: WorkspaceRequest, pk: str) -> TimeEntry:
    """The entry if the viewer may edit it: admins any, members their own unlocked ones. A
    running timer is no report row (reports hold finished time), so it is not found here."""
    membership = request.membership
    try:
        entry = time_entry_get(membership=membership, entry_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if entry.is_running:
        raise Http404("A running timer is not in the reports; stop it first.")
    if not _can_edit(membership, entry):
        raise DjangoPermissionDenied("This entry is locked; only an admin can change it.")
    return entry


def _row_context(request: WorkspaceRequest, pk: str, q: str) -> dict[str, Any]:
    """One report row's cells (404 for an entry the viewer may not see in reports)."""
    membership = request.membership
    try:
        row = detailed_row(membership=membership, entry_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    rounding = workspace_rounding(membership.workspace)
    return {"r": RowCells(membership, rounding, q)(row), "filter_query": q, "rounding": rounding}


@require_GET
@workspace_view()
def entry_row(request: WorkspaceRequest, pk: str) -> HttpResponse:
    """One report row (the in-place edit's Cancel)."""
    return render(request, "reports/_row.html", _row_context(request, pk, ""))


def _render_edit_row(
    request: WorkspaceRequest, entry: TimeEntry, form: ReportEntryForm
) -> HttpResponse:
    membership = request.membership
    attach_entry_notices([entry])  # e.g. "sent to QuickBooks, changed since"
    context = {
        "e": entry,
        "form": form,
        "selected": form["project_task"].value() or "",
        "project_groups": project_picker_groups(trackable_projects(membership=membership)),
        "tags": active_tags(membership=membership),
        "current_project": entry.project,
        "current_task": entry.task,
    }
    # htmx swaps only 2xx answers by default: a form with its errors comes back as 200.
    return render(request, "reports/_row_edit.html", context)


@require_http_methods(["GET", "POST"])
@workspace_view()
def entry_edit(request: WorkspaceRequest, pk: str) -> HttpResponse:
    """Edit a row in place: description, project/task, tags, billable, date, start, end and
    duration (through tracking's `time_entry_update`, which keeps the rules: roles, locks and
    their audit, approved weeks, the rule for valid time); then the row and the totals re-render."""
    membership = request.membership
    entry = _editable_entry(request, pk)
    if request.method == "GET":
        initial = {**shown_values(entry, membership.user), "q": request.GET.get("q", "")}
        form = ReportEntryForm(initial=initial, entry=entry, user=membership.user)
        return _render_edit_row(request, entry, form)
    form = ReportEntryForm(request.POST, entry=entry, user=membership.user)
    if not form.is_valid():
        return _render_edit_row(request, entry, form)
    data = form.cleaned_data
    try:
        entry_services.time_entry_update(
            membership=membership, entry=entry, **form.refs(), start=data["start"], end=data["end"]
        )
    except ApplicationError as exc:
        duration_given = data.get("duration") not in (None, entry.duration_seconds)
        form.add_error(form.error_field(exc.field, duration_given=duration_given), exc.message)
        return _render_edit_row(request, entry, form)  # the service checks before it saves
    return _saved_row(request, pk, data["q"])


def _saved_row(request: WorkspaceRequest, pk: str, q: str) -> HttpResponse:
    """The re-rendered row, with the report's totals (out of band) for the filters in `q`."""
    membership = request.membership
    context = _row_context(request, pk, q)
    try:
        filters = parse_detailed_filters(dict(QueryDict(q).lists()), user=membership.user)
    except FilterError:
        # The page's own filters were valid; nothing sensible to refresh.
        return render(request, "reports/_row.html", context)
    matching = detailed_entries(membership=membership, filters=filters, sort=Sort())
    context["outside_filters"] = not matching.filter(pk=pk).exists()
    response = render(request, "reports/_row.html", context)
    totals = detailed_totals(membership=membership, filters=filters)
    oob = render(
        request,
        "reports/_totals.html",
        {**context, "totals": totals, "filters": filters, "oob": True},
    )
    response.content += oob.content
    return response
