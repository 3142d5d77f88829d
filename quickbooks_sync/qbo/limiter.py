"""One rate limiter per QuickBooks company (realm), shared by every worker through Redis.

QuickBooks throttles per company and app (../shared/docs/qbo-facts.md §3): 500 requests a
minute, 10 a second, 10 at once, and 40 batch requests a minute; past one it answers 429 (code
3001) and wants a minute's pause. Every call takes a slot first: the Accounting API session
(quickbooks_sync/qbo/session.py) is the one door, and it does this for each request:

    limiter = company_limiter(realm_id)
    with limiter.batch_slot(timeout=120):  # a batch counts as a request too
        ...the HTTP request...
    # after a 429: limiter.penalize(QBOThrottled.retry_after_seconds)

A slot is granted when every limit has room, all in one atomic Redis script, so no limit's
slot is spent while another refuses. The windows slide. A slot counts in its windows from the
moment it is granted until QuickBooks can no longer be handling the call: while the call is in
flight it counts as "now", and on release its time becomes the release time. QuickBooks
receives the call somewhere between the two, so however the network delays each call, QBO never
sees more calls in one of its windows than the limiter let through. The concurrency cap is a
lease that expires (after twice the HTTP timeout, plus a margin) if a worker dies holding it.

Time comes from Redis (`TIME`), one clock for every worker. `QBO_RATE_TIME_SCALE` divides the
windows and penalties (60 makes a QuickBooks minute last one second, like the emulator's
`time_scale`), for tests and benchmarks. Without `REDIS_URL` (`make run`'s bare default) each
process limits itself alone, and says so once in the log.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import redis
from django.conf import settings

from workspaces.errors import ApplicationError

logger = logging.getLogger(__name__)

# A blocked caller waits for the exact moment a finished call leaves a window or a penalty
# ends; a slot held by a call in flight frees at an unknown time, so it looks again this often.
POLL_SECONDS = 0.05
LEASE_MARGIN_SECONDS = 10.0


class RateLimitTimeout(ApplicationError):
    """No slot within the caller's timeout: QuickBooks' limits for the company are in use."""

    status = 503


@dataclass(frozen=True)
class RateLimits:
    requests_per_minute: int
    requests_per_second: int
    batches_per_minute: int
    concurrent: int
    time_scale: float = 1.0
    lease_seconds: float = 70.0  # real seconds: how long a dead worker can keep a slot

    @classmethod
    def from_settings(cls) -> RateLimits:
        return cls(
            requests_per_minute=settings.QBO_RATE_REQUESTS_PER_MINUTE,
            requests_per_second=settings.QBO_RATE_REQUESTS_PER_SECOND,
            batches_per_minute=settings.QBO_RATE_BATCHES_PER_MINUTE,
            concurrent=settings.QBO_RATE_CONCURRENT,
            time_scale=settings.QBO_RATE_TIME_SCALE,
            # A slot covers one HTTP call (at most its timeout); twice that, to be safe.
            lease_seconds=2 * settings.QBO_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS,
        )

    def __post_init__(self) -> None:
        counts = (
            self.requests_per_minute,
            self.requests_per_second,
            self.batches_per_minute,
            self.concurrent,
        )
        if min(counts) < 1 or self.time_scale <= 0 or self.lease_seconds <= 0:
            raise ValueError(f"QuickBooks rate limits must be positive: {self}")

    @property
    def minute(self) -> float:
        return 60.0 / self.time_scale

    @property
    def second(self) -> float:
        return 1.0 / self.time_scale


class _Backend(Protocol):
    def acquire(self, key: str, token: str, *, batch: bool, limits: RateLimits) -> float:
        """Take a slot (answer 0) or answer how long to wait before asking again."""

    def release(self, key: str, token: str) -> None: ...

    def pause(self, key: str, seconds: float) -> None: ...


# KEYS: requests (zset token -> time), batches (zset), leases (zset token -> expiry), pause
# ARGV: token, batch (0/1), requests/min, requests/s, batches/min, concurrent,
#       minute, second, lease seconds, poll seconds
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
-- Lua prints numbers with 14 digits (0.1 ms of a Unix time): format scores to the microsecond.
local function f(x) return string.format('%.6f', x) end
local token, batch = ARGV[1], ARGV[2] == '1'
local minute, second = tonumber(ARGV[7]), tonumber(ARGV[8])
local lease, poll = tonumber(ARGV[9]), tonumber(ARGV[10])
local wait = 0

local pause = tonumber(redis.call('GET', KEYS[4]) or '0')
if pause > now then wait = pause - now end

redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', f(now))
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[6]) then wait = math.max(wait, poll) end

-- How long until the window over `span` has room for one more (0: it has).
local function window_wait(key, limit, span)
  local since = now - span
  local n = redis.call('ZCOUNT', key, '(' .. f(since), '+inf')
  if n < limit then return 0 end
  local oldest = redis.call('ZRANGEBYSCORE', key, '(' .. f(since), '+inf', 'WITHSCORES',
                            'LIMIT', n - limit, 1)
  local at = tonumber(oldest[2])
  if at > now then return poll end  -- still in flight
  return at + span - now
end

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', f(now - minute))
wait = math.max(wait, window_wait(KEYS[1], tonumber(ARGV[3]), minute))
wait = math.max(wait, window_wait(KEYS[1], tonumber(ARGV[4]), second))
if batch then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', f(now - minute))
  wait = math.max(wait, window_wait(KEYS[2], tonumber(ARGV[5]), minute))
end
if wait > 0 then return tostring(wait) end

local ttl = math.ceil((lease + minute) * 1000)
redis.call('ZADD', KEYS[1], f(now + lease), token)
redis.call('PEXPIRE', KEYS[1], ttl)
if batch then
  redis.call('ZADD', KEYS[2], f(now + lease), token)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
redis.call('ZADD', KEYS[3], f(now + lease), token)
redis.call('PEXPIRE', KEYS[3], ttl)
return '0'
"""

