"""Bookings on a hostile or unlucky day: other tenants' uids, lost answers, Redis down, Cal.com's refusals.

Each test pins one defect of ``reviews/SECURITY.md`` (D1, D2, D3, D9, D12, D14, D16); the ones that
print ``FIGURES`` are the measurements quoted in ``docs/security.md`` (run them with ``pytest -s``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from altslot.shell.config import CacheSettings
from tests.e2e.shared import OTHER_EVENT, TenantSpec, shared_world
from tests.e2e.test_booking import book, post
from tests.support.world import EVENT, running, salon_data

ALPHA = TenantSpec("alpha-token", "cal_test_alpha")
BETA = TenantSpec("beta-token", "cal_test_beta", (EVENT, OTHER_EVENT))
GAMMA = TenantSpec("gamma-token", "cal_test_alpha", (OTHER_EVENT,))
"""Gamma shares alpha's Cal.com account (one key) but owns only the other event type."""
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_cross_tenant_cancel_and_reschedule_are_answered_like_an_unknown_uid(
    backend: str, redis_url: str, unique: str
) -> None:
    """D1: another tenant's uid (other account, or same account but another event type) is a plain 404."""
    cache = CacheSettings(backend="redis", redis_url=redis_url) if backend == "redis" else CacheSettings()
    tenants = {f"alpha{unique}": ALPHA, f"beta{unique}": BETA, f"gamma{unique}": GAMMA}
    with shared_world(tenants, cache=cache) as world:
        alphas = [world.book(ALPHA.token, f"2025-09-30T{h}:00", f"a{h}").json()["uid"] for h in (10, 11, 12)]
        gamma = world.book(GAMMA.token, "2025-09-30T15:00", "g", event_type_id=OTHER_EVENT).json()["uid"]
        unknown = world.post("/api/appointments/no-such-uid/cancel", BETA.token, {"reason": "x"})
        attempts = []
        for uid in alphas:
            attempts.append(world.post(f"/api/appointments/{uid}/cancel", BETA.token, {"reason": "B was here"}))
            attempts.append(
                world.post(f"/api/appointments/{uid}/reschedule", BETA.token, {"start": "2025-10-01T10:00"})
            )
        # Cal.com would let alpha's key act on gamma's booking (one account); altslot checks the event type.
        attempts.append(world.post(f"/api/appointments/{gamma}/cancel", ALPHA.token, {"reason": "x"}))
        attempts.append(world.post(f"/api/appointments/{gamma}/reschedule", ALPHA.token, {"start": "2025-10-01T11:00"}))
        statuses = [r.status_code for r in attempts]
        print(f"FIGURES cross-tenant {backend}: attempts={len(attempts)} statuses={sorted(set(statuses))}")
        assert unknown.status_code == 404
        assert statuses == [404] * len(attempts)
        assert all(r.json() == unknown.json() for r in attempts)
        assert [b["status"] for b in world.sim_bookings()] == ["accepted"] * 4
        assert world.sim_calls("POST /v2/bookings/{uid}/cancel") == 0
        assert world.sim_calls("POST /v2/bookings/{uid}/reschedule") == 0
        own = world.post(f"/api/appointments/{alphas[0]}/cancel", ALPHA.token, {"reason": "ill"})
        assert own.status_code == 200, own.text


