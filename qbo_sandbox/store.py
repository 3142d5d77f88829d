"""The emulator's storage: sandbox companies and their entities in one SQLite file.

The server is threaded and the CLI may write while it runs, so each thread gets its own
connection, the file is in WAL mode with a busy timeout, and every write runs in a
`BEGIN IMMEDIATE` transaction (a writer waits for the other instead of failing half-way).
Entities are stored as the JSON QBO would answer, one row per entity, with a per-company,
per-entity counter for Ids (Intuit's Ids are numeric strings, increasing per company).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

SKUS = ("Simple Start", "Essentials", "Plus", "Advanced")
# Intuit's CompanyInfo SubscriptionStatus values ("Understand QuickBooks Online subscription
# statuses"). The last four leave an app read-only (see rules.READ_ONLY_SUBSCRIPTIONS).
SUBSCRIPTION_STATUSES = (
    "SUBSCRIBED",
    "TRIAL",
    "TRIALOPTIN",
    "PAID",
    "SUSPENDED",
    "CANCELLED",
    "EXPIRED",
    "RESTRICTED",
)
MAX_ENTITY_ID = 2**63 - 1  # SQLite's largest INTEGER
COMPANY_FIELDS = (
    "name",
    "sku",
    "payroll",
    "subscription_status",
    "book_close_date",
    "class_tracking",
)
# Intuit: class tracking "is available with QuickBooks Online Plus" (and Advanced, which has
# everything Plus has); Simple Start and Essentials have no classes.
CLASS_SKUS = ("Plus", "Advanced")

# Intuit answers times in the company's zone; sandbox companies are US companies.
COMPANY_TZ = ZoneInfo("America/Los_Angeles")

# Name lists are deactivated, never deleted: `Active` going false is QBO's "Delete" of one.
_DEACTIVATABLE = ("Customer", "Employee", "Vendor", "Item", "Class")


@dataclass(frozen=True)
class EntityChange:
    """One committed change of an entity, as QBO's webhooks name it: `operation` is Create,
    Update or Delete (a name-list entity made inactive, or a TimeActivity removed)."""

    realm_id: str
    entity: str
    entity_id: str
    operation: str
    last_updated: str


_SCHEMA = """
CREATE TABLE IF NOT EXISTS company (
    realm_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sku TEXT NOT NULL,
    payroll INTEGER NOT NULL,
    book_close_date TEXT,
    class_tracking INTEGER NOT NULL DEFAULT 0,
    subscription_status TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS id_counter (
    realm_id TEXT NOT NULL REFERENCES company(realm_id) ON DELETE CASCADE,
    entity TEXT NOT NULL,
    last_id INTEGER NOT NULL,
    PRIMARY KEY (realm_id, entity)
);
CREATE TABLE IF NOT EXISTS entity (
    realm_id TEXT NOT NULL REFERENCES company(realm_id) ON DELETE CASCADE,
    entity TEXT NOT NULL,
    id INTEGER NOT NULL,
    data TEXT NOT NULL,
    name_key TEXT,
    PRIMARY KEY (realm_id, entity, id)
);
"""

# Display names are unique across Customer, Employee and Vendor (and Item names among Items):
# the rules store a normalised key per row and look it up through this index.
_NAME_INDEX = "CREATE INDEX IF NOT EXISTS entity_name_key ON entity (realm_id, name_key)"


def qbo_now() -> str:
    """Now as QBO writes it: ISO 8601 with the offset, e.g. 2026-11-28T05:31:43-08:00."""
    return datetime.now(COMPANY_TZ).replace(microsecond=0).isoformat()


def response_time() -> str:
    """The `time` of a response, with milliseconds as Intuit gives them."""
    return datetime.now(COMPANY_TZ).isoformat(timespec="milliseconds")


def _check_company_fields(fields: dict[str, Any]) -> None:
    if fields.get("book_close_date") == "":
        fields["book_close_date"] = None  # an empty date from a form or the CLI clears it
    unknown = set(fields) - set(COMPANY_FIELDS)
    if unknown:
        raise ValueError(f"unknown company field(s): {', '.join(sorted(unknown))}")
    if "name" in fields and not str(fields["name"] or "").strip():
        raise ValueError("a company needs a name")
    if "sku" in fields and fields["sku"] not in SKUS:
        raise ValueError(f"sku must be one of {', '.join(SKUS)}")
    if "subscription_status" in fields and fields["subscription_status"] not in (
        SUBSCRIPTION_STATUSES
    ):
        raise ValueError(f"subscription_status must be one of {', '.join(SUBSCRIPTION_STATUSES)}")
    for flag in ("payroll", "class_tracking"):
        if flag in fields and not isinstance(fields[flag], bool):
            raise ValueError(f"{flag} must be true or false")
    if fields.get("book_close_date") is not None:
        try:
            date.fromisoformat(str(fields["book_close_date"]))
        except ValueError:
            raise ValueError("book_close_date must be a date, YYYY-MM-DD") from None
        if len(str(fields["book_close_date"])) != 10:
            raise ValueError("book_close_date must be a date, YYYY-MM-DD")


def _check_class_sku(sku: str, class_tracking: bool) -> None:
    if class_tracking and sku not in CLASS_SKUS:
        raise ValueError(f"class tracking needs QuickBooks Online {' or '.join(CLASS_SKUS)}")


def _company_row(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "realmId": row["realm_id"],
        "name": row["name"],
        "sku": row["sku"],
        "payroll": bool(row["payroll"]),
        "book_close_date": row["book_close_date"],
        "class_tracking": bool(row["class_tracking"]),
        "subscription_status": row["subscription_status"],
        "created_at": row["created_at"],
    }


class Store:
    """Companies and entities of the sandbox, persisted in a SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        # Called with each committed EntityChange (after COMMIT; a rollback forgets them).
        self._listeners: list[Callable[[EntityChange], None]] = []
        conn = self._conn()
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(_SCHEMA)
        columns = {row["name"] for row in conn.execute("PRAGMA table_info(entity)")}
        if "name_key" not in columns:  # a file written by the first version of this module
            conn.execute("ALTER TABLE entity ADD COLUMN name_key TEXT")
        columns = {row["name"] for row in conn.execute("PRAGMA table_info(company)")}
        if "class_tracking" not in columns:  # a file written before classes were kept
            conn.execute("ALTER TABLE company ADD COLUMN class_tracking INTEGER NOT NULL DEFAULT 0")
        conn.execute(_NAME_INDEX)

    # -- connections and transactions ---------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves.
            conn = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            self._local.depth = 0
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; nested calls join the outer one."""
        conn = self._conn()
        if self._local.depth:
            self._local.depth += 1
            try:
                yield conn
            finally:
                self._local.depth -= 1
            return
        conn.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        self._local.pending = []
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
            for change in self._local.pending:
                for listener in self._listeners:
                    listener(change)
        finally:
            self._local.depth = 0
            self._local.pending = []

    def add_listener(self, listener: Callable[[EntityChange], None]) -> None:
        """Tell `listener` about every entity change once it is committed (webhooks)."""
        self._listeners.append(listener)

    def _changed(self, change: EntityChange) -> None:
        if self._listeners:
            self._local.pending.append(change)

    def close(self) -> None:
        """Close this thread's connection (tests; the server never needs it)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- companies ----------------------------------------------------------------------------

    def company_create(
        self,
        *,
        name: str,
        sku: str = "Plus",
        payroll: bool = False,
        book_close_date: str | None = None,
        subscription_status: str = "SUBSCRIBED",
        class_tracking: bool = False,
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "name": name,
            "sku": sku,
            "payroll": payroll,
            "book_close_date": book_close_date,
            "subscription_status": subscription_status,
            "class_tracking": class_tracking,
        }
        _check_company_fields(fields)
        _check_class_sku(sku, class_tracking)
        with self.transaction() as conn:
            while True:
                # Intuit realm ids are 16-digit numbers, sandbox ones start with 93414.
                realm_id = "93414" + "".join(str(secrets.randbelow(10)) for _ in range(11))
                if not conn.execute(
                    "SELECT 1 FROM company WHERE realm_id = ?", (realm_id,)
                ).fetchone():
                    break
            conn.execute(
                "INSERT INTO company (realm_id, name, sku, payroll, book_close_date,"
                " subscription_status, created_at, class_tracking)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    realm_id,
                    name.strip(),
                    sku,
                    int(payroll),
                    fields["book_close_date"],
                    subscription_status,
                    qbo_now(),
                    int(class_tracking),
                ),
            )
        company = self.company_get(realm_id)
        assert company is not None
        return company

    def company_get(self, realm_id: str) -> dict[str, Any] | None:
        row = (
            self._conn()
            .execute("SELECT * FROM company WHERE realm_id = ?", (str(realm_id),))
            .fetchone()
        )
        return _company_row(row) if row else None

    def company_list(self) -> list[dict[str, Any]]:
        rows = self._conn().execute("SELECT * FROM company ORDER BY rowid")
        return [_company_row(row) for row in rows]

    def company_update(self, realm_id: str, **fields: Any) -> dict[str, Any]:
        _check_company_fields(fields)
        current = self.company_get(realm_id)
        if current is not None:
            _check_class_sku(
                fields.get("sku", current["sku"]),
                fields.get("class_tracking", current["class_tracking"]),
            )
        for flag in ("payroll", "class_tracking"):
            if flag in fields:
                fields[flag] = int(fields[flag])
        if "name" in fields:
            fields["name"] = str(fields["name"]).strip()
        with self.transaction() as conn:
            if self.company_get(realm_id) is None:
                raise KeyError(realm_id)
            for column, value in fields.items():  # column names checked above
                conn.execute(
                    f"UPDATE company SET {column} = ? WHERE realm_id = ?",  # noqa: S608
                    (value, realm_id),
                )
        company = self.company_get(realm_id)
        assert company is not None
        return company

    def company_reset(self, realm_id: str) -> None:
        with self.transaction() as conn:
            if self.company_get(realm_id) is None:
                raise KeyError(realm_id)
            conn.execute("DELETE FROM entity WHERE realm_id = ?", (realm_id,))
            conn.execute("DELETE FROM id_counter WHERE realm_id = ?", (realm_id,))

    def company_delete(self, realm_id: str) -> None:
        with self.transaction() as conn:
            if self.company_get(realm_id) is None:
                raise KeyError(realm_id)
            conn.execute("DELETE FROM company WHERE realm_id = ?", (realm_id,))

    # -- entities (raw storage; the rules live in qbo_sandbox.rules) --------------------------

    def entity_get(self, realm_id: str, entity: str, entity_id: str) -> dict[str, Any] | None:
        # Ids are what a client sent: "abc", "-1" or a 30-digit number name nothing stored (the
        # last would overflow SQLite's 64-bit INTEGER; 5000 digits, Python's int() itself).
        text = str(entity_id)
        if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > MAX_ENTITY_ID:
            return None
        row = (
            self._conn()
            .execute(
                "SELECT data FROM entity WHERE realm_id = ? AND entity = ? AND id = ?",
                (realm_id, entity, int(entity_id)),
            )
            .fetchone()
        )
        return dict(json.loads(row["data"])) if row else None

    def entity_all(self, realm_id: str, entity: str) -> list[dict[str, Any]]:
        rows = self._conn().execute(
            "SELECT data FROM entity WHERE realm_id = ? AND entity = ? ORDER BY id",
            (realm_id, entity),
        )
        return [dict(json.loads(row["data"])) for row in rows]

    def entity_next_id(self, realm_id: str, entity: str) -> str:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO id_counter (realm_id, entity, last_id) VALUES (?, ?, 1)"
                " ON CONFLICT (realm_id, entity) DO UPDATE SET last_id = last_id + 1",
                (realm_id, entity),
            )
            row = conn.execute(
                "SELECT last_id FROM id_counter WHERE realm_id = ? AND entity = ?",
                (realm_id, entity),
            ).fetchone()
            return str(row["last_id"])

    def entity_put(
        self, realm_id: str, entity: str, data: dict[str, Any], name_key: str | None = None
    ) -> None:
        with self.transaction() as conn:
            if self._listeners:
                before = self.entity_get(realm_id, entity, str(data["Id"]))
                if before is None:
                    operation = "Create"
                elif (
                    entity in _DEACTIVATABLE
                    and before.get("Active", True) is not False
                    and data.get("Active", True) is False
                ):
                    operation = "Delete"
                else:
                    operation = "Update"
                last_updated = str((data.get("MetaData") or {}).get("LastUpdatedTime") or "")
                self._changed(
                    EntityChange(realm_id, entity, str(data["Id"]), operation, last_updated)
                )
            conn.execute(
                "INSERT INTO entity (realm_id, entity, id, data, name_key) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (realm_id, entity, id)"
                " DO UPDATE SET data = excluded.data, name_key = excluded.name_key",
                (realm_id, entity, int(data["Id"]), json.dumps(data), name_key),
            )

    def entity_by_name_key(self, realm_id: str, name_key: str) -> list[tuple[str, str]]:
        """(entity, Id) of every row holding this name key."""
        rows = self._conn().execute(
            "SELECT entity, id FROM entity WHERE realm_id = ? AND name_key = ?",
            (realm_id, name_key),
        )
        return [(row["entity"], str(row["id"])) for row in rows]

    def entity_remove(self, realm_id: str, entity: str, entity_id: str) -> None:
        with self.transaction() as conn:
            self._changed(EntityChange(realm_id, entity, str(entity_id), "Delete", qbo_now()))
            conn.execute(
                "DELETE FROM entity WHERE realm_id = ? AND entity = ? AND id = ?",
                (realm_id, entity, int(entity_id)),
            )
