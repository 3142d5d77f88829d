"""The dialect's value formats.

- Times: ISO 8601 in UTC with a `Z` (`2026-11-02T09:00:00Z`). Input may carry any offset
  (converted to UTC) or fractional seconds; a time without an offset is refused, since guessing
  its zone would silently shift the entry.
- Durations: ISO 8601 (`PT1H30M`), whole seconds, hours never folded into days (`PT25H`).
- Money: `{"amount": <cents>, "currency": "USD"}`, integers only.
"""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# --- times -----------------------------------------------------------------------------------

MIN_YEAR = 1970
MAX_YEAR = 2999


def format_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    v = value.astimezone(UTC)
    # Not strftime: its %Y does not pad years before 1000 on every platform.
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}Z"


def parse_api_datetime(value: object) -> datetime:
    """An aware UTC datetime from an ISO 8601 string with an offset; ValueError otherwise."""
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("not a string")
    try:
        parsed = parse_datetime(value.strip())
    except ValueError as exc:  # well-formed but impossible, e.g. month 13
        raise ValueError(str(exc)) from exc
    if parsed is None:
        raise ValueError("not ISO 8601")
    if parsed.tzinfo is None:
        raise ValueError("no_offset")
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError as exc:  # 9999-12-31T23:00:00-05:00 is past datetime's range
        raise ValueError("out_of_range") from exc
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        # Year 672 is a typo, and times near year 9999 overflow once a duration is added.
        raise ValueError("out_of_range")
    return parsed


@extend_schema_field({"type": "string", "format": "date-time", "example": "2026-11-02T09:00:00Z"})
class UtcDateTimeField(serializers.Field):
    default_error_messages = {
        "invalid": (
            "Give a date and time in ISO 8601 with a time zone, such as 2026-11-02T09:00:00Z."
        ),
        "no_offset": (
            "Add the time zone to the date and time, such as 2026-11-02T09:00:00Z "
            "or 2026-11-02T10:00:00+01:00."
        ),
        "out_of_range": f"Give a date between the years {MIN_YEAR} and {MAX_YEAR}.",
    }

    def to_representation(self, value: datetime) -> str | None:
        return format_datetime(value)

    def to_internal_value(self, data: Any) -> datetime:
        try:
            return parse_api_datetime(data)
        except ValueError as exc:
            reason = str(exc)
            self.fail(reason if reason in ("no_offset", "out_of_range") else "invalid")
            raise  # unreachable: fail() raises


# --- durations -------------------------------------------------------------------------------

_DURATION_RE = re.compile(
    r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def format_duration(seconds: int | None) -> str | None:
    """`PT1H30M` for 5400; `PT0S` for 0; None stays None (a running timer)."""
    if seconds is None:
        return None
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours}H")
    if minutes:
        parts.append(f"{minutes}M")
    if secs or not parts:
        parts.append(f"{secs}S")
    return "PT" + "".join(parts)


def parse_duration(value: str) -> int:
    """Seconds from an ISO 8601 duration of days, hours, minutes and seconds; ValueError."""
    match = _DURATION_RE.match(value or "")
    if match is None or value in ("P", "PT") or value.endswith("T"):
        raise ValueError("not an ISO 8601 duration")
    parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
    return (
        parts.get("days", 0) * 86400
        + parts.get("hours", 0) * 3600
        + parts.get("minutes", 0) * 60
        + parts.get("seconds", 0)
    )


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "example": "PT1H30M",
        "pattern": r"^PT(\d+H)?(\d+M)?(\d+S)?$",
    }
)
class IsoDurationField(serializers.Field):
    """Integer seconds inside, an ISO 8601 duration outside."""

    default_error_messages = {"invalid": "Give a duration in ISO 8601, such as PT1H30M."}

    def to_representation(self, value: int) -> str | None:
        return format_duration(value)

    def to_internal_value(self, data: Any) -> int:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return parse_duration(data)
        except ValueError:
            self.fail("invalid")
            raise


# --- strict scalars: a JSON client sends JSON types; "12" for 12 or 1 for true is a mistake ---


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise serializers.ValidationError("Give a whole number (a JSON integer).")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            raise serializers.ValidationError("Give true or false.")
        return data


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError("Give a string.")
        if "\x00" in data:
            raise serializers.ValidationError("Text cannot contain NUL characters.")
        return super().to_internal_value(data)


