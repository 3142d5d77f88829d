"""The QuickBooks section of Settings > Integrations: connect (OAuth), the connected company,
disconnect; and the OAuth callback Intuit redirects the admin's browser to."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from quickbooks_sync.qbo.errors import QBOError
from quickbooks_sync.qbo.oauth import QBOAuth
from quickbooks_sync.selectors.changes import change_panel
from quickbooks_sync.selectors.connection import connection_get
from quickbooks_sync.services.connection import connection_complete
from quickbooks_sync.services.connection import connection_connect_check
from quickbooks_sync.services.connection import connection_disconnect
from quickbooks_sync.services.connection import qbo_config
from quickbooks_sync.services.connection_state import OAuthStateRefused
from quickbooks_sync.services.connection_state import oauth_state_issue
from quickbooks_sync.services.connection_state import oauth_state_redeem
from quickbooks_sync.views.schedule import schedule_context
from workspaces.access import WorkspaceRequest
from workspaces.access import membership_for
from workspaces.access import require_role
from workspaces.access import workspace_view
from workspaces.errors import ApplicationError
from workspaces.models import Membership
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

QUICKBOOKS_PLANS = ", ".join(str(Workspace.Plan(p).label) for p in Workspace.QUICKBOOKS_PLANS)


def integrations_subpage(
    request: WorkspaceRequest,
    template: str,
    read: Callable[[], dict[str, Any]],
    *,
    save: Callable[[], str] | None = None,
    anchor: str = "",
) -> HttpResponse:
    """A settings page reached from the Integrations tab: the context `read` builds (it reads
    QuickBooks) and the connection; when reading fails, back to the tab with the reason.
    A POST (the page's form) calls `save`: its message, and back to the tab at `anchor`; its
    refusal, and back to this page."""
    ws = request.membership.workspace_id
    if request.method == "POST" and save is not None:
        try:
            saved = save()
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(request.path)
        messages.success(request, saved)
        return redirect(reverse("quickbooks:integrations", kwargs={"ws": ws}) + anchor)
    try:
        context = read()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("quickbooks:integrations", kwargs={"ws": ws}))
    context.update(nav="settings", connection=connection_get(workspace_id=ws))
    return render(request, template, context)


def _page(request: WorkspaceRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    workspace: Workspace = request.workspace
    connection = connection_get(workspace_id=workspace.id)
    context = {
        "nav": "settings",
        "tab": "integrations",
        "quickbooks_plans": QUICKBOOKS_PLANS.replace(", Enterprise", " or Enterprise"),
        "connection": connection,
        "error": error,
        # What changed in QuickBooks since the last sync (the last check), when connected.
        "changes": (
            change_panel(workspace_id=workspace.id)
            if connection is not None and connection.is_connected
            else None
        ),
        # A previous company whose links a different company would drop.
        "previous_company": (
            connection.company_name or connection.realm_id
            if connection is not None and not connection.is_connected
            else ""
        ),
        **schedule_context(workspace),
    }
    return render(request, "quickbooks_sync/connection_integrations.html", context, status=status)


@workspace_view(Membership.Role.ADMIN)
def integrations(request: WorkspaceRequest) -> HttpResponse:
    return _page(request)


@require_POST
@workspace_view(Membership.Role.ADMIN)
def connect(request: WorkspaceRequest) -> HttpResponse:
    """Send the admin to Intuit's consent page with a fresh state."""
    workspace: Workspace = request.workspace
    try:
        connection_connect_check(actor=request.membership)
    except ApplicationError as exc:
        return _page(request, error=exc.message, status=exc.status)
    state = oauth_state_issue(
        session=request.session, user_id=str(request.user.pk), workspace_id=str(workspace.id)
    )
    try:
        url = QBOAuth(qbo_config()).authorization_url(state)
    except QBOError as exc:
        return _page(
            request,
            error=f"QuickBooks could not be reached: {exc.human_message} Try again later.",
            status=502,
        )
    return redirect(url)


@require_POST
@workspace_view(Membership.Role.ADMIN)
def disconnect(request: WorkspaceRequest) -> HttpResponse:
    workspace: Workspace = request.workspace
    try:
        connection = connection_disconnect(actor=request.membership)
    except ApplicationError as exc:
        return _page(request, error=exc.message, status=exc.status)
    if connection.problem:  # not revoked at Intuit: what to do in QuickBooks
        messages.warning(request, connection.problem)
    else:
        messages.success(
            request,
            f"Disconnected from QuickBooks (“{connection.company_name}”). Links to its employees "
            "and customers are kept for when you reconnect the same company.",
        )
    return redirect("quickbooks:integrations", ws=workspace.id)


def _failed(
    request: HttpRequest, message: str, *, workspace_id: str | None, status: int = 400
) -> HttpResponse:
    back = reverse("quickbooks:integrations", kwargs={"ws": workspace_id}) if workspace_id else ""
    return render(
        request,
        "quickbooks_sync/connection_failed.html",
        {"message": message, "back": back},
        status=status,
    )


@login_required
def callback(request: HttpRequest) -> HttpResponse:
    """Where Intuit sends the admin back: ?code&state&realmId, or ?error=access_denied&state."""
    params = request.GET
    user_id = str(request.user.pk)
    try:
        workspace_id = oauth_state_redeem(
            session=request.session, user_id=user_id, state=params.get("state", "")
        )
    except OAuthStateRefused as exc:
        return _failed(request, exc.message, workspace_id=None)
    try:
        membership = membership_for(user=request.user, workspace_id=workspace_id)  # type: ignore[arg-type]
        require_role(membership, Membership.Role.ADMIN)
    except ApplicationError as exc:
        return _failed(request, exc.message, workspace_id=None, status=exc.status)
    if params.get("error"):
        if params["error"] == "access_denied":
            message = (
                "You did not allow the connection in QuickBooks (consent was denied). Nothing "
                "was saved."
            )
        else:
            message = (
                f"QuickBooks refused the connection request ({params['error'][:100]}). "
                "Nothing was saved."
            )
        return _failed(request, message, workspace_id=workspace_id)
    try:
        outcome = connection_complete(
            actor=membership,
            workspace_id=workspace_id,
            code=params.get("code", ""),
            realm_id=params.get("realmId", ""),
        )
    except ApplicationError as exc:
        return _failed(request, exc.message, workspace_id=workspace_id, status=exc.status)
    company = outcome.connection.company_name or outcome.connection.realm_id
    messages.success(request, f"Connected to QuickBooks company “{company}”.")
    if outcome.previous_company or outcome.dropped_employee_links or outcome.dropped_customer_links:
        messages.warning(
            request,
            f"This is a different company than “{outcome.previous_company}”: "
            f"{outcome.dropped_employee_links} user link(s) and "
            f"{outcome.dropped_customer_links} client/project link(s) to it were dropped. "
            "Sync users and customers again.",
        )
    return redirect("quickbooks:integrations", ws=workspace_id)
