"""What changed in QuickBooks since the last sync: the panel on the Integrations tab, its
"Check now" button (admins), the fragment htmx polls while a check runs, and the endpoint
QuickBooks' webhooks POST to (outside any workspace, signed with the app's verifier token)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import JsonResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_POST

from quickbooks_sync.selectors.changes import change_panel
from quickbooks_sync.services.changes import NotificationUnreadable
from quickbooks_sync.services.changes import change_check_press
from quickbooks_sync.services.changes import change_checks_for_realm
from quickbooks_sync.services.changes import notification_realms
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view
from workspaces.errors import ApplicationError
from workspaces.models import Membership

logger = logging.getLogger(__name__)

POLL_SECONDS = 1
SIGNATURE_HEADER = "intuit-signature"
# Intuit sets no limit on a notification's size; 2 MB is what it names as a common default.
MAX_NOTIFICATION_BYTES = 2 * 1024 * 1024


@require_POST
@workspace_view(Membership.Role.ADMIN)
def check_now(request: WorkspaceRequest) -> HttpResponse:
    """Ask QuickBooks what changed since the last sync (a worker makes the one call)."""
    ws = request.workspace.pk
    try:
        queued = change_check_press(membership=request.membership)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if not queued:
            messages.info(request, "A check is already under way.")
    return redirect(reverse("quickbooks:integrations", kwargs={"ws": ws}) + "#qbo-changes")


@require_GET
@workspace_view(Membership.Role.ADMIN)
def panel(request: WorkspaceRequest) -> HttpResponse:
    """The panel alone: htmx polls it while a check is queued or running."""
    return render(
        request,
        "quickbooks_sync/_changes_panel.html",
        {
            "changes": change_panel(workspace_id=request.workspace.pk),
            "workspace": request.workspace,
            "poll_seconds": POLL_SECONDS,
        },
    )


def _signature_ok(body: bytes, given: str) -> bool:
    token = settings.QBO_WEBHOOK_VERIFIER_TOKEN
    expected = base64.b64encode(hmac.new(token.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, given.strip().encode())


@csrf_exempt  # QuickBooks cannot carry a CSRF token: the HMAC signature is the check
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """QuickBooks' webhook notifications (Intuit: answer 200 within 3 seconds). A valid
    signature queues a debounced check for each workspace connected to a company named;
    nothing else happens here. Never logs the token or the body."""
    if not settings.QBO_WEBHOOK_VERIFIER_TOKEN:
        return JsonResponse({"error": "QuickBooks webhooks are not configured here."}, status=404)
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_NOTIFICATION_BYTES:
        return JsonResponse({"error": "The notification is too large."}, status=413)
    body = request.read(MAX_NOTIFICATION_BYTES + 1)
    if len(body) > MAX_NOTIFICATION_BYTES:
        return JsonResponse({"error": "The notification is too large."}, status=413)
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not given or not _signature_ok(body, given):
        logger.warning("QBO webhook refused: %s signature", "bad" if given else "no")
        return JsonResponse(
            {"error": "The intuit-signature header is missing or wrong."}, status=401
        )
    try:
        realms = notification_realms(json.loads(body))
    except (ValueError, NotificationUnreadable):
        return JsonResponse({"error": "The notification is not one QuickBooks sends."}, status=400)
    queued = sum(change_checks_for_realm(realm) for realm in sorted(realms))
    logger.info("QBO webhook: %s companies, %s checks queued", len(realms), queued)
    return JsonResponse({"companies": len(realms), "checksQueued": queued})
