"""Tokens are encrypted at rest with Fernet, and keys rotate without losing a token."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError
from django.core.management import call_command
from django.db import connection as db

from quickbooks_sync import crypto
from quickbooks_sync.models import QBOConnection

pytestmark = pytest.mark.django_db


def _raw_tokens(pk: str) -> tuple[str, str]:
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, refresh_token FROM quickbooks_sync_qboconnection WHERE id = %s",
            [pk],
        )
        row = cursor.fetchone()
    return row[0], row[1]


def test_tokens_are_stored_encrypted_and_read_back_in_clear(workspace, settings):
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    conn = QBOConnection.objects.create(
        workspace=workspace, realm_id="123", access_token="access-secret", refresh_token="refresh-x"
    )
    raw_access, raw_refresh = _raw_tokens(conn.pk)
    assert "access-secret" not in raw_access and "refresh-x" not in raw_refresh
    assert Fernet(settings.FIELD_ENCRYPTION_KEY.encode()).decrypt(raw_access.encode()) == (
        b"access-secret"
    )
    again = QBOConnection.objects.get(pk=conn.pk)
    assert (again.access_token, again.refresh_token) == ("access-secret", "refresh-x")


def test_rotation_reencrypts_with_the_newest_key_and_the_old_key_can_then_go(workspace, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old
    conn = QBOConnection.objects.create(
        workspace=workspace, realm_id="1", access_token="a-token", refresh_token="r-token"
    )
    settings.FIELD_ENCRYPTION_KEY = f"{new},{old}"
    assert QBOConnection.objects.get(pk=conn.pk).access_token == "a-token"  # old key still reads
    call_command("rotate_field_encryption", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.FIELD_ENCRYPTION_KEY = new
    again = QBOConnection.objects.get(pk=conn.pk)
    assert (again.access_token, again.refresh_token) == ("a-token", "r-token")


def test_a_value_no_key_decrypts_is_an_explicit_error(workspace, settings):
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    conn = QBOConnection.objects.create(workspace=workspace, realm_id="1", access_token="x")
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(crypto.DecryptionFailed):
        QBOConnection.objects.get(pk=conn.pk)


def test_a_malformed_key_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_KEY = "not-a-fernet-key"
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


def test_rotation_reencrypts_every_readable_row_and_lists_the_unreadable_ones_at_the_end(
    workspace, other_workspace, settings
):
    """A row no key decrypts (first in order) neither stops the run nor leaves later rows on the
    old key; it is listed with what to do and the exit status says so, at the end."""
    lost, old, new = (Fernet.generate_key().decode() for _ in range(3))
    settings.FIELD_ENCRYPTION_KEY = old
    rows = [
        QBOConnection.objects.create(
            workspace=ws, realm_id=realm, company_name=name, access_token="a", refresh_token="r"
        )
        for ws, realm, name in ((workspace, "9", "Lost Co"), (other_workspace, "1", "Kept Co"))
    ]
    bad, good = sorted(rows, key=lambda row: row.pk)  # the unreadable row comes first
    settings.FIELD_ENCRYPTION_KEY = lost
    bad.save()  # encrypted with a key that is then lost
    settings.FIELD_ENCRYPTION_KEY = f"{new},{old}"
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 connection"):
        call_command("rotate_field_encryption", stdout=out, stderr=err)
    assert "Re-encrypted the tokens of 1 QuickBooks connection(s)." in out.getvalue()
    assert bad.workspace.name in err.getvalue() and bad.company_name in err.getvalue()
    assert f"realm {bad.realm_id}" in err.getvalue() and "Disconnect" in err.getvalue()
    settings.FIELD_ENCRYPTION_KEY = new  # the old key can go: the readable row is on the new one
    again = QBOConnection.objects.get(pk=good.pk)
    assert (again.access_token, again.refresh_token) == ("a", "r")
