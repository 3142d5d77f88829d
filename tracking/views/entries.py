"""The time tracker, the timesheet and re-rating.

Every view is under /w/<ws>/ and decorated with `workspace_view`: an outsider gets a 404. A
member's view of entries is their own (another's entry id is a 404); admins may act on anyone's.
Writes go through tracking/services/entries.py; its errors come back next to the field.

The pages work as plain forms (POST, then redirect); with htmx, the inline edit, the row actions
and the timesheet cells update in place: the server answers with the re-rendered entry list (or
grid), so rows and totals always agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.contrib import messages
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
from django_htmx.http import reswap
from django_htmx.http import retarget

from tracking.forms_entries import BulkForm
from tracking.forms_entries import ManualEntryForm
from tracking.forms_entries import TimerStartForm
from tracking.forms_entries import TimesheetCellForm
from tracking.forms_entries import TrackerEntryEditForm
from tracking.forms_entries import input_time
from tracking.forms_entries import split_project_task
from tracking.models import Project
from tracking.models import Task
from tracking.models import TimeEntry
from tracking.notices import attach_entry_notices
from tracking.selectors.approvals import week_approval_of
from tracking.selectors.entries import active_tags
from tracking.selectors.entries import favorites_of
from tracking.selectors.entries import local_today
from tracking.selectors.entries import project_picker_groups
from tracking.selectors.entries import running_timer
from tracking.selectors.entries import time_entry_get
from tracking.selectors.entries import timesheet_row_entry_ids
from tracking.selectors.entries import timesheet_week
from tracking.selectors.entries import trackable_projects
from tracking.selectors.entries import tracker_list
from tracking.selectors.entries import week_start_for
from tracking.services import entries as services
from tracking.services import favorites
from tracking.services.rates import time_entries_reapply_rates
from tracking.time_rules import DATE_RANGE_MESSAGE
from tracking.time_rules import attach_rule_flags
from tracking.time_rules import clock_text
from tracking.time_rules import date_in_range
from tracking.time_rules import user_tz
from tracking.time_rules import week_start_checked
from tracking.views.redirects import redirect_back
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.ids import is_object_id
from workspaces.models import Membership
from workspaces.models import User

ADMIN = Membership.Role.ADMIN
DEFAULT_WEEKS = 4
MAX_WEEKS = 260
# Where a service error's field shows on the forms.
FIELD_FOR = {
    "project": "project_task",
    "task": "project_task",
    "start": "start_time",
    "end": "end_time",
    "hours": "hours",
}


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _weeks(request: HttpRequest) -> int:
    raw = request.GET.get("weeks") or request.POST.get("weeks") or ""
    try:
        return max(1, min(MAX_WEEKS, int(raw)))
    except ValueError:
        return DEFAULT_WEEKS


def _tracker_url(membership: Membership, weeks: int = DEFAULT_WEEKS) -> str:
    url = reverse("tracking:tracker", kwargs={"ws": membership.workspace_id})
    return url if weeks == DEFAULT_WEEKS else f"{url}?{urlencode({'weeks': weeks})}"


def _form_error(form: forms.Form, exc: ApplicationError) -> None:
    field = FIELD_FOR.get(exc.field or "", exc.field)
    if field == "end_time" and "shown_duration" in form.fields:
        typed = (form.data.get("duration") or "").strip()
        if typed and typed != (form.data.get("shown_duration") or "").strip():
            field = "duration"  # the end came from the duration the member typed
    form.add_error(field if field in form.fields else None, exc.message)


def _picker(membership: Membership) -> dict[str, Any]:
    return {
        "project_groups": project_picker_groups(trackable_projects(membership=membership)),
        "tags": active_tags(membership=membership),
    }


def _list_context(membership: Membership, weeks: int) -> dict[str, Any]:
    listing = tracker_list(membership=membership, weeks=weeks)
    attach_entry_notices(listing.entries)
    attach_rule_flags(listing.entries, workspace=membership.workspace, user=membership.user)
    return {"listing": listing, "weeks": weeks}


def _render_list(request: WorkspaceRequest, weeks: int) -> HttpResponse:
    """The entry list (days, rows, totals), swapped in place of #entries."""
    response = render(
        request, "tracking/entries/_entries.html", _list_context(request.membership, weeks)
    )
    return reswap(retarget(response, "#entries"), "outerHTML")


