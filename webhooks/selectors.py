"""Reads of webhooks, scoped to one workspace."""

from __future__ import annotations

from django.db.models import F
from django.db.models import QuerySet
from django.db.models import Window
from django.db.models.functions import RowNumber

from webhooks.models import Attempt
from webhooks.models import Webhook
from workspaces.models import Workspace


def webhook_list(*, workspace: Workspace) -> QuerySet[Webhook]:
    return Webhook.objects.filter(workspace=workspace).order_by("name", "id")


def webhook_attempts(*, workspace: Workspace, limit: int = 20) -> dict[str, list[Attempt]]:
    """Each webhook's latest `limit` HTTP attempts, newest first, in one query whatever the
    number of webhooks."""
    newest_first = Window(
        RowNumber(), partition_by=[F("webhook_id")], order_by=[F("at").desc(), F("id").desc()]
    )
    rows = (
        Attempt.objects.filter(workspace=workspace)
        .annotate(rank=newest_first)
        .filter(rank__lte=limit)
        .order_by("webhook_id", "-at", "-id")
    )
    found: dict[str, list[Attempt]] = {}
    for attempt in rows:
        found.setdefault(attempt.webhook_id, []).append(attempt)
    return found
