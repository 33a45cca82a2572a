"""The booking path end to end: uvicorn + the simulator, idempotency, 409s, webhooks and holds."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.support.world import EVENT, TOKEN, World, berlin, running, salon_data

SECRET = "whsec_test"
TAKEN_14 = [("2025-09-30 14:00", "2025-09-30 14:30")]
TAKEN_1530 = [("2025-09-30 15:30", "2025-09-30 16:00")]


def book(world: World, start: str, key: str, **extra: Any) -> httpx.Response:
    body = {
        "event_type_id": EVENT,
        "start": start,
        "attendee": {"name": "Erika Mustermann", "email": "erika@example.com", "time_zone": "Europe/Berlin"},
        **extra,
    }
    headers = {"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": key}
    return world.http.post(f"{world.api.url}/api/appointments", json=body, headers=headers)


def post(world: World, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    return world.http.post(f"{world.api.url}{path}", json=body or {}, headers=headers)


def sim_calls(world: World, route: str) -> int:
    return int(world.stats()["requests"].get(route, 0))


def active_bookings_at(world: World, start_utc: str) -> int:
    bookings = world.http.get(f"{world.sims[0].url}/_sim/bookings").json()
    return sum(1 for b in bookings if b["start"].startswith(start_utc) and b["status"] == "accepted")


def offers(world: World, desired: str = "2025-09-30T14:00", count: int = 10) -> list[str]:
    answer = world.search(desired_start=desired, max_alternatives=count).json()
    return [a["start"] for a in answer["alternatives"]]


def test_booking_updates_the_cache_without_an_upstream_call() -> None:
    """Book an offer, search again: the booked slot is gone and the search made no upstream call."""
    with running(salon_data(bookings=TAKEN_14)) as world:
        first = offers(world)
        response = book(world, "2025-09-30T14:30", "k1")
        assert response.status_code == 201, response.text
        booked = response.json()
        assert booked["start"] == berlin("2025-09-30T14:30")
        assert booked["uid"]
        again = world.search(desired_start="2025-09-30T14:00", max_alternatives=10).json()
        assert berlin("2025-09-30T14:30") in first
        assert berlin("2025-09-30T14:30") not in [a["start"] for a in again["alternatives"]]
        assert again["search"]["upstream_calls"] == 0
        assert world.slot_calls() == 1


def test_idempotent_retry_returns_the_same_booking() -> None:
    """A retry with the same key (after a lost answer) gets the same uid; Cal.com has one booking."""
    with running(salon_data()) as world:
        first = book(world, "2025-09-30T10:00", "retry-key")
        second = book(world, "2025-09-30T10:00", "retry-key")
        assert first.status_code == second.status_code == 201
        assert first.json()["uid"] == second.json()["uid"]
        assert sim_calls(world, "POST /v2/bookings") == 1
        assert active_bookings_at(world, "2025-09-30T08:00") == 1


def test_same_key_with_another_body_is_refused() -> None:
    """Reusing an Idempotency-Key for a different request is a 422, and nothing is booked."""
    with running(salon_data()) as world:
        assert book(world, "2025-09-30T10:00", "k").status_code == 201
        response = book(world, "2025-09-30T11:00", "k")
        assert response.status_code == 422
        assert sim_calls(world, "POST /v2/bookings") == 1


def test_two_callers_race_for_one_slot() -> None:
    """Two callers book the same slot at once: one 201, one 409 with alternatives, one booking."""
    with running(salon_data()) as world:
        with ThreadPoolExecutor(max_workers=2) as pool:
            responses = list(pool.map(lambda key: book(world, "2025-09-30T15:00", key), ["a", "b"]))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201, 409]
        conflict = next(r for r in responses if r.status_code == 409).json()
        assert conflict["error"] == "slot_taken"
        assert conflict["alternatives"]
        assert berlin("2025-09-30T15:00") not in [a["start"] for a in conflict["alternatives"]]
        assert conflict["response_text"]
        assert active_bookings_at(world, "2025-09-30T13:00") == 1


def test_slot_taken_outside_altslot_gets_fresh_alternatives() -> None:
    """A slot booked in Cal.com's UI after altslot cached the day: 409, and the day is re-fetched."""
    with running(salon_data()) as world:
        offers(world)
        calls = world.slot_calls()
        booking = {"event_type_id": EVENT, "start": "2025-09-30T13:00:00Z"}
        world.http.post(f"{world.sims[0].url}/_sim/bookings", json=booking).raise_for_status()
        response = book(world, "2025-09-30T15:00", "late")
        assert response.status_code == 409
        assert world.slot_calls() == calls + 1, "the day of the conflict is fetched fresh"


def test_bad_bookings_are_422_before_any_upstream_call() -> None:
    """Past, outside opening hours, a bad body or a missing key: 422 and Cal.com never hears of it."""
    with running(salon_data()) as world:
        assert book(world, "2025-09-28T10:00", "p").status_code == 422
        assert book(world, "2025-09-30T19:00", "h").status_code == 422
        assert book(world, "2025-10-04T10:00", "s").status_code == 422
        offers(world)  # the day is cached now, so its slot grid is known
        off_grid = book(world, "2025-09-30T10:07", "g")
        assert off_grid.status_code == 422
        assert "slot start" in off_grid.text
        assert book(world, "2025-09-30T10:00", "x", attendee={"name": ""}).status_code == 422
        headers = {"Authorization": f"Bearer {TOKEN}"}
        body = {"event_type_id": EVENT, "start": "2025-09-30T10:00", "attendee": {"name": "A", "time_zone": "UTC"}}
        assert world.http.post(f"{world.api.url}/api/appointments", json=body, headers=headers).status_code == 422
        assert sim_calls(world, "POST /v2/bookings") == 0


