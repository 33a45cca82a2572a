"""Availability for a horizon: days from cache, missing days in one upstream call per gap.

The order of the steps, outermost first:

1. **cache** — fresh days are used as they are; stale days (past ``fresh_ttl``, within ``max_stale``) are
   used at once while one background refresh runs (stale-while-revalidate); older days are misses;
2. **single-flight** — a day already being fetched is waited for, never fetched twice: inside the process
   through shared futures, across instances through a lease per day (``Leases``); a waiter whose lease
   holder dies, or stays silent until the waiter's deadline is near, fetches the day itself (``peers``);
3. **deadline** — the caller waits at most until its deadline; fetches run as their own tasks, so a caller
   giving up never cancels a fetch that others share (it finishes and fills the cache);
4. **upstream** — one ``GET /v2/slots`` per contiguous run of missing days (split only above
   ``max_range_days``), runs fetched in parallel, each through the upstream guard (see ``altslot.upstream``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from altslot.availability.days import DaysQuery, FetchReport, RunProgress, SlotSource, contiguous_runs, day_bounds
from altslot.availability.durations import Durations
from altslot.availability.horizons import Horizons
from altslot.availability.peers import PeerWatch, deliver, first_to_land
from altslot.cache.base import CountsWrites, DayCache, DayEntry, Leases, LocalLeases
from altslot.calcom.errors import CalcomError
from altslot.events import Events, FetchDone
from altslot.finder.models import SlotIndex
from altslot.types import Clock, DayKey, Monotonic, Tenant, TenantId


@dataclass(frozen=True, slots=True)
class _Run:
    """One fetch task: its query, the futures of its days, its progress, when to stop waiting."""

    query: DaysQuery
    futures: dict[DayKey, asyncio.Future[DayEntry]]
    progress: RunProgress
    give_up_at: float | None
    """Monotonic instant after which a waiter fetches days itself instead of polling a peer's lease."""


