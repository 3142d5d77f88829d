"""Pages of correcting what was sent (owners and admins of a connected workspace whose plan
includes QuickBooks; members never see them, and the server refuses them):

- the sent view (views/send.py `report`, show=sent) shows beside each entry what QuickBooks
  holds where it differs (`annotate_differences`), and deleted entries QuickBooks still has;
- "Update in QuickBooks" / "Delete from QuickBooks": a confirmation listing each change (works
  without JavaScript) whose POST starts the job; its page is the send job's page.

The chosen entries come as `entry` parameters; without any, an update takes every sent entry
within the filters that differs from QuickBooks and a delete every sent entry deleted here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from quickbooks_sync.mapping import FieldChange
from quickbooks_sync.mapping import comparable
from quickbooks_sync.mapping import time_activity_changes
from quickbooks_sync.models import QBOConnection
from quickbooks_sync.models import SendJob
from quickbooks_sync.selectors.connection import connection_get
from quickbooks_sync.selectors.connection import connection_of
from quickbooks_sync.selectors.send import QBONames
from quickbooks_sync.selectors.send import not_sent_rows
from quickbooks_sync.selectors.send import qbo_names
from quickbooks_sync.services.send import NOT_SENT_LABELS
from quickbooks_sync.services.send_corrections import DELETE
from quickbooks_sync.services.send_corrections import UPDATE
from quickbooks_sync.services.send_corrections import CorrectionPreview
from quickbooks_sync.services.send_corrections import correction_preview
from quickbooks_sync.services.send_corrections import correction_start
from quickbooks_sync.services.send_corrections import deleted_here
from quickbooks_sync.services.send_corrections import held_seconds
from quickbooks_sync.services.send_corrections import sent_differences
from quickbooks_sync.views.confirm import confirm_page
from reports.filters import DetailedFilters
from reports.filters import FilterError
from reports.filters import detailed_filters_from_query
from reports.templatetags.report_format import money
from tracking.models import TimeEntry
from tracking.templatetags.entry_format import hms
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view
from workspaces.models import Membership
from workspaces.models import Workspace

# The sent view's columns that show each compared field's value here.
COLUMNS = {
    "TxnDate": "date",
    "Duration": "duration",
    "Description": "description",
    "Person": "member",
    "CustomerRef": "project",
    "BillableStatus": "billable",
    "HourlyRate": "rate",
}


def shown(field: str, value: Any, names: QBONames, currency: str) -> str:
    """A compared value (mapping.comparable) in words."""
    if value is None or value == "":
        return "(none)" if field != "Description" else "(no description)"
    if field == "Duration":
        return hms(int(value) * 60)[:-3]
    if field == "Person":
        return names.people.get(str(value)) or str(value).replace(":", " #")
    if field == "CustomerRef":
        return names.customers.get(str(value)) or f"#{value}"
    if field == "ItemRef":
        return names.items.get(str(value)) or f"#{value}"
    if field == "ClassRef":
        return names.classes.get(str(value)) or f"#{value}"
    if field == "BillableStatus":
        return "Billable" if value == "Billable" else "Non-billable"
    if field == "HourlyRate":
        return money(int(value), currency)
    if field == "Description" and value == "":
        return "(no description)"
    return str(value)


def change_rows(
    changes: list[FieldChange] | list[dict[str, Any]] | tuple[FieldChange, ...],
    names: QBONames,
    currency: str,
) -> list[dict[str, str]]:
    """Each change as label, what QuickBooks holds and what it gets, in words."""
    rows = []
    for change in changes:
        c = change.as_json() if isinstance(change, FieldChange) else change
        rows.append(
            {
                "field": c["field"],
                "label": c["label"],
                "qbo": shown(c["field"], c["before"], names, currency),
                "here": shown(c["field"], c["after"], names, currency),
            }
        )
    return rows


def annotate_differences(
    membership: Membership, connection: QBOConnection, rows: list[Any]
) -> None:
    """The sent view's page: on each row, `qbo_changes` (what QuickBooks holds where it
    differs), `differs` (the columns to mark) and `qbo_blocker` (why it cannot be updated).
    `connection`: the workspace's, as the page read it."""
    differences = sent_differences(
        membership=membership, connection=connection, entry_ids=[r.pk for r in rows]
    )
    names = qbo_names(
        workspace_id=membership.workspace_id, realm_id=connection.realm_id, connection=connection
    )
    currency = membership.workspace.currency
    for row in rows:
        found = differences.get(row.pk)
        row.qbo_changes = change_rows(found.changes, names, currency) if found else []
        row.differs = {COLUMNS[c["field"]] for c in row.qbo_changes if c["field"] in COLUMNS}
        reason = found.reason if found else ""
        row.qbo_blocker = NOT_SENT_LABELS.get(reason, reason)


