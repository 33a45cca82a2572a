"""Wiring: build every long-lived piece from settings once, and close them in reverse."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from altslot.availability.assembler import Availability
from altslot.booking.booker import Booker
from altslot.booking.durations import Durations
from altslot.booking.idempotency import PENDING_MARGIN, IdempotencyStore
from altslot.cache.base import DayCache, Leases
from altslot.cache.fallback import FallbackCache, FallbackLeases
from altslot.cache.memory import MemoryDayCache
from altslot.cache.redis import RedisDayCache, RedisLeases
from altslot.calcom.client import CalcomPool, Transport
from altslot.events import Events
from altslot.observability.wiring import Observability, install_observers
from altslot.search.holds import Holds
from altslot.search.service import Searcher
from altslot.shared.health import RedisHealth
from altslot.shared.kv import KeyValue, MemoryKeyValue, RedisKeyValue
from altslot.shared.redis_client import AnyRedis, RedisLink, connect_redis, redis_problem
from altslot.shell.config import Settings
from altslot.shell.keycheck import KeyChecks
from altslot.shell.tenants import TenantRegistry, build_registry
from altslot.types import Clock, Monotonic
from altslot.upstream.gateway import Upstream
from altslot.upstream.stack import build_upstream


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
    booker: Booker
    kv: KeyValue
    durations: Durations
    events: Events
    redis_link: RedisLink | None = None
    health: RedisHealth | None = None
    """The instance's view of Redis (None without Redis): what ``/readyz`` reports."""
    observability: Observability | None = None
    keys: KeyChecks | None = None

    @property
    def redis(self) -> AnyRedis | None:
        """The shared Redis client (one endpoint or a cluster), or None with the memory backend."""
        return self.redis_link.client if self.redis_link is not None else None

    async def start(self) -> None:
        """Connect what needs connecting before serving (a cluster's topology); a failure only degrades."""
        if self.redis_link is not None and self.health is not None:
            problem = await self.redis_link.start()
            if problem is not None:
                self.health.failed(problem)

    async def aclose(self) -> None:
        """Finish shared fetches, then close connection pools."""
        if self.keys is not None:
            await self.keys.aclose()
        await self.availability.aclose()
        if self.observability is not None:
            await self.observability.aclose()
        await self.pool.aclose()
        if self.redis_link is not None:
            await self.redis_link.aclose()


__all__ = ["Runtime", "build_runtime", "connect_redis", "redis_problem", "system_clock"]


def _stores(settings: Settings, clock: Clock, health: RedisHealth) -> tuple[DayCache, Leases | None, RedisLink | None]:
    memory = MemoryDayCache(clock, max_entries=settings.cache.max_entries)
    if settings.cache.backend == "memory":
        return memory, None, None
    link = connect_redis(settings.cache.redis_url)
    cache = FallbackCache(RedisDayCache(link.client), memory, health)
    return cache, FallbackLeases(RedisLeases(link.client), health), link


def build_runtime(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    monotonic: Monotonic = time.monotonic,
    env: Mapping[str, str] | None = None,
    transport: Transport | None = None,
    events: Events | None = None,
    health: RedisHealth | None = None,
) -> Runtime:
    """Assemble tenants, the Cal.com pool, the day cache and the searcher.

    ``clock`` is the wall clock (what day it is); ``monotonic`` times deadlines, the breaker's cool-down,
    rate-limit waits, Redis's outage back-off and key expiry in memory.
    """
    tenants = build_registry(settings, os.environ if env is None else env)
    events = events or Events()
    observability = install_observers(settings.observability, events, (t.id for t in tenants))
    pool = CalcomPool(
        timeout=settings.calcom.timeout_seconds,
        max_connections=settings.calcom.max_connections,
        slots_version=settings.calcom.slots_api_version,
        bookings_version=settings.calcom.bookings_api_version,
        transport=transport,
    )
    health = health or RedisHealth(monotonic=monotonic)
    cache, leases, link = _stores(settings, clock, health)
    redis = link.client if link is not None else None
    availability = Availability(
        cache,
        clock,
        fresh_ttl=settings.cache.fresh_ttl_seconds,
        max_stale=settings.cache.max_stale_seconds,
        max_range_days=settings.calcom.max_range_days,
        leases=leases,
        lease_seconds=settings.cache.lease_seconds,
        events=events,
        monotonic=monotonic,
    )
    window = link.window if link is not None else None
    upstream = build_upstream(
        settings.resilience,
        pool,
        fetch_budget=settings.search.deadline_seconds,
        redis=redis,
        window=window,
        health=health,
        events=events,
        clock=monotonic,
    )
    kv: KeyValue = MemoryKeyValue(monotonic) if redis is None else RedisKeyValue(redis, health)
    durations = Durations(kv, settings.cache.fresh_ttl_seconds + settings.cache.max_stale_seconds)
    search = settings.search
    holds = Holds(
        upstream,
        availability,
        kv,
        durations,
        per_search=search.max_holds_per_search,
        live_ceiling=search.max_live_holds,
    )
    searcher = Searcher(
        availability,
        upstream,
        clock,
        deadline_seconds=settings.search.deadline_seconds,
        max_alts=settings.search.max_alternatives,
        events=events,
        holds=holds,
        durations=durations,
    )
    # A booking may take a lookup, the create and a second lookup; its record must outlive all three.
    idempotency = IdempotencyStore(kv, pending_ttl=3 * search.deadline_seconds + PENDING_MARGIN)
    booker = Booker(
        availability,
        upstream,
        searcher,
        holds,
        idempotency,
        durations,
        clock,
        deadline_seconds=search.deadline_seconds,
    )
    return Runtime(
        settings=settings,
        clock=clock,
        tenants=tenants,
        pool=pool,
        upstream=upstream,
        availability=availability,
        searcher=searcher,
        booker=booker,
        kv=kv,
        durations=durations,
        events=events,
        redis_link=link,
        health=health if link is not None else None,
        observability=observability,
        keys=KeyChecks(upstream, tenants, budget=settings.calcom.timeout_seconds),
    )
