"""The confirmation page a send, an update or a delete passes before it starts (works without
JavaScript): GET shows what would go; its POST starts the job and lands on the job's page, or
shows QuickBooks' or the rules' refusal above what would go."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import TypeVar

from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render

from quickbooks_sync.models import SendJob
from workspaces.access import WorkspaceRequest
from workspaces.errors import ApplicationError

P = TypeVar("P")


def confirm_page(
    request: WorkspaceRequest,
    template: str,
    context: dict[str, Any],
    *,
    start: Callable[[], SendJob],
    preview: Callable[[], P],
    describe: Callable[[P], dict[str, Any]],
) -> HttpResponse:
    """POST: `start` the job (on to its page). Then, and on GET, the `preview` with what
    `describe` adds to the context; 400 with the start's error (first) or the preview's."""
    if request.method == "POST":
        try:
            job = start()
        except ApplicationError as exc:
            context["error"] = exc.message
        else:
            return redirect("quickbooks:send_job", ws=job.workspace_id, job_id=job.pk)
    try:
        shown = preview()
    except ApplicationError as exc:
        context.update(error=context.get("error") or exc.message, preview=None)
        return render(request, template, context, status=400)
    context.update(preview=shown, **describe(shown))
    status = 400 if "error" in context else 200
    return render(request, template, context, status=status)
