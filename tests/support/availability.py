"""A simulator and a runtime in front of it, for the availability, lease and warming tests."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from datetime import date
from typing import Any

import httpx

from altslot.api.serving import RunningServer, start_in_thread
from altslot.calcom.client import Transport
from altslot.shell.config import CacheSettings, CalcomSettings, Settings
from altslot.shell.runtime import Runtime, build_runtime
from altslot.sim import create_app as create_sim
from altslot.sim.datafile import parse_data
from tests.support.world import NO_SEARCH_LOG, Clock, salon_data, tenant_settings

FIRST, LAST = date(2025, 9, 30), date(2025, 10, 14)  # 15 days


@contextmanager
def simulator(
    latency_ms: int = 0, *, bookings: Sequence[tuple[str, str]] = (), event_types: Sequence[int] = ()
) -> Iterator[RunningServer]:
    """The bundled salon data in a simulator on a spare port, with a fixed answer latency.

    ``bookings`` are Berlin wall-clock pairs (see ``salon_data``); ``event_types`` adds 30-minute event types
    on the salon's calendar.
    """
    data: dict[str, Any] = salon_data(bookings=bookings)
    data["event_types"] += [{"id": et, "length": 30, "schedule": "salon"} for et in event_types]
    with start_in_thread(create_sim(parse_data(data), latency_ms=(latency_ms, latency_ms))) as sim:
        yield sim


def slot_calls(sim: RunningServer) -> int:
    """How many ``GET /v2/slots`` the simulator has answered."""
    return int(httpx.get(f"{sim.url}/_sim/stats").json()["requests"].get("GET /v2/slots", 0))


@asynccontextmanager
async def runtime_for(
    sim: RunningServer,
    tenant: str,
    clock: Clock,
    *,
    redis_url: str | None = None,
    max_range_days: int = 31,
    monotonic: Callable[[], float] = time.monotonic,
    webhook_secret: str | None = None,
    transport: Transport | None = None,
    max_entries: int = 100_000,
    **sections: Any,
) -> AsyncIterator[Runtime]:
    """A runtime of one tenant in front of ``sim`` (memory cache, or Redis at ``redis_url``), closed after.

    ``sections`` are further settings sections (``search=SearchSettings(...)``, ``resilience=...``).
    """
    cache = CacheSettings(
        backend="redis" if redis_url else "memory",
        redis_url=redis_url or "redis://x",
        lease_seconds=2,
        max_entries=max_entries,
    )
    settings = Settings(
        calcom=CalcomSettings(base_url=sim.url, max_range_days=max_range_days),
        cache=cache,
        tenants={tenant: tenant_settings("tok", "cal_test_salon", webhook_secret=webhook_secret)},
        observability=NO_SEARCH_LOG,
        **sections,
    )
    runtime = build_runtime(settings, clock=clock, monotonic=monotonic, env={}, transport=transport)
    try:
        yield runtime
    finally:
        await runtime.aclose()
