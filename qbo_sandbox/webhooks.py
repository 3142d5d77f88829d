"""Outgoing webhooks, as Intuit sends them to an app's endpoint.

Intuit ("Webhooks", "Managing webhooks notifications", "Upcoming change to webhooks payload
structure", 2025-11-12): an app configures one endpoint URL and the entities it wants; Intuit
then POSTs a JSON notification for every change to those entities in every company connected to
the app (only while connected), gathering events for a while (sandbox: near real time;
production: 1, 3 or 5 minutes). Each POST carries `intuit-signature`: base64 of the HMAC-SHA256
of the raw body keyed with the app's verifier token. The endpoint must answer 200 within 3 s.

Two payload formats (setting `webhook_format`):
- `cloudevents` (default): Intuit's format since the mandatory migration (deadline May 15,
  2026, extended to July 31, 2026): a JSON array of CloudEvents, one per change, `type`
  `qbo.<entity>.<created|updated|deleted|merged>.v1`, `intuitaccountid` the realm id,
  `intuitentityid` the entity's Id.
- `legacy`: the former `{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities":
  [{"name", "id", "operation", "lastUpdated"}]}}]}`, one notification per company.

Where Intuit is silent the emulator chooses: a name-list entity made inactive is a `Delete`
(deleted) event; failed deliveries (no 2xx within `webhook_timeout`) are tried
`webhook_attempts` times in all, `webhook_retry_seconds` apart and doubling.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import deque
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import Any

from qbo_sandbox.config import DEFAULT_CLIENT_ID
from qbo_sandbox.config import Settings
from qbo_sandbox.oauth import OAuth
from qbo_sandbox.store import EntityChange

log = logging.getLogger("qbo_sandbox.webhooks")

FORMATS = ("cloudevents", "legacy")
# What the emulator keeps; an app picks among them (Intuit's list is longer).
WEBHOOK_ENTITIES = ("Customer", "Employee", "Vendor", "Item", "Class", "TimeActivity")
_PAST = {"Create": "created", "Update": "updated", "Delete": "deleted", "Merge": "merged"}
SIGNATURE_HEADER = "intuit-signature"


def sign(verifier_token: str, body: bytes) -> str:
    """Intuit's `intuit-signature`: base64(HMAC-SHA256(verifier token, raw body))."""
    digest = hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _utc(last_updated: str) -> str:
    try:
        moment = datetime.fromisoformat(last_updated)
    except ValueError:
        moment = datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def payload(fmt: str, client_id: str, realm_id: str, changes: list[EntityChange]) -> Any:
    """The body Intuit would POST for `changes` of one company."""
    if fmt == "legacy":
        return {
            "eventNotifications": [
                {
                    "realmId": realm_id,
                    "dataChangeEvent": {
                        "entities": [
                            {
                                "name": c.entity,
                                "id": c.entity_id,
                                "operation": c.operation,
                                "lastUpdated": _utc(c.last_updated),
                            }
                            for c in changes
                        ]
                    },
                }
            ]
        }
    source = base64.b64encode(hashlib.sha256(client_id.encode()).digest()).decode()
    return [
        {
            "specversion": "1.0",
            "id": f"{uuid.uuid4()}-{c.entity}-{c.entity_id}",
            "source": f"intuit.{source}",
            "type": f"qbo.{c.entity.lower()}.{_PAST[c.operation]}.v1",
            "datacontenttype": "application/json",
            "time": _utc(c.last_updated),
            "intuitentityid": c.entity_id,
            "intuitaccountid": realm_id,
            "data": {},
        }
        for c in changes
    ]


@dataclass(frozen=True)
class WebhookConfig:
    client_id: str
    url: str
    verifier_token: str
    format: str = "cloudevents"
    entities: tuple[str, ...] = WEBHOOK_ENTITIES

    def public(self) -> dict[str, Any]:
        return {**asdict(self), "entities": list(self.entities)}


def check_config(body: dict[str, Any]) -> WebhookConfig:
    """A WebhookConfig from the control API's JSON; ValueError says what is wrong."""
    unknown = set(body) - {"client_id", "url", "verifier_token", "format", "entities"}
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    url = body.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError("url must be an http:// or https:// URL")
    token = body.get("verifier_token")
    if not isinstance(token, str) or not token:
        raise ValueError("verifier_token is required")
    fmt = body.get("format", "cloudevents")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    entities = body.get("entities", list(WEBHOOK_ENTITIES))
    if (
        not isinstance(entities, list)
        or not entities
        or any(e not in WEBHOOK_ENTITIES for e in entities)
    ):
        raise ValueError(f"entities must be a list of {', '.join(WEBHOOK_ENTITIES)}")
    client_id = body.get("client_id", DEFAULT_CLIENT_ID)
    if not isinstance(client_id, str) or not client_id:
        raise ValueError("client_id must be a string")
    return WebhookConfig(client_id, url, token, fmt, tuple(entities))


