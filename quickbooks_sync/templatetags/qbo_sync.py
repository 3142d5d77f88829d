"""`{% latest_sync_job workspace as job %}` for the Sync panel that the Integrations page
includes (its view belongs to the connection part and does not load sync jobs)."""

from __future__ import annotations

from django import template

from quickbooks_sync.models import SyncJob
from quickbooks_sync.selectors.sync import sync_job_latest

register = template.Library()


@register.simple_tag
def latest_sync_job(workspace: object) -> SyncJob | None:
    workspace_id = getattr(workspace, "pk", None)
    if not isinstance(workspace_id, str):
        return None
    return sync_job_latest(workspace_id=workspace_id)
