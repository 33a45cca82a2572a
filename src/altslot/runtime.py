"""Wiring: build every long-lived piece from settings once, and close them in reverse."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from redis.asyncio import Redis

from altslot.availability import Availability
from altslot.cache.base import DayCache, Leases
from altslot.cache.fallback import FallbackCache, FallbackLeases, RedisHealth
from altslot.cache.memory import MemoryDayCache
from altslot.cache.redis import RedisDayCache, RedisLeases
from altslot.calcom.client import CalcomPool, Transport
from altslot.config import Settings
from altslot.events import Events
from altslot.pipeline import Upstream
from altslot.resilience import build_guard
from altslot.service import Searcher
from altslot.tenants import TenantRegistry, build_registry
from altslot.types import Clock


def system_clock() -> datetime:
    """The current instant in UTC."""
    return datetime.now(UTC)


@dataclass
class Runtime:
    """Everything a running altslot needs, built from one ``Settings``."""

    settings: Settings
    clock: Clock
    tenants: TenantRegistry
    pool: CalcomPool
    upstream: Upstream
    availability: Availability
    searcher: Searcher
    events: Events
    redis: Redis | None = None

    async def aclose(self) -> None:
        """Finish shared fetches, then close connection pools."""
        await self.availability.aclose()
        await self.pool.aclose()
        if self.redis is not None:
            await self.redis.aclose()


def connect_redis(url: str) -> Redis:
    """A Redis client with short timeouts: an outage must cost a search milliseconds, not seconds."""
    return Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5, health_check_interval=5)


async def redis_problem(url: str) -> str | None:
    """Why Redis at ``url`` cannot be used right now, or None when it answers."""
    client = connect_redis(url)
    try:
        await client.ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        await client.aclose()
    return None


def _stores(settings: Settings, clock: Clock) -> tuple[DayCache, Leases | None, Redis | None]:
    memory = MemoryDayCache(clock, max_entries=settings.cache.max_entries)
    if settings.cache.backend == "memory":
        return memory, None, None
    redis = connect_redis(settings.cache.redis_url)
    health = RedisHealth()
    cache = FallbackCache(RedisDayCache(redis), memory, health)
    return cache, FallbackLeases(RedisLeases(redis), health), redis


def build_runtime(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    env: Mapping[str, str] | None = None,
    transport: Transport | None = None,
    events: Events | None = None,
) -> Runtime:
    """Assemble tenants, the Cal.com pool, the day cache and the searcher."""
    tenants = build_registry(settings, os.environ if env is None else env)
    events = events or Events()
    pool = CalcomPool(
        timeout=settings.calcom.timeout_seconds,
        max_connections=settings.calcom.max_connections,
        slots_version=settings.calcom.slots_api_version,
        bookings_version=settings.calcom.bookings_api_version,
        transport=transport,
    )
    cache, leases, redis = _stores(settings, clock)
    availability = Availability(
        cache,
        clock,
        fresh_ttl=settings.cache.fresh_ttl_seconds,
        max_stale=settings.cache.max_stale_seconds,
        max_range_days=settings.calcom.max_range_days,
        leases=leases,
        lease_seconds=settings.cache.lease_seconds,
    )
    guard = build_guard(settings.resilience, redis=redis, events=events)
    upstream = Upstream(pool, guard, fetch_budget=settings.search.deadline_seconds, events=events)
    searcher = Searcher(
        availability,
        upstream,
        clock,
        deadline_seconds=settings.search.deadline_seconds,
        max_alts=settings.search.max_alternatives,
        events=events,
    )
    return Runtime(settings, clock, tenants, pool, upstream, availability, searcher, events, redis)
