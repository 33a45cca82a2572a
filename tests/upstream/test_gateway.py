"""``Upstream``, the gateway every Cal.com call goes through, against the simulator over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from altslot.api.serving import RunningServer
from altslot.availability.days import day_bounds
from altslot.calcom.client import CalcomClient, CalcomPool, Transport
from altslot.calcom.errors import ServerError, Unauthorized
from altslot.calcom.wire import DaySlots
from altslot.events import Event, Events, UpstreamCall
from altslot.types import Account, TenantId
from altslot.upstream import CircuitOpen, ResilienceSettings
from altslot.upstream.gateway import Upstream
from altslot.upstream.stack import build_upstream
from tests.support.availability import simulator
from tests.support.clocks import FakeClock
from tests.support.direct import BERLIN, TAKEN_14
from tests.support.world import EVENT

pytestmark = pytest.mark.anyio

NO_BACKOFF = ResilienceSettings(backoff_initial=0.0, backoff_max=0.0)
TUESDAY, WEDNESDAY = date(2025, 9, 30), date(2025, 10, 1)
START, END = day_bounds(TUESDAY, BERLIN)[0], day_bounds(WEDNESDAY, BERLIN)[1]
HALF_HOURS = [f"{h:02d}:{m:02d}" for h in range(9, 18) for m in (0, 30)]
"""A free day's 30-minute starts, 09:00 to 17:30."""


@dataclass
class Gate:
    """An ``Upstream`` built by ``build_upstream`` in front of the simulator, and what it reported."""

    upstream: Upstream
    account: Account
    sim: RunningServer
    seen: list[Event] = field(default_factory=list)

    @property
    def attempts(self) -> list[tuple[str, int | None, str | None]]:
        """Each reported attempt as (endpoint, status, error type)."""
        return [(e.endpoint, e.status, e.error) for e in self.seen if isinstance(e, UpstreamCall)]

    async def slots(self, *, retry: bool = True) -> DaySlots:
        """Tuesday's and Wednesday's slots of ``EVENT`` through ``call`` (``retry`` as given)."""

        async def get(client: CalcomClient) -> DaySlots:
            return await client.get_slots(EVENT, START, END, "Europe/Berlin", None)

        return await self.upstream.call(self.account, "GET /v2/slots", get, retry=retry)

    def sim_calls(self, route: str = "GET /v2/slots") -> int:
        """How often the simulator served ``route``."""
        return int(httpx.get(f"{self.sim.url}/_sim/stats").json()["requests"].get(route, 0))

    def fault(self, mode: str) -> None:
        """Put the simulator into a fault mode."""
        httpx.post(f"{self.sim.url}/_sim/faults", json={"mode": mode}).raise_for_status()


@pytest.fixture
def sim() -> Iterator[RunningServer]:
    """The salon's simulator, Tuesday 14:00 booked."""
    with simulator(bookings=TAKEN_14) as running:
        yield running


@asynccontextmanager
async def open_gate(
    sim: RunningServer, clock: FakeClock, settings: ResilienceSettings = NO_BACKOFF, transport: Transport | None = None
) -> AsyncIterator[Gate]:
    """A gate with its own pool and events; the pool is closed after."""
    pool = CalcomPool(
        timeout=2.0, max_connections=4, slots_version="2024-09-04", bookings_version="2024-08-13", transport=transport
    )
    events = Events()
    upstream = build_upstream(settings, pool, fetch_budget=5.0, events=events, clock=clock)
    gate = Gate(upstream, Account(TenantId("salon"), sim.url, "cal_test_salon"), sim)
    events.subscribe(gate.seen.append)
    try:
        yield gate
    finally:
        await pool.aclose()


@pytest.fixture
async def gate(sim: RunningServer, clock: FakeClock) -> AsyncIterator[Gate]:
    """A gate with retries but no backoff, in front of the simulator."""
    async with open_gate(sim, clock) as opened:
        yield opened


def berlin_times(slots: DaySlots) -> dict[date, list[str]]:
    """Each group's starts as Berlin clock times, checking every slot is 30 minutes long."""
    assert {end - start for pairs in slots.values() for start, end in pairs} == {timedelta(minutes=30)}
    return {day: [start.astimezone(BERLIN).strftime("%H:%M") for start, _ in pairs] for day, pairs in slots.items()}


