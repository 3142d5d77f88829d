"""A benchmark's own PostgreSQL database on the server named by BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/), for the scripts in bench/."""

from __future__ import annotations

import os
import secrets
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")


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
    """Drop the database `name` (closing its connections) and create it empty; its URL."""
    conn = server_connection()
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return database_url(name)


def django_setup(name: str) -> None:
    """Set Django up in this process on the database `name`, as in production: DEBUG off (it
    would keep every query in memory), a throwaway SECRET_KEY and FIELD_ENCRYPTION_KEY unless
    given, the QBO emulator allowed, warnings only in the log."""
    os.environ["DATABASE_URL"] = database_url(name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timetracker.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    if not os.environ.get("FIELD_ENCRYPTION_KEY"):
        from cryptography.fernet import Fernet

        os.environ["FIELD_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # No Intuit app on a bench: QuickBooks, where used, is the emulator (see qbo_env).
    os.environ.setdefault("QBO_ALLOW_EMULATOR", "true")
    import django

    django.setup()