class OptionalTextField(StrictCharField):
    """Free text that clients may send as null (Clockify's clients do, for an empty
    description or note): null is taken as "", so the stored text is never NULL."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        return super().run_validation("" if data is None else data)


# --- money -----------------------------------------------------------------------------------

MAX_AMOUNT_CENTS = 100_000_000


def money(amount_cents: int | None, currency: str) -> dict[str, Any] | None:
    if amount_cents is None:
        return None
    return {"amount": int(amount_cents), "currency": currency}


class MoneySerializer(serializers.Serializer):
    """`{"amount": 10500, "currency": "USD"}`: cents, integers only."""

    amount = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT_CENTS)
    currency = serializers.CharField(min_length=3, max_length=3)


IGNORED_FIELDS_HEADER = "X-Ignored-Fields"


@extend_schema_field(
    {
        "nullable": True,
        "description": "Accepted for compatibility with Clockify's API; has no effect here "
        "(named in the X-Ignored-Fields answer header).",
    }
)
class IgnoredField(serializers.Field):
    """A field Clockify documents for which the product has no concept: any value is accepted,
    dropped, and named in the answer's X-Ignored-Fields header."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class BodySerializer(serializers.Serializer):
    """A JSON request body, read as leniently as Clockify's server reads it and as strictly as
    ever about the values that matter:

    - a field it does not know, or one Clockify documents that has no effect here
      (`IgnoredField`), is dropped, not refused, and named in the X-Ignored-Fields answer
      header (`hourlyRate.since`, `memberships.foo` for nested ones), so a misspelt `billabel`
      is still noticed by whoever looks;
    - `null` on a field that does not give null a meaning (`allow_null=False`) is "not given":
      the field's default applies, or "This field is required." when it has none;
    - a known field's bad value is a 400 naming it, and nothing is saved.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            kept: dict[str, Any] = {}
            ignored: list[str] = []
            for key, value in data.items():
                field = self.fields.get(key)
                if field is None or field.read_only or isinstance(field, IgnoredField):
                    ignored.append(str(key))
                elif value is None and not field.allow_null:
                    continue  # null on an optional field: not given
                else:
                    kept[key] = value
            if ignored:
                self._note_ignored(ignored)
            data = kept
        return super().to_internal_value(data)

    def _note_ignored(self, names: list[str]) -> None:
        path: list[str] = []
        node: Any = self
        while node.parent is not None:
            if node.field_name:
                path.append(node.field_name)
            node = node.parent
        prefix = "".join(f"{part}." for part in reversed(path))
        note_ignored(self.context.get("request"), [prefix + name for name in names])


def note_ignored(request: Any, names: list[str]) -> None:
    """Name body fields or query parameters that have no effect here; `ignored_fields_of` hands
    them to the X-Ignored-Fields answer header."""
    target = getattr(request, "_request", request)
    if target is None:
        return
    noted: list[str] = getattr(target, "ignored_body_fields", [])
    noted.extend(name for name in names if name not in noted)
    target.ignored_body_fields = noted


MAX_IGNORED_FIELDS_NAMED = 50


def ignored_fields_of(request: Any) -> list[str]:
    """The body fields a request's serializers dropped (see BodySerializer) and the query
    parameters a view could not apply (`note_ignored`), in order, as an
    HTTP header can carry them: percent-encoded beyond letters, digits and `._-`, and at most
    50 of them (then "...")."""
    target = getattr(request, "_request", request)
    names = [quote(name[:100], safe="._-") for name in getattr(target, "ignored_body_fields", [])]
    if len(names) > MAX_IGNORED_FIELDS_NAMED:
        names = [*names[:MAX_IGNORED_FIELDS_NAMED], "..."]
    return names


# The former name, still imported by quickbooks_sync/api_send.py (outside this change).
StrictSerializer = BodySerializer


RATE_SINCE_REFUSED = (
    "Not supported: a new rate applies to new entries; re-rate past entries with the "
    "project page's 'apply to past entries' action."
)


class MoneyInputSerializer(BodySerializer):
    """A rate as a client sends it. `currency` may be left out; when given it must be the
    workspace's (rates are not converted). Strict about types: 105.5 or "10500" is refused.
    Clockify's `since` (re-rate entries from a date) is refused unless null: ignoring it would
    leave past entries at rates the client asked to change."""

    amount = StrictIntegerField(min_value=0, max_value=MAX_AMOUNT_CENTS)
    currency = StrictCharField(min_length=3, max_length=3, required=False)
    since = StrictCharField(required=False, help_text=RATE_SINCE_REFUSED)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "since" in attrs:
            raise serializers.ValidationError({"since": RATE_SINCE_REFUSED})
        expected = self.context.get("currency")
        given = attrs.get("currency")
        if expected and given and given.upper() != expected:
            raise serializers.ValidationError(
                {"currency": f"This workspace's rates are in {expected}."}
            )
        return attrs


class ClearableMoneyInputSerializer(MoneyInputSerializer):
    """A rate as a client sends it to set or clear one: a null amount clears it."""

    amount = StrictIntegerField(min_value=0, max_value=MAX_AMOUNT_CENTS, allow_null=True)


@extend_schema_field(OpenApiTypes.STR)
class ObjectIdStringField(serializers.CharField):
    """A 24-hex id in a body; anything else is a 400 that says so."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        from workspaces.ids import is_object_id

        if not isinstance(data, str):
            raise serializers.ValidationError("Give the id as a string.")
        value = data.strip()
        if not is_object_id(value):
            raise serializers.ValidationError(f"{data!r} is not a valid id (24 hex characters).")
        return value
