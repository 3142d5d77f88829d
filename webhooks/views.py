"""Settings > Webhooks (owner and admins): the workspace's webhooks, their last deliveries
(event, answer, response time), add, turn on or off, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from webhooks import services
from webhooks.forms import WebhookForm
from webhooks.models import Webhook
from webhooks.selectors import webhook_attempts
from webhooks.selectors import webhook_list
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view
from workspaces.errors import ApplicationError
from workspaces.models import Membership


def _webhook(request: WorkspaceRequest, pk: str) -> Webhook:
    webhook = webhook_list(workspace=request.workspace).filter(pk=pk).first()
    if webhook is None:
        raise Http404("Webhook not found.")
    return webhook


@workspace_view(Membership.Role.ADMIN)
def webhooks_page(request: WorkspaceRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook = services.webhook_create(
                actor=request.membership,
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                event=form.cleaned_data["event"],
            )
        except ApplicationError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message)
        else:
            messages.success(request, f"Webhook “{webhook.name}” added.")
            return redirect("webhooks:settings", ws=request.workspace.id)
    workspace = request.workspace
    attempts = webhook_attempts(workspace=workspace)
    rows: list[dict[str, Any]] = [
        {"webhook": w, "attempts": attempts.get(w.pk, [])}
        for w in webhook_list(workspace=workspace)
    ]
    return render(
        request,
        "webhooks/settings.html",
        {"nav": "settings", "tab": "webhooks", "form": form, "rows": rows},
    )


@require_POST
@workspace_view(Membership.Role.ADMIN)
def webhook_toggle(request: WorkspaceRequest, pk: str) -> HttpResponse:
    """Turn a webhook off, or back on (its URL is checked again)."""
    webhook = _webhook(request, pk)
    try:
        services.webhook_update(
            actor=request.membership,
            webhook=webhook,
            name=webhook.name,
            url=webhook.url,
            event=webhook.event,
            source_type=webhook.trigger_source_type,
            source_ids=webhook.trigger_source,
            enabled=not webhook.enabled,
        )
    except ApplicationError as exc:
        messages.error(request, f"“{webhook.name}”: {exc.message}")
    else:
        state = "on" if webhook.enabled else "off"
        messages.success(request, f"Webhook “{webhook.name}” turned {state}.")
    return redirect("webhooks:settings", ws=request.workspace.id)


@require_POST
@workspace_view(Membership.Role.ADMIN)
def webhook_delete(request: WorkspaceRequest, pk: str) -> HttpResponse:
    webhook = _webhook(request, pk)
    services.webhook_delete(actor=request.membership, webhook=webhook)
    messages.success(request, f"Webhook “{webhook.name}” deleted.")
    return redirect("webhooks:settings", ws=request.workspace.id)
