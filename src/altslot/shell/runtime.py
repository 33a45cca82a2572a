"""Wiring: build every long-lived piece from settings once, start what runs in the background, close in reverse.

``build_runtime`` is the one composition point of the service; ``Runtime.start`` starts the warmer, the
observers' writer and the Cal.com key checks inside the serving event loop, ``Runtime.aclose`` stops them,
lets shared fetches finish and closes the pools.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from altslot.availability.assembler import Availability
from altslot.availability.durations import Durations
from altslot.availability.warming import run_warmer
from altslot.booking.booker import Booker
from altslot.booking.idempotency import PENDING_MARGIN, IdempotencyStore
from altslot.booking.webhooks import WebhookHandler
from altslot.cache.base import DayCache, Leases
from altslot.cache.fallback import FallbackCache, FallbackLeases
from altslot.cache.memory import MemoryDayCache
from altslot.cache.redis import RedisDayCache, RedisLeases
from altslot.calcom.client import CalcomPool, Transport
from altslot.events import Events
from altslot.observability.wiring import Observability, install_observers
from altslot.search.holds import Holds
from altslot.search.service import Searcher, SearchLimits
from altslot.shared.health import RedisHealth
from altslot.shared.kv import KeyValue, MemoryKeyValue, RedisKeyValue
from altslot.shared.redis_client import AnyRedis, RedisLink, connect_redis
from altslot.shell.config import Settings
from altslot.shell.keycheck import KeyChecks
from altslot.shell.tenants import TenantRegistry, build_registry
from altslot.tools import Toolbox
from altslot.types import Clock, Monotonic
from altslot.upstream.gateway import Upstream
from altslot.upstream.stack import build_upstream


def system_clock() -> datetime:
    """The current instant in UTC."""
    return datetime.now(UTC)


@dataclass
class Runtime:
    """Everything a running altslot needs, built from one ``Settings``; it owns their start and stop."""

    settings: Settings
    clock: Clock
    tenants: TenantRegistry
    pool: CalcomPool
    upstream: Upstream
    availability: Availability
    searcher: Searcher
    booker: Booker
    webhooks: WebhookHandler
    toolbox: Toolbox
    kv: KeyValue
    events: Events
    observability: Observability
    keys: KeyChecks
    redis_link: RedisLink | None = None
    health: RedisHealth | None = None
    """The instance's view of Redis (None without Redis): what ``/readyz`` reports."""
    _warmer: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def redis(self) -> AnyRedis | None:
        """The shared Redis client (one endpoint or a cluster), or None with the memory backend."""
        return self.redis_link.client if self.redis_link is not None else None

    async def start(self) -> None:
        """Start serving: connect Redis (a failure only degrades), then the warmer, the observers and the key checks."""
        if self.redis_link is not None and self.health is not None:
            problem = await self.redis_link.start()
            if problem is not None:
                self.health.failed(problem)
        warm = self.settings.warm
        if warm.enabled and self._warmer is None:
            job = run_warmer(
                self.tenants,
                self.availability,
                self.clock,
                days=warm.days,
                interval=warm.interval_seconds,
                fresh_ttl=self.settings.cache.fresh_ttl_seconds,
                redis=self.redis,
                health=self.health,
            )
            self._warmer = asyncio.create_task(job)
        self.observability.start()
        self.keys.start()  # a wrong Cal.com key is logged at start-up, not at the first booking

    async def aclose(self) -> None:
        """Stop the background work, let shared fetches finish, then close connection pools."""
        if self._warmer is not None:
            self._warmer.cancel()
            self._warmer = None
        await self.keys.aclose()
        await self.observability.stop()
        await self.availability.aclose()
        await self.observability.aclose()
        await self.pool.aclose()
        if self.redis_link is not None:
            await self.redis_link.aclose()


