"""The Detailed report's filter: a typed value parsed from and written to URL query parameters,
so a link reproduces the report. The QuickBooks send selects its entries with the same filter.

Query parameters (repeat a parameter for several values):

    range        today | yesterday | this_week | last_week | this_month | last_month
                 | this_year | last_year | custom          (default: this_week)
    start, end   YYYY-MM-DD, both inclusive; used with range=custom (given without a range,
                 they imply it; a preset range ignores them)
    member       user ids
    client       client ids, or "none" for entries whose project has no client (or no project)
    project      project ids, or "none" for entries without a project
    task         task ids
    tag          tag ids, with tag_mode = contains (any of them, the default) | not_contains
    billable     yes | no
    description  text the description contains (case-insensitive)
    approval     approved | pending | not_submitted: whether the entry's week (its member's
                 week, see tracking.models.WeekApproval) is approved, waiting for approval, or
                 neither (never submitted, withdrawn or rejected)

Presets are relative: a link to "last_month" shows the month before the day it is opened, in
the viewer's time zone; `resolved()` pins a filter to its dates (for a send that must not move).
Dates are the viewer's: an entry belongs to the day it starts on in their time zone, and weeks
start on the viewer's week start.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from enum import StrEnum
from typing import Any

from django.db.models import Model

from tracking import time_rules
from tracking.models import MAX_DESCRIPTION_LENGTH
from tracking.models import Client
from tracking.models import Project
from tracking.models import Tag
from tracking.models import Task
from tracking.time_rules import user_tz
from workspaces.errors import ApplicationError
from workspaces.ids import is_object_id
from workspaces.models import Membership
from workspaces.models import User

NONE = "none"  # the "without project" / "without client" choice
MAX_IDS = 500  # per list: far above any picker, far below a query that hurts
# The one date range of valid time (tracking/time_rules.py); re-exported for the report views.
MIN_DATE = time_rules.MIN_DATE
MAX_DATE = time_rules.MAX_DATE


class _LabelledChoice(StrEnum):
    """A choice whose label is its value in words ("last_week": "Last week")."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class DateRange(_LabelledChoice):
    TODAY = "today"
    YESTERDAY = "yesterday"
    THIS_WEEK = "this_week"
    LAST_WEEK = "last_week"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    THIS_YEAR = "this_year"
    LAST_YEAR = "last_year"
    CUSTOM = "custom"


class TagMode(StrEnum):
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"


class ApprovalState(_LabelledChoice):
    APPROVED = "approved"
    PENDING = "pending"
    NOT_SUBMITTED = "not_submitted"
    # Not approved: pending or not submitted (the Reports API's UNAPPROVED; no page option).
    UNAPPROVED = "unapproved"


class FilterError(ApplicationError):
    """A query parameter the report cannot use; `field` names the parameter."""


@dataclass(frozen=True)
class DetailedFilters:
    date_range: DateRange
    start: dt.date  # inclusive, in the viewer's time zone
    end: dt.date  # inclusive
    members: tuple[str, ...] = ()
    clients: tuple[str, ...] = ()
    without_client: bool = False
    projects: tuple[str, ...] = ()
    without_project: bool = False
    tasks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    tag_mode: TagMode = TagMode.CONTAINS
    billable: bool | None = None
    description: str = ""
    approval: ApprovalState | None = None
    # Exact bounds in UTC, [since, until), within the days above: the Reports API reads
    # dateRangeStart/dateRangeEnd as instants. Pages and query strings never set them (a
    # query string, `to_query`, carries whole days only).
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def to_query(self) -> list[tuple[str, str]]:
        """The query parameters that parse back to this filter (defaults left out)."""
        query: list[tuple[str, str]] = []
        if self.date_range == DateRange.CUSTOM:
            query += [
                ("range", DateRange.CUSTOM.value),
                ("start", self.start.isoformat()),
                ("end", self.end.isoformat()),
            ]
        elif self.date_range != DateRange.THIS_WEEK:
            query.append(("range", self.date_range.value))
        query += [("member", v) for v in self.members]
        query += [("client", v) for v in self.clients]
        if self.without_client:
            query.append(("client", NONE))
        query += [("project", v) for v in self.projects]
        if self.without_project:
            query.append(("project", NONE))
        query += [("task", v) for v in self.tasks]
        query += [("tag", v) for v in self.tags]
        if self.tags and self.tag_mode != TagMode.CONTAINS:
            query.append(("tag_mode", self.tag_mode.value))
        if self.billable is not None:
            query.append(("billable", "yes" if self.billable else "no"))
        if self.description:
            query.append(("description", self.description))
        if self.approval is not None:
            query.append(("approval", self.approval.value))
        return query

    def resolved(self) -> DetailedFilters:
        """The same filter with its dates pinned (a preset becomes a custom range)."""
        return replace(self, date_range=DateRange.CUSTOM)

    def utc_bounds(self, time_zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """[since, until) in aware datetimes: local midnight of `start` to that after `end`, or
        the exact bounds when the filter has them."""
        if self.since is not None and self.until is not None:
            return self.since, self.until
        since = dt.datetime.combine(self.start, dt.time(0), tzinfo=time_zone)
        until = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(0), tzinfo=time_zone)
        return since.astimezone(dt.UTC), until.astimezone(dt.UTC)


