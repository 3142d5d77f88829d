"""Money and query-string helpers for the report pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def money(cents: int | None, currency: str = "") -> str:
    """12345, "USD" -> "123.45 USD" (thousands separated with commas)."""
    cents = int(cents or 0)
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    text = f"{sign}{whole:,}.{part:02d}"
    return f"{text} {currency}" if currency else text
