"""The limiter: waits within the deadline, learns from Cal.com's headers, shares blocks via Redis."""

from __future__ import annotations

import logging

import pytest
from redis.asyncio import Redis

from altslot.calcom.wire import RateLimitInfo
from altslot.events import Event, Events, RateLimitWait
from altslot.shared.health import RedisHealth
from altslot.shared.keys import ratelimit_block_key as block_key
from altslot.shared.redis_client import connect_redis
from altslot.upstream.deadline import Deadline
from altslot.upstream.ratelimit import Limiter, RateLimitWaitExceeded
from tests.support.clocks import FakeClock
from tests.support.outage import assert_one_outage_logged
from tests.support.redis_servers import PrivateRedis

pytestmark = pytest.mark.anyio


class StopWaiting(Exception):
    """Raised by a recording sleep to end an acquire that decided to wait."""


async def take(limiter: Limiter, key: str, count: int, clock: FakeClock) -> None:
    """Acquire ``count`` times; each must pass without waiting (answers carry no rate-limit headers)."""
    for _ in range(count):
        assert await limiter.acquire(key, Deadline.after(5.0, clock)) == 0.0
        await limiter.observe(key, None)


async def test_sixth_acquire_raises_when_the_deadline_is_too_short(clock: FakeClock, key: str) -> None:
    """With 5/minute the sixth call would wait about a minute; a 2 s deadline makes it raise at once."""
    limiter = Limiter(rate="5/minute", clock=clock)
    await take(limiter, key, 5, clock)
    with pytest.raises(RateLimitWaitExceeded) as raised:
        await limiter.acquire(key, Deadline.after(2.0, clock))
    assert 2.0 < raised.value.retry_after <= 60.0


async def test_sixth_acquire_waits_in_steps_when_the_deadline_allows(clock: FakeClock, key: str) -> None:
    """With 5/minute and a 2-minute deadline the sixth call sleeps (in steps) instead of raising."""
    steps: list[float] = []

    async def recording_sleep(seconds: float) -> None:
        steps.append(seconds)
        raise StopWaiting

    limiter = Limiter(rate="5/minute", clock=clock, sleep=recording_sleep, step_seconds=0.25)
    await take(limiter, key, 5, clock)
    with pytest.raises(StopWaiting):
        await limiter.acquire(key, Deadline.after(120.0, clock))
    assert steps == [0.25]


async def test_acquire_waits_for_the_window_and_reports_it(clock: FakeClock, key: str) -> None:
    """With 5/second the sixth call really waits for the window, then passes and emits RateLimitWait."""
    events = Events()
    seen: list[Event] = []
    events.subscribe(seen.append)
    limiter = Limiter(rate="5/second", events=events, clock=clock, step_seconds=0.05)
    await take(limiter, key, 5, clock)
    waited = await limiter.acquire(key, Deadline.after(5.0, clock), tenant="acme")
    assert waited > 0
    assert seen == [RateLimitWait(tenant="acme", seconds=waited)]


async def test_observe_exhausted_budget_holds_until_reset(clock: FakeClock, key: str) -> None:
    """Remaining 0 in Cal.com's headers holds the key for the reset seconds, measured on the clock."""
    limiter = Limiter(clock=clock, sleep=clock.sleep, step_seconds=0.5)
    await limiter.observe(key, RateLimitInfo(limit=120, remaining=0, reset_seconds=2.0))
    with pytest.raises(RateLimitWaitExceeded) as raised:
        await limiter.acquire(key, Deadline.after(1.0, clock))
    assert raised.value.retry_after == pytest.approx(2.0)
    assert await limiter.acquire(key, Deadline.after(10.0, clock)) == pytest.approx(2.0)
    assert await limiter.held_for(key) == 0.0


async def test_observe_with_budget_left_does_not_hold(clock: FakeClock, key: str) -> None:
    """Headers with requests remaining change nothing."""
    limiter = Limiter(clock=clock)
    await limiter.observe(key, RateLimitInfo(limit=120, remaining=3, reset_seconds=40.0))
    assert await limiter.held_for(key) == 0.0
    assert await limiter.acquire(key, Deadline.after(1.0, clock)) == 0.0


async def test_block_is_seen_by_another_instance_over_redis(redis: Redis, clock: FakeClock, key: str) -> None:
    """A 429 block set by one instance holds the key on another instance sharing the Redis."""
    first = Limiter(redis=redis, clock=clock)
    second = Limiter(redis=redis, clock=clock)
    await first.block(key, 30.0)
    assert 29.0 < await second.held_for(key) <= 30.0
    with pytest.raises(RateLimitWaitExceeded) as raised:
        await second.acquire(key, Deadline.after(5.0, clock))
    assert raised.value.retry_after > 5.0
    assert 29_000 < await redis.pttl(block_key(key)) <= 30_000


async def test_shorter_block_does_not_cut_a_longer_one(redis: Redis, clock: FakeClock, key: str) -> None:
    """Blocks only ever extend: a later 5 s report leaves a 30 s block in place."""
    limiter = Limiter(redis=redis, clock=clock)
    await limiter.block(key, 30.0)
    await limiter.block(key, 5.0)
    assert await redis.pttl(block_key(key)) > 25_000


async def test_window_is_shared_over_redis(redis: Redis, clock: FakeClock, key: str) -> None:
    """Two instances draw from one budget: 3/minute taken by one leaves nothing for the other."""
    first = Limiter(rate="3/minute", redis=redis, clock=clock)
    second = Limiter(rate="3/minute", redis=redis, clock=clock)
    await take(first, key, 3, clock)
    with pytest.raises(RateLimitWaitExceeded):
        await second.acquire(key, Deadline.after(5.0, clock))
    assert [k async for k in redis.scan_iter(match=f"altslot:{{{key}}}:ratelimit*")]


async def test_redis_down_falls_back_to_memory(
    dead_redis: Redis, clock: FakeClock, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Without Redis the limiter still limits (in memory) and logs a single warning."""
    limiter = Limiter(rate="2/minute", redis=dead_redis, clock=clock)
    with caplog.at_level(logging.WARNING, logger="altslot.upstream.ratelimit"):
        await take(limiter, key, 2, clock)
        await limiter.block(f"{key}-b", 10.0)
        with pytest.raises(RateLimitWaitExceeded):
            await limiter.acquire(key, Deadline.after(5.0, clock))
    assert await limiter.held_for(f"{key}-b") == pytest.approx(10.0)
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


async def test_redis_outage_limits_in_memory_and_is_logged_when_it_starts_and_ends(
    private_redis: PrivateRedis, clock: FakeClock, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis killed: the window and blocks live in memory; back one window later: shared again, 2 lines."""
    link = connect_redis(private_redis.url)
    health = RedisHealth(monotonic=clock)
    limiter = Limiter(rate="2/minute", redis=link.client, window=link.window, health=health, clock=clock)
    try:
        with caplog.at_level(logging.WARNING):
            await take(limiter, key, 1, clock)  # counted in Redis
            private_redis.stop()
            await take(limiter, key, 2, clock)  # memory's window starts empty
            with pytest.raises(RateLimitWaitExceeded):
                await limiter.acquire(key, Deadline.after(5.0, clock))
            await limiter.block(f"{key}-b", 10.0)
            assert await limiter.held_for(f"{key}-b") == pytest.approx(10.0)
            private_redis.start()  # empty: no window, no block
            clock.advance(health.window)
            await take(limiter, key, 2, clock)
            await limiter.block(f"{key}-c", 10.0)
            assert await link.client.pttl(block_key(f"{key}-c")) > 0
    finally:
        await link.aclose()
    assert_one_outage_logged(caplog)
