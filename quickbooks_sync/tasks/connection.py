"""Celery task that keeps idle QuickBooks connections alive (run daily by beat)."""

from __future__ import annotations

from celery import shared_task

from quickbooks_sync.services import connection as connection_services


@shared_task(
    name="quickbooks_sync.tasks.connections_keep_alive",  # the name the beat schedule uses
    acks_late=True,
    soft_time_limit=10 * 60,
    time_limit=12 * 60,
)
def connections_keep_alive() -> int:
    """Daily (beat): refresh the tokens of connections whose refresh token nears its expiry."""
    return connection_services.connections_keep_alive()
