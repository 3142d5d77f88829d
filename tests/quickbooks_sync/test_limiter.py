"""The per-company QuickBooks rate limiter: windows, concurrency leases, penalties and timeouts,
in Redis across processes and in the per-process fallback. Time is compressed (`time_scale`)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import random
import signal
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import pytest
import redis
from django.conf import settings

from quickbooks_sync.qbo import limiter as limiter_module
from quickbooks_sync.qbo.limiter import CompanyLimiter
from quickbooks_sync.qbo.limiter import RateLimits
from quickbooks_sync.qbo.limiter import RateLimitTimeout
from quickbooks_sync.qbo.limiter import _LocalBackend
from quickbooks_sync.qbo.limiter import _RedisBackend
from quickbooks_sync.qbo.limiter import company_limiter

FORK = multiprocessing.get_context("fork")


def redis_url() -> str:
    url: str = settings.REDIS_URL
    if not url:
        pytest.fail("these tests need Redis: set REDIS_URL (make test does)")
    return url


def new_realm() -> str:
    return "9341" + uuid.uuid4().hex[:12]


def limits(**values: Any) -> RateLimits:
    base: dict[str, Any] = {
        "requests_per_minute": 1000,
        "requests_per_second": 1000,
        "batches_per_minute": 1000,
        "concurrent": 100,
        "time_scale": 1.0,
        "lease_seconds": 30.0,
    }
    return RateLimits(**{**base, **values})


def redis_limiter(realm: str, rate_limits: RateLimits) -> CompanyLimiter:
    """A limiter with its own Redis connection, as another worker process would have."""
    backend = _RedisBackend(redis.Redis.from_url(redis_url()))
    return CompanyLimiter(realm, limits=rate_limits, backend=backend)


MakeLimiter = Callable[[str, RateLimits], CompanyLimiter]


@pytest.fixture(params=["redis", "local"])
def make_limiter(request: pytest.FixtureRequest) -> MakeLimiter:
    """Builds limiters that share state as the workers of one deployment do: through Redis, or
    (no REDIS_URL) within this process."""
    if request.param == "redis":
        return redis_limiter
    local = _LocalBackend()
    return lambda realm, rate_limits: CompanyLimiter(realm, limits=rate_limits, backend=local)


# -- one process ------------------------------------------------------------------------------


def test_a_full_window_waits_until_its_oldest_call_has_been_over_a_minute(make_limiter):
    rate_limits = limits(requests_per_minute=2, time_scale=120)  # a minute lasts 0.5 s
    realm = new_realm()
    limiter = make_limiter(realm, rate_limits)
    with limiter.request_slot():
        pass
    first_over = time.monotonic()
    with make_limiter(realm, rate_limits).request_slot():
        pass
    with limiter.request_slot(timeout=5):
        waited = time.monotonic() - first_over
    assert 0.45 <= waited < 0.8


def test_a_refused_limit_spends_no_slot_of_the_others(make_limiter):
    """Batches are full; the refused batch must not have used one of the 4 requests a minute."""
    realm = new_realm()
    limiter = make_limiter(realm, limits(requests_per_minute=4, batches_per_minute=2))
    for _ in range(2):
        with limiter.batch_slot(timeout=0):
            pass
    started = time.monotonic()
    with pytest.raises(RateLimitTimeout) as refused, limiter.batch_slot(timeout=0.2):
        pass
    assert 0.15 <= time.monotonic() - started < 1.0
    assert realm in refused.value.message
    assert "batch request" in refused.value.message
    for _ in range(2):  # plain requests still have room: batches count 2 of the 4
        with limiter.request_slot(timeout=0):
            pass
    with pytest.raises(RateLimitTimeout), limiter.request_slot(timeout=0):
        pass


def test_concurrency_cap_and_companies_do_not_share_limits(make_limiter):
    rate_limits = limits(concurrent=3)
    busy, other = new_realm(), new_realm()
    with ExitStack() as held:
        for _ in range(3):
            held.enter_context(make_limiter(busy, rate_limits).request_slot(timeout=0))
        with pytest.raises(RateLimitTimeout):
            held.enter_context(make_limiter(busy, rate_limits).batch_slot(timeout=0))
        for _ in range(3):  # another company: its own 3
            held.enter_context(make_limiter(other, rate_limits).request_slot(timeout=0))
    # Leaving the slots frees them (the windows are wide open here).
    with ExitStack() as held:
        for _ in range(3):
            held.enter_context(make_limiter(busy, rate_limits).request_slot(timeout=0))


def test_a_slot_is_released_when_the_call_fails(make_limiter):
    limiter = make_limiter(new_realm(), limits(concurrent=1))
    with pytest.raises(ZeroDivisionError), limiter.request_slot(timeout=0):
        1 / 0  # noqa: B018
    with limiter.request_slot(timeout=0):
        pass


def test_penalize_pauses_every_worker_of_that_company_only(make_limiter):
    rate_limits = limits(time_scale=60)
    realm = new_realm()
    make_limiter(realm, rate_limits).penalize(30)  # QBO's 30 s: 0.5 s at this scale
    make_limiter(realm, rate_limits).penalize(6)  # a shorter pause does not shorten it
    with make_limiter(new_realm(), rate_limits).request_slot(timeout=0):
        pass
    started = time.monotonic()
    with pytest.raises(RateLimitTimeout), make_limiter(realm, rate_limits).request_slot(timeout=0):
        pass
    with make_limiter(realm, rate_limits).batch_slot(timeout=5):
        waited = time.monotonic() - started
    assert 0.4 <= waited < 0.9


# -- settings and the fallback ----------------------------------------------------------------


def test_company_limiter_takes_its_limits_from_settings_and_shares_them_through_redis(settings):
    settings.REDIS_URL = redis_url()
    settings.QBO_RATE_CONCURRENT = 2
    settings.QBO_RATE_TIME_SCALE = 60
    settings.QBO_TIMEOUT_SECONDS = 5
    realm = new_realm()
    limiter = company_limiter(realm)
    assert limiter.limits.concurrent == 2
    assert limiter.limits.minute == 1.0
    assert limiter.limits.lease_seconds == 2 * 5 + limiter_module.LEASE_MARGIN_SECONDS
    another_worker = redis_limiter(realm, limiter.limits)
    with (
        limiter.request_slot(timeout=0),
        company_limiter(realm).request_slot(timeout=0),
        pytest.raises(RateLimitTimeout),
        another_worker.request_slot(timeout=0),
    ):
        pass


def test_without_redis_limits_are_per_process_and_it_says_so_once(settings, caplog, monkeypatch):
    settings.REDIS_URL = ""
    settings.QBO_RATE_CONCURRENT = 1
    monkeypatch.setattr(limiter_module, "_warned_local", False)
    realm = new_realm()
    with (
        caplog.at_level(logging.WARNING, logger="quickbooks_sync.qbo.limiter"),
        company_limiter(realm).request_slot(timeout=0),
        pytest.raises(RateLimitTimeout),
        company_limiter(realm).request_slot(timeout=0),
    ):
        pass
    warnings = [r for r in caplog.records if "REDIS_URL is not set" in r.getMessage()]
    assert len(warnings) == 1


def test_bad_limits_are_refused():
    with pytest.raises(ValueError):
        limits(concurrent=0)
    with pytest.raises(ValueError):
        limits(time_scale=0)
    with pytest.raises(ValueError):
        company_limiter("")


# -- several processes ------------------------------------------------------------------------

HAMMER = limits(
    requests_per_minute=24,
    requests_per_second=4,
    batches_per_minute=6,
    concurrent=2,  # three processes per company
    time_scale=120,  # minute 0.5 s, second 8.3 ms
)


def _hammer(realm: str, go: Any, until: float, results: Any, seed: int) -> None:
    rng = random.Random(seed)
    limiter = redis_limiter(realm, HAMMER)
    calls = []
    go.wait()
    while time.time() < until:
        batch = rng.random() < 0.4
        slot = limiter.batch_slot if batch else limiter.request_slot
        try:
            with slot(timeout=max(until - time.time(), 0)):
                start = time.time()
                time.sleep(rng.uniform(0, 0.01))
                calls.append((realm, batch, start, time.time()))
        except RateLimitTimeout:
            break
    results.put(calls)


def _never_more_than(starts: list[float], limit: int, span: float) -> None:
    starts = sorted(starts)
    tightest = min(
        (starts[i + limit] - starts[i] for i in range(len(starts) - limit)), default=span
    )
    # Starts are read after the grant, on the same machine's clock as Redis' TIME.
    assert tightest >= span - 0.002, (limit, span, tightest)


def _max_overlap(calls: list[tuple[str, bool, float, float]]) -> int:
    events = sorted([(start, 1) for *_, start, _ in calls] + [(end, -1) for *_, end in calls])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


def _at_once(target: Any, heads: list[tuple[Any, ...]], seconds: float) -> list[Any]:
    """A process per head running target(*head, go, until, results, i), all released together
    and running for `seconds`: what they put on the queue, every process's list joined."""
    go, results = FORK.Event(), FORK.Queue()
    until = time.time() + seconds
    workers = [
        FORK.Process(target=target, args=(*head, go, until, results, i))
        for i, head in enumerate(heads)
    ]
    for worker in workers:
        worker.start()
    go.set()
    collected = [item for _ in workers for item in results.get(timeout=30)]
    for worker in workers:
        worker.join(timeout=10)
    return collected


