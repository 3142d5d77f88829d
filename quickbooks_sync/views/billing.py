"""Settings > Integrations > Classes and items: the class (when the company tracks classes) and
the service item per project and per task, and the workspace's default class."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_http_methods

from quickbooks_sync.selectors.sync import billing_projects
from quickbooks_sync.services.billing import billing_options
from quickbooks_sync.services.billing import billing_save
from quickbooks_sync.views.connection import integrations_subpage
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view
from workspaces.models import Membership


@require_http_methods(["GET", "POST"])
@workspace_view(Membership.Role.ADMIN)
def billing(request: WorkspaceRequest) -> HttpResponse:
    membership = request.membership
    projects = billing_projects(workspace_id=membership.workspace_id)

    def save() -> str:
        post = request.POST
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
        return "Classes and service items saved."

    return integrations_subpage(
        request,
        "quickbooks_sync/billing.html",
        lambda: {"options": billing_options(membership=membership), "projects": projects},
        save=save,
        anchor="#qbo-billing",
    )
