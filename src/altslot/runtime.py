"""Wiring: build every long-lived piece from settings once, and close them in reverse."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from altslot.availability import Availability
from altslot.cache.memory import MemoryDayCache
from altslot.calcom.client import CalcomPool, Transport
from altslot.config import Settings
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
    availability: Availability
    searcher: Searcher

    async def aclose(self) -> None:
        """Finish shared fetches, then close connection pools."""
        await self.availability.aclose()
        await self.pool.aclose()


def build_runtime(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    env: Mapping[str, str] | None = None,
    transport: Transport | None = None,
) -> Runtime:
    """Assemble tenants, the Cal.com pool, the day cache and the searcher."""
    tenants = build_registry(settings, os.environ if env is None else env)
    pool = CalcomPool(
        timeout=settings.calcom.timeout_seconds,
        max_connections=settings.calcom.max_connections,
        slots_version=settings.calcom.slots_api_version,
        bookings_version=settings.calcom.bookings_api_version,
        transport=transport,
    )
    cache = MemoryDayCache(clock, max_entries=settings.cache.max_entries)
    availability = Availability(
        cache,
        clock,
        fresh_ttl=settings.cache.fresh_ttl_seconds,
        keep_for=settings.cache.fresh_ttl_seconds + settings.cache.max_stale_seconds,
        max_range_days=settings.calcom.max_range_days,
    )
    searcher = Searcher(
        availability,
        pool,
        clock,
        deadline_seconds=settings.search.deadline_seconds,
        max_alts=settings.search.max_alternatives,
    )
    return Runtime(settings, clock, tenants, pool, availability, searcher)
