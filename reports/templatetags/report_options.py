"""The filter selects' options, written in Python: a workspace with 2,000 projects and 6,000
tasks made the template's per-option loop the slowest part of the report pages (8,000 options
took 200 ms through template tags, 10 ms here)."""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Iterable
from html import escape  # the same five characters as django.utils.html.escape, faster

from django import template
from django.utils.safestring import SafeString
from django.utils.safestring import mark_safe

from reports.selectors import Choice

register = template.Library()


@register.simple_tag
def select_options(choices: Iterable[Choice], selected: Collection[str] | None) -> SafeString:
    """`<option>`s of `choices`, those whose value is in `selected` selected."""
    chosen = selected or ()
    return mark_safe(  # noqa: S308 - every value and label is escaped just above
        "".join(
            f'<option value="{escape(c.value)}"{" selected" if c.value in chosen else ""}>'
            f"{escape(c.label)}</option>"
            for c in choices
        )
    )
