"""Cached memory per tenant: the memory day cache holding N tenants' horizons, one slot index per event type.

Each size runs in a fresh interpreter (``python -m altslot.bench.growth_memory N WISH_DAY NOW``, JSON on
stdout), so one size's objects and garbage never count for another. Every tenant is the demo salon (three
event types); its 15 days per event type come straight from the simulator's slot engine
(``SimState.slots`` → ``altslot.engine.compute_slots``, no HTTP), computed once, and become ``DayEntry``
values for each tenant as a fetch stores them: new UTC instants, the slot length, a version of their own,
written with ``MemoryDayCache.set_many``. Each event type's index is built as a search builds it:
``Availability.collect`` then ``Availability.index``.

Two fills per process: the first without tracing, for VmRSS (``/proc/self/status``); the second into a
cache of its own under ``tracemalloc``, for bytes per cached day and per built index: the traced size
after a full collection, read around the filling and around the indexing (what snapshot diffs sum to,
without building snapshots of a few hundred thousand traces), divided by the number of entries and indexes.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from typing import Any

from altslot.availability.assembler import Availability
from altslot.availability.days import DaysQuery, day_bounds
from altslot.bench.processes import rss_kib
from altslot.bench.world import ZONE
from altslot.cache.base import DayEntry
from altslot.cache.memory import MemoryDayCache
from altslot.calcom.wire import DaySlots
from altslot.sim.demo import BERLIN, SALON_SERVICES, demo_data
from altslot.sim.state import SimState
from altslot.types import OWN_LENGTH, Account, DayKey, EventTypeId, TenantId

HORIZON_DAYS = 15
FRESH_TTL, MAX_STALE = 60.0, 900.0  # the service's defaults: entries are kept for their sum


async def _no_upstream(*_: object) -> DaySlots:
    """Every day is in the cache: a fetch would be a bug in the benchmark."""
    raise RuntimeError("the memory benchmark fetched a day it had cached")


class _Salon:
    """The demo salon's calendar from the wish day on, computed once; every tenant gets it as objects of its own."""

    def __init__(self, state: SimState, first: date, now: datetime) -> None:
        self.first, self.now = first, now
        self.last = first + timedelta(days=HORIZON_DAYS - 1)
        start, _ = day_bounds(first, ZONE)
        _, end = day_bounds(self.last, ZONE)
        self._slots = {et: state.slots(et, start, end, BERLIN) for et, _, _ in SALON_SERVICES}

    def queries(self, tenant: str) -> list[tuple[DaysQuery, int]]:
        """One query per event type over the horizon, with the event type's length."""
        account = Account(TenantId(tenant), "http://127.0.0.1", "cal_test_demo")
        return [
            (DaysQuery(account, EventTypeId(et), OWN_LENGTH, ZONE, self.first, self.last), length)
            for et, length, _ in SALON_SERVICES
        ]

    def entries(self, tenant: str) -> dict[DayKey, DayEntry]:
        """Every day of every event type as the service stores a fetch: fresh UTC instants, length, version."""
        out: dict[DayKey, DayEntry] = {}
        for query, length in self.queries(tenant):
            by_day = self._slots[query.event_type_id]
            for key in query.day_keys():
                starts = tuple(s.astimezone(UTC) for s in by_day.get(key.day, []))  # new objects, as parsing makes
                out[key] = DayEntry(starts, self.now, length if starts else 0)
        return out


async def _fill(cache: MemoryDayCache, salon: _Salon, names: list[str]) -> int:
    count = 0
    for name in names:
        entries = salon.entries(name)
        await cache.set_many(entries, FRESH_TTL + MAX_STALE)
        count += len(entries)
    return count


async def _index(availability: Availability, salon: _Salon, names: list[str]) -> int:
    count = 0
    for name in names:
        for query, length in salon.queries(name):
            report = await availability.collect(query, wait_seconds=1.0)
            if report.cache_misses or report.upstream_calls:
                raise RuntimeError(f"{name}: {report.cache_misses} days missing from the cache")
            availability.index(query, report, timedelta(minutes=length))
            count += 1
    return count


def _stores(salon: _Salon) -> tuple[MemoryDayCache, Availability]:
    def clock() -> datetime:
        return salon.now  # frozen: every entry stays fresh

    cache = MemoryDayCache(clock)  # the service's default bound (100 000 days) holds 2 222 such tenants
    availability = Availability(cache, _no_upstream, clock, fresh_ttl=FRESH_TTL, max_stale=MAX_STALE, max_range_days=31)
    return cache, availability


def _traced() -> int:
    """Bytes tracemalloc sees allocated now, after a full collection (what a snapshot's traces sum to)."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


async def measure(tenants: int, first: date, now: datetime) -> dict[str, Any]:
    """RSS with ``tenants`` tenants cached and indexed; traced bytes per cached day and per index."""
    data = demo_data(first - timedelta(days=1)).model_copy(update={"now": now})
    salon = _Salon(SimState(data), first, now)
    pid = os.getpid()
    gc.collect()
    empty = rss_kib(pid)
    cache, availability = _stores(salon)
    names = [f"rss{i}" for i in range(tenants)]
    days = await _fill(cache, salon, names)
    gc.collect()
    filled = rss_kib(pid)
    indexes = await _index(availability, salon, names)
    gc.collect()
    indexed = rss_kib(pid)

    names = [f"traced{i}" for i in range(tenants)]
    tracemalloc.start()
    cache, availability = _stores(salon)
    before = _traced()
    await _fill(cache, salon, names)
    after_fill = _traced()
    await _index(availability, salon, names)
    after_index = _traced()
    tracemalloc.stop()
    return {
        "tenants": tenants,
        "day_entries": days,
        "indexes": indexes,
        "slots_cached": sum(len(e.starts) for e in salon.entries("count").values()) * tenants,
        "rss_kib_empty": empty,
        "rss_kib_filled": filled,
        "rss_kib_indexed": indexed,
        "rss_kib_growth": (indexed or 0) - (empty or 0),
        "bytes_per_cached_day": round((after_fill - before) / days),
        "bytes_per_index": round((after_index - after_fill) / indexes),
        "bytes_per_tenant_traced": round((after_index - before) / tenants),
    }


def in_subprocess(tenants: int, first: date, now: datetime, timeout: float = 600) -> dict[str, Any]:
    """``measure`` in a fresh interpreter (this module as a script)."""
    command = [sys.executable, "-m", "altslot.bench.growth_memory", str(tenants), first.isoformat(), now.isoformat()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"memory benchmark for {tenants} tenants failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


if __name__ == "__main__":
    size, day, instant = int(sys.argv[1]), date.fromisoformat(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
    print(json.dumps(asyncio.run(measure(size, day, instant))))