# KEYS: requests, batches, leases. ARGV: token. The call is over: it counts from now on.
_RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local at = string.format('%.6f', now)
redis.call('ZADD', KEYS[1], 'XX', at, ARGV[1])
redis.call('ZADD', KEYS[2], 'XX', at, ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
"""

# KEYS: pause. ARGV: seconds. Extends the pause, never shortens it.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local until_ = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > current then
  local ttl = math.ceil(tonumber(ARGV[1]) * 1000) + 1
  redis.call('SET', KEYS[1], string.format('%.6f', until_), 'PX', ttl)
end
return 1
"""


def _keys(key: str, *names: str) -> list[str]:
    return [f"{key}:{name}" for name in names]


class _RedisBackend:
    def __init__(self, client: redis.Redis) -> None:
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)
        self._pause = client.register_script(_PAUSE)

    def acquire(self, key: str, token: str, *, batch: bool, limits: RateLimits) -> float:
        args: list[str | int] = [
            token,
            int(batch),
            limits.requests_per_minute,
            limits.requests_per_second,
            limits.batches_per_minute,
            limits.concurrent,
            repr(limits.minute),
            repr(limits.second),
            repr(limits.lease_seconds),
            repr(POLL_SECONDS),
        ]
        keys = _keys(key, "requests", "batches", "leases", "pause")
        return float(self._acquire(keys=keys, args=args))

    def release(self, key: str, token: str) -> None:
        self._release(keys=_keys(key, "requests", "batches", "leases"), args=[token])

    def pause(self, key: str, seconds: float) -> None:
        self._pause(keys=_keys(key, "pause"), args=[repr(seconds)])


@dataclass
class _LocalCompany:
    requests: dict[str, float]
    batches: dict[str, float]
    leases: dict[str, float]
    paused_until: float = 0.0


