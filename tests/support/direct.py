"""One runtime in-process in front of the simulator, for the direct tests of search, holds, booking and webhooks.

The tests call ``Searcher``, ``Booker`` and ``WebhookHandler`` with their values (no HTTP API in between);
only Cal.com is on the other side of a socket, the bundled simulator with the salon's data.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from altslot.api.serving import RunningServer
from altslot.events import Event, FetchDone
from altslot.search.answers import SearchAnswer, SearchInput
from altslot.shell.runtime import Runtime
from altslot.types import OWN_LENGTH, Tenant
from tests.support.availability import runtime_for, simulator
from tests.support.clocks import FakeClock
from tests.support.world import EVENT, Clock

BERLIN = ZoneInfo("Europe/Berlin")
OTHER_EVENT = 2001
"""An event type on the salon's calendar (the simulator's account) that the tenant does not own."""
TAKEN_14 = (("2025-09-30 14:00", "2025-09-30 14:30"),)
"""The one booking of most tests: Tuesday 30 September, 14:00–14:30 Berlin."""


def berlin(text: str) -> datetime:
    """A Berlin wall-clock time (``"2025-09-30 14:30"``) as an aware instant."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


class FetchWaiter:
    """Records every event; a test awaits finished fetches (``FetchDone``) instead of sleeping."""

    def __init__(self) -> None:
        self.seen: list[Event] = []
        self._changed = asyncio.Event()

    def __call__(self, event: Event) -> None:
        self.seen.append(event)
        self._changed.set()

    @property
    def fetches(self) -> list[FetchDone]:
        """The fetches finished so far, in order."""
        return [e for e in self.seen if isinstance(e, FetchDone)]

    async def fetched(self, count: int) -> list[FetchDone]:
        """Wait until ``count`` fetches have finished in all; the bound only keeps a broken run from hanging."""
        async with asyncio.timeout(60):
            while len(self.fetches) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.fetches


@dataclass
class Desk:
    """The simulator, a runtime of the tenant ``salon`` in front of it, and a client for the simulator's admin."""

    sim: RunningServer
    runtime: Runtime
    tenant: Tenant
    clock: Clock
    watch: FetchWaiter
    http: httpx.AsyncClient = field(default_factory=httpx.AsyncClient)

    async def search(self, desired: str, **wish: Any) -> SearchAnswer:
        """Search for a Berlin wall-clock ``desired`` start of ``EVENT``; the answer must not be a 503."""
        answer = await self.runtime.searcher.search(self.tenant, SearchInput(EVENT, berlin(desired), **wish))
        assert isinstance(answer, SearchAnswer), answer
        return answer

    async def cached(self, day: date, minutes: int = OWN_LENGTH) -> list[datetime] | None:
        """The starts cached for ``EVENT`` on ``day`` (Berlin wall time), or None when the day is not cached."""
        key = self.tenant.day_key(EVENT, day, minutes)
        entry = (await self.runtime.availability.cached([key])).get(key)
        return None if entry is None else [s.astimezone(BERLIN) for s in entry.starts]

    async def times(self, day: date, minutes: int = OWN_LENGTH) -> list[str]:
        """The cached starts of ``EVENT`` on ``day`` as Berlin clock times (``"14:30"``); the day must be cached."""
        cached = await self.cached(day, minutes)
        assert cached is not None, f"{day} is not cached at slot length {minutes}"
        return [start.strftime("%H:%M") for start in cached]

    async def stats(self) -> dict[str, Any]:
        """The simulator's counters."""
        stats: dict[str, Any] = (await self.http.get(f"{self.sim.url}/_sim/stats")).json()
        return stats

    async def calls(self, route: str) -> int:
        """How often the simulator served ``route`` (``"GET /v2/slots"``)."""
        return int((await self.stats())["requests"].get(route, 0))

    async def fault(self, mode: str, **extra: Any) -> None:
        """Put the simulator into a fault mode (``down``, ``error_500``, ``ok`` ...)."""
        (await self.http.post(f"{self.sim.url}/_sim/faults", json={"mode": mode, **extra})).raise_for_status()

    async def book_outside(self, start: str, event_type_id: int = EVENT) -> str:
        """Book a Berlin wall-clock start in "Cal.com's UI" (altslot hears nothing of it); returns the uid."""
        body = {"event_type_id": event_type_id, "start": berlin(start).isoformat()}
        response = await self.http.post(f"{self.sim.url}/_sim/bookings", json=body)
        response.raise_for_status()
        return str(response.json()["uid"])

    async def bookings(self) -> list[dict[str, Any]]:
        """Every booking the simulator holds."""
        found: list[dict[str, Any]] = (await self.http.get(f"{self.sim.url}/_sim/bookings")).json()
        return found

    async def reservation(self, uid: str) -> dict[str, Any] | None:
        """The simulator's live reservation ``uid`` (``GET /v2/slots/reservations/{uid}``), or None."""
        headers = {"cal-api-version": "2024-09-04"}
        response = await self.http.get(f"{self.sim.url}/v2/slots/reservations/{uid}", headers=headers)
        data: dict[str, Any] | None = response.raise_for_status().json()["data"]
        return data


@asynccontextmanager
async def desk(
    *, bookings: Sequence[tuple[str, str]] = TAKEN_14, webhook_secret: str | None = None, **sections: Any
) -> AsyncIterator[Desk]:
    """A simulator with the salon's data (and ``OTHER_EVENT``) and a runtime of tenant ``salon`` before it.

    The wall clock stands at ``NOW`` until a test moves it; the monotonic clock never moves by itself.
    ``sections`` are settings sections (``search=SearchSettings(...)``, ``resilience=...``).
    """
    clock, watch = Clock(), FetchWaiter()
    with simulator(bookings=bookings, event_types=[OTHER_EVENT]) as sim:
        async with runtime_for(
            sim, "salon", clock, monotonic=FakeClock(), webhook_secret=webhook_secret, **sections
        ) as runtime:
            runtime.events.subscribe(watch)
            tenant = runtime.tenants.get("salon")
            assert tenant is not None
            async with httpx.AsyncClient() as http:
                yield Desk(sim, runtime, tenant, clock, watch, http)


@pytest.fixture
async def salon() -> AsyncIterator[Desk]:
    """The salon with its default settings (re-exported by the conftests that use it)."""
    async with desk() as found:
        yield found