async def test_get_slots_groups_the_simulators_slots_by_local_date(gate: Gate) -> None:
    """get_slots returns Cal.com's free slots keyed by their local date in the zone asked for."""
    slots = await gate.upstream.get_slots(gate.account, EVENT, START, END, "Europe/Berlin", None)
    assert berlin_times(slots) == {TUESDAY: [t for t in HALF_HOURS if t != "14:00"], WEDNESDAY: HALF_HOURS}
    # At UTC+14 each Berlin day's noon is already the next date there.
    kiritimati = await gate.upstream.get_slots(gate.account, EVENT, START, END, "Pacific/Kiritimati", None)
    zone = ZoneInfo("Pacific/Kiritimati")
    assert {day: len(pairs) for day, pairs in kiritimati.items()} == {
        TUESDAY: 6,
        WEDNESDAY: 11 + 6,
        WEDNESDAY + timedelta(days=1): 12,
    }
    assert all(start.astimezone(zone).date() == day for day, pairs in kiritimati.items() for start, _ in pairs)
    assert sorted(s for pairs in kiritimati.values() for s, _ in pairs) == sorted(
        s for pairs in slots.values() for s, _ in pairs
    )


async def test_each_attempt_emits_an_upstream_call_naming_the_endpoint(gate: Gate) -> None:
    """One call answered at once is one UpstreamCall event: the endpoint, status 200, no error."""
    await gate.slots()
    calls = [e for e in gate.seen if isinstance(e, UpstreamCall)]
    assert [(c.tenant, c.endpoint, c.status, c.error) for c in calls] == [("salon", "GET /v2/slots", 200, None)]


@pytest.mark.parametrize(("retry", "attempts"), [(False, 1), (True, 3)], ids=["retry-false", "default"])
async def test_retry_false_makes_one_attempt_on_a_5xx_the_default_retries(
    gate: Gate, retry: bool, attempts: int
) -> None:
    """On a 500 ``retry=False`` makes exactly one attempt; the default makes max_attempts (3), each reported."""
    gate.fault("error_500")
    with pytest.raises(ServerError):
        await gate.slots(retry=retry)
    assert gate.sim_calls() == attempts
    assert gate.attempts == [("GET /v2/slots", 500, "ServerError")] * attempts


async def test_default_retry_gets_past_a_flaky_answer(sim: RunningServer, clock: FakeClock) -> None:
    """A 503 that the simulator cannot be made to give once is retried: the second attempt gets the real slots."""
    forward = httpx.AsyncHTTPTransport()
    failures = [httpx.Response(503, json={"status": "error", "error": {"message": "flaky"}})]

    async def flaky(request: httpx.Request) -> httpx.Response:
        if failures:
            return failures.pop()
        answer = await forward.handle_async_request(request)
        return httpx.Response(answer.status_code, headers=answer.headers, content=await answer.aread())

    async with open_gate(sim, clock, transport=httpx.MockTransport(flaky)) as gate:
        slots = await gate.slots()
        assert berlin_times(slots)[WEDNESDAY] == HALF_HOURS
        assert gate.attempts == [("GET /v2/slots", 503, "ServerError"), ("GET /v2/slots", 200, None)]
        assert gate.sim_calls() == 1
    await forward.aclose()


async def test_refused_key_is_unauthorized_and_not_retried(gate: Gate) -> None:
    """A key Cal.com does not know gets 401: Unauthorized after one attempt."""
    stranger = Account(TenantId("salon"), gate.sim.url, "cal_test_revoked")

    async def me(client: CalcomClient) -> object:
        return await client.me()

    with pytest.raises(Unauthorized) as raised:
        await gate.upstream.call(stranger, "GET /v2/me", me)
    assert raised.value.status == 401
    assert gate.sim_calls("GET /v2/me") == 1
    assert gate.attempts == [("GET /v2/me", 401, "Unauthorized")]


async def test_open_breaker_fails_fast_and_sends_nothing(sim: RunningServer, clock: FakeClock) -> None:
    """Past two failed calls the circuit is open: CircuitOpen with the cool-down to wait, nothing sent or reported."""
    settings = ResilienceSettings(failure_threshold=2, max_attempts=1, cool_down_seconds=30.0)
    async with open_gate(sim, clock, settings) as gate:
        gate.fault("error_500")
        for _ in range(2):
            with pytest.raises(ServerError):
                await gate.slots()
        for _ in range(3):
            with pytest.raises(CircuitOpen) as raised:
                await gate.slots()
            assert raised.value.retry_after == 30.0
        assert gate.sim_calls() == 2
        assert gate.attempts == [("GET /v2/slots", 500, "ServerError")] * 2