def test_processes_hammering_one_company_stay_within_every_limit():
    realms = [new_realm(), new_realm()]
    calls = _at_once(_hammer, [(realms[i % 2],) for i in range(6)], seconds=2.0)
    for realm in realms:
        mine = [call for call in calls if call[0] == realm]
        _never_more_than([start for *_, start, _ in mine], HAMMER.requests_per_minute, 0.5)
        _never_more_than([start for *_, start, _ in mine], HAMMER.requests_per_second, 1 / 120)
        batches = [start for _, batch, start, _ in mine if batch]
        _never_more_than(batches, HAMMER.batches_per_minute, 0.5)
        assert _max_overlap(mine) <= HAMMER.concurrent
        # More calls than one window holds: the windows did slide and refill (2 s = 4 minutes).
        assert len(mine) > 2 * HAMMER.requests_per_minute, len(mine)


def _hold_and_die(realm: str, rate_limits: RateLimits, granted_at: Any) -> None:
    limiter = redis_limiter(realm, rate_limits)
    slot = limiter.request_slot(timeout=5)
    slot.__enter__()  # and never leaves it: the process dies holding the slot
    granted_at.value = time.time()
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_killed_holding_a_slot_frees_it_when_its_lease_ends():
    rate_limits = limits(concurrent=1, lease_seconds=2.0)
    realm = new_realm()
    granted_at = FORK.Value("d", 0.0)
    worker = FORK.Process(target=_hold_and_die, args=(realm, rate_limits, granted_at))
    worker.start()
    worker.join(timeout=10)
    assert worker.exitcode == -signal.SIGKILL
    limiter = redis_limiter(realm, rate_limits)
    with pytest.raises(RateLimitTimeout), limiter.request_slot(timeout=0):
        pass
    with limiter.request_slot(timeout=5):
        freed_after = time.time() - granted_at.value
    assert 1.9 <= freed_after < 2.6


