"""Fault injection (control interface): the next N API requests, optionally only those of one
company or matching a path fragment or an entity, go wrong in one of these ways:

- ``500`` / ``503``: answered with QBO's SystemFault body and that status, not executed;
- ``429``: answered as a throttled request (code 3001), not executed;
- ``hang``: held for ``seconds`` (past the client's timeout), then the connection is closed
  without an answer; not executed;
- ``drop``: EXECUTED, then the connection is closed without an answer (the lost response: the
  client sees a connection error and cannot know the work was done).

Faults live in memory; a restart clears them."""

from __future__ import annotations

import itertools
import threading
from dataclasses import asdict
from dataclasses import dataclass
from typing import Any

KINDS = ("500", "503", "429", "hang", "drop")


@dataclass
class Fault:
    id: int
    kind: str
    remaining: int
    realm: str | None = None
    path: str | None = None
    entity: str | None = None
    seconds: float | None = None

    def matches(self, realm: str, path: str, entity: str | None) -> bool:
        if self.realm is not None and self.realm != realm:
            return False
        if self.path is not None and self.path not in path:
            return False
        return self.entity is None or (entity is not None and self.entity.lower() == entity.lower())


class Chaos:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(
        self,
        kind: Any,
        count: Any = 1,
        *,
        realm: Any = None,
        path: Any = None,
        entity: Any = None,
        seconds: Any = None,
    ) -> dict[str, Any]:
        kind = str(kind)
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("count must be a positive whole number")
        for name, value in (("realm", realm), ("path", path), ("entity", entity)):
            if value is not None and (not isinstance(value, str) or not value):
                raise ValueError(f"{name} must be a non-empty string")
        if seconds is not None and (
            isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0
        ):
            raise ValueError("seconds must be a number of seconds")
        if seconds is not None and kind != "hang":
            raise ValueError("seconds applies to hang faults only")
        with self._lock:
            fault = Fault(
                next(self._ids),
                kind,
                count,
                realm=realm,
                path=path,
                entity=entity,
                seconds=None if seconds is None else float(seconds),
            )
            self._faults.append(fault)
            return asdict(fault)

    def take(self, realm: str, path: str, entity: str | None) -> Fault | None:
        """The first armed fault matching this request, spending one of its N."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(realm, path, entity):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for f in self._faults]

    def clear(self) -> int:
        with self._lock:
            n = len(self._faults)
            self._faults.clear()
            return n
