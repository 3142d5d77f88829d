"""Re-encrypt every stored QuickBooks token with the newest FIELD_ENCRYPTION_KEY (the first one).

Rotation: put a new key in front of FIELD_ENCRYPTION_KEY (comma-separated), restart, run this
command, then remove the old key. Each row is read (any configured key decrypts it) and written
back (the first key encrypts it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from quickbooks_sync.models import QBOConnection


class Command(BaseCommand):
    help = "Re-encrypt the stored QuickBooks tokens with the newest FIELD_ENCRYPTION_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for pk in QBOConnection.objects.values_list("pk", flat=True):
            with transaction.atomic():
                connection = QBOConnection.objects.select_for_update().get(pk=pk)
                connection.save(update_fields=["access_token", "refresh_token"])
            count += 1
        self.stdout.write(f"Re-encrypted the tokens of {count} QuickBooks connection(s).")
