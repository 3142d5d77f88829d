"""The server's memory of requests: the request log (bounded) and the `requestid` replay
cache (qbo-facts.md §3: a repeated requestid for the same company answers the original
response and executes nothing)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qbo_sandbox.localdb import LocalDB

_SCHEMA = """
CREATE TABLE IF NOT EXISTS request_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    realm_id TEXT,
    client_id TEXT,
    request_id TEXT,
    status INTEGER NOT NULL,
    fault_code TEXT,
    duration_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS request_log_realm ON request_log (realm_id, id);
CREATE TABLE IF NOT EXISTS replay (
    realm_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (realm_id, request_id)
);
"""


class Journal:
    def __init__(self, path: str | Path, *, log_max: int, replay_ttl: float) -> None:
        self.db = LocalDB(path, _SCHEMA)
        self.log_max = log_max
        self.replay_ttl = replay_ttl
        self._writes = 0
        self._locks_guard = threading.Lock()
        self._locks: dict[tuple[str, str], tuple[threading.Lock, int]] = {}

    # -- request log --------------------------------------------------------------------------

    def log(
        self,
        *,
        method: str,
        path: str,
        realm_id: str | None,
        client_id: str | None,
        request_id: str | None,
        status: int,
        fault_code: str | None,
        duration_ms: float,
    ) -> None:
        with self.db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO request_log (at, method, path, realm_id, client_id, request_id,"
                " status, fault_code, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    method,
                    path,
                    realm_id,
                    client_id,
                    request_id,
                    status,
                    fault_code,
                    round(duration_ms, 2),
                ),
            )
            self._writes += 1
            if self._writes % 50 == 0 or self.log_max < 50:
                conn.execute(
                    "DELETE FROM request_log WHERE id <= ?",
                    (int(cursor.lastrowid or 0) - self.log_max,),
                )

    def requests(self, *, realm_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The newest requests first."""
        conn = self.db.conn()
        if realm_id is None:
            rows = conn.execute("SELECT * FROM request_log ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = conn.execute(
                "SELECT * FROM request_log WHERE realm_id = ? ORDER BY id DESC LIMIT ?",
                (realm_id, limit),
            )
        return [dict(row) for row in rows]

    # -- requestid replay ---------------------------------------------------------------------

    @contextmanager
    def exclusive(self, realm_id: str, request_id: str) -> Iterator[None]:
        """One request at a time per (company, requestid): a concurrent duplicate waits for
        the first to finish and then finds its stored response."""
        key = (realm_id, request_id)
        with self._locks_guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._locks_guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    def replay_get(self, realm_id: str, request_id: str) -> tuple[int, Any] | None:
        row = (
            self.db.conn()
            .execute(
                "SELECT status, body FROM replay WHERE realm_id = ? AND request_id = ?"
                " AND created_at > ?",
                (realm_id, request_id, time.time() - self.replay_ttl),
            )
            .fetchone()
        )
        return (int(row["status"]), json.loads(row["body"])) if row else None

    def replay_put(self, realm_id: str, request_id: str, status: int, body: Any) -> None:
        now = time.time()
        with self.db.write() as conn:
            conn.execute("DELETE FROM replay WHERE created_at <= ?", (now - self.replay_ttl,))
            conn.execute(
                "INSERT OR REPLACE INTO replay VALUES (?, ?, ?, ?, ?)",
                (realm_id, request_id, status, json.dumps(body), now),
            )

    def forget_company(self, realm_id: str) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM replay WHERE realm_id = ?", (realm_id,))
