"""Warming: keep the next days of every configured event type fresh before anyone asks.

``warm_once`` is what ``altslot warm`` runs; ``run_warmer`` repeats it inside the service. With Redis,
a lease makes sure only one instance warms per interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from altslot.availability.assembler import Availability
from altslot.availability.days import DaysQuery, FetchReport
from altslot.shared.health import REDIS_ERRORS, RedisHealth
from altslot.shared.keys import WARMER_LEASE
from altslot.shared.redis_client import AnyRedis
from altslot.shared.ttl import to_ms
from altslot.types import Clock, Tenant

log = logging.getLogger("altslot.warm")


@dataclass(frozen=True, slots=True)
class WarmSummary:
    """What one warming pass did."""

    event_types: int
    days: int
    days_fetched: int
    upstream_calls: int
    failures: int
    seconds: float


async def warm_once(
    tenants: Iterable[Tenant],
    availability: Availability,
    clock: Clock,
    *,
    days: int,
    refresh_margin: float = 0.0,
    wait_seconds: float = 30.0,
    on_progress: Callable[[int], None] | None = None,
) -> WarmSummary:
    """Fetch every configured event type's next ``days`` days that are not fresh (in parallel)."""
    started = time.perf_counter()

    async def one(tenant: Tenant, event_type_id: int) -> FetchReport:
        today = clock().astimezone(tenant.policy.zone).date()
        query = DaysQuery.of(tenant, event_type_id, today, today + timedelta(days=days - 1))
        report = await availability.collect(query, wait_seconds, refresh_margin=refresh_margin)
        if on_progress is not None:
            on_progress(1)
        return report

    reports = await asyncio.gather(*(one(t, e) for t in tenants for e in t.event_types))
    return WarmSummary(
        event_types=len(reports),
        days=days * len(reports),
        days_fetched=sum(r.cache_misses + r.stale_hits for r in reports),
        upstream_calls=sum(r.upstream_calls for r in reports),
        failures=sum(len(r.errors) + int(r.timeout_hit) for r in reports),
        seconds=time.perf_counter() - started,
    )


async def _take_turn(redis: AnyRedis | None, interval: float, health: RedisHealth | None) -> bool:
    if redis is None:
        return True

    async def lease() -> bool:
        return bool(await redis.set(WARMER_LEASE, "1", nx=True, px=to_ms(interval)))

    async def alone() -> bool:
        return True  # without Redis every instance warms itself, which is what it would do alone

    if health is not None:
        return await health.guard(lease, alone)  # an outage is logged once, with the service's other users
    # No view of Redis's health to record the failure in: warm alone, as without Redis.
    with contextlib.suppress(*REDIS_ERRORS):
        return await lease()
    return True


async def run_warmer(
    tenants: Iterable[Tenant],
    availability: Availability,
    clock: Clock,
    *,
    days: int,
    interval: float,
    fresh_ttl: float,
    redis: AnyRedis | None = None,
    health: RedisHealth | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Warm forever, every ``interval`` seconds, refreshing days before they turn stale.

    ``sleep`` waits between turns (a test injects one that tells it a turn is over).
    """
    tenants = list(tenants)
    # A day must still be fresh when the next pass comes round, so refresh anything that would not be.
    margin = min(interval, fresh_ttl)
    while True:
        if await _take_turn(redis, interval, health):
            try:
                summary = await warm_once(tenants, availability, clock, days=days, refresh_margin=margin)
                log.info("warmed %d days with %d upstream calls", summary.days_fetched, summary.upstream_calls)
            except Exception:
                log.exception("warming pass failed")
        await sleep(interval)
