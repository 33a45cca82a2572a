"""The guard: deadline → breaker → rate limit → retry → call, and what it tells the limiter."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from altslot.calcom.errors import BadRequest, CalcomError, RateLimited, ServerError, Timeout
from altslot.calcom.wire import RateLimitInfo
from altslot.events import BreakerTransition, Event, Events
from altslot.upstream import (
    Breaker,
    BreakerPolicy,
    CircuitOpen,
    Deadline,
    DeadlineExceeded,
    Guard,
    Limiter,
    RateLimitWaitExceeded,
    ResilienceSettings,
    RetryPolicy,
    api_key_identity,
    build_guard,
)
from tests.support.clocks import FakeClock
from tests.support.ops import Upstream

pytestmark = pytest.mark.anyio


def make_guard(clock: FakeClock, *, rate: str = "120/minute", attempts: int = 3, failures: int = 1) -> Guard:
    """A memory-only guard with tiny backoffs and a breaker that opens after ``failures`` failures."""
    return Guard(
        breaker=Breaker.in_memory(BreakerPolicy(failure_threshold=failures, cool_down_seconds=30.0), clock=clock),
        limiter=Limiter(rate=rate, clock=clock),
        retry=RetryPolicy(max_attempts=attempts, backoff_initial=0.001, backoff_max=0.005, backoff_jitter=0.0),
        clock=clock,
    )


async def test_open_breaker_skips_the_op_and_the_limiter(clock: FakeClock, key: str) -> None:
    """With the circuit open the op is never invoked and no rate-limit budget is spent."""
    guard = make_guard(clock, rate="2/minute", attempts=1)
    with pytest.raises(ServerError):
        await guard.call(key, "acme", Upstream(ServerError("down", status=500)), guard.deadline(5.0))
    upstream = Upstream()
    for _ in range(5):
        with pytest.raises(CircuitOpen):
            await guard.call(key, "acme", upstream, guard.deadline(5.0))
    assert upstream.calls == 0
    # One of the two requests per minute is still there: the five refused calls took none.
    assert await guard.limiter.acquire(key, guard.deadline(1.0)) == 0.0


async def test_every_retry_attempt_takes_from_the_rate_limit(clock: FakeClock, key: str) -> None:
    """Retries pass the limiter too: with 2/minute the third attempt is refused before calling."""
    guard = make_guard(clock, rate="2/minute", attempts=3, failures=5)
    upstream = Upstream(ServerError("down", status=503))
    with pytest.raises(RateLimitWaitExceeded):
        await guard.call(key, "acme", upstream, guard.deadline(5.0))
    assert upstream.calls == 2


async def test_429_blocks_the_key_for_later_calls(clock: FakeClock, key: str) -> None:
    """A 429 that still arrives blocks the key; the next call is refused without reaching Cal.com."""
    guard = make_guard(clock)
    with pytest.raises(RateLimited):
        await guard.call(key, "acme", Upstream(RateLimited("slow", reset_seconds=60.0)), guard.deadline(5.0))
    assert await guard.limiter.held_for(key) == pytest.approx(60.0)
    upstream = Upstream()
    with pytest.raises(RateLimitWaitExceeded):
        await guard.call(key, "acme", upstream, guard.deadline(5.0))
    assert upstream.calls == 0
    assert await guard.breaker.state(key) == "closed"


async def test_fresh_rate_headers_are_observed_stale_ones_ignored(clock: FakeClock, key: str) -> None:
    """Headers from this attempt's response feed the limiter; the client's older headers do not."""
    guard = make_guard(clock)
    exhausted = RateLimitInfo(limit=120, remaining=0, reset_seconds=20.0)
    last: list[RateLimitInfo | None] = [exhausted]

    async def answered() -> str:
        last[0] = RateLimitInfo(limit=120, remaining=0, reset_seconds=20.0)
        return "ok"

    assert await guard.call(key, "acme", Upstream(), guard.deadline(5.0), rate_info=lambda: last[0]) == "ok"
    assert await guard.limiter.held_for(key) == 0.0
    assert await guard.call(key, "acme", answered, guard.deadline(5.0), rate_info=lambda: last[0]) == "ok"
    assert await guard.limiter.held_for(key) == pytest.approx(20.0)


async def test_fatal_error_passes_through_once(clock: FakeClock, key: str) -> None:
    """A 400 reaches the caller after one call: no retry, and the breaker stays closed."""
    guard = make_guard(clock)
    upstream = Upstream(BadRequest("slot taken", status=400))
    with pytest.raises(BadRequest):
        await guard.call(key, "acme", upstream, guard.deadline(5.0))
    assert upstream.calls == 1
    assert await guard.breaker.state(key) == "closed"


async def test_retry_false_makes_exactly_one_attempt(clock: FakeClock, key: str) -> None:
    """``retry=False`` calls once even on a retryable 503, and that one failure still reaches the breaker."""
    guard = make_guard(clock, attempts=3, failures=1)
    upstream = Upstream(ServerError("down", status=503))
    with pytest.raises(ServerError):
        await guard.call(key, "acme", upstream, guard.deadline(5.0), retry=False)
    assert upstream.calls == 1
    assert await guard.breaker.state(key) == "open"


async def test_expired_deadline_does_nothing(clock: FakeClock, key: str) -> None:
    """A call whose deadline already passed raises DeadlineExceeded without touching anything."""
    guard = make_guard(clock, rate="1/minute")
    deadline = guard.deadline(1.0)
    clock.advance(1.0)
    upstream = Upstream()
    with pytest.raises(DeadlineExceeded):
        await guard.call(key, "acme", upstream, deadline)
    assert upstream.calls == 0
    assert await guard.limiter.acquire(key, guard.deadline(1.0)) == 0.0


async def test_deadline_cuts_a_hanging_call_without_opening_the_breaker(key: str) -> None:
    """A call still running at the deadline is cancelled; that is not held against Cal.com's health."""
    guard = build_guard(ResilienceSettings(failure_threshold=1))

    async def hang() -> str:
        await asyncio.sleep(3600)
        return "never"

    with pytest.raises(DeadlineExceeded):
        await guard.call(key, "acme", hang, Deadline.after(0.05))
    assert await guard.breaker.state(key) == "closed"