# -- against the emulator ---------------------------------------------------------------------

# The emulator's own throttles, tightened, and the limiter set to the same numbers: through the
# limiter, processes calling one company at once must never meet a 429 (QBO measures its windows
# when a call arrives, which the network delays).
EMULATOR_SETTINGS = {
    "rate_per_minute": 40,
    "rate_per_second": 6,
    "concurrent": 2,
    "batch_per_minute": 10,
    "time_scale": 60,
}
THROUGH_EMULATOR = limits(
    requests_per_minute=40,
    requests_per_second=6,
    batches_per_minute=10,
    concurrent=2,
    time_scale=60,  # a minute lasts 1 s
)


def _call_emulator(
    api: str, realm: str, token: str, go: Any, until: float, results: Any, seed: int
) -> None:
    import requests

    rng = random.Random(seed)
    limiter = redis_limiter(realm, THROUGH_EMULATOR)
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    statuses = []
    go.wait()
    while time.time() < until:
        batch = rng.random() < 0.3
        try:
            with (limiter.batch_slot if batch else limiter.request_slot)(timeout=1):
                if batch:
                    body = {"BatchItemRequest": [{"bId": "1", "Query": "SELECT * FROM Customer"}]}
                    response = http.post(f"{api}/company/{realm}/batch", json=body, timeout=10)
                else:
                    response = http.get(f"{api}/company/{realm}/companyinfo/{realm}", timeout=10)
            statuses.append(response.status_code)
        except RateLimitTimeout:
            continue
    results.put(statuses)


@pytest.mark.sandbox
def test_processes_through_the_limiter_never_meet_the_emulators_throttle(tmp_path):
    from quickbooks_sync.qbo.oauth import QBOAuth
    from quickbooks_sync.qbo.types import QBOConfig
    from tests.sandbox_process import SandboxProcess

    with SandboxProcess(tmp_path / "qbo.sqlite3", settings=EMULATOR_SETTINGS) as qbo:
        realm = qbo.create_company(name="Limiter Co")
        auth = QBOAuth(
            QBOConfig(
                client_id="sandbox-client-id",
                client_secret="sandbox-client-secret",
                redirect_uri="http://127.0.0.1:8000/quickbooks/callback",
                environment=qbo.discovery_url,
                api_base_url=qbo.base_url,
                timeout=5,
            )
        )
        location = qbo.approve(auth.authorization_url("s"), realm)
        code = location.split("code=")[1].split("&")[0]
        token = auth.exchange_code(code).access_token
        heads = [(qbo.api_url_v3, realm, token)] * 4
        statuses = _at_once(_call_emulator, heads, seconds=2.5)
        log = qbo.control("GET", f"/requests?realm={realm}&limit=1000")
    assert statuses.count(429) == 0, statuses
    assert set(statuses) == {200}
    assert len(statuses) > 2 * THROUGH_EMULATOR.requests_per_minute  # the windows slid
    logged = [entry["status"] for entry in log["requests"]]
    assert len(logged) == len(statuses)
    assert 429 not in logged
