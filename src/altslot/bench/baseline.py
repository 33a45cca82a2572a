"""A re-creation of the old system's documented call pattern (seed ``performance-analysis.md`` §1, §5).

This is not the old PHP code, which is not available: it re-creates what the analysis documents of
``AppointmentAlternativeFinder`` + ``CalcomService``, so both systems can be measured against the same
simulated Cal.com in one run:

* strategies run one after another and stop once ``max_alternatives`` are found: same day earlier
  (2 h before), same day later (2 h after), next workday ±30 min, same weekday next week ±30 min, next
  available (up to 7 daily calls); each strategy offers its one closest slot;
* then 4 fallback candidates, each verified with a day call of its own;
* then the 14-day day-by-day search (non-workdays skipped), stopping at the first free slot;
* every call site caches per window: the key is built from the call site and its window, with a 300 s
  TTL, so windows of different strategies never share entries (as the seed's worst case of 28 calls
  implies); there is no single-flight, so concurrent searches that miss all call Cal.com.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import httpx

from altslot.bench.world import ZONE

CACHE_TTL_SECONDS = 300.0
WORKDAYS = frozenset(range(6))  # Monday–Saturday, as the benchmark's Cal.com schedules


@dataclass
class OldCache:
    """The per-window cache shared by all searches of one old "deployment" (no single-flight)."""

    entries: dict[str, tuple[float, list[datetime]]] = field(default_factory=dict)
    clock: Callable[[], float] = time.monotonic


@dataclass
class OldResult:
    """One search of the old pattern: offers, calls made, cache lookups and seconds taken."""

    alternatives: list[tuple[str, datetime]]
    calls: int
    cache_hits: int
    cache_misses: int
    seconds: float


class OldFinder:
    """The old call pattern against a Cal.com-compatible API (the simulator)."""

    def __init__(self, client: httpx.AsyncClient, api_key: str, cache: OldCache, max_alternatives: int = 2) -> None:
        self._client = client
        self._headers = {"Authorization": f"Bearer {api_key}", "cal-api-version": "2024-09-04"}
        self._cache = cache
        self._max = max_alternatives

    async def find(self, event_type_id: int, desired: datetime) -> OldResult:
        """Search alternatives for a taken ``desired`` Berlin time the way the old finder did."""
        search = _Search(self, event_type_id, desired)
        started = time.perf_counter()
        await search.run()
        return OldResult(search.found, search.calls, search.hits, search.misses, time.perf_counter() - started)


class _Search:
    def __init__(self, finder: OldFinder, event_type_id: int, desired: datetime) -> None:
        self.finder = finder
        self.event_type_id = event_type_id
        self.desired = desired
        self.found: list[tuple[str, datetime]] = []
        self.calls = self.hits = self.misses = 0

    @property
    def enough(self) -> bool:
        return len(self.found) >= self.finder._max

    async def slots(self, site: str, start: datetime, end: datetime) -> list[datetime]:
        """``CalcomService::getAvailableSlots`` with its per-window cache."""
        cache = self.finder._cache
        key = f"calcom_slots_{self.event_type_id}_{site}_{start:%Y-%m-%dT%H:%M}_{end:%Y-%m-%dT%H:%M}"
        entry = cache.entries.get(key)
        if entry is not None and entry[0] > cache.clock():
            self.hits += 1
            return entry[1]
        self.misses += 1
        self.calls += 1
        params = {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "eventTypeId": str(self.event_type_id),
            "timeZone": "Europe/Berlin",
        }
        response = await self.finder._client.get("/v2/slots", params=params, headers=self.finder._headers)
        response.raise_for_status()
        days = response.json()["data"]
        found = [datetime.fromisoformat(s["start"]) for day in days.values() for s in day]
        cache.entries[key] = (cache.clock() + CACHE_TTL_SECONDS, found)
        return found

    def offer(self, strategy: str, candidates: list[datetime]) -> None:
        """Take the candidate closest to the desired time of day, if any."""
        fresh = [c for c in candidates if c != self.desired and all(c != f for _, f in self.found)]
        if fresh and not self.enough:
            wish = self.desired.hour * 60 + self.desired.minute
            best = min(fresh, key=lambda c: (abs(c.hour * 60 + c.minute - wish), c))
            self.found.append((strategy, best))

    async def run(self) -> None:
        wish, day = self.desired, self.desired.date()
        window, half = timedelta(hours=2), timedelta(minutes=30)
        strategies = [
            ("same_day_earlier", wish - window, wish),
            ("same_day_later", wish + timedelta(minutes=1), wish + window),
        ]
        for name, start, end in strategies:
            self.offer(name, await self.slots(name, start, end))
            if self.enough:
                return
        for name, other in (("next_workday", _next_workday(day)), ("next_week", day + timedelta(days=7))):
            moment = _on(other, wish)
            self.offer(name, await self.slots(name, moment - half, moment + half))
            if self.enough:
                return
        for offset in range(1, 8):
            other = day + timedelta(days=offset)
            start = datetime.combine(other, datetime.min.time(), ZONE)
            slots = await self.slots("next_available", start, start + timedelta(hours=23, minutes=59))
            if slots:
                self.offer("next_available", slots)
                break
        if self.enough:
            return
        await self.fallback(day, wish)

    async def fallback(self, day: date, wish: datetime) -> None:
        """Verify 4 generated candidates one by one, then brute-force the horizon day by day."""
        candidates = [
            wish + timedelta(hours=1),
            wish - timedelta(hours=1),
            _on(day + timedelta(days=1), wish),
            _on(day + timedelta(days=2), wish),
        ]
        for candidate in candidates:
            start = datetime.combine(candidate.date(), datetime.min.time(), ZONE)
            slots = await self.slots(f"verify_{candidate:%H%M}", start, start + timedelta(days=1))
            if candidate in slots:
                self.offer("fallback", [candidate])
                if self.enough:
                    return
        for offset in range(15):  # the seed's `for ($dayOffset = 0; $dayOffset <= $maxDays; ...)`
            other = day + timedelta(days=offset)
            if other.weekday() not in WORKDAYS:
                continue
            opening = _on(other, wish.replace(hour=9, minute=0))
            slots = await self.slots("brute_force", opening, opening + timedelta(hours=9))
            if slots:
                self.offer("brute_force", slots[:1])
                return


def _on(day: date, wish: datetime) -> datetime:
    return datetime.combine(day, wish.time().replace(tzinfo=None), ZONE)


def _next_workday(day: date) -> date:
    other = day + timedelta(days=1)
    while other.weekday() not in WORKDAYS:
        other += timedelta(days=1)
    return other
