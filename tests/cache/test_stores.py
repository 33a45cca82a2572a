"""Day-cache backends and fetch leases against a real Redis and in memory."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from redis.asyncio import Redis

from altslot.cache import DayEntry, MemoryDayCache
from altslot.cache.redis import RedisDayCache, RedisLeases
from altslot.shared.keys import day_key, lease_key
from altslot.types import DayKey, EventTypeId, TenantId

T0 = datetime(2025, 9, 29, 6, 0, tzinfo=UTC)


def key(tenant: str, day: int = 0) -> DayKey:
    return DayKey(TenantId(tenant), EventTypeId(7), 30, date(2025, 9, 29) + timedelta(days=day))


def entry(hour: int = 9) -> DayEntry:
    return DayEntry((datetime(2025, 9, 29, hour, tzinfo=UTC), datetime(2025, 9, 29, hour, 30, tzinfo=UTC)), T0, 30)


def test_keys_carry_the_tenant_as_hash_tag() -> None:
    """Every Redis key of a tenant has {tenant} so Redis Cluster keeps them in one slot."""
    assert day_key(key("salon")) == "altslot:{salon}:day:7:30:2025-09-29"
    assert lease_key(key("salon")).startswith("altslot:{salon}:lease:")


@pytest.mark.anyio
async def test_redis_cache_round_trip_and_ttl(redis_url: str, unique: str) -> None:
    """Entries survive the round trip exactly and carry the TTL they were given."""
    redis = Redis.from_url(redis_url)
    cache = RedisDayCache(redis)
    try:
        await cache.set_many({key(unique): entry(), key(unique, 1): entry(10)}, ttl_seconds=30)
        found = await cache.get_many([key(unique), key(unique, 1), key(unique, 2)])
        assert found == {key(unique): entry(), key(unique, 1): entry(10)}
        ttl = await redis.pttl(day_key(key(unique)))
        assert 0 < ttl <= 30_000
        await cache.delete([key(unique)])
        assert list(await cache.get_many([key(unique)])) == []
    finally:
        await cache.delete([key(unique, 1)])
        await redis.aclose()


@pytest.mark.anyio
async def test_leases_are_exclusive_until_released(redis_url: str, unique: str) -> None:
    """Two instances: a day's lease goes to one of them; the other gets it only after release."""
    a, b = Redis.from_url(redis_url), Redis.from_url(redis_url)
    first, second = RedisLeases(a), RedisLeases(b)
    keys = [key(unique), key(unique, 1)]
    try:
        assert await first.acquire(keys, 5) == keys
        assert await second.acquire(keys, 5) == []
        assert await second.held(keys) == keys
        await second.release(keys)  # not its leases: nothing happens
        assert await second.acquire(keys, 5) == []
        await first.release(keys[:1])
        assert await second.acquire(keys, 5) == keys[:1]
    finally:
        await first.release(keys)
        await second.release(keys)
        await a.aclose()
        await b.aclose()


@pytest.mark.anyio
async def test_lease_lapses_when_its_holder_dies(redis_url: str, unique: str) -> None:
    """A lease has a TTL, so a holder that never releases cannot block the day forever."""
    redis = Redis.from_url(redis_url)
    try:
        assert await RedisLeases(redis).acquire([key(unique)], 0.05) == [key(unique)]
        await redis.delete("nothing")  # a round trip; the lease is short enough to lapse meanwhile
        import asyncio

        await asyncio.sleep(0.1)
        assert await RedisLeases(redis).acquire([key(unique)], 5) == [key(unique)]
    finally:
        await redis.delete(lease_key(key(unique)))
        await redis.aclose()


@pytest.mark.anyio
async def test_memory_cache_stays_within_its_bound() -> None:
    """The memory backend never holds more than max_entries days; the least recently used go first."""
    cache = MemoryDayCache(lambda: T0, max_entries=10)
    for day in range(25):
        await cache.set_many({key("m", day): entry()}, ttl_seconds=60)
        await cache.get_many([key("m", 0)])  # day 0 stays in use
    assert len(cache) == 10
    assert key("m", 0) in await cache.get_many([key("m", 0)])
    assert await cache.get_many([key("m", 1)]) == {}


@pytest.mark.anyio
async def test_memory_cache_expires_entries() -> None:
    """An entry past its TTL is gone."""
    now = [T0]
    cache = MemoryDayCache(lambda: now[0])
    await cache.set_many({key("m"): entry()}, ttl_seconds=60)
    now[0] = T0 + timedelta(seconds=61)
    assert await cache.get_many([key("m")]) == {}
