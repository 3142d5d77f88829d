"""Writes of the read side: saved reports (a name for a report's query string).

Anyone in a workspace saves their own reports, private or shared with the workspace's admins;
only the one who saved a report renames, updates or deletes it. A saved query is checked as the
report would read it, so a report that cannot open is never saved.
"""

from __future__ import annotations

from urllib.parse import parse_qsl
from urllib.parse import urlencode

from django.db import IntegrityError
from django.db import transaction
from django.utils import timezone

from reports.filters import FilterError
from reports.filters import detailed_filters_check
from reports.filters import parse_detailed_filters
from reports.models import MAX_SAVED_QUERY_LENGTH
from reports.models import SavedReport
from reports.selectors import Sort
from reports.summary import GroupBy
from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.errors import PermissionDenied
from workspaces.ids import is_object_id
from workspaces.models import Membership

MAX_NAME_LENGTH = 100
_FILTER_KEYS = [
    "range",
    "start",
    "end",
    "member",
    "client",
    "project",
    "task",
    "tag",
    "tag_mode",
    "billable",
    "description",
    "approval",
]
# The query parameters each report reads; anything else (a page number, junk) is not saved.
SAVED_KEYS: dict[str, frozenset[str]] = {
    SavedReport.Kind.DETAILED: frozenset([*_FILTER_KEYS, "sort"]),
    SavedReport.Kind.SUMMARY: frozenset([*_FILTER_KEYS, "group", "sub_group"]),
    SavedReport.Kind.WEEKLY: frozenset([*_FILTER_KEYS, "week", "by"]),
}


def saved_query_clean(*, membership: Membership, kind: str, query: str) -> str:
    """The part of `query` (a report's query string) the report of `kind` reads, checked as
    that report checks it: ApplicationError naming what it cannot use."""
    if kind not in SAVED_KEYS:
        raise ApplicationError("Choose a Detailed, Summary or Weekly report.", field="kind")
    if len(query) > MAX_SAVED_QUERY_LENGTH:
        raise ApplicationError("These filters are too long to save.", field="query")
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?")) if k in SAVED_KEYS[kind]]
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    try:
        if kind != SavedReport.Kind.WEEKLY or any(k in params for k in _FILTER_KEYS):
            filters = parse_detailed_filters(params, user=membership.user)
            detailed_filters_check(membership=membership, filters=filters)
        if kind == SavedReport.Kind.DETAILED:
            Sort.parse((params.get("sort") or [""])[0])
        elif kind == SavedReport.Kind.SUMMARY:
            GroupBy.parse((params.get("group") or [""])[0], name="group", default=None)
            GroupBy.parse((params.get("sub_group") or [""])[0], name="sub_group", default=None)
        else:
            GroupBy.parse((params.get("by") or [""])[0], name="by", default=None)
    except FilterError as exc:
        raise ApplicationError(
            f"This report cannot be saved: {exc.message}", field="query"
        ) from exc
    return urlencode(pairs)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError("Give the report a name.", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise ApplicationError(
            f"The name is {len(name)} characters long; {MAX_NAME_LENGTH} at most.", field="name"
        )
    return name


def _taken(name: str) -> ApplicationError:
    return ApplicationError(f"You already have a saved report named “{name}”.", field="name")


def saved_report_create(
    *, membership: Membership, name: str, kind: str, query: str, shared: bool
) -> SavedReport:
    name = _clean_name(name)
    query = saved_query_clean(membership=membership, kind=kind, query=query)
    try:
        with transaction.atomic():
            return SavedReport.objects.create(
                workspace_id=membership.workspace_id,
                owner_id=membership.user_id,
                name=name,
                kind=kind,
                query=query,
                shared=shared,
            )
    except IntegrityError:
        raise _taken(name) from None


def _own(membership: Membership, report_id: str) -> SavedReport:
    """The acting member's own saved report, locked; NotFound for any other, PermissionDenied
    for a report shared with them (they may open it, not change it)."""
    report = (
        SavedReport.objects.select_for_update()
        .filter(workspace_id=membership.workspace_id, pk=report_id)
        .first()
        if is_object_id(report_id)
        else None
    )
    if report is None or (
        report.owner_id != membership.user_id and not (report.shared and membership.is_admin)
    ):
        raise NotFound("Saved report not found.")
    if report.owner_id != membership.user_id:
        raise PermissionDenied("Only the one who saved this report can change or delete it.")
    return report


@transaction.atomic
def saved_report_update(
    *,
    membership: Membership,
    report_id: str,
    name: str | None = None,
    shared: bool | None = None,
    query: str | None = None,
) -> SavedReport:
    """Rename, share or unshare, or save new filters (`query`) under the same name and link."""
    report = _own(membership, report_id)
    if name is not None:
        report.name = _clean_name(name)
    if shared is not None:
        report.shared = shared
    if query is not None:
        report.query = saved_query_clean(membership=membership, kind=report.kind, query=query)
    report.updated_at = timezone.now()
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise _taken(report.name) from None
    return report


@transaction.atomic
def saved_report_delete(*, membership: Membership, report_id: str) -> None:
    _own(membership, report_id).delete()