async def test_timeout_then_deadline_counts_as_a_failure(key: str) -> None:
    """D6: an attempt that hit its timeout counts for the breaker even when the deadline cut the retry."""
    guard = Guard(
        breaker=Breaker.in_memory(BreakerPolicy(failure_threshold=1)),
        limiter=Limiter(rate="120/minute"),
        retry=RetryPolicy(max_attempts=3, backoff_initial=0.0, backoff_max=0.0, min_attempt_seconds=0.0),
    )
    attempts = 0

    async def hangs_after_a_timeout() -> str:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise Timeout("no answer in time")
        await asyncio.Event().wait()  # the retry hangs until the deadline cancels it
        return "never"

    with pytest.raises(DeadlineExceeded):
        await guard.call(key, "acme", hangs_after_a_timeout, Deadline.after(0.2))
    assert attempts == 2
    assert await guard.breaker.state(key) == "open"


async def test_build_guard_over_redis_shares_the_breaker(redis: Redis, key: str) -> None:
    """Two guards built on one Redis: failures through one open the circuit for the other."""
    events = Events()
    seen: list[Event] = []
    events.subscribe(seen.append)
    settings = ResilienceSettings(failure_threshold=2, max_attempts=1)
    first = build_guard(settings, redis=redis, events=events)
    second = build_guard(settings, redis=redis)
    for _ in range(2):
        with pytest.raises(CalcomError):
            await first.call(key, "acme", Upstream(ServerError("down", status=500)), first.deadline(5.0))
    upstream = Upstream()
    with pytest.raises(CircuitOpen):
        await second.call(key, "acme", upstream, second.deadline(5.0))
    assert upstream.calls == 0
    assert seen == [BreakerTransition(tenant="acme", state="open")]


def test_api_key_identity_hides_the_key() -> None:
    """The identity is a 16-hex-digit digest, stable per key and never containing the key."""
    identity = api_key_identity("cal_live_secret")
    assert identity == api_key_identity("cal_live_secret")
    assert len(identity) == 16
    assert "secret" not in identity
    assert identity != api_key_identity("cal_live_other")


def test_settings_defaults() -> None:
    """The [resilience] section defaults match the design."""
    settings = ResilienceSettings()
    assert settings.model_dump() == {
        "failure_threshold": 5,
        "success_threshold": 2,
        "cool_down_seconds": 30.0,
        "max_attempts": 3,
        "backoff_initial": 0.1,
        "backoff_max": 2.0,
        "rate_limit_per_minute": 120,
    }