@dataclass
class _Batch:
    config: WebhookConfig
    realm_id: str
    due: float
    changes: list[EntityChange] = field(default_factory=list)


class Webhooks:
    """The apps' webhook endpoints (in memory; `webhook_*` settings configure the built-in
    app at start), the events waiting to go out, and a log of deliveries."""

    def __init__(self, settings: Settings, oauth: OAuth) -> None:
        self.settings = settings
        self.oauth = oauth
        self._configs: dict[str, WebhookConfig] = {}
        self._batches: dict[tuple[str, str], _Batch] = {}
        self._log: deque[dict[str, Any]] = deque(maxlen=500)
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        if settings.webhook_url and settings.webhook_verifier_token:
            self.configure(
                WebhookConfig(
                    DEFAULT_CLIENT_ID,
                    settings.webhook_url,
                    settings.webhook_verifier_token,
                    settings.webhook_format,
                )
            )

    # -- configuration ------------------------------------------------------------------------

    def configure(self, config: WebhookConfig) -> WebhookConfig:
        with self._cond:
            self._configs[config.client_id] = config
        return config

    def remove(self, client_id: str) -> bool:
        with self._cond:
            return self._configs.pop(client_id, None) is not None

    def configs(self) -> list[dict[str, Any]]:
        with self._cond:
            return [c.public() for c in self._configs.values()]

    def deliveries(self) -> list[dict[str, Any]]:
        with self._cond:
            return list(reversed(self._log))

    # -- events -------------------------------------------------------------------------------

    def notify(self, change: EntityChange) -> None:
        """A committed change (Store listener): queue it for each app that wants it. Never
        raises: a webhook problem must not fail the API call that made the change."""
        try:
            with self._cond:
                configs = [c for c in self._configs.values() if change.entity in c.entities]
            for config in configs:
                if not self.oauth.connected(config.client_id, change.realm_id):
                    continue
                with self._cond:
                    key = (config.client_id, change.realm_id)
                    batch = self._batches.get(key)
                    if batch is None or batch.config != config:
                        due = time.monotonic() + self.settings.webhook_delay
                        batch = self._batches[key] = _Batch(config, change.realm_id, due)
                    batch.changes.append(change)
                    self._start()
                    self._cond.notify_all()
        except Exception:
            log.exception("webhook event dropped")

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._batches:
                    self._cond.wait()
                now = time.monotonic()
                due = [k for k, b in self._batches.items() if b.due <= now]
                if not due:
                    self._cond.wait(min(b.due for b in self._batches.values()) - now)
                    continue
                batches = [self._batches.pop(k) for k in due]
            for batch in batches:
                threading.Thread(target=self._deliver, args=(batch,), daemon=True).start()

    def _deliver(self, batch: _Batch) -> None:
        config = batch.config
        body = json.dumps(payload(config.format, config.client_id, batch.realm_id, batch.changes))
        data = body.encode()
        delay = self.settings.webhook_retry_seconds
        delivery = str(uuid.uuid4())
        for attempt in range(1, self.settings.webhook_attempts + 1):
            status: int | None = None
            error = ""
            request = urllib.request.Request(  # noqa: S310 (the URL is the operator's)
                config.url,
                data=data,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    SIGNATURE_HEADER: sign(config.verifier_token, data),
                    "User-Agent": "qbo_sandbox webhooks",
                },
            )
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(  # noqa: S310
                    request, timeout=self.settings.webhook_timeout
                ) as response:
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except (OSError, ValueError) as exc:
                error = type(exc).__name__
            ok = status is not None and 200 <= status < 300
            self._record(
                delivery=delivery,
                config=config,
                realm_id=batch.realm_id,
                events=len(batch.changes),
                attempt=attempt,
                status=status,
                error=error,
                ms=(time.perf_counter() - started) * 1000,
                body=body,
            )
            if ok:
                return
            if attempt < self.settings.webhook_attempts:
                time.sleep(delay)
                delay *= 2

    def _record(self, **entry: Any) -> None:
        config: WebhookConfig = entry.pop("config")
        row = {
            **entry,
            "client_id": config.client_id,
            "url": config.url,
            "format": config.format,
            "ok": entry["status"] is not None and 200 <= entry["status"] < 300,
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "ms": round(entry["ms"], 1),
        }
        log.info(
            "webhook %s realm=%s events=%s attempt=%s status=%s %s",
            config.url,
            entry["realm_id"],
            entry["events"],
            entry["attempt"],
            entry["status"],
            entry["error"],
        )
        with self._cond:
            self._log.append(row)