def preset_dates(preset: DateRange, *, today: dt.date, week_start: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a preset range around `today` (week_start: 0 = Monday)."""
    if preset == DateRange.TODAY:
        return today, today
    if preset == DateRange.YESTERDAY:
        day = today - dt.timedelta(days=1)
        return day, day
    if preset in (DateRange.THIS_WEEK, DateRange.LAST_WEEK):
        first = today - dt.timedelta(days=(today.weekday() - week_start) % 7)
        if preset == DateRange.LAST_WEEK:
            first -= dt.timedelta(days=7)
        return first, first + dt.timedelta(days=6)
    if preset in (DateRange.THIS_MONTH, DateRange.LAST_MONTH):
        year, month = today.year, today.month
        if preset == DateRange.LAST_MONTH:
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        last_day = calendar.monthrange(year, month)[1]
        return dt.date(year, month, 1), dt.date(year, month, last_day)
    if preset in (DateRange.THIS_YEAR, DateRange.LAST_YEAR):
        year = today.year - (1 if preset == DateRange.LAST_YEAR else 0)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    raise ValueError(f"{preset} is not a preset.")


def viewer_tz(user: User) -> zoneinfo.ZoneInfo:
    """The viewer's time zone, as the tracker reads it (UTC when the profile's is unusable)."""
    return user_tz(user)


def _values(params: Mapping[str, Sequence[str]], name: str) -> list[str]:
    return [v.strip() for v in params.get(name, ()) if v.strip()]


def _one(params: Mapping[str, Sequence[str]], name: str) -> str:
    values = _values(params, name)
    if len(values) > 1:
        raise FilterError(f"Give one value for {name!r}, not {len(values)}.", field=name)
    return values[0] if values else ""


def _ids(
    params: Mapping[str, Sequence[str]], name: str, noun: str, *, allow_none: bool = False
) -> tuple[tuple[str, ...], bool]:
    """Distinct ids in the order given, and whether "none" was among them."""
    values = _values(params, name)
    if len(values) > MAX_IDS:
        raise FilterError(f"Choose at most {MAX_IDS} {noun}s.", field=name)
    ids: dict[str, None] = {}
    with_none = False
    for value in values:
        if allow_none and value.lower() == NONE:
            with_none = True
        elif is_object_id(value):
            ids[value.lower()] = None
        else:
            raise FilterError(f"{value[:40]!r} is not a {noun} id.", field=name)
    return tuple(ids), with_none


def _date(params: Mapping[str, Sequence[str]], name: str, label: str) -> dt.date | None:
    raw = _one(params, name)
    if not raw:
        return None
    try:
        if len(raw) != 10:
            raise ValueError
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise FilterError(f"{label} must be a date like 2026-11-28.", field=name) from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise FilterError(f"{label} must be between 1970 and 2999.", field=name)
    return day


def parse_detailed_filters(
    params: Mapping[str, Sequence[str]], *, user: User, today: dt.date | None = None
) -> DetailedFilters:
    """The filter the query parameters describe, for `user` (time zone, week start).

    `params` maps a name to its list of values (a QueryDict through `.lists()`, or a dict of
    lists). Raises FilterError, naming the parameter, for anything it cannot use.
    """
    if today is None:
        today = dt.datetime.now(viewer_tz(user)).date()

    raw_range = _one(params, "range").lower()
    start = _date(params, "start", "The start date")
    end = _date(params, "end", "The end date")
    if not raw_range:
        raw_range = DateRange.CUSTOM if (start or end) else DateRange.THIS_WEEK
    try:
        date_range = DateRange(raw_range)
    except ValueError:
        choices = ", ".join(r.value for r in DateRange)
        raise FilterError(
            f"Unknown date range {raw_range[:40]!r}: choose one of {choices}.", field="range"
        ) from None
    if date_range == DateRange.CUSTOM:
        if start is None or end is None:
            raise FilterError(
                "A custom range needs both a start and an end date.",
                field="start" if start is None else "end",
            )
        if end < start:
            raise FilterError("The end date is before the start date.", field="end")
    else:
        # A preset wins over dates sent with it (the form always sends its date fields).
        start, end = preset_dates(date_range, today=today, week_start=int(user.week_start))

    members, _ = _ids(params, "member", "member")
    clients, without_client = _ids(params, "client", "client", allow_none=True)
    projects, without_project = _ids(params, "project", "project", allow_none=True)
    tasks, _ = _ids(params, "task", "task")
    tags, _ = _ids(params, "tag", "tag")

    raw_mode = _one(params, "tag_mode").lower() or TagMode.CONTAINS.value
    try:
        tag_mode = TagMode(raw_mode)
    except ValueError:
        raise FilterError(
            "Tags filter must be 'contains' or 'not_contains'.", field="tag_mode"
        ) from None

    raw_billable = _one(params, "billable").lower()
    if raw_billable not in ("", "yes", "no"):
        raise FilterError("Billable must be 'yes' or 'no'.", field="billable")
    billable = None if not raw_billable else raw_billable == "yes"

    description = _one(params, "description")
    if "\x00" in description:
        raise FilterError("The description filter contains a NUL character.", field="description")
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise FilterError(
            f"The description filter is longer than {MAX_DESCRIPTION_LENGTH} characters.",
            field="description",
        )

    raw_approval = _one(params, "approval").lower()
    try:
        approval = ApprovalState(raw_approval) if raw_approval else None
    except ValueError:
        raise FilterError(
            "Approval must be 'approved', 'pending', 'not_submitted' or 'unapproved'.",
            field="approval",
        ) from None

    return DetailedFilters(
        date_range=date_range,
        start=start,
        end=end,
        members=members,
        clients=clients,
        without_client=without_client,
        projects=projects,
        without_project=without_project,
        tasks=tasks,
        tags=tags,
        tag_mode=tag_mode,
        billable=billable,
        description=description,
        approval=approval,
    )


# --- parsing a request into a filter (the Detailed report's; also quickbooks_sync's) ---------


def detailed_filters_from_query(
    params: Mapping[str, Sequence[str]], *, membership: Membership
) -> DetailedFilters:
    """The Detailed report's filter for a query string (the page's parameters, as
    `request.GET.lists()`): FilterError (400) for a value it cannot use and for ids that are
    not in the workspace."""
    filters = parse_detailed_filters(params, user=membership.user)
    detailed_filters_check(membership=membership, filters=filters)
    return filters


# The filter parameters that hold ids, with the rows each names: (model, the id's field).
FILTER_ID_ROWS: dict[str, tuple[type[Model], str]] = {
    "member": (Membership, "user_id"),
    "client": (Client, "pk"),
    "project": (Project, "pk"),
    "task": (Task, "pk"),
    "tag": (Tag, "pk"),
}


def filter_ids_found(*, membership: Membership, param: str, ids: Sequence[str]) -> set[str]:
    """Of `ids` given to the filter parameter `param` (a key of FILTER_ID_ROWS), those that
    name something in the membership's workspace (one query)."""
    model, key = FILTER_ID_ROWS[param]
    rows = model._default_manager.filter(workspace_id=membership.workspace_id)
    return set(rows.filter(**{f"{key}__in": ids}).values_list(key, flat=True))


