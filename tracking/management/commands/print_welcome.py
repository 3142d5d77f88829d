from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tracking.demo import DEMO_PASSWORD
from tracking.demo import PEOPLE


class Command(BaseCommand):
    help = "Print where the product runs and the demo logins (used by `make run`)."

    def handle(self, *args: Any, **options: Any) -> None:
        lines = [
            "",
            "=" * 72,
            f"  Timetracker is starting at  {settings.SITE_URL}/",
            "  Demo logins (password for all: " + DEMO_PASSWORD + "):",
        ]
        lines += [f"    {p.role.lower():7} {p.email:28} {p.name}" for p in PEOPLE]
        qbo_port = os.environ.get("QBO_SANDBOX_PORT", "8765")
        lines += [
            f"  QuickBooks Online emulator:  http://127.0.0.1:{qbo_port}/"
            "  (demo company 'Northwind Books Demo')",
            "  Stop with Ctrl-C; `make run` again keeps the data.",
            "=" * 72,
            "",
        ]
        self.stdout.write("\n".join(lines))