def test_cancel_and_reschedule() -> None:
    """Cancel frees the slot; reschedule moves it (new uid); unknown uids are 404."""
    with running(salon_data()) as world:
        uid = book(world, "2025-09-30T10:00", "c").json()["uid"]
        moved = post(world, f"/api/appointments/{uid}/reschedule", {"start": "2025-09-30T11:00"})
        assert moved.status_code == 201, moved.text
        new_uid = moved.json()["uid"]
        assert new_uid != uid
        assert moved.json()["rescheduled_from"] == uid
        cancelled = post(world, f"/api/appointments/{new_uid}/cancel", {"reason": "ill"})
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
        assert post(world, "/api/appointments/nope/cancel").status_code == 404


def test_reschedule_onto_a_taken_slot_is_409() -> None:
    """Rescheduling onto a booked slot answers 409 with alternatives."""
    with running(salon_data(bookings=TAKEN_14)) as world:
        uid = book(world, "2025-09-30T10:00", "r").json()["uid"]
        response = post(world, f"/api/appointments/{uid}/reschedule", {"start": "2025-09-30T14:00"})
        assert response.status_code == 409
        assert response.json()["alternatives"]


def wait_until(condition: Any, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_webhook_of_a_booking_made_in_cal_com_updates_the_cache() -> None:
    """A booking made in Cal.com (not through altslot) arrives as a webhook; the next search reflects it."""
    with running(salon_data(bookings=TAKEN_1530), webhook_secret=SECRET) as world:
        assert berlin("2025-09-30T16:00") in offers(world, "2025-09-30T15:30")
        booking = {"event_type_id": EVENT, "start": "2025-09-30T14:00:00Z"}
        world.http.post(f"{world.sims[0].url}/_sim/bookings", json=booking).raise_for_status()
        assert wait_until(lambda: berlin("2025-09-30T16:00") not in offers(world, "2025-09-30T15:30"))


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"X-Cal-Signature-256": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def webhook_body(start: str, end: str, trigger: str = "BOOKING_CREATED") -> bytes:
    payload = {"uid": "ext-1", "eventTypeId": EVENT, "startTime": start, "endTime": end, "status": "ACCEPTED"}
    return json.dumps({"triggerEvent": trigger, "createdAt": "2025-09-29T06:00:00Z", "payload": payload}).encode()


def test_forged_webhook_is_refused_and_changes_nothing() -> None:
    """A wrong or missing signature: 401 and the cache stays as it was."""
    with running(salon_data(bookings=TAKEN_1530), webhook_secret=SECRET) as world:
        before = offers(world, "2025-09-30T15:30")
        assert berlin("2025-09-30T16:00") in before
        body = webhook_body("2025-09-30T14:00:00Z", "2025-09-30T14:30:00Z")
        url = f"{world.api.url}/webhooks/calcom/salon"
        assert world.http.post(url, content=body, headers=signed(body, "wrong")).status_code == 401
        assert world.http.post(url, content=body).status_code == 401
        assert offers(world, "2025-09-30T15:30") == before
        assert world.slot_calls() == 1


def test_replayed_webhook_changes_nothing_twice() -> None:
    """The same delivery twice: the second is acknowledged as a duplicate and refreshes nothing."""
    with running(salon_data(), webhook_secret=SECRET) as world:
        offers(world)
        body = webhook_body("2025-09-30T13:00:00Z", "2025-09-30T13:30:00Z")
        url = f"{world.api.url}/webhooks/calcom/salon"
        first = world.http.post(url, content=body, headers=signed(body)).json()
        second = world.http.post(url, content=body, headers=signed(body)).json()
        assert first["status"] == "refreshed"
        assert second["status"] == "duplicate"
        other = json.dumps({"triggerEvent": "MEETING_ENDED", "payload": {}}).encode()
        assert world.http.post(url, content=other, headers=signed(other)).json()["status"] == "ignored"


def test_holds_hide_offers_from_others_until_one_is_booked() -> None:
    """hold_minutes reserves the offers; others do not get them; booking one releases the rest."""
    with running(salon_data(bookings=TAKEN_14)) as world:
        answer = world.search(desired_start="2025-09-30T14:00", hold_minutes=5).json()
        held = answer["alternatives"]
        assert len(held) == 2
        assert all(a["hold_id"] and a["held_until"] for a in held)
        assert world.stats()["reservations"] == 2
        others = offers(world)
        assert not {a["start"] for a in held} & set(others)
        chosen = held[0]
        response = book(world, chosen["start"], "h", hold_id=chosen["hold_id"])
        assert response.status_code == 201, response.text
        assert world.stats()["reservations"] == 0


def test_idempotency_holds_across_instances_on_redis(shared_redis: str, unique: str) -> None:
    """The same Idempotency-Key sent to two instances sharing Redis (node or cluster) books once, one uid."""
    from altslot.shell.config import CacheSettings

    cache = CacheSettings(backend="redis", redis_url=shared_redis)
    with running(salon_data(api_key=f"cal_test_{unique}"), cache=cache, instances=2) as world:
        body = {
            "event_type_id": EVENT,
            "start": "2025-09-30T10:00",
            "attendee": {"name": "Erika Mustermann", "phone": "0151 23456789", "time_zone": "Europe/Berlin"},
        }
        headers = {"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": f"shared-{unique}"}
        uids = [
            world.http.post(f"{api.url}/api/appointments", json=body, headers=headers).json()["uid"]
            for api in world.apis
        ]
        assert uids[0] == uids[1]
        assert sim_calls(world, "POST /v2/bookings") == 1
