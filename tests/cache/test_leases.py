"""Fetch leases when Redis blinks: holders release, waiters take over in time, and a 503 says why (D11)."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

import pytest

from altslot.availability.assembler import Availability
from altslot.availability.days import DaysQuery
from altslot.cache.base import DayEntry
from altslot.cache.fallback import FallbackCache, FallbackLeases
from altslot.cache.memory import MemoryDayCache
from altslot.cache.redis import RedisDayCache, RedisLeases
from altslot.shared.health import RedisHealth
from altslot.shared.keys import lease_key
from altslot.shared.redis_client import connect_redis
from altslot.shell.runtime import Runtime
from altslot.types import Account, EventTypeId, Tenant, TenantId
from tests.support.availability import FIRST, LAST, runtime_for, simulator, slot_calls
from tests.support.clocks import FakeClock
from tests.support.world import EVENT, Clock

ORPHAN_MS = 60_000  # far beyond every deadline: only a release or a take-over frees these


async def leased_elsewhere(runtime: Runtime, unique: str, holder: str) -> tuple[Tenant, DaysQuery]:
    """The tenant and its 15-day query, every day's lease held in Redis by ``holder`` (another instance)."""
    tenant = runtime.tenants.get(unique)
    assert tenant is not None and runtime.redis is not None
    query = DaysQuery.of(tenant, EVENT, FIRST, LAST)
    for key in query.day_keys():
        await runtime.redis.set(lease_key(key), holder, px=ORPHAN_MS)
    return tenant, query


def on_shared_redis(runtime: Runtime, clock: FakeClock) -> Availability:
    """An ``Availability`` on the runtime's Redis whose lease waiting runs on ``clock`` (polls move it)."""
    assert runtime.redis is not None and runtime.health is not None
    return Availability(
        FallbackCache(RedisDayCache(runtime.redis), MemoryDayCache(Clock()), runtime.health),
        runtime.upstream.get_slots,
        Clock(),
        fresh_ttl=60,
        max_stale=900,
        max_range_days=31,
        leases=FallbackLeases(RedisLeases(runtime.redis), runtime.health),
        monotonic=clock,
        sleep=clock.sleep,
    )


@pytest.mark.anyio
async def test_holder_releases_its_lease_while_redis_counts_as_down(redis_url: str, unique: str) -> None:
    """After a blip marked Redis down, the holder's release still reaches Redis: no orphaned lease."""
    link = connect_redis(redis_url)
    health = RedisHealth(monotonic=FakeClock())
    leases = FallbackLeases(RedisLeases(link.client), health)
    account = Account(TenantId(unique), "http://calcom.test")
    keys = DaysQuery(account, EventTypeId(EVENT), 30, ZoneInfo("Europe/Berlin"), FIRST, LAST).day_keys()
    try:
        assert await leases.acquire(keys, 15) == keys
        health.failed(ConnectionError("a blip"))
        assert not health.usable
        await leases.release(keys)
        assert await link.client.exists(*[lease_key(k) for k in keys]) == 0
    finally:
        await link.client.delete(*[lease_key(k) for k in keys])
        await link.aclose()


@pytest.mark.anyio
async def test_waiter_on_an_orphaned_lease_fetches_the_days_itself_within_its_deadline(
    redis_url: str, unique: str
) -> None:
    """Leases orphaned by another instance: the waiter stops polling 1 s before its deadline and fetches."""
    clock = FakeClock()
    with simulator() as sim:
        async with runtime_for(sim, unique, Clock(), redis_url=redis_url) as runtime:
            _, query = await leased_elsewhere(runtime, unique, "a-dead-instance")
            assert runtime.redis is not None
            availability = on_shared_redis(runtime, clock)
            started = clock.now
            report = await availability.collect(query, 5.0)
            await runtime.redis.delete(*[lease_key(k) for k in query.day_keys()])
        assert len(report.entries) == 15 and not report.timeout_hit and not report.errors
        assert report.upstream_calls == 1 == slot_calls(sim)
        assert 4.0 <= clock.now - started < 5.0  # gave up polling at deadline − 1 s, not at the lease's lapse


@pytest.mark.anyio
async def test_a_slow_holder_that_delivers_after_the_take_over_still_answers(redis_url: str, unique: str) -> None:
    """Past the give-up point the waiter fetches itself but keeps watching: the holder's late result wins."""
    clock = FakeClock()
    with simulator(latency_ms=4_000) as sim:  # our own call comes back long after the holder delivers
        async with runtime_for(sim, unique, Clock(), redis_url=redis_url) as runtime:
            _, query = await leased_elsewhere(runtime, unique, "a-slow-instance")
            assert runtime.redis is not None
            shared = RedisDayCache(runtime.redis)
            availability = on_shared_redis(runtime, clock)
            waiting = asyncio.create_task(availability.collect(query, 5.0))
            for _ in range(1000):  # bounded: the waiter's own call reaches the simulator
                if await asyncio.to_thread(slot_calls, sim) == 1:
                    break
                await asyncio.sleep(0.01)
            late = DayEntry((), Clock().now, 30)
            await shared.set_many(dict.fromkeys(query.day_keys(), late), 60)  # the slow holder delivers
            report = await waiting
            await runtime.redis.delete(*[lease_key(k) for k in query.day_keys()])
            await availability.aclose()
        assert len(report.entries) == 15 and not report.timeout_hit and not report.errors
        assert set(report.entries.values()) == {late}