def detailed_filters_check(*, membership: Membership, filters: DetailedFilters) -> None:
    """FilterError when a filter names a client, project, task, tag or member that is not in
    the workspace (one query per kind of id given, none when no ids are given)."""
    given = {
        "member": filters.members,
        "client": filters.clients,
        "project": filters.projects,
        "task": filters.tasks,
        "tag": filters.tags,
    }
    for field, ids in given.items():
        if not ids:
            continue
        found = filter_ids_found(membership=membership, param=field, ids=ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise FilterError(f"There is no {field} {missing[0]} in this workspace.", field=field)


# Body fields -> the Detailed page's query parameters.
APPROVAL_STATES = {
    "APPROVED": "approved",
    "UNAPPROVED": "unapproved",
    "PENDING": "pending",
    "NOT_SUBMITTED": "not_submitted",
}
ENTITY_PARAMS = {
    "users": "member",
    "projects": "project",
    "clients": "client",
    "tasks": "task",
    "tags": "tag",
}


def _body_days(
    body: Mapping[str, Any], *, membership: Membership, exact_times: bool
) -> tuple[dt.date, dt.date, tuple[dt.datetime, dt.datetime] | None]:
    """The first and last day of the body's dates, and with `exact_times` the instants
    [since, until) in UTC. FilterError when the end is before the start."""
    start_at, end_at = body["dateRangeStart"], body["dateRangeEnd"]
    if not exact_times:
        # Whole days: the calendar dates written, an end at exactly midnight exclusive.
        start, end = start_at.day, end_at.day
        if end_at.midnight and end > start:
            end -= dt.timedelta(days=1)
        if end < start:
            raise FilterError("dateRangeEnd is before dateRangeStart.", field="dateRangeEnd")
        return start, end, None
    for name, given in (("dateRangeStart", start_at), ("dateRangeEnd", end_at)):
        if not MIN_DATE <= given.day <= MAX_DATE:
            raise FilterError(f"{name} must be between 1970 and 2999.", field=name)
    time_zone = viewer_tz(membership.user)
    one_day, tick = dt.timedelta(days=1), dt.timedelta(microseconds=1)

    # Instants as given, the end included; a date-time without an offset is the caller's wall
    # clock, and a bare date its whole day, in the caller's zone.
    def placed(moment: dt.datetime | None, day: dt.date) -> dt.datetime:
        if moment is None:
            return dt.datetime.combine(day, dt.time(0), tzinfo=time_zone)
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=time_zone)

    since = placed(start_at.instant, start_at.day)
    until = (
        placed(end_at.instant, end_at.day) + tick
        if end_at.instant is not None
        else placed(None, end_at.day + one_day)
    )
    if until <= since:
        raise FilterError("dateRangeEnd is before dateRangeStart.", field="dateRangeEnd")
    first = since.astimezone(time_zone).date()
    last = (until - tick).astimezone(time_zone).date()
    return first, last, (since.astimezone(dt.UTC), until.astimezone(dt.UTC))


