"""`{% qbo_send_available as show %}` for the Detailed report's QuickBooks button: true for the
owner and admins of a connected workspace (reports may not import quickbooks_sync; its
templates may load this library)."""

from __future__ import annotations

from typing import Any

from django import template

from quickbooks_sync.selectors.send import can_send

register = template.Library()


@register.simple_tag(takes_context=True)
def qbo_send_available(context: dict[str, Any]) -> bool:
    request = context.get("request")
    return can_send(getattr(request, "membership", None))
