"""D7: holds are placed in parallel within the search's deadline, capped per search and per tenant."""

from __future__ import annotations

import httpx

from altslot.shell.config import SearchSettings
from tests.e2e.shared import Shared, TenantSpec, shared_world
from tests.support.world import berlin

SALON = {"salon": TenantSpec("salon-token", "cal_test_salon")}
TOKEN = SALON["salon"].token


class CountingReservations(httpx.AsyncBaseTransport):
    """The network to Cal.com, counting how many reservations are in flight at once (the transport seam)."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.in_flight = 0
        self.peak = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward, counting concurrent ``POST /v2/slots/reservations``."""
        reserve = request.method == "POST" and request.url.path == "/v2/slots/reservations"
        if reserve:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            return await self._inner.handle_async_request(request)
        finally:
            if reserve:
                self.in_flight -= 1

    async def aclose(self) -> None:
        """Close the real transport."""
        await self._inner.aclose()


def held(world: Shared, **body: object) -> tuple[dict[str, object], list[str]]:
    """One search asking for holds: the answer and the hold ids it carries."""
    body.setdefault("desired_start", "2025-09-30T14:00")
    body.setdefault("hold_minutes", 5)
    answer = world.search(TOKEN, **body)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    return data, [a["hold_id"] for a in data["alternatives"] if a["hold_id"]]


def reservations(world: Shared) -> int:
    return int(world.http.get(f"{world.sim.url}/_sim/stats").json()["reservations"])


def test_holds_are_capped_per_search_and_per_tenant() -> None:
    """Two holds per answer at most, three live per tenant; booking one group frees its share."""
    bookings = [("2025-09-30 14:00", "2025-09-30 14:30")]
    search = SearchSettings(max_holds_per_search=2, max_live_holds=3)
    with shared_world(SALON, bookings=bookings, search=search) as world:
        first, first_ids = held(world, max_alternatives=4)
        assert len(first["alternatives"]) == 4
        assert len(first_ids) == 2
        assert len(held(world, max_alternatives=4)[1]) == 1
        assert held(world, max_alternatives=4)[1] == []
        assert reservations(world) == 3
        chosen = next(a for a in first["alternatives"] if a["hold_id"] == first_ids[0])
        booked = world.book(TOKEN, chosen["start"], "h1", hold_id=chosen["hold_id"])
        assert booked.status_code == 201, booked.text
        assert len(held(world, max_alternatives=4)[1]) == 2


def test_free_desired_time_is_held_too() -> None:
    """A free desired time with hold_minutes is held for the caller and hidden from others."""
    with shared_world(SALON) as world:
        answer, _ = held(world, desired_start="2025-09-30T10:00")
        assert answer["available"] is True
        assert answer["requested"]["hold_id"]
        assert answer["requested"]["held_until"]
        assert reservations(world) == 1
        other = world.search(TOKEN, desired_start="2025-09-30T10:00").json()
        assert other["available"] is False
        assert berlin("2025-09-30T10:00") not in [a["start"] for a in other["alternatives"]]


def test_holds_go_out_in_parallel_and_stop_at_the_deadline() -> None:
    """Three holds are in flight together; with Cal.com hanging the answer comes by its deadline, unheld."""
    counting = CountingReservations()
    taken = [("2025-09-30 14:00", "2025-09-30 14:30"), ("2025-10-01 14:00", "2025-10-01 14:30")]
    with shared_world(SALON, bookings=taken, transport=counting, sim_options={"latency_ms": (200, 200)}) as world:
        world.search(TOKEN, desired_start="2025-09-30T14:00", max_alternatives=3)  # caches the days
        _, ids = held(world, desired_start="2025-09-30T14:00", max_alternatives=3, hold_minutes=5)
        assert len(ids) == 3
        assert counting.peak == 3
        world.fault("slow", latency_ms=3000)
        answer, hanging = held(world, desired_start="2025-10-01T14:00", max_alternatives=3, deadline_ms=500)
        assert hanging == []
        assert len(answer["alternatives"]) == 3
        assert answer["search"]["duration_ms"] < 3000  # vs. one 4 s client timeout per hold before
