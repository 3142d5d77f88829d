"""`{% latest_sync_job workspace as job %}` for the Sync panel that the Integrations page
includes (its view belongs to the connection part and does not load sync jobs), and
`{% sync_missing_after job as missing %}` for its create-missing buttons."""

from __future__ import annotations

from django import template

from quickbooks_sync.models import SyncJob
from quickbooks_sync.selectors.sync import Missing, sync_job_latest, sync_missing

register = template.Library()


@register.simple_tag
def latest_sync_job(workspace: object) -> SyncJob | None:
    workspace_id = getattr(workspace, "pk", None)
    if not isinstance(workspace_id, str):
        return None
    return sync_job_latest(workspace_id=workspace_id)


@register.simple_tag
def sync_missing_after(job: SyncJob | None) -> Missing | None:
    return sync_missing(job)
