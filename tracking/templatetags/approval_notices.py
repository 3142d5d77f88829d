"""`{% rejected_weeks_notice %}`: on the tracker and the timesheet, the member's rejected weeks
with the reviewer's note (one query)."""

from __future__ import annotations

from typing import Any

from django import template

from tracking.selectors.approvals import rejected_weeks

register = template.Library()


@register.inclusion_tag("tracking/approvals/_rejected_notice.html", takes_context=True)
def rejected_weeks_notice(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    membership = getattr(request, "membership", None)
    weeks = rejected_weeks(membership=membership) if membership is not None else []
    return {"weeks": weeks, "workspace": context.get("workspace")}
