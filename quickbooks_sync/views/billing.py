"""Settings > Integrations > Classes and items: the class (when the company tracks classes) and
the service item per project and per task, and the workspace's default class."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from quickbooks_sync.selectors.sync import billing_projects
from quickbooks_sync.services.billing import billing_options, billing_save
from quickbooks_sync.views.connection import integrations_subpage
from workspaces.access import WorkspaceRequest, workspace_view
from workspaces.errors import ApplicationError
from workspaces.models import Membership


@require_http_methods(["GET", "POST"])
@workspace_view(Membership.Role.ADMIN)
def billing(request: WorkspaceRequest) -> HttpResponse:
    membership = request.membership
    ws = membership.workspace_id
    integrations = reverse("quickbooks:integrations", kwargs={"ws": ws})
    projects = billing_projects(workspace_id=ws)
    if request.method == "POST":
        post = request.POST
        try:
            billing_save(
                membership=membership,
                default_class_id=post.get("default_class", ""),
                projects={
                    p.pk: (post.get(f"class-{p.pk}", ""), post.get(f"item-{p.pk}", ""))
                    for p in projects
                },
                tasks={
                    t.pk: post.get(f"task-{t.pk}", "")
                    for p in projects
                    for t in p.task_list  # type: ignore[attr-defined]
                },
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("quickbooks:billing", kwargs={"ws": ws}))
        messages.success(request, "Classes and service items saved.")
        return redirect(integrations + "#qbo-billing")
    return integrations_subpage(
        request,
        "quickbooks_sync/billing.html",
        lambda: {"options": billing_options(membership=membership), "projects": projects},
    )
