"""Plain data of the QuickBooks Online client: where QuickBooks is (`QBOConfig`), tokens, and
what the Accounting API answers, turned into frozen dataclasses. Nothing here talks to QBO."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import ClassVar

from quickbooks_sync.qbo.errors import QBOError

MINOR_VERSION = 75  # the oldest minorversion Intuit still accepts (since 2025-08)
MAX_BATCH_ITEMS = 30  # QBO: at most 30 items per batch request
MAX_BATCH_REQUEST_ID = 36  # QBO: requestid on /batch is at most 36 characters
MAX_BATCH_ID = 10  # QBO: with a requestid, each bId is at most 10 characters
MAX_PAGE_SIZE = 1000  # QBO: MAXRESULTS is at most 1000
CDC_MAX_OBJECTS = 1000  # QBO: a ChangeDataCapture response holds at most 1,000 objects
CDC_LOOKBACK_DAYS = 30  # QBO: changedSince at most 30 days back
DEFAULT_TIMEOUT = 30.0


# -- configuration and plain data -------------------------------------------------------------


@dataclass(frozen=True)
class QBOConfig:
    """Where QuickBooks is and who we are to it.

    `environment` is "sandbox", "production" or the URL of a discovery document (the local
    emulator's); `api_base_url` is the Accounting API's root without `/v3`
    (e.g. https://quickbooks.api.intuit.com). `timeout` (seconds) applies to every HTTP call.
    """

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    environment: str
    api_base_url: str
    timeout: float = DEFAULT_TIMEOUT

    @property
    def api_url_v3(self) -> str:
        base = self.api_base_url.rstrip("/")
        return base if base.endswith("/v3") else base + "/v3"


@dataclass(frozen=True)
class TokenSet:
    """Realm-independent token data after an exchange or refresh (expiry instants in UTC)."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_token_expires_at: datetime
    refresh_token_expires_at: datetime


@dataclass(frozen=True)
class CompanyInfo:
    company_name: str
    offering_sku: str  # e.g. "QuickBooks Online Plus"
    payroll_enabled: bool
    subscription_status: str  # SUBSCRIBED, TRIAL, SUSPENDED, ...

    SUPPORTED_SKUS: ClassVar[frozenset[str]] = frozenset(
        {
            "QuickBooks Online Essentials",
            "QuickBooks Online Plus",
            "QuickBooks Online Advanced",
        }
    )

    @property
    def is_simple_start(self) -> bool:
        return "simple start" in self.offering_sku.lower()

    @property
    def plan_supported(self) -> bool:
        """Essentials, Plus or Advanced (the seed: no Simple Start)."""
        return self.offering_sku in self.SUPPORTED_SKUS


@dataclass(frozen=True)
class Preferences:
    book_close_date: date | None
    class_tracking: bool = False  # AccountingInfoPrefs.ClassTrackingPerTxn (Track classes on)


@dataclass(frozen=True)
class QBOEmployee:
    id: str
    display_name: str
    given_name: str
    family_name: str
    active: bool
    sync_token: str = "0"


@dataclass(frozen=True)
class QBOVendor(QBOEmployee):
    """A vendor: the same name fields as an employee. A contractor's time goes to one."""


@dataclass(frozen=True)
class QBOCustomer:
    """A customer, sub-customer (`parent_id` set) or QBO project (`is_project`)."""

    id: str
    display_name: str
    parent_id: str | None
    active: bool = True
    is_project: bool = False
    level: int = 0
    fully_qualified_name: str = ""
    sync_token: str = "0"


@dataclass(frozen=True)
class QBOClass:
    id: str
    name: str


@dataclass(frozen=True)
class ServiceItem:
    id: str
    name: str
    active: bool


@dataclass(frozen=True)
class BatchItemResult:
    """One bId of a TimeActivity batch: the created TimeActivity, or why QBO refused it."""

    bid: str
    time_activity_id: str | None = None
    sync_token: str | None = None
    error: QBOError | None = None
    # False when QBO's batch answer left this bId out: whether it was created is unknown, so
    # only the same requestid may ask again (never a new one).
    answered: bool = True

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ChangedEntity:
    """An employee, vendor or customer that ChangeDataCapture says changed: its current record, or
    (`deleted`) QBO's "Deleted" mark, which for a name list means made inactive; a mark
    carries no name, so `display_name` is then ""."""

    entity: str  # "Employee", "Vendor" or "Customer"
    id: str
    display_name: str
    deleted: bool
    fully_qualified_name: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class ChangeSet:
    """What one ChangeDataCapture call answered. `complete` is False when QBO cut the answer
    at its 1,000 objects (there may be more changes than listed)."""

    entities: tuple[ChangedEntity, ...]
    complete: bool = True
