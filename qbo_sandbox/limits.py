"""QBO's throttles per company (realm) and app (qbo-facts.md §3): requests per minute,
requests per second, requests at once, batch requests per minute. Past any of them the
request is answered 429 with code 3001 and is not executed (nor counted).

Windows are sliding and shrink with the time scale (`time_scale=60`: a minute lasts 1 s).
State lives in memory: a restart forgets it, as a minute passing would."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from qbo_sandbox.config import Settings

Key = tuple[str, str]  # (realm id, client id)


@dataclass
class Limits:
    per_minute: int
    per_second: int
    concurrent: int
    batch_per_minute: int
    time_scale: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            per_minute=settings.rate_per_minute,
            per_second=settings.rate_per_second,
            concurrent=settings.concurrent,
            batch_per_minute=settings.batch_per_minute,
            time_scale=settings.time_scale,
        )


@dataclass
class _Usage:
    minute: deque[float] = field(default_factory=deque)
    second: deque[float] = field(default_factory=deque)
    batch: deque[float] = field(default_factory=deque)
    active: int = 0


class Throttled(Exception):
    def __init__(self, limit: str) -> None:
        super().__init__(limit)
        self.limit = limit


def _prune(window: deque[float], since: float) -> None:
    while window and window[0] <= since:
        window.popleft()


class RateLimiter:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = Limits.from_settings(settings)
        self.clock = clock
        self._lock = threading.Lock()
        self._usage: dict[Key, _Usage] = {}

    def configure(self, **values: Any) -> dict[str, Any]:
        """Change limits at run time (control interface); unknown or bad values: ValueError."""
        current = asdict(self.limits)
        unknown = set(values) - set(current)
        if unknown:
            raise ValueError(f"unknown limit(s): {', '.join(sorted(unknown))}")
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"{name} must be a positive number")
            if name != "time_scale" and not isinstance(value, int):
                raise ValueError(f"{name} must be a whole number")
        with self._lock:
            self.limits = Limits(**{**current, **values})
            self._usage.clear()
        return asdict(self.limits)

    def reset(self) -> None:
        with self._lock:
            self._usage.clear()

    @contextmanager
    def admit(self, key: Key, *, batch: bool = False) -> Iterator[None]:
        """Hold one of the key's concurrent slots for the request, or raise Throttled."""
        with self._lock:
            limits = self.limits
            now = self.clock()
            minute = 60.0 / limits.time_scale
            usage = self._usage.setdefault(key, _Usage())
            _prune(usage.minute, now - minute)
            _prune(usage.second, now - 1.0 / limits.time_scale)
            _prune(usage.batch, now - minute)
            if usage.active >= limits.concurrent:
                raise Throttled("concurrent")
            if len(usage.second) >= limits.per_second:
                raise Throttled("per_second")
            if len(usage.minute) >= limits.per_minute:
                raise Throttled("per_minute")
            if batch and len(usage.batch) >= limits.batch_per_minute:
                raise Throttled("batch_per_minute")
            usage.minute.append(now)
            usage.second.append(now)
            if batch:
                usage.batch.append(now)
            usage.active += 1
        try:
            yield
        finally:
            with self._lock:
                usage.active -= 1