def detailed_filters_from_body(
    body: Mapping[str, Any], *, membership: Membership, exact_times: bool = False
) -> DetailedFilters:
    """The Detailed report's filter for a Clockify-style request body, as the Reports API
    validates it (reports.bodies.DetailedReportIn); FilterError (400) for what it cannot
    express, and for ids that are not in the workspace.

    With `exact_times` (the Reports API) dateRangeStart and dateRangeEnd are instants, as
    Clockify reads them: entries starting in [start, end]. Without (the QuickBooks send, whose
    jobs keep their filter as query parameters) they pick the whole days they fall on."""
    start, end, bounds = _body_days(body, membership=membership, exact_times=exact_times)
    params: dict[str, list[str]] = {"start": [start.isoformat()], "end": [end.isoformat()]}
    for field, param in ENTITY_PARAMS.items():
        given = body.get(field)
        if not given:
            continue
        if given["contains"] == "DOES_NOT_CONTAIN":
            if field != "tags":
                raise FilterError(
                    f"{field}.contains: only tags can be filtered with DOES_NOT_CONTAIN.",
                    field=field,
                )
            params["tag_mode"] = ["not_contains"]
        params[param] = list(given.get("ids") or [])
    if body["billable"] is not None:
        params["billable"] = ["yes" if body["billable"] else "no"]
    if body["description"]:
        params["description"] = [body["description"]]
    if body["approvalState"] in APPROVAL_STATES:
        params["approval"] = [APPROVAL_STATES[body["approvalState"]]]
    filters = detailed_filters_from_query(params, membership=membership)
    if bounds is not None:
        filters = replace(filters, since=bounds[0], until=bounds[1])
    return filters


# --- the filter form's values --------------------------------------------------------------


def filter_form_values(filters: DetailedFilters) -> dict[str, Any]:
    """The filter form's values for `filters` (what is selected in each control)."""
    return {
        "range": filters.date_range.value,
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        "member": set(filters.members),
        "client": set(filters.clients) | ({"none"} if filters.without_client else set()),
        "project": set(filters.projects) | ({"none"} if filters.without_project else set()),
        "task": set(filters.tasks),
        "tag": set(filters.tags),
        "tag_mode": filters.tag_mode.value,
        "billable": "" if filters.billable is None else ("yes" if filters.billable else "no"),
        "description": filters.description,
        "approval": filters.approval.value if filters.approval else "",
    }


def filter_form_values_as_sent(params: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The filter form's values as the query string gave them (to show a refused filter)."""

    def one(name: str) -> str:
        values = params.get(name) or [""]
        return values[0]

    return {
        "range": one("range"),
        "start": one("start"),
        "end": one("end"),
        "member": set(params.get("member", [])),
        "client": set(params.get("client", [])),
        "project": set(params.get("project", [])),
        "task": set(params.get("task", [])),
        "tag": set(params.get("tag", [])),
        "tag_mode": one("tag_mode"),
        "billable": one("billable"),
        "description": one("description"),
        "approval": one("approval"),
    }


# --- editing a row in place (htmx) ----------------------------------------------------------
