"""`{% latest_sync_job workspace as job %}` for the Sync panel that the Integrations page
includes (its view belongs to the connection part and does not load sync jobs),
`{% sync_missing_after job as missing %}` for its create-missing buttons, and
`{% people_sections result as sections %}` for a result's members/employees and
contractors/vendors, which one template renders alike."""

from __future__ import annotations

from typing import Any

from django import template

from quickbooks_sync.models import SyncJob
from quickbooks_sync.selectors.sync import Missing
from quickbooks_sync.selectors.sync import sync_job_latest
from quickbooks_sync.selectors.sync import sync_missing
from quickbooks_sync.services.sync_report import EMPLOYEES
from quickbooks_sync.services.sync_report import PERSON_KINDS

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


@register.simple_tag
def people_sections(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Per kind (staff and employees, contractors and vendors): its rows of a job's result, the
    QuickBooks person's name under `qboName`, and the words and test ids its section uses."""
    sections = []
    for kind in PERSON_KINDS:
        staff = kind is EMPLOYEES
        who, noun = kind.member_noun, kind.noun
        created = result.get(kind.created)
        sections.append(
            {
                "staff": staff,
                "side": who,
                "id": "qbo-users" if staff else "qbo-contractors",
                "heading": "Users" if staff else "Contractors",
                "who": who,
                "noun": noun,
                "a_noun": "an employee" if staff else "a vendor",
                "list_id": f"qbo-{noun}s-unlinked",
                "linked": [
                    {**row, "qboName": row.get(kind.qbo_name)}
                    for row in result.get(kind.linked, [])
                ],
                "without": result.get(kind.unlinked_here, []),
                "there": result.get(kind.unlinked_there, []),
                # Contractors only when there are some: most workspaces have none.
                "shown": staff or bool(result.get(kind.linked) or result.get(kind.unlinked_here)),
                "testids": {
                    "linked": f"qbo-{who}s-linked",
                    "without": f"qbo-{who}s-without-{noun}",
                    "there": f"qbo-{noun}s-without-{who}",
                    "created": f"qbo-created-{noun}s",
                    "failed": f"qbo-failed-{noun}s",
                },
                # A create job's outcome; for vendors only when there was a contractor to create.
                "created": created
                if isinstance(created, dict)
                and (staff or created.get("created") or created.get("failed"))
                else None,
            }
        )
    return sections
