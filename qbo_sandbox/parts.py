"""The parts of a running emulator that its blueprints share (one set per app)."""

from __future__ import annotations

from dataclasses import dataclass

from qbo_sandbox.accounting import Accounting
from qbo_sandbox.chaos import Chaos
from qbo_sandbox.config import Settings
from qbo_sandbox.journal import Journal
from qbo_sandbox.limits import RateLimiter
from qbo_sandbox.oauth import OAuth
from qbo_sandbox.store import Store
from qbo_sandbox.webhooks import Webhooks


@dataclass(frozen=True)
class Parts:
    settings: Settings
    store: Store
    accounting: Accounting
    oauth: OAuth
    journal: Journal
    limiter: RateLimiter
    chaos: Chaos
    webhooks: Webhooks

    @classmethod
    def create(cls, settings: Settings) -> Parts:
        store = Store(settings.data)
        oauth = OAuth(settings.data, settings)
        webhooks = Webhooks(settings, oauth)
        store.add_listener(webhooks.notify)
        return cls(
            settings=settings,
            store=store,
            accounting=Accounting(store),
            oauth=oauth,
            journal=Journal(
                settings.data, log_max=settings.request_log_max, replay_ttl=settings.replay_ttl
            ),
            limiter=RateLimiter(settings),
            chaos=Chaos(),
            webhooks=webhooks,
        )
