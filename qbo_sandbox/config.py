"""The emulator's settings: defaults, overridden by `QBO_SANDBOX_*` environment variables,
overridden by command-line flags (`python -m qbo_sandbox serve --help`)."""

from __future__ import annotations

import argparse
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import fields
from dataclasses import replace
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path("var") / "qbo_sandbox.sqlite3"
ENV_PREFIX = "QBO_SANDBOX_"

# The default registered app (any loopback redirect URI is accepted for it).
DEFAULT_CLIENT_ID = "sandbox-client-id"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8765
    data: Path = DEFAULT_DATA
    # Worker threads of the HTTP server; must exceed the 10 concurrent requests QBO allows.
    threads: int = 16
    # Shared secret for /_sandbox/ (header X-Sandbox-Secret). Empty: open on loopback only.
    secret: str = ""
    # Rate limits per company and app (Intuit: 500/min, 10/s, 10 at once, 40 batches/min).
    rate_per_minute: int = 500
    rate_per_second: int = 10
    concurrent: int = 10
    batch_per_minute: int = 40
    # 60 makes a rate-limit "minute" last one real second (benchmarks).
    time_scale: float = 1.0
    # OAuth lifetimes, in seconds.
    code_ttl: int = 300
    access_token_ttl: int = 3600
    refresh_token_ttl: int = 8_726_400  # 101 days, as Intuit's x_refresh_token_expires_in
    refresh_rotation: int = 86_400  # the refresh token value changes after this long
    refresh_grace: int = 0  # how long a superseded refresh token still works
    # Bookkeeping.
    request_log_max: int = 5000
    replay_ttl: int = 86_400
    hang_seconds: float = 30.0
    # Largest request body accepted (unverified for Intuit); a longer one answers 413.
    max_body_bytes: int = 10 * 1024 * 1024
    # ChangeDataCapture (Intuit: 30 days back at most, 1,000 objects a response); how a
    # name-list entity made inactive answers: "deleted" (a status=Deleted stub) or "full".
    cdc_lookback_days: int = 30
    cdc_max_objects: int = 1000
    cdc_inactive: str = "deleted"
    # Outgoing webhooks of the built-in app (the control API sets them at run time too):
    # where to POST, the verifier token that signs them, "cloudevents" (Intuit's format since
    # 2026) or "legacy" (eventNotifications); events are gathered `webhook_delay` seconds,
    # an answer must come within `webhook_timeout`, failed deliveries are tried
    # `webhook_attempts` times in all, `webhook_retry_seconds` apart (doubling).
    webhook_url: str = ""
    webhook_verifier_token: str = ""
    webhook_format: str = "cloudevents"
    webhook_delay: float = 1.0
    webhook_timeout: float = 3.0
    webhook_attempts: int = 3
    webhook_retry_seconds: float = 5.0

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def scaled(self, seconds: float) -> float:
        """A rate-limit window in real seconds after the time scale."""
        return seconds / self.time_scale


_CASTS: dict[str, Any] = {"int": int, "float": float, "str": str, "Path": Path}


def _field_types() -> dict[str, Any]:
    return {f.name: _CASTS[str(f.type)] for f in fields(Settings)}


def from_env(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from the environment, then explicit overrides (None means "not given")."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for name, cast in _field_types().items():
        raw = env.get(ENV_PREFIX + name.upper())
        if raw not in (None, ""):
            try:
                values[name] = cast(raw)
            except ValueError:
                raise ValueError(
                    f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {cast.__name__}"
                ) from None
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = replace(Settings(), **values)
    validate(settings)
    return settings


def validate(settings: Settings) -> None:
    positive = (
        "port",
        "threads",
        "rate_per_minute",
        "rate_per_second",
        "concurrent",
        "batch_per_minute",
        "code_ttl",
        "access_token_ttl",
        "refresh_token_ttl",
        "request_log_max",
        "max_body_bytes",
        "cdc_lookback_days",
        "cdc_max_objects",
        "webhook_timeout",
        "webhook_attempts",
    )
    for name in positive:
        if getattr(settings, name) <= 0:
            raise ValueError(f"{name} must be positive")
    if settings.time_scale <= 0:
        raise ValueError("time_scale must be positive")
    for name in (
        "refresh_rotation",
        "refresh_grace",
        "replay_ttl",
        "hang_seconds",
        "webhook_delay",
        "webhook_retry_seconds",
    ):
        if getattr(settings, name) < 0:
            raise ValueError(f"{name} must not be negative")
    if settings.cdc_inactive not in ("deleted", "full"):
        raise ValueError("cdc_inactive must be deleted or full")
    if settings.webhook_format not in ("cloudevents", "legacy"):
        raise ValueError("webhook_format must be cloudevents or legacy")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per setting, e.g. --rate-per-minute; unset flags fall back to the env."""
    for name, cast in _field_types().items():
        parser.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            type=cast,
            default=None,
            help=f"(env {ENV_PREFIX}{name.upper()}, default {getattr(Settings(), name)})",
        )


def from_args(args: argparse.Namespace) -> Settings:
    return from_env(**{name: getattr(args, name, None) for name in _field_types()})
