from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tracking.demo import DEMO_WORKSPACE
from tracking.demo import demo_exists
from tracking.demo import seed_demo


class Command(BaseCommand):
    help = "Create the demo workspace once: people, catalog and three months of time."

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_exists():
            self.stdout.write(f"Demo workspace '{DEMO_WORKSPACE}' already exists; keeping it.")
            return
        workspace = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Created the demo workspace '{workspace.name}'."))
