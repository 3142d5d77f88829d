"""A benchmark's own PostgreSQL database on the server named by BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/), for the scripts in bench/: private to the run (a unique
name, created, dropped at the end), so a run shares the server with anything else."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
# Private databases are named <prefix>_<label>_<random>: the smoke test sets its own prefix to
# see that none outlives its run.
PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "tt_bench")
# A migrated database to copy instead of starting empty (the benchmarks still run `migrate`,
# then a no-op): the smoke test migrates one for all of them.
TEMPLATE = os.environ.get("BENCH_DATABASE_TEMPLATE", "")


def database_url(name: str) -> str:
    return urlunsplit(urlsplit(SERVER_URL)._replace(path=f"/{name}"))


def server_connection() -> Any:
    """An autocommit connection to the server's `postgres` database (to create others)."""
    import psycopg2

    parts = urlsplit(SERVER_URL)
    conn = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


def recreate_database(name: str) -> str:
    """Drop the database `name` (closing its connections) and create it empty (or a copy of
    BENCH_DATABASE_TEMPLATE); its URL."""
    conn = server_connection()
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{TEMPLATE}"' if TEMPLATE else ""))
    conn.close()
    return database_url(name)


def drop_database(name: str) -> None:
    conn = server_connection()
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


@contextlib.contextmanager
def private_database(label: str) -> Iterator[str]:
    """The name of a new, empty database for this run only, dropped on the way out (its
    connections closed first)."""
    name = f"{PREFIX}_{label}_{secrets.token_hex(4)}"
    recreate_database(name)
    try:
        yield name
    finally:
        drop_database(name)


def django_setup(name: str, redis_url: str | None = None) -> None:
    """Set Django up in this process on the database `name`, as in production: DEBUG off (it
    would keep every query in memory), a throwaway SECRET_KEY and FIELD_ENCRYPTION_KEY unless
    given, the QBO emulator allowed, warnings only in the log. With `redis_url` the cache (and
    REDIS_URL of any process started after) is that Redis, not the environment's."""
    os.environ["DATABASE_URL"] = database_url(name)
    if redis_url is not None:
        os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timetracker.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    if not os.environ.get("FIELD_ENCRYPTION_KEY"):
        from cryptography.fernet import Fernet

        os.environ["FIELD_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # In-process clients speak plain HTTP with no TLS proxy in front: no redirect to https.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    # No Intuit app on a bench: QuickBooks, where used, is the emulator (see qbo_env).
    os.environ.setdefault("QBO_ALLOW_EMULATOR", "true")
    import django

    django.setup()
