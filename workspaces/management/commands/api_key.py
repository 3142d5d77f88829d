"""`python manage.py api_key create --email EMAIL [--name NAME]`: print a new API key for that
user (for scripts and support). The key is printed once and stored hashed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser

from workspaces.errors import ApplicationError
from workspaces.models import User
from workspaces.services_api_keys import api_key_create


class Command(BaseCommand):
    help = "Manage REST API keys. `create --email EMAIL` prints a new key for that user."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key and print it (shown once).")
        create.add_argument("--email", required=True, help="The user's e-mail address.")
        create.add_argument("--name", default="Created by an operator", help="What it is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "create":  # argparse already refuses other actions
            raise CommandError(f"Unknown action {options['action']!r}.")
        email = options["email"].strip()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user has the e-mail address {email}.")
        try:
            created = api_key_create(user=user, name=options["name"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(created.key)