def _stores(settings: Settings, clock: Clock, health: RedisHealth) -> tuple[DayCache, Leases | None, RedisLink | None]:
    memory = MemoryDayCache(clock, max_entries=settings.cache.max_entries)
    if settings.cache.backend == "memory":
        return memory, None, None
    link = connect_redis(settings.cache.redis_url)
    cache = FallbackCache(RedisDayCache(link.client), memory, health)
    return cache, FallbackLeases(RedisLeases(link.client), health), link


def _availability(
    settings: Settings,
    day_cache: DayCache,
    leases: Leases | None,
    upstream: Upstream,
    kv: KeyValue,
    clock: Clock,
    monotonic: Monotonic,
    events: Events,
) -> Availability:
    cache = settings.cache
    return Availability(
        day_cache,
        upstream.get_slots,
        clock,
        fresh_ttl=cache.fresh_ttl_seconds,
        max_stale=cache.max_stale_seconds,
        max_range_days=settings.calcom.max_range_days,
        leases=leases,
        lease_seconds=cache.lease_seconds,
        events=events,
        durations=Durations(kv, cache.fresh_ttl_seconds + cache.max_stale_seconds),
        monotonic=monotonic,
    )


def _search_and_booking(
    settings: Settings,
    availability: Availability,
    upstream: Upstream,
    kv: KeyValue,
    clock: Clock,
    monotonic: Monotonic,
    events: Events,
) -> tuple[Searcher, Booker]:
    search = settings.search
    holds = Holds(
        upstream, availability, kv, per_search=search.max_holds_per_search, live_ceiling=search.max_live_holds
    )
    limits = SearchLimits(search.deadline_seconds, search.max_alternatives)
    durations = availability.durations
    searcher = Searcher(
        availability, clock, limits, events=events, holds=holds, durations=durations, monotonic=monotonic
    )
    # A booking may take a lookup, the create and a second lookup; its record must outlive all three.
    idempotency = IdempotencyStore(kv, pending_ttl=3 * search.deadline_seconds + PENDING_MARGIN)
    return searcher, Booker(availability, upstream, searcher, holds, idempotency, clock, search.deadline_seconds)


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
    """Assemble tenants, the Cal.com pool, the upstream stack, the day cache, search, booking and the tool layer.

    ``clock`` is the wall clock (what day it is); ``monotonic`` times deadlines, the breaker's cool-down,
    rate-limit waits, Redis's outage back-off and key expiry in memory.
    """
    tenants = build_registry(settings, os.environ if env is None else env)
    events = events or Events()
    observability = install_observers(settings.observability, events, (t.id for t in tenants))
    calcom, search = settings.calcom, settings.search
    pool = CalcomPool(
        timeout=calcom.timeout_seconds,
        max_connections=calcom.max_connections,
        slots_version=calcom.slots_api_version,
        bookings_version=calcom.bookings_api_version,
        transport=transport,
    )
    health = health or RedisHealth(monotonic=monotonic)
    day_cache, leases, link = _stores(settings, clock, health)
    redis = link.client if link is not None else None
    upstream = build_upstream(
        settings.resilience,
        pool,
        fetch_budget=search.deadline_seconds,
        redis=redis,
        window=link.window if link is not None else None,
        health=health,
        events=events,
        clock=monotonic,
    )
    kv: KeyValue = MemoryKeyValue(monotonic) if redis is None else RedisKeyValue(redis, health)
    availability = _availability(settings, day_cache, leases, upstream, kv, clock, monotonic, events)
    searcher, booker = _search_and_booking(settings, availability, upstream, kv, clock, monotonic, events)
    return Runtime(
        settings=settings,
        clock=clock,
        tenants=tenants,
        pool=pool,
        upstream=upstream,
        availability=availability,
        searcher=searcher,
        booker=booker,
        webhooks=WebhookHandler(availability, kv),
        toolbox=Toolbox(searcher, booker, clock, events),
        kv=kv,
        events=events,
        observability=observability,
        keys=KeyChecks(upstream, tenants, budget=calcom.timeout_seconds),
        redis_link=link,
        health=health if link is not None else None,
    )
