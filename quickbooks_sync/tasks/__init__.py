"""Celery tasks of the QuickBooks integration, one module per feature. They take ids, call a
service and own the retry policy. Celery's autodiscovery imports this package, and this package
imports its modules, so every task is registered without a setting naming them."""

from quickbooks_sync.tasks import changes
from quickbooks_sync.tasks import connection
from quickbooks_sync.tasks import schedule
from quickbooks_sync.tasks import send
from quickbooks_sync.tasks import sync

__all__ = ["changes", "connection", "schedule", "send", "sync"]