def describe_stale(job: SendJob, items: list[Any]) -> None:
    """On a correction job's page: for each item QuickBooks refused as stale, `holds_rows`,
    what QuickBooks holds now (read again) where it differs from what was to be sent (names
    read only when there is one)."""
    stale = [item for item in items if item.qbo_holds]
    if not stale:
        return
    names = qbo_names(
        workspace_id=job.workspace_id,
        realm_id=job.realm_id,
        connection=connection_get(workspace_id=job.workspace_id),
    )
    currency = Workspace.objects.values_list("currency", flat=True).get(pk=job.workspace_id)
    for item in stale:
        if job.kind == SendJob.Kind.UPDATE and item.values:
            changes = time_activity_changes(item.qbo_holds, item.values)
        else:
            changes = [
                FieldChange(field=f, label=label, before=comparable(item.qbo_holds, f), after=None)
                for f, label in (
                    ("TxnDate", "Date"),
                    ("Duration", "Duration"),
                    ("Description", "Description"),
                )
            ]
        item.holds_rows = change_rows(changes, names, currency)


def deleted_here_rows(
    membership: Membership, connection: QBOConnection, filters: DetailedFilters
) -> list[Any]:
    """Sent entries deleted here whose TimeActivity the connected company still holds (dated
    within the filter's dates), each with `held_seconds`."""
    rows: list[Any] = deleted_here(
        workspace_id=membership.workspace_id,
        realm_id=connection.realm_id,
        start=filters.start,
        end=filters.end,
    )
    for sent in rows:
        sent.held_seconds = held_seconds(sent.values_sent)
    return rows


def _preview_context(
    membership: Membership, kind: str, preview: CorrectionPreview
) -> dict[str, Any]:
    """Each TimeActivity that would be updated or deleted (the entry here, what QuickBooks
    holds, the changes), what would not go by reason, and the page's title."""
    ws = membership.workspace_id
    connection = connection_of(membership)
    names = qbo_names(
        workspace_id=ws,
        realm_id=connection.realm_id if connection is not None else "",
        connection=connection,
    )
    entries = TimeEntry.objects.filter(
        workspace_id=ws, pk__in=[c.entry_id for c in preview.go if c.entry_id]
    ).select_related("user", "project")
    by_id = {e.pk: e for e in entries}
    currency = membership.workspace.currency
    rows = [
        {
            "correction": c,
            "entry": by_id.get(c.entry_id or ""),
            "date": c.held.get("TxnDate", ""),
            "held_seconds": held_seconds(c.held),
            "description": c.held.get("Description", ""),
            "changes": change_rows(c.changes, names, currency),
        }
        for c in preview.go
    ]
    return {
        "rows": rows,
        "reasons": not_sent_rows(preview.not_going_json(), most_first=True),
        "title": SendJob.Kind(kind).label if kind in (UPDATE, DELETE) else "",
    }


@require_http_methods(["GET", "POST"])
@workspace_view(Membership.Role.ADMIN)
def corrections_confirm(request: WorkspaceRequest) -> HttpResponse:
    """GET: each change "Update in QuickBooks" would make (or each TimeActivity "Delete from
    QuickBooks" would delete) and what would not go, by reason. POST: start it."""
    membership = request.membership
    ws = membership.workspace_id
    params = request.POST if request.method == "POST" else request.GET
    kind = params.get("kind", "").upper()
    # The chosen entries; none chosen in the table's form (scope=selected) is an error, not
    # "every entry" (the scope of the "Update all changed" link and the deleted-here list).
    chosen = params.getlist("entry")
    keys = chosen if chosen or params.get("scope") == "selected" else None
    query = {
        k: v
        for k, v in params.lists()
        if k not in ("kind", "entry", "scope", "csrfmiddlewaretoken")
    }
    sent_view = reverse("quickbooks:send_report", kwargs={"ws": ws})
    try:
        filters = detailed_filters_from_query(query, membership=membership).resolved()
    except FilterError as exc:
        messages.error(request, exc.message)
        return redirect(sent_view + "?show=sent")
    back = f"{sent_view}?{urlencode([*filters.to_query(), ('show', 'sent')])}"
    context: dict[str, Any] = {
        "nav": "reports",
        "kind": kind,
        "is_update": kind == UPDATE,
        "keys": keys or [],
        "filter_pairs": filters.to_query(),
        "back": back,
    }
    return confirm_page(
        request,
        "quickbooks_sync/corrections_confirm.html",
        context,
        start=lambda: correction_start(
            membership=membership, kind=kind, filters=filters, entry_keys=keys
        ),
        preview=lambda: correction_preview(
            membership=membership, kind=kind, filters=filters, entry_keys=keys
        ),
        describe=lambda preview: _preview_context(membership, kind, preview),
    )
