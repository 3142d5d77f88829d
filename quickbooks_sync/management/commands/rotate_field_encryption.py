"""Re-encrypt every stored QuickBooks token with the newest FIELD_ENCRYPTION_KEY (the first one).

Rotation: put a new key in front of FIELD_ENCRYPTION_KEY (comma-separated), restart, run this
command, then remove the old key. Each row is read (any configured key decrypts it) and written
back (the first key encrypts it). A row no configured key decrypts does not stop the run: every
readable row is re-encrypted, the unreadable ones are listed with what to do, and only then does
the command exit non-zero (so the old key is not dropped while the listed rows still need it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.db import transaction

from quickbooks_sync.crypto import DecryptionFailed
from quickbooks_sync.models import QBOConnection

WHAT_TO_DO = (
    "No key in FIELD_ENCRYPTION_KEY decrypts the tokens of these connections. Either add the key "
    "that encrypted them (after the newest) and run this command again, or have an admin of each "
    "workspace open Settings > Integrations, press Disconnect and connect to QuickBooks again "
    "(the page then says how to revoke the old authorization from QuickBooks' side)."
)


class Command(BaseCommand):
    help = "Re-encrypt the stored QuickBooks tokens with the newest FIELD_ENCRYPTION_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        unreadable: list[tuple[str, str, str, str]] = []
        for pk in QBOConnection.objects.order_by("pk").values_list("pk", flat=True):
            try:
                with transaction.atomic():
                    connection = QBOConnection.objects.select_for_update().get(pk=pk)
                    connection.save(update_fields=["access_token", "refresh_token"])
            except DecryptionFailed:
                row = (
                    QBOConnection.objects.filter(pk=pk)
                    .values_list("workspace_id", "workspace__name", "realm_id", "company_name")
                    .get()
                )
                unreadable.append(row)
                continue
            count += 1
        self.stdout.write(f"Re-encrypted the tokens of {count} QuickBooks connection(s).")
        if not unreadable:
            return
        self.stderr.write(f"{len(unreadable)} connection(s) could not be read:")
        for workspace_id, workspace_name, realm_id, company in unreadable:
            self.stderr.write(
                f"  workspace {workspace_id} ({workspace_name}): QuickBooks company "
                f"{company or '?'} (realm {realm_id})"
            )
        self.stderr.write(WHAT_TO_DO)
        raise CommandError(f"{len(unreadable)} connection(s) left unreadable; see above.")
