"""The one definition of time rounding: every report, total, export and (later) what is sent to
QuickBooks rounds through this module, so they all agree to the second.

Rounding applies per entry, to its whole duration in integer seconds, to a multiple of the
workspace's interval (1, 5, 6, 10, 12, 15, 30 or 60 minutes):

- UP: the next multiple (59:59 -> 60:00 at 60 min); an exact multiple stays; 0 stays 0.
- DOWN: the previous multiple (7:59 -> 0:00 at 15 min).
- NEAREST: the closer multiple, and exactly half way rounds up (7:29 -> 0:00, 7:30 -> 15:00 at
  15 min), as Clockify does.

Totals are sums of rounded entries. The same formulas exist twice: as Python on ints
(`round_duration`) and as a Django ORM expression (`rounded_duration_expression`) so totals
over millions of rows are summed in the database; a test sweeps durations through both. Both use
only integer arithmetic on non-negative numbers (floor division), so they cannot drift apart.

Amounts are per entry too: rounded seconds x hourly rate in cents / 3600, to the nearest cent
(half a cent rounds up), computed by `amount_cents` and `amount_cents_expression`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BigIntegerField
from django.db.models import Expression
from django.db.models import F
from django.db.models import IntegerField
from django.db.models import Value
from django.db.models.functions import Cast

from workspaces.models import Workspace

Mode = Workspace.RoundingMode
INTERVALS_MINUTES = Workspace.ROUNDING_MINUTES


@dataclass(frozen=True)
class Rounding:
    """A workspace's rounding setting; `None` in place of it means rounding is off."""

    mode: str
    minutes: int

    def __post_init__(self) -> None:
        if self.mode not in Mode.values:
            raise ValueError(f"Unknown rounding mode {self.mode!r}.")
        if self.minutes not in INTERVALS_MINUTES:
            raise ValueError(f"Rounding interval must be one of {INTERVALS_MINUTES} minutes.")

    @property
    def interval_seconds(self) -> int:
        return self.minutes * 60

    @property
    def label(self) -> str:
        """ "15 min, nearest", for the reports' "rounding is on" note."""
        word = {Mode.UP: "up", Mode.DOWN: "down", Mode.NEAREST: "nearest"}[Mode(self.mode)]
        return f"{self.minutes} min, {word}"


def workspace_rounding(workspace: Workspace) -> Rounding | None:
    """The workspace's rounding, or None when it is off."""
    if not workspace.rounding_enabled:
        return None
    return Rounding(mode=workspace.rounding_mode, minutes=workspace.rounding_minutes)


def round_duration(seconds: int, *, mode: str, minutes: int) -> int:
    """`seconds` rounded to a multiple of `minutes` minutes (see the module's docstring)."""
    if seconds < 0:
        raise ValueError("A duration cannot be negative.")
    interval = Rounding(mode=mode, minutes=minutes).interval_seconds
    if mode == Mode.UP:
        return (seconds + interval - 1) // interval * interval
    if mode == Mode.DOWN:
        return seconds // interval * interval
    # NEAREST; the interval is a whole number of minutes, so its half is a whole second.
    return (seconds + interval // 2) // interval * interval


def rounded_seconds(seconds: int, rounding: Rounding | None) -> int:
    """`seconds` as reports count it: rounded when the workspace rounds, else unchanged."""
    if rounding is None:
        return seconds
    return round_duration(seconds, mode=rounding.mode, minutes=rounding.minutes)


def round_for_workspace(seconds: int, workspace: Workspace) -> int:
    return rounded_seconds(seconds, workspace_rounding(workspace))


def rounded_duration_expression(
    rounding: Rounding | None, field: str = "duration_seconds"
) -> Expression:
    """The SQL form of `rounded_seconds` on an integer column (integer division truncates,
    which is floor division for the non-negative durations the database allows)."""
    seconds: Expression = F(field)  # type: ignore[assignment]
    if rounding is None:
        return seconds
    interval = rounding.interval_seconds
    if rounding.mode == Mode.UP:
        offset = interval - 1
    elif rounding.mode == Mode.DOWN:
        offset = 0
    else:
        offset = interval // 2
    # Each step is typed as an integer so the database divides integers (no decimals).
    shifted = seconds + Value(offset) if offset else seconds
    quotient = Cast(shifted / Value(interval), output_field=IntegerField())
    return Cast(quotient * Value(interval), output_field=IntegerField())


def amount_cents(seconds: int, hourly_rate_cents: int) -> int:
    """The amount of `seconds` (already rounded) at a rate, to the nearest cent, half up."""
    return (seconds * hourly_rate_cents + 1800) // 3600


def amount_cents_expression(seconds: Expression, rate_field: str = "hourly_rate_cents") -> Any:
    """The SQL form of `amount_cents`, in 64-bit integers (999 h x a large rate overflows 32)."""
    product = Cast(seconds, output_field=BigIntegerField()) * Cast(
        F(rate_field), output_field=BigIntegerField()
    )
    return Cast((product + Value(1800)) / Value(3600), output_field=BigIntegerField())