class Lossy(httpx.AsyncBaseTransport):
    """The network between altslot and Cal.com, losing what a test tells it to (the transport seam)."""

    def __init__(self, *, lose_create_answers: int = 0, drop_creates: int = 0, fail_lists: int = 0) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.lose_create_answers = lose_create_answers
        self.drop_creates = drop_creates
        self.fail_lists = fail_lists

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward, unless this request or its answer is to be lost."""
        create = request.method == "POST" and request.url.path == "/v2/bookings"
        if create and self.drop_creates:
            self.drop_creates -= 1
            raise httpx.ConnectError("connection refused", request=request)
        if request.method == "GET" and request.url.path == "/v2/bookings" and self.fail_lists:
            self.fail_lists -= 1
            raise httpx.ConnectError("connection refused", request=request)
        response = await self._inner.handle_async_request(request)
        if create and self.lose_create_answers:
            self.lose_create_answers -= 1
            await response.aread()  # Cal.com committed and answered; the answer never arrives
            await response.aclose()
            raise httpx.ReadTimeout("no answer in time", request=request)
        return response

    async def aclose(self) -> None:
        """Close the real transport."""
        await self._inner.aclose()


@pytest.fixture
def salon() -> dict[str, TenantSpec]:
    """One tenant on the shared simulator."""
    return {"alpha": ALPHA}


def test_lost_create_answer_is_looked_up_and_answered_truthfully(salon: dict[str, TenantSpec]) -> None:
    """D2: Cal.com booked but its answer was lost: 201 with that booking, one booking, a retry replays it."""
    lossy = Lossy(lose_create_answers=1)
    with shared_world(salon, transport=lossy) as world:
        first = world.book(ALPHA.token, "2025-09-30T10:00", "lost-1")
        bookings = world.sim_bookings()
        retry = world.book(ALPHA.token, "2025-09-30T10:00", "lost-1")
        creates = world.sim_calls("POST /v2/bookings")
        print(
            f"FIGURES lost-answer first={first.status_code} bookings={len(bookings)} "
            f"retry={retry.status_code} same_uid={retry.json().get('uid') == first.json().get('uid')} creates={creates}"
        )
        assert first.status_code == 201, first.text
        assert [b["uid"] for b in bookings] == [first.json()["uid"]]
        assert bookings[0]["metadata"]["altslot_idempotency"]
        assert retry.status_code == 201
        assert retry.json()["uid"] == first.json()["uid"]
        assert creates == 1


def test_lost_answer_that_cannot_be_looked_up_is_settled_by_the_retry(salon: dict[str, TenantSpec]) -> None:
    """D2: answer lost and the lookup fails too: 503, the key is kept, and the retry finds the booking."""
    lossy = Lossy(lose_create_answers=1, fail_lists=3)
    with shared_world(salon, transport=lossy) as world:
        first = world.book(ALPHA.token, "2025-09-30T10:00", "lost-2")
        assert first.status_code == 503
        assert len(world.sim_bookings()) == 1
        retry = world.book(ALPHA.token, "2025-09-30T10:00", "lost-2")
        assert retry.status_code == 201, retry.text
        assert retry.json()["uid"] == world.sim_bookings()[0]["uid"]
        assert world.sim_calls("POST /v2/bookings") == 1


def test_create_that_never_arrived_is_503_and_the_retry_books(salon: dict[str, TenantSpec]) -> None:
    """D2: nothing reached Cal.com: the lookup says so, 503, and a retry with the same key books once."""
    with shared_world(salon, transport=Lossy(drop_creates=1)) as world:
        assert world.book(ALPHA.token, "2025-09-30T10:00", "lost-3").status_code == 503
        assert world.sim_bookings() == []
        retry = world.book(ALPHA.token, "2025-09-30T10:00", "lost-3")
        assert retry.status_code == 201
        assert [b["uid"] for b in world.sim_bookings()] == [retry.json()["uid"]]


def test_replay_comes_before_the_slot_grid_check() -> None:
    """D3: after booking 11:30 on a day of two slots (10:00, 11:30), the same request replays the booking."""
    taken = [("2025-09-30 09:00", "2025-09-30 10:00"), ("2025-09-30 10:30", "2025-09-30 11:30")]
    taken.append(("2025-09-30 12:00", "2025-09-30 18:00"))
    with running(salon_data(bookings=taken)) as world:
        world.search(desired_start="2025-09-30T10:00")  # caches the day: slots 10:00 and 11:30
        first = book(world, "2025-09-30T11:30", "grid")
        retries = [book(world, "2025-09-30T11:30", "grid") for _ in range(2)]
        assert first.status_code == 201, first.text
        assert [r.status_code for r in retries] == [201, 201]
        assert {r.json()["uid"] for r in retries} == {first.json()["uid"]}


def test_cal_com_refusals_on_cancel_and_reschedule_are_409_not_503() -> None:
    """D9: cancelling twice or moving a cancelled booking is 409 with Cal.com's reason, never 503."""
    with running(salon_data()) as world:
        uid = book(world, "2025-09-30T10:00", "c").json()["uid"]
        assert post(world, f"/api/appointments/{uid}/cancel", {"reason": "ill"}).status_code == 200
        again = post(world, f"/api/appointments/{uid}/cancel", {"reason": "ill"})
        moved = post(world, f"/api/appointments/{uid}/reschedule", {"start": "2025-09-30T11:00"})
        assert again.status_code == 409, again.text
        assert again.json()["error"] == "booking_conflict"
        assert "because it has been cancelled already" in again.json()["message"]  # Cal.com's own reason
        assert moved.status_code == 409, moved.text
        assert "because it has been cancelled" in moved.json()["message"]
        assert "Retry-After" not in again.headers


def test_one_key_on_two_instances_without_redis_never_gets_201_and_409() -> None:
    """D12: Redis down, one key alternating over two instances at once: all 201, one uid, one booking."""
    cache = CacheSettings(backend="redis", redis_url=DEAD_REDIS)
    with shared_world({"alpha": ALPHA}, instances=2, cache=cache) as world:

        def attempt(i: int) -> httpx.Response:
            return world.book(ALPHA.token, "2025-09-30T10:00", "split-key", instance=i % 2)

        with ThreadPoolExecutor(max_workers=10) as pool:
            answers = list(pool.map(attempt, range(20)))
        assert [a.status_code for a in answers] == [201] * 20, {a.status_code: a.text for a in answers}
        assert len({a.json()["uid"] for a in answers}) == 1
        assert len([b for b in world.sim_bookings() if b["status"] == "accepted"]) == 1


def test_booking_takes_the_slot_out_of_every_cached_duration() -> None:
    """D14: a search with an explicit duration_minutes no longer offers a slot just booked or held."""
    with running(salon_data()) as world:
        before = world.search(desired_start="2025-09-30T10:00", duration_minutes=30).json()
        assert before["available"] is True
        assert book(world, "2025-09-30T10:00", "d14").status_code == 201
        after = world.search(desired_start="2025-09-30T10:00", duration_minutes=30).json()
        assert after["available"] is False
        assert after["search"]["upstream_calls"] == 0
        held = world.search(desired_start="2025-09-30T11:00", hold_minutes=5).json()  # default length
        assert held["requested"]["hold_id"]
        explicit = world.search(desired_start="2025-09-30T11:00", duration_minutes=30).json()
        assert explicit["available"] is False