class _LocalBackend:
    """The same rules as the Redis script, for one process (no REDIS_URL)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._companies: dict[str, _LocalCompany] = {}

    def _company(self, key: str) -> _LocalCompany:
        return self._companies.setdefault(key, _LocalCompany({}, {}, {}))

    def acquire(self, key: str, token: str, *, batch: bool, limits: RateLimits) -> float:
        with self._lock:
            now = time.time()
            company = self._company(key)

            def window_wait(log: dict[str, float], limit: int, span: float) -> float:
                for name in [name for name, at in log.items() if at <= now - limits.minute]:
                    del log[name]
                inside = sorted(at for at in log.values() if at > now - span)
                if len(inside) < limit:
                    return 0.0
                at = inside[len(inside) - limit]
                return POLL_SECONDS if at > now else at + span - now

            for name in [name for name, until in company.leases.items() if until <= now]:
                del company.leases[name]
            waits = [
                company.paused_until - now,
                POLL_SECONDS if len(company.leases) >= limits.concurrent else 0.0,
                window_wait(company.requests, limits.requests_per_minute, limits.minute),
                window_wait(company.requests, limits.requests_per_second, limits.second),
                window_wait(company.batches, limits.batches_per_minute, limits.minute)
                if batch
                else 0.0,
            ]
            wait = max(waits)
            if wait > 0:
                return wait
            until = now + limits.lease_seconds
            company.requests[token] = until
            if batch:
                company.batches[token] = until
            company.leases[token] = until
            return 0.0

    def release(self, key: str, token: str) -> None:
        with self._lock:
            now = time.time()
            company = self._company(key)
            for log in (company.requests, company.batches):
                if token in log:
                    log[token] = now
            company.leases.pop(token, None)

    def pause(self, key: str, seconds: float) -> None:
        with self._lock:
            company = self._company(key)
            company.paused_until = max(company.paused_until, time.time() + seconds)


class CompanyLimiter:
    """QuickBooks' limits for one company, as seen by every worker."""

    def __init__(self, realm_id: str, *, limits: RateLimits, backend: _Backend) -> None:
        self.realm_id = realm_id
        self.limits = limits
        self._backend = backend
        # The limits are per company and app: the hash tag keeps a company's keys together.
        self._key = f"qbo-rate:{{{settings.QBO_CLIENT_ID}:{realm_id}}}"

    def __repr__(self) -> str:
        return f"CompanyLimiter(realm_id={self.realm_id!r}, limits={self.limits!r})"

    def batch_slot(self, *, timeout: float | None = None) -> AbstractContextManager[None]:
        """Hold a slot for one batch request (it counts as a request too). Waits for room;
        after `timeout` real seconds (None: no limit) raises RateLimitTimeout."""
        return self._slot(batch=True, timeout=timeout)

    def request_slot(self, *, timeout: float | None = None) -> AbstractContextManager[None]:
        """Hold a slot for one plain request; waits like `batch_slot`."""
        return self._slot(batch=False, timeout=timeout)

    def penalize(self, seconds: float) -> None:
        """After a 429: no worker gets a slot for this company for `seconds` of QuickBooks
        time (divided by the time scale, like the windows). Never shortens a running pause."""
        if seconds > 0:
            self._backend.pause(self._key, seconds / self.limits.time_scale)

    @contextmanager
    def _slot(self, *, batch: bool, timeout: float | None) -> Iterator[None]:
        token = uuid.uuid4().hex
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = self._backend.acquire(self._key, token, batch=batch, limits=self.limits)
            if wait <= 0:
                break
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    kind = "batch request" if batch else "request"
                    raise RateLimitTimeout(
                        f"QuickBooks' rate limits for company {self.realm_id} left no room for "
                        f"a {kind} within {timeout:g} s; it will be tried again later."
                    )
                wait = min(wait, left)
            time.sleep(wait)
        try:
            yield
        finally:
            self._backend.release(self._key, token)


_backends: dict[str, _RedisBackend] = {}
_local_backend = _LocalBackend()
_backends_lock = threading.Lock()
_warned_local = False


def _backend() -> _Backend:
    global _warned_local
    url: str = settings.REDIS_URL
    if not url:
        if not _warned_local:
            _warned_local = True
            logger.warning(
                "REDIS_URL is not set: QuickBooks rate limits are kept per process, so several "
                "workers together can exceed them (QuickBooks then answers 429 and they back off)."
            )
        return _local_backend
    with _backends_lock:
        if url not in _backends:
            _backends[url] = _RedisBackend(redis.Redis.from_url(url))
        return _backends[url]


def company_limiter(realm_id: str) -> CompanyLimiter:
    """The limiter of one QuickBooks company, with the limits from settings."""
    if not realm_id:
        raise ValueError("a QuickBooks company (realm id) is required")
    return CompanyLimiter(realm_id, limits=RateLimits.from_settings(), backend=_backend())