@contextmanager
def _refusal_as_message(request: HttpRequest) -> Iterator[None]:
    """A POST action's refusal shows as a message on the page it returns to; what does not
    exist for the member (NotFound) is a 404."""
    try:
        yield
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)


def _entry(request: WorkspaceRequest, pk: str) -> TimeEntry:
    try:
        return time_entry_get(membership=request.membership, entry_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


# --- the tracker page -----------------------------------------------------------------------


def _tracker_page(
    request: WorkspaceRequest,
    *,
    timer_form: forms.Form | None = None,
    manual_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    membership = request.membership
    weeks = _weeks(request)
    running = running_timer(membership=membership)
    request.running_timer = running  # type: ignore[attr-defined]  # the header shows it too
    picker = _picker(membership)
    favorites = favorites_of(membership=membership)
    tag_names = {t.pk: t.name for t in picker["tags"]}
    for favorite in favorites:
        favorite.tag_names = [tag_names[t] for t in favorite.tag_ids if t in tag_names]  # type: ignore[attr-defined]
    context = {
        "nav": "tracker",
        "running": running,
        "favorites": favorites,
        "timer_form": timer_form,
        "manual_form": manual_form,
        "today": local_today(membership.user).isoformat(),
        **picker,
        **_list_context(membership, weeks),
    }
    return render(request, "tracking/entries/tracker.html", context, status=status)


@require_GET
@workspace_view()
def tracker(request: WorkspaceRequest) -> HttpResponse:
    """The timer bar, manual entry, and the user's entries of the last `weeks` weeks by day."""
    if _is_htmx(request) and request.headers.get("HX-Target") == "entries":
        return _render_list(request, _weeks(request))
    return _tracker_page(request)


@require_POST
@workspace_view()
def timer_start(request: WorkspaceRequest) -> HttpResponse:
    membership = request.membership
    form = TimerStartForm(request.POST)
    if form.is_valid():
        try:
            services.timer_start(membership=membership, **form.refs())
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            return redirect(_tracker_url(membership, _weeks(request)))
    return _tracker_page(request, timer_form=form, status=400)


def _stop_at(request: HttpRequest, user: User) -> dt.datetime | None:
    """The `stop_at` a form gave (a datetime-local value in the user's time zone), or None."""
    raw = (request.POST.get("stop_at") or "").strip()
    if not raw:
        return None
    try:
        value = dt.datetime.strptime(raw[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        raise ApplicationError("Give the date and time you stopped.", field="end") from None
    if not date_in_range(value.date()):
        raise ApplicationError(DATE_RANGE_MESSAGE, field="end")
    return value.replace(tzinfo=user_tz(user))


@require_POST
@workspace_view()
def timer_stop(request: WorkspaceRequest) -> HttpResponse:
    """Stop the running timer now, or at `stop_at` (the long-timer warning's "I stopped at");
    back to `next` (the page the header's Stop was pressed on) or the tracker."""
    membership = request.membership
    try:
        services.timer_stop(membership=membership, end=_stop_at(request, membership.user))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Timer stopped.")
    return redirect_back(request, _tracker_url(membership, _weeks(request)))


@require_POST
@workspace_view()
def entry_create(request: WorkspaceRequest) -> HttpResponse:
    """A manual entry: date + start + end, or date + duration (+ optional start)."""
    membership = request.membership
    form = ManualEntryForm(request.POST, user=membership.user)
    if form.is_valid():
        data = form.cleaned_data
        start = data["start"] or services.start_of_day_slot(
            membership=membership, user=membership.user, day=data["date"]
        )
        try:
            services.time_entry_create(
                membership=membership,
                start=start,
                end=data["end"],
                duration_seconds=data["duration"] if data["end"] is None else None,
                **form.refs(),
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Time added.")
            return redirect(_tracker_url(membership, _weeks(request)))
    return _tracker_page(request, manual_form=form, status=400)


# --- one entry --------------------------------------------------------------------------------


def _edit_initial(entry: TimeEntry, user: User) -> dict[str, Any]:
    from tracking.templatetags.entry_format import iso_local_date

    project_task = entry.project_id or ""
    if entry.task_id:
        project_task = f"{entry.project_id}:{entry.task_id}"
    return {
        "description": entry.description,
        "project_task": project_task,
        "tags": [t.pk for t in entry.tags.all()],
        "billable": entry.billable,
        "date": iso_local_date(entry.start, user),
        "start_time": input_time(entry.start, user),
        "end_date": iso_local_date(entry.end, user),
        "end_time": input_time(entry.end, user),
        "shown_end": input_time(entry.end, user),
        "duration": clock_text(entry.duration_seconds) if entry.duration_seconds else "",
        "shown_duration": clock_text(entry.duration_seconds) if entry.duration_seconds else "",
    }


def _render_edit(
    request: WorkspaceRequest, entry: TimeEntry, form: TrackerEntryEditForm, *, status: int = 200
) -> HttpResponse:
    membership = request.membership
    context = {
        "entry": entry,
        "form": form,
        "weeks": _weeks(request),
        "nav": "tracker",
        **_picker(membership),
    }
    # Keep a project, task or tag the entry already has even if it is archived or done now.
    context["current_project"] = entry.project
    context["current_task"] = entry.task
    context["inline"] = _is_htmx(request)
    attach_entry_notices([entry])
    if _is_htmx(request):
        return render(request, "tracking/entries/_entry_form.html", context, status=status)
    return render(request, "tracking/entries/entry_edit.html", context, status=status)


@require_GET
@workspace_view()
def entry_row(request: WorkspaceRequest, pk: str) -> HttpResponse:
    """One entry's row (the inline edit's Cancel)."""
    return _render_row(request, _entry(request, pk))


def _render_row(request: WorkspaceRequest, entry: TimeEntry) -> HttpResponse:
    attach_entry_notices([entry])
    membership = request.membership
    attach_rule_flags([entry], workspace=membership.workspace, user=entry.user)
    return render(
        request, "tracking/entries/_entry_row.html", {"entry": entry, "weeks": _weeks(request)}
    )


@require_http_methods(["GET", "POST"])
@workspace_view()
def entry_edit(request: WorkspaceRequest, pk: str) -> HttpResponse:
    """The inline edit form (GET) and its save (POST): any field of the entry."""
    membership = request.membership
    entry = _entry(request, pk)
    if request.method == "GET":
        if entry.is_locked and not membership.is_admin:
            # Say so up front instead of offering a form whose save would be refused.
            if _is_htmx(request):
                return _render_row(request, entry)
            messages.error(request, "This entry is locked; only an admin can change it.")
            return redirect(_tracker_url(membership, _weeks(request)))
        form = TrackerEntryEditForm(
            initial=_edit_initial(entry, membership.user),
            user=membership.user,
            running=entry.is_running,
        )
        return _render_edit(request, entry, form)
    form = TrackerEntryEditForm(request.POST, user=membership.user, running=entry.is_running)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.time_entry_update(
                membership=membership,
                entry=entry,
                **form.refs(),
                start=data["start"],
                end=data["end"] if not entry.is_running else services.UNSET,
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            if _is_htmx(request):
                return _render_list(request, _weeks(request))
            return redirect(_tracker_url(membership, _weeks(request)))
    # htmx swaps only 2xx answers by default: the form with its errors comes back as 200.
    return _render_edit(request, entry, form, status=200 if _is_htmx(request) else 400)


def _row_action(request: WorkspaceRequest, pk: str, action: str) -> HttpResponse:
    membership = request.membership
    entry = _entry(request, pk)
    weeks = _weeks(request)
    try:
        if action == "delete":
            services.time_entry_delete(membership=membership, entry=entry)
            note = "Entry deleted."
        elif action == "duplicate":
            services.time_entry_duplicate(membership=membership, entry=entry)
            note = "Entry duplicated."
        else:
            services.time_entry_continue(membership=membership, entry=entry)
            note = "Timer started."
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if _is_htmx(request) and action != "continue":
            return _render_list(request, weeks)
        messages.success(request, note)
    if _is_htmx(request):
        # The timer bar changes too (continue) or a message must show: reload the page.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = _tracker_url(membership, weeks)
        return response
    return redirect(_tracker_url(membership, weeks))


@require_POST
@workspace_view()
def entry_delete(request: WorkspaceRequest, pk: str) -> HttpResponse:
    return _row_action(request, pk, "delete")


@require_POST
@workspace_view()
def entry_duplicate(request: WorkspaceRequest, pk: str) -> HttpResponse:
    return _row_action(request, pk, "duplicate")


@require_POST
@workspace_view()
def entry_continue(request: WorkspaceRequest, pk: str) -> HttpResponse:
    return _row_action(request, pk, "continue")


@require_POST
@workspace_view()
def entries_bulk(request: WorkspaceRequest) -> HttpResponse:
    """Bulk edit (project, billable, tags) or bulk delete of the selected entries."""
    membership = request.membership
    weeks = _weeks(request)
    form = BulkForm(request.POST)
    if not form.is_valid():
        if "entries" in form.errors:
            messages.error(request, "Select at least one entry.")
        else:
            messages.error(request, "Choose what to do with the selected entries.")
        return redirect(_tracker_url(membership, weeks))
    data = form.cleaned_data
    with _refusal_as_message(request):
        if data["action"] == "delete":
            count = services.time_entries_bulk_delete(
                membership=membership, entry_ids=data["entries"]
            )
            messages.success(request, f"Deleted {count} entries.")
        else:
            changes: dict[str, Any] = {}
            if data["change_project"]:
                changes["project_id"] = split_project_task(data["project_task"])[0]
            if data["billable"]:
                changes["billable"] = data["billable"] == "yes"
            if data["change_tags"]:
                changes["tag_ids"] = data["tags"]
                changes["tags_mode"] = data["change_tags"]
            if not changes:
                raise ApplicationError("Choose a change to make to the selected entries.")
            count = services.time_entries_bulk_update(
                membership=membership, entry_ids=data["entries"], **changes
            )
            messages.success(request, f"Updated {count} entries.")
    return redirect(_tracker_url(membership, weeks))


# --- favourites -------------------------------------------------------------------------------


@require_POST
@workspace_view()
def favorite_pin(request: WorkspaceRequest, pk: str) -> HttpResponse:
    membership = request.membership
    entry = _entry(request, pk)
    with _refusal_as_message(request):
        favorites.favorite_pin(membership=membership, entry=entry)
        messages.success(request, "Pinned to your favourites.")
    return redirect(_tracker_url(membership, _weeks(request)))


@require_POST
@workspace_view()
def favorite_unpin(request: WorkspaceRequest, pk: str) -> HttpResponse:
    membership = request.membership
    with _refusal_as_message(request):
        favorites.favorite_unpin(membership=membership, favorite_id=pk)
    return redirect(_tracker_url(membership, _weeks(request)))


@require_POST
@workspace_view()
def favorite_start(request: WorkspaceRequest, pk: str) -> HttpResponse:
    """One click: a timer like the favourite."""
    membership = request.membership
    with _refusal_as_message(request):
        favorites.favorite_start(membership=membership, favorite_id=pk)
    return redirect(_tracker_url(membership, _weeks(request)))


# --- the timesheet ------------------------------------------------------------------------------


def _week_of(request: HttpRequest, user: User) -> dt.date:
    """The week `?week=` (any day of it) names, or this week. A week past the rule's dates is
    an ApplicationError (the page says so instead of overflowing into a 500)."""
    raw = request.GET.get("week") or request.POST.get("week") or ""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        day = local_today(user)
    return week_start_checked(day, user.week_start)


def _row_keys(values: list[str]) -> list[tuple[str | None, str | None]]:
    return [split_project_task(v) for v in values if v][:50]


def _timesheet_context(request: WorkspaceRequest, week: dt.date, keep: list[str]) -> dict[str, Any]:
    membership = request.membership
    sheet = timesheet_week(membership=membership, week_start=week, extra_rows=_row_keys(keep))
    approval = week_approval_of(membership=membership, week_start=week)
    return {
        "nav": "timesheet",
        "sheet": sheet,
        "week": week,
        "prev_week": (week - dt.timedelta(days=7)).isoformat(),
        "next_week": (week + dt.timedelta(days=7)).isoformat(),
        "keep": [row.key for row in sheet.rows],
        "approval": approval,
        # A submitted or approved week's cells are locked for the member (admins may edit).
        "locked": approval is not None and not membership.is_admin,
    }


@require_GET
@workspace_view()
def timesheet(request: WorkspaceRequest) -> HttpResponse:
    """A week (from the profile's week start) of project/task rows x days, hours editable.

    `?week=` is any day of the week to show; `?row=<project>:<task>` (repeatable) adds rows
    that have no time yet.
    """
    membership = request.membership
    status = 200
    try:
        week = _week_of(request, membership.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        week, status = week_start_for(membership.user, local_today(membership.user)), 400
    rows = request.GET.getlist("row")
    if request.GET.get("copy") == "last":
        # "Copy last week": last week's project/task rows, empty, to type this week's hours.
        last = timesheet_week(membership=membership, week_start=week - dt.timedelta(days=7))
        rows = [*rows, *(row.key for row in last.rows)]
    context = _timesheet_context(request, week, rows)
    context.update(_picker(membership))
    return render(request, "tracking/entries/timesheet.html", context, status=status)


@require_POST
@workspace_view()
def timesheet_cell(request: WorkspaceRequest) -> HttpResponse:
    """Set one cell's hours (see `timesheet_cell_set` for what that does to its entries)."""
    membership = request.membership
    form = TimesheetCellForm(request.POST)
    keep = request.POST.getlist("keep")
    error = ""
    try:
        week = _week_of(request, membership.user)
    except ApplicationError:
        week = week_start_for(membership.user, local_today(membership.user))
    if form.is_valid():
        data = form.cleaned_data
        project_id, task_id = split_project_task(data["row"])
        week = week_start_for(membership.user, data["date"])
        try:
            services.timesheet_cell_set(
                membership=membership,
                day=data["date"],
                seconds=data["hours"] or 0,
                project_id=project_id,
                task_id=task_id,
            )
        except ApplicationError as exc:
            error = exc.message
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if _is_htmx(request):
        context = _timesheet_context(request, week, [*keep, form.data.get("row", "")])
        context["error"] = error
        return render(request, "tracking/entries/_timesheet_grid.html", context)
    if error:
        messages.error(request, error)
    url = reverse("tracking:timesheet", kwargs={"ws": membership.workspace_id})
    query = urlencode([("week", week.isoformat())] + [("row", k) for k in keep if k])
    return redirect(f"{url}?{query}")


@require_POST
@workspace_view()
def timesheet_row_delete(request: WorkspaceRequest) -> HttpResponse:
    """Delete a row of the week: every entry of the member's on that project/task that week (all
    or none: a locked entry or week refuses), and the row goes."""
    membership = request.membership
    keep = [k for k in request.POST.getlist("keep") if k]
    row = request.POST.get("row", "")
    try:
        week = _week_of(request, membership.user)
    except ApplicationError as exc:  # an unreadable week: back to this one
        messages.error(request, exc.message)
        week = week_start_for(membership.user, local_today(membership.user))
        url = reverse("tracking:timesheet", kwargs={"ws": membership.workspace_id})
        return redirect(f"{url}?week={week.isoformat()}")
    try:
        project_id, task_id = split_project_task(row)
        ids = timesheet_row_entry_ids(
            membership=membership, week_start=week, project_id=project_id, task_id=task_id
        )
        if ids:
            services.time_entries_bulk_delete(membership=membership, entry_ids=ids)
        keep = [k for k in keep if k != row]
        messages.success(request, "Row deleted." if ids else "Row removed.")
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:  # refused (a locked entry, a submitted week): stay on it
        messages.error(request, exc.message)
    url = reverse("tracking:timesheet", kwargs={"ws": membership.workspace_id})
    query = urlencode([("week", week.isoformat())] + [("row", k) for k in keep])
    return redirect(f"{url}?{query}")


# --- re-rating ------------------------------------------------------------------------------


def _in_workspace(model: type[Project] | type[Task], workspace_id: str, pk: str) -> Any:
    if not pk:
        return None
    obj = (
        model.objects.filter(workspace_id=workspace_id, pk=pk).first() if is_object_id(pk) else None
    )
    if obj is None:
        raise Http404("Not found.")
    return obj


@require_POST
@workspace_view(ADMIN)
def rates_reapply(request: WorkspaceRequest) -> HttpResponse:
    """Re-rate existing entries of a scope from the current rates ("also apply to past
    entries"); admins only. Redirects back to `next`."""
    membership = request.membership
    ws_id = membership.workspace_id
    user = None
    user_id = request.POST.get("user", "")
    if user_id:
        found = (
            Membership.objects.select_related("user")
            .filter(workspace_id=ws_id, user_id=user_id)
            .first()
            if is_object_id(user_id)
            else None
        )
        if found is None:
            raise Http404("Member not found.")
        user = found.user
    try:
        count = time_entries_reapply_rates(
            workspace=membership.workspace,
            scope=request.POST.get("scope", ""),
            user=user,
            project=_in_workspace(Project, ws_id, request.POST.get("project", "")),
            task=_in_workspace(Task, ws_id, request.POST.get("task", "")),
            actor=membership.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        noun = "entry" if count == 1 else "entries"
        messages.success(request, f"Re-rated {count} {noun} with the current rates.")
    return redirect_back(request, _tracker_url(membership))