class Availability:
    """Assembles slot indexes from the day cache and Cal.com, sharing in-flight fetches."""

    def __init__(
        self,
        cache: DayCache,
        source: SlotSource,
        clock: Clock,
        *,
        fresh_ttl: float,
        max_stale: float,
        max_range_days: int,
        leases: Leases | None = None,
        lease_seconds: float = 15.0,
        events: Events | None = None,
        durations: Durations | None = None,
        monotonic: Monotonic = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        indexes_max: int = 4096,
    ) -> None:
        self._events = events or Events()
        self._cache = cache
        self._source = source
        self._clock = clock
        self._fresh_ttl = timedelta(seconds=fresh_ttl)
        self._keep_for = fresh_ttl + max_stale
        self._max_range_days = max_range_days
        self._leases = leases or LocalLeases()
        self._lease_seconds = lease_seconds
        self._inflight: dict[DayKey, asyncio.Future[DayEntry]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._failing: set[TenantId] = set()  # tenants whose latest fetch failed
        self._peers = PeerWatch(cache, self._leases, monotonic, sleep)
        self.durations = durations
        self._horizons = Horizons(indexes_max)
        # Only a cache no other process writes can tell that nothing changed since a horizon was read.
        self._counted = cache if isinstance(cache, CountsWrites) else None

    async def collect(self, query: DaysQuery, wait_seconds: float, *, refresh_margin: float = 0.0) -> FetchReport:
        """Gather the query's days, waiting at most ``wait_seconds`` for upstream.

        ``refresh_margin`` treats days that turn stale within that many seconds as stale already (the
        warmer uses it to refresh ahead of expiry).
        """
        now = self._clock()
        counted = None if refresh_margin else self._counted
        if counted is not None:
            reused = self._horizons.reading(query, counted.writes, now)
            if reused is not None:
                failing = query.tenant in self._failing
                return reused if reused.upstream_failing == failing else replace(reused, upstream_failing=failing)
        report = FetchReport()
        keys = self._horizons.keys(query)
        fresh_until = self._fresh_ttl - timedelta(seconds=refresh_margin)
        stale: list[DayKey] = []
        for key, entry in (await self._cache.get_many(keys)).items():
            report.entries[key] = entry
            if now - entry.fetched_at < fresh_until:
                report.cache_hits += 1
            else:
                report.stale_hits += 1
                stale.append(key)
        if report.cache_hits == len(keys) and keys:  # all there and fresh: nothing to start or wait for
            self._settle(query, report)
            if counted is not None and report.as_of is not None:
                self._horizons.read(query, report, counted.writes, report.as_of + self._fresh_ttl)
            return report
        missing = [k for k in keys if k not in report.entries]
        report.cache_misses = len(missing)
        if stale:
            # Served now, refreshed behind the caller's back: nobody waits for these.
            self._start(query, [k for k in stale if k not in self._inflight])
        waiting = {k: self._inflight[k] for k in missing if k in self._inflight}
        runs = self._start(query, [k for k in missing if k not in self._inflight], patience=wait_seconds)
        waiting.update({k: self._inflight[k] for k in missing if k not in waiting and k in self._inflight})
        if waiting:
            await self._wait(waiting, wait_seconds, report)
        report.upstream_calls = sum(run.calls for run in runs)
        self._settle(query, report)
        return report

    def _settle(self, query: DaysQuery, report: FetchReport) -> None:
        """Date the report by its oldest day and say whether the tenant's latest fetch failed."""
        report.as_of = min((e.fetched_at for e in report.entries.values()), default=None)
        report.upstream_failing = query.tenant in self._failing

    def index(self, query: DaysQuery, report: FetchReport, length: timedelta | None) -> SlotIndex:
        """The slot index of the report's days, built once and reused while none of its days changed (``horizons``)."""
        return self._horizons.index(query, report, length)

    async def _wait(
        self, waiting: dict[DayKey, asyncio.Future[DayEntry]], wait_seconds: float, report: FetchReport
    ) -> None:
        # asyncio.wait never cancels what it waits for, so shared fetches outlive an impatient caller.
        done, pending = await asyncio.wait(set(waiting.values()), timeout=max(wait_seconds, 0))
        report.timeout_hit = bool(pending)
        report.waited_for_peer = any(f in pending for k, f in waiting.items() if k in self._peers.awaiting)
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

    def _start(self, query: DaysQuery, keys: list[DayKey], patience: float | None = None) -> list[RunProgress]:
        """Start one task per contiguous run of ``keys``; their futures go into ``_inflight``.

        ``patience`` is how long the caller waits; without, the run waits for other instances' leases
        until they lapse (background refreshes).
        """
        loop = asyncio.get_running_loop()
        give_up_at = self._peers.give_up_at(patience)
        by_day = {k.day: k for k in keys}
        started: list[RunProgress] = []
        for days in contiguous_runs(sorted(by_day), self._max_range_days):
            run_keys = [by_day[d] for d in days]
            futures = {key: loop.create_future() for key in run_keys}
            self._inflight.update(futures)
            run = RunProgress()
            task = loop.create_task(self._resolve(_Run(query, futures, run, give_up_at)))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started.append(run)
        return started

    async def _resolve(self, run: _Run) -> None:
        """Fill every future of a run: fetch what we lease, wait for what other instances fetch."""
        futures = run.futures
        failure: str | None = None
        try:
            await self._fill(run)
            self._failing.discard(run.query.tenant)
        except Exception as exc:  # every waiter must hear about the failure, whatever it is
            error = exc if isinstance(exc, CalcomError) else CalcomError(f"{type(exc).__name__}: {exc}")
            failure = str(error)
            self._failing.add(run.query.tenant)
            for future in futures.values():
                if not future.done():
                    future.set_exception(error)
                    future.exception()  # retrieved: a waiter that gave up must not cause a warning
        finally:
            for key, future in futures.items():
                if self._inflight.get(key) is future:
                    del self._inflight[key]
                if not future.done():
                    future.cancel()
            # Emitted once the outcome is recorded, so an observer sees the state the next search will.
            self._events.emit(FetchDone(run.query.tenant, len(futures), failure))

    async def _fill(self, run: _Run) -> None:
        futures, query, progress = run.futures, run.query, run.progress
        remaining = list(futures)
        before = {k: e.fetched_at for k, e in (await self._cache.get_many(remaining)).items()}
        while remaining:
            owned = await self._leases.acquire(remaining, self._lease_seconds)
            if owned:
                try:
                    entries = await self._fetch_owned(query, owned, progress)
                    deliver(futures, entries)  # before the release: waiters need not wait for Redis
                finally:
                    await self._leases.release(owned)
            remaining = [k for k in remaining if k not in owned]
            if remaining:
                landed = await self._peers.wait(remaining, before, run.give_up_at)
                if landed is None:  # the holder stayed silent too long: fetch ourselves, still watching
                    own = self._fetch_owned(query, remaining, progress)
                    await first_to_land(futures, remaining, own, self._peers.wait(remaining, before, None))
                    return
                deliver(futures, landed)
                remaining = [k for k in remaining if k not in landed]

    async def _fetch_owned(self, query: DaysQuery, keys: list[DayKey], run: RunProgress) -> dict[DayKey, DayEntry]:
        by_day = {k.day: k for k in keys}
        runs = contiguous_runs(sorted(by_day), self._max_range_days)

        async def one(days: list[date]) -> dict[DayKey, DayEntry]:
            start, _ = day_bounds(days[0], query.zone)
            _, end = day_bounds(days[-1], query.zone)
            run.calls += 1
            slots = await query.fetch(self._source, start, end)
            fetched_at = self._clock()
            return {by_day[d]: _entry(slots.get(d, []), fetched_at) for d in days}

        entries: dict[DayKey, DayEntry] = {}
        for part in await asyncio.gather(*(one(days) for days in runs)):
            entries.update(part)
        await self._cache.set_many(entries, self._keep_for)
        return entries

    async def cached(self, keys: Sequence[DayKey]) -> dict[DayKey, DayEntry]:
        """Whatever the cache holds for these days, fresh or stale, without fetching."""
        return await self._cache.get_many(keys)

    async def replace_day(self, key: DayKey, entry: DayEntry) -> None:
        """Put one day's fresh availability into the cache (bookings and webhooks use this)."""
        await self._cache.set_many({key: entry}, self._keep_for)

    async def occupy(self, keys: Sequence[DayKey], start: datetime, end: datetime) -> int:
        """Drop cached slots that overlap ``[start, end)`` (a booking or a hold); returns how many went.

        Days not in the cache are left alone: the next fetch brings Cal.com's own view.
        """
        removed = 0
        for key, entry in (await self._cache.get_many(keys)).items():
            length = timedelta(minutes=entry.length_minutes or key.duration_minutes or 1)
            kept = tuple(s for s in entry.starts if not (s < end and start < s + length))
            if len(kept) != len(entry.starts):
                removed += len(entry.starts) - len(kept)
                await self.replace_day(key, DayEntry(kept, entry.fetched_at, entry.length_minutes))
        return removed

    async def take(self, tenant: Tenant, start: datetime, end: datetime) -> int:
        """Take ``[start, end)`` out of the tenant's cached days at once, at every cached slot length."""
        return await self.occupy(await self.day_keys(tenant, start), start, end)

    async def day_keys(self, tenant: Tenant, moment: datetime) -> list[DayKey]:
        """Every cache key of ``moment``'s local day: each event type at each slot length in use."""
        return await self.durations.day_keys(tenant, moment) if self.durations else tenant.day_keys(moment)

    async def refresh(self, query: DaysQuery, wait_seconds: float | None = None) -> FetchReport:
        """Fetch the query's days whatever the cache says (single-flight still applies).

        With ``wait_seconds`` the caller waits for the result (the booking path's fresh re-fetch);
        without, the refresh runs in the background.
        """
        report = FetchReport()
        keys = query.day_keys()
        runs = self._start(query, [k for k in keys if k not in self._inflight], patience=wait_seconds)
        if wait_seconds is not None:
            waiting = {k: self._inflight[k] for k in keys if k in self._inflight}
            await self._wait(waiting, wait_seconds, report)
        report.upstream_calls = sum(run.calls for run in runs)
        return report

    async def refresh_cached(self, tenant: Tenant, moment: datetime) -> int:
        """Re-fetch, in the background, the cached days of ``moment``'s local date (a slot was freed or changed).

        Days nobody has cached need nothing: the next search fetches them fresh anyway. Returns how many.
        """
        cached = await self.cached(await self.day_keys(tenant, moment))
        for key in cached:
            query = DaysQuery.of(tenant, key.event_type_id, key.day, key.day, key.duration_minutes)
            self._start(query, [key] if key not in self._inflight else [])
        return len(cached)

    async def aclose(self) -> None:
        """Let in-flight fetches finish (they fill the cache others wait for)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=5)


def _entry(pairs: list[tuple[datetime, datetime]], fetched_at: datetime) -> DayEntry:
    length = int((pairs[0][1] - pairs[0][0]).total_seconds() // 60) if pairs else 0
    return DayEntry(starts=tuple(sorted(s for s, _ in pairs)), fetched_at=fetched_at, length_minutes=length)
