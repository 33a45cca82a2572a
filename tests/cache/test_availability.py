"""Horizon assembly against the simulator over loopback HTTP: single-flight, deadlines, SWR, Redis."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from altslot.availability.days import DaysQuery, FetchReport
from altslot.availability.horizons import REREAD_EVERY
from altslot.shared.keys import lease_key
from altslot.shell.runtime import Runtime
from tests.support.availability import FIRST, LAST, runtime_for, simulator, slot_calls
from tests.support.redis_servers import PrivateRedis
from tests.support.world import EVENT, NOW, Clock, Jumps


async def collect(runtime: Runtime, tenant: str, wait: float = 10.0) -> FetchReport:
    found = runtime.tenants.get(tenant)
    assert found is not None
    return await runtime.availability.collect(DaysQuery.of(found, EVENT, FIRST, LAST), wait)


@pytest.mark.anyio
async def test_cold_burst_makes_one_upstream_call(unique: str) -> None:
    """100 concurrent cold searches for one horizon share a single GET /v2/slots."""
    with simulator(latency_ms=200) as sim:
        async with runtime_for(sim, unique, Clock()) as runtime:
            reports = await asyncio.gather(*(collect(runtime, unique) for _ in range(100)))
        assert slot_calls(sim) == 1
        assert all(len(r.entries) == 15 and not r.errors for r in reports)
        assert sum(r.upstream_calls for r in reports) == 1


@pytest.mark.anyio
async def test_long_gaps_split_into_parallel_calls(unique: str) -> None:
    """Above max_range_days a gap is split, and only then: 15 days at 5 per call are 3 calls."""
    with simulator() as sim:
        async with runtime_for(sim, unique, Clock(), max_range_days=5) as runtime:
            report = await collect(runtime, unique)
        assert report.upstream_calls == 3 == slot_calls(sim)
        assert len(report.entries) == 15


@pytest.mark.anyio
async def test_deadline_stops_the_caller_not_the_shared_fetch(unique: str) -> None:
    """A caller that gives up gets timeout_hit; the fetch still lands and the next search is a hit."""
    with simulator(latency_ms=300) as sim:
        async with runtime_for(sim, unique, Clock()) as runtime:
            impatient = await collect(runtime, unique, wait=0.01)
            assert impatient.timeout_hit and not impatient.entries
            await runtime.availability.aclose()  # the shared fetch finishes on its own
            later = await collect(runtime, unique)
        assert later.cache_hits == 15 and later.upstream_calls == 0
        assert slot_calls(sim) == 1


@pytest.mark.anyio
async def test_stale_days_are_served_at_once_and_refreshed_in_the_background(unique: str) -> None:
    """Past fresh_ttl a day is served stale without waiting while one refresh runs; then it is fresh."""
    clock = Clock()
    with simulator(latency_ms=100) as sim:
        async with runtime_for(sim, unique, clock) as runtime:
            await collect(runtime, unique)
            clock.now = NOW + timedelta(seconds=61)
            stale = await asyncio.gather(*(collect(runtime, unique) for _ in range(10)))
            assert all(r.stale_hits == 15 and r.upstream_calls == 0 and not r.timeout_hit for r in stale)
            await runtime.availability.aclose()
            fresh = await collect(runtime, unique)
            assert fresh.cache_hits == 15 and fresh.stale_hits == 0
            clock.now = NOW + timedelta(seconds=61 + 60 + 901)
            expired = await collect(runtime, unique)
            assert expired.cache_misses == 15
        assert slot_calls(sim) == 3


@pytest.mark.anyio
async def test_two_instances_on_one_redis_share_one_fetch(redis_url: str, unique: str) -> None:
    """Two instances on one Redis: 100 concurrent cold searches split across both make one call."""
    with simulator(latency_ms=300) as sim:
        async with (
            runtime_for(sim, unique, Clock(), redis_url=redis_url) as a,
            runtime_for(sim, unique, Clock(), redis_url=redis_url) as b,
        ):
            reports = await asyncio.gather(*(collect(a if i % 2 else b, unique) for i in range(100)))
        assert all(len(r.entries) == 15 and not r.errors for r in reports)
        assert slot_calls(sim) <= 2


@pytest.mark.anyio
async def test_waiter_fetches_itself_when_the_lease_holder_dies(redis_url: str, unique: str) -> None:
    """A lease held by a dead instance lapses; the waiting instance then fetches the days itself."""
    from redis.asyncio import Redis

    with simulator() as sim:
        async with runtime_for(sim, unique, Clock(), redis_url=redis_url) as runtime:
            dead = Redis.from_url(redis_url)
            tenant = runtime.tenants.get(unique)
            assert tenant is not None
            query = DaysQuery.of(tenant, EVENT, FIRST, LAST)
            for key in query.day_keys():
                await dead.set(lease_key(key), "dead", px=300)
            await dead.aclose()
            report = await collect(runtime, unique)
        assert len(report.entries) == 15
        assert slot_calls(sim) == 1


@pytest.mark.anyio
async def test_redis_outage_falls_back_to_memory(private_redis: PrivateRedis, unique: str) -> None:
    """Killing Redis mid-run fails no search; when it returns it is used again."""
    with simulator() as sim:
        monotonic = Jumps()
        async with runtime_for(sim, unique, Clock(), redis_url=private_redis.url, monotonic=monotonic) as runtime:
            assert len((await collect(runtime, unique)).entries) == 15
            private_redis.stop()
            during = [await collect(runtime, unique) for _ in range(5)]
            assert all(len(r.entries) == 15 and not r.errors for r in during)
            private_redis.start()
            monotonic.jump(5.1)  # past the outage back-off
            after = await collect(runtime, unique)
            assert len(after.entries) == 15, after
            assert runtime.redis is not None and await runtime.redis.dbsize() > 0


@pytest.mark.anyio
async def test_a_horizon_index_is_reused_until_one_of_its_days_changes(unique: str) -> None:
    """Warm searches share one built slot index; a booking taken out of one day gives that horizon a new one."""
    with simulator() as sim:
        async with runtime_for(sim, unique, Clock()) as runtime:
            tenant = runtime.tenants.get(unique)
            assert tenant is not None
            query = DaysQuery.of(tenant, EVENT, FIRST, LAST)
            first = runtime.availability.index(query, await collect(runtime, unique), None)
            again = runtime.availability.index(query, await collect(runtime, unique), None)
            slot = first.starts[0]
            await runtime.availability.take(tenant, slot, slot + first.duration)
            after = runtime.availability.index(query, await collect(runtime, unique), None)
        assert again is first
        assert after is not first
        assert slot not in after.starts and slot in first.starts


def _first_slot(report: FetchReport) -> datetime:
    return min(s for entry in report.entries.values() for s in entry.starts)


@pytest.mark.anyio
async def test_a_fresh_horizon_is_read_again_once_the_cache_changed_or_a_day_turned_stale(unique: str) -> None:
    """In process, a horizon read whole and fresh is the same reading until a write or the first stale day."""
    clock = Clock()
    with simulator() as sim:
        async with runtime_for(sim, unique, clock) as runtime:
            tenant = runtime.tenants.get(unique)
            assert tenant is not None
            fetched = await collect(runtime, unique)
            read = await collect(runtime, unique)
            again = await collect(runtime, unique)
            slot = _first_slot(read)
            await runtime.availability.take(tenant, slot, slot + timedelta(minutes=30))
            after_booking = await collect(runtime, unique)
            clock.now = NOW + timedelta(seconds=60)  # fresh_ttl: the days fetched at NOW turn stale now
            stale = await collect(runtime, unique)
    assert fetched.cache_misses == 15 and read.cache_hits == 15
    assert again is read
    assert after_booking is not read and after_booking.cache_hits == 15
    assert slot in {s for e in read.entries.values() for s in e.starts}
    assert slot not in {s for e in after_booking.entries.values() for s in e.starts}
    assert stale.stale_hits == 15 and stale.cache_hits == 0


@pytest.mark.anyio
async def test_a_day_another_instance_changed_on_redis_is_read_at_once(redis_url: str, unique: str) -> None:
    """A shared cache cannot tell what other instances wrote: every search reads its days from Redis."""
    with simulator() as sim:
        async with (
            runtime_for(sim, unique, Clock(), redis_url=redis_url) as a,
            runtime_for(sim, unique, Clock(), redis_url=redis_url) as b,
        ):
            tenant = b.tenants.get(unique)
            assert tenant is not None
            await collect(a, unique)
            read = await collect(a, unique)
            slot = _first_slot(read)
            await b.availability.take(tenant, slot, slot + timedelta(minutes=30))
            after = await collect(a, unique)
    assert read.cache_hits == 15 and after.cache_hits == 15
    assert slot not in {s for e in after.entries.values() for s in e.starts}


@pytest.mark.anyio
async def test_a_horizon_in_constant_use_stays_recently_used_in_a_full_cache(unique: str) -> None:
    """Reused readings still touch their days now and then, so a full cache evicts colder days first."""
    with simulator() as sim:
        async with runtime_for(sim, unique, Clock(), max_entries=30) as runtime:
            tenant = runtime.tenants.get(unique)
            assert tenant is not None

            async def at_length(minutes: int) -> FetchReport:
                return await runtime.availability.collect(DaysQuery.of(tenant, EVENT, FIRST, LAST, minutes), 10.0)

            await at_length(45)  # 15 colder days
            await collect(runtime, unique)  # the hot horizon's 15 days: the cache is full
            await collect(runtime, unique)  # read whole and fresh: reused from here on while nothing is written
            await at_length(45)  # read again, nothing written: the colder days are now the more recently used
            for _ in range(REREAD_EVERY + 1):
                await collect(runtime, unique)
            await at_length(60)  # 15 more days push out the 15 least recently used
            hot = await collect(runtime, unique)
            cold = await at_length(45)
    assert hot.cache_hits == 15 and hot.upstream_calls == 0
    assert cold.cache_misses == 15
