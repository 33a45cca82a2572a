"""Availability for a horizon: fresh days from cache, missing days in one upstream call per gap.

The order of the steps, outermost first:

1. **cache** — fresh day entries are used as they are;
2. **single-flight** — a day already being fetched is waited for, never fetched twice in this process;
3. **deadline** — the caller waits at most until its deadline; the fetch itself runs as its own task,
   so a caller giving up never cancels a fetch that others share (it finishes and fills the cache);
4. **upstream** — one ``GET /v2/slots`` per contiguous run of missing days (split only above
   ``max_range_days``), runs fetched in parallel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from altslot.cache.base import DayCache, DayEntry
from altslot.calcom.client import DaySlots
from altslot.calcom.errors import CalcomError
from altslot.core.models import SlotIndex
from altslot.types import Clock, DayKey, EventTypeId, TenantId

FetchSlots = Callable[[datetime, datetime], Awaitable[DaySlots]]
"""Fetches Cal.com slots between two UTC instants, grouped by tenant-local date."""


@dataclass(frozen=True, slots=True)
class DaysQuery:
    """Which days of which event type a search needs."""

    tenant: TenantId
    event_type_id: EventTypeId
    duration_minutes: int  # 0: the event type's own length
    zone: ZoneInfo
    first: date
    last: date

    def keys(self) -> list[DayKey]:
        """One cache key per day, first to last inclusive."""
        count = (self.last - self.first).days + 1
        return [
            DayKey(self.tenant, self.event_type_id, self.duration_minutes, self.first + timedelta(days=i))
            for i in range(count)
        ]


@dataclass
class FetchReport:
    """How a horizon was assembled: cache use, upstream calls, and what went wrong."""

    upstream_calls: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    timeout_hit: bool = False
    errors: list[CalcomError] = field(default_factory=list)
    as_of: datetime | None = None
    entries: dict[DayKey, DayEntry] = field(default_factory=dict)

    def index(self, length: timedelta | None) -> SlotIndex:
        """The slot index of the days that are known, with ``length`` or the length Cal.com reported."""
        learned = next((e.length_minutes for e in self.entries.values() if e.length_minutes), 0)
        duration = length or timedelta(minutes=learned or 30)
        by_day = {key.day: entry.starts for key, entry in self.entries.items()}
        return SlotIndex.from_days(by_day, duration, as_of=self.as_of)


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where a local day starts and the next one starts (DST-safe)."""
    start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


def contiguous_runs(days: Sequence[date], max_days: int) -> list[list[date]]:
    """Group sorted days into runs of consecutive dates, none longer than ``max_days``."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == timedelta(days=1) and len(runs[-1]) < max_days:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


class Availability:
    """Assembles slot indexes from the day cache and Cal.com, sharing in-flight fetches."""

    def __init__(
        self, cache: DayCache, clock: Clock, *, fresh_ttl: float, keep_for: float, max_range_days: int
    ) -> None:
        self._cache = cache
        self._clock = clock
        self._fresh_ttl = timedelta(seconds=fresh_ttl)
        self._keep_for = keep_for
        self._max_range_days = max_range_days
        self._inflight: dict[DayKey, asyncio.Future[DayEntry]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def collect(self, query: DaysQuery, fetch: FetchSlots, wait_seconds: float) -> FetchReport:
        """Gather the query's days, waiting at most ``wait_seconds`` for upstream."""
        report = FetchReport()
        keys = query.keys()
        now = self._clock()
        for key, entry in (await self._cache.get_many(keys)).items():
            if now - entry.fetched_at <= self._fresh_ttl:
                report.entries[key] = entry
        report.cache_hits = len(report.entries)
        waiting: dict[DayKey, asyncio.Future[DayEntry]] = {}
        to_fetch: list[DayKey] = []
        for key in keys:
            if key in report.entries:
                continue
            report.cache_misses += 1
            if key in self._inflight:
                waiting[key] = self._inflight[key]
            else:
                to_fetch.append(key)
        by_day = {k.day: k for k in to_fetch}
        for run in contiguous_runs(sorted(by_day), self._max_range_days):
            futures = self._start_fetch(query, [by_day[d] for d in run], fetch)
            waiting.update(futures)
            report.upstream_calls += 1
        if waiting:
            await self._wait(waiting, wait_seconds, report)
        fetched = [e.fetched_at for e in report.entries.values()]
        report.as_of = min(fetched) if fetched else None
        return report

    async def _wait(
        self, waiting: dict[DayKey, asyncio.Future[DayEntry]], wait_seconds: float, report: FetchReport
    ) -> None:
        # asyncio.wait never cancels what it waits for, so shared fetches outlive an impatient caller.
        done, pending = await asyncio.wait(set(waiting.values()), timeout=max(wait_seconds, 0))
        report.timeout_hit = bool(pending)
        seen: set[int] = set()
        for key, future in waiting.items():
            if future not in done:
                continue
            error = future.exception()
            if error is None:
                report.entries[key] = future.result()
            elif isinstance(error, CalcomError) and id(error) not in seen:
                seen.add(id(error))
                report.errors.append(error)

    def _start_fetch(
        self, query: DaysQuery, keys: list[DayKey], fetch: FetchSlots
    ) -> dict[DayKey, asyncio.Future[DayEntry]]:
        loop = asyncio.get_running_loop()
        futures = {key: loop.create_future() for key in keys}
        self._inflight.update(futures)
        task = loop.create_task(self._fetch_run(query, futures, fetch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return futures

    async def _fetch_run(
        self, query: DaysQuery, futures: dict[DayKey, asyncio.Future[DayEntry]], fetch: FetchSlots
    ) -> None:
        keys = list(futures)
        start, _ = day_bounds(keys[0].day, query.zone)
        _, end = day_bounds(keys[-1].day, query.zone)
        try:
            slots = await fetch(start, end)
            fetched_at = self._clock()
            entries = {key: _entry(slots.get(key.day, []), fetched_at) for key in keys}
            await self._cache.set_many(entries, self._keep_for)
        except BaseException as exc:  # every waiter must hear about the failure, whatever it is
            for future in futures.values():
                if not future.done():
                    future.set_exception(exc if isinstance(exc, Exception) else CalcomError(repr(exc)))
                    future.exception()  # mark retrieved: a waiter that gave up must not log a warning
            if not isinstance(exc, Exception):
                raise
            return
        finally:
            for key in keys:
                if self._inflight.get(key) is futures[key]:
                    del self._inflight[key]
        for key, future in futures.items():
            if not future.done():
                future.set_result(entries[key])

    async def replace_day(self, key: DayKey, entry: DayEntry) -> None:
        """Put one day's fresh availability into the cache (bookings and webhooks use this)."""
        await self._cache.set_many({key: entry}, self._keep_for)

    async def aclose(self) -> None:
        """Let in-flight fetches finish (they fill the cache others wait for)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=5)


def _entry(pairs: list[tuple[datetime, datetime]], fetched_at: datetime) -> DayEntry:
    length = int((pairs[0][1] - pairs[0][0]).total_seconds() // 60) if pairs else 0
    return DayEntry(starts=tuple(sorted(s for s, _ in pairs)), fetched_at=fetched_at, length_minutes=length)
