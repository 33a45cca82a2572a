"""Issue 13's six first-day failures, end to end through uvicorn and the simulator speaking Cal.com's rules."""

from __future__ import annotations

import threading
from typing import Any

import httpx

from altslot.api.app import create_app
from altslot.api.serving import start_in_thread
from altslot.events import Events, UpstreamCall
from altslot.observability import ObservabilitySettings
from altslot.shell.config import CalcomSettings, Settings
from altslot.shell.runtime import build_runtime
from altslot.sim import create_app as create_sim
from altslot.sim.datafile import parse_data
from tests.support.world import EVENT, NOW, TOKEN, World, running, salon_data, tenant_settings

TAKEN_14 = [("2025-09-30 14:00", "2025-09-30 14:30")]


def book(world: World, start: str, key: str, attendee: dict[str, Any], **extra: Any) -> httpx.Response:
    body = {"event_type_id": EVENT, "start": start, "attendee": {"time_zone": "Europe/Berlin", **attendee}, **extra}
    headers = {"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": key}
    return world.http.post(f"{world.api.url}/api/appointments", json=body, headers=headers)


def sim_bookings(world: World) -> list[dict[str, Any]]:
    bookings: list[dict[str, Any]] = world.http.get(f"{world.sims[0].url}/_sim/bookings").json()
    return bookings


def calls(world: World, route: str) -> int:
    return int(world.stats()["requests"].get(route, 0))


def test_phone_only_booking_from_a_national_number() -> None:
    """A caller with only "030 1234567" in a German tenant books; Cal.com receives +49301234567 and no email."""
    with running(salon_data()) as world:
        response = book(world, "2025-09-30T10:00", "p", {"name": "Erika Mustermann", "phone": "030 1234567"})
        assert response.status_code == 201, response.text
        (booked,) = sim_bookings(world)
        assert booked["attendees"][0]["phoneNumber"] == "+49301234567"
        assert booked["attendees"][0]["email"] == "49301234567@sms.cal.com"  # Cal.com's own placeholder


def test_unusable_contacts_are_422_before_any_upstream_call() -> None:
    """No email and no phone, or a number that is no phone number: 422 naming the field, Cal.com never asked."""
    with running(salon_data()) as world:
        neither = book(world, "2025-09-30T10:00", "n", {"name": "Erika"})
        assert neither.status_code == 422
        assert neither.json()["detail"][0]["loc"] == ["body", "attendee"]
        bad = book(world, "2025-09-30T10:00", "b", {"name": "Erika", "phone": "12"})
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["loc"] == ["body", "attendee", "phone"]
        assert calls(world, "POST /v2/bookings") == 0


def test_cancel_without_a_reason_sends_the_tenant_default() -> None:
    """A cancel without reason succeeds at Cal.com (which requires one from the host): the German default is sent."""
    with running(salon_data()) as world:
        uid = book(world, "2025-09-30T10:00", "c", {"name": "Erika", "email": "erika@example.com"}).json()["uid"]
        headers = {"Authorization": f"Bearer {TOKEN}"}
        cancelled = world.http.post(f"{world.api.url}/api/appointments/{uid}/cancel", headers=headers)
        assert cancelled.status_code == 200, cancelled.text
        assert sim_bookings(world)[0]["cancellationReason"] == "Vom Anrufer abgesagt"
        again = world.http.post(f"{world.api.url}/api/appointments/{uid}/cancel", headers=headers)
        assert again.status_code == 409  # Cal.com's 400 "already cancelled": the booking's state, never a 503
        assert again.json()["error"] == "booking_conflict"


def test_hold_with_duration_minutes_keeps_its_offers() -> None:
    """duration_minutes on a fixed-length event type: no slotDuration is sent, so the offers are held."""
    with running(salon_data(bookings=TAKEN_14)) as world:
        answer = world.search(desired_start="2025-09-30T14:00", duration_minutes=30, hold_minutes=5).json()
        assert len(answer["alternatives"]) == 2
        assert all(a["hold_id"] for a in answer["alternatives"])
        assert calls(world, "POST /v2/slots/reservations") == 2  # none refused and replaced


def test_booking_a_held_offer_books_through_the_hold_and_releases_the_rest() -> None:
    """The chosen hold is consumed by the booking (reservedSlotUid); only the other one is released (DELETE 200)."""
    with running(salon_data(bookings=TAKEN_14)) as world:
        held = world.search(desired_start="2025-09-30T14:00", hold_minutes=5).json()["alternatives"]
        chosen = held[0]
        response = book(
            world, chosen["start"], "h", {"name": "Erika", "phone": "+4915123456789"}, hold_id=chosen["hold_id"]
        )
        assert response.status_code == 201, response.text
        assert calls(world, "DELETE /v2/slots/reservations/{uid}") == 1
        assert world.stats()["reservations"] == 0
        reservation = world.http.get(
            f"{world.sims[0].url}/v2/slots/reservations/{chosen['hold_id']}", headers={"cal-api-version": "2024-09-04"}
        )
        assert reservation.json()["data"] is None  # consumed by the booking


def test_release_is_a_success_and_frees_the_slot() -> None:
    """A release answered with Cal.com's data-less {"status":"success"} counts as a 200, never an error."""
    with running(salon_data(bookings=TAKEN_14)) as world:
        held = world.search(desired_start="2025-09-30T14:00", hold_minutes=5).json()["alternatives"]
        chosen, other = held
        book(world, chosen["start"], "r", {"name": "Erika", "email": "erika@example.com"}, hold_id=chosen["hold_id"])
        metrics = world.metrics()
        assert 'endpoint="DELETE /v2/slots/reservations",status="200"' in metrics
        errors = [line for line in metrics.splitlines() if line.startswith('calcom_api_errors_total{endpoint="DELETE')]
        assert errors and all(line.endswith(" 0.0") for line in errors)  # every series exists, none counted
        params = {"eventTypeId": str(EVENT), "start": "2025-09-30", "end": "2025-10-03", "timeZone": "Europe/Berlin"}
        days = world.http.get(
            f"{world.sims[0].url}/v2/slots", params=params, headers={"cal-api-version": "2024-09-04"}
        ).json()["data"]
        starts = [s["start"][:16] for day in days.values() for s in day]
        assert other["start"][:16] in starts  # released
        assert chosen["start"][:16] not in starts  # booked


def test_keys_are_checked_at_start_up_without_a_readyz() -> None:
    """Starting altslot proves each tenant's key with one GET /v2/me before anyone asks /readyz or searches."""
    sim = start_in_thread(create_sim(parse_data(salon_data())))
    checked = threading.Event()
    events = Events()
    events.subscribe(lambda e: checked.set() if isinstance(e, UpstreamCall) and e.endpoint == "GET /v2/me" else None)
    settings = Settings(
        calcom=CalcomSettings(base_url=sim.url),
        observability=ObservabilitySettings(search_log_url=""),
        tenants={"salon": tenant_settings(TOKEN, "cal_test_wrong", sim.url)},
    )
    api = start_in_thread(create_app(build_runtime(settings, clock=lambda: NOW, env={}, events=events)))
    try:
        assert checked.wait(30), "no key check after start-up"
        with httpx.Client(timeout=30) as http:
            assert http.get(f"{sim.url}/_sim/stats").json()["requests"] == {"GET /v2/me": 1}
            ready = http.get(f"{api.url}/readyz").json()
        assert ready["calcom_keys"]["salon"] == "invalid: ApiAuthStrategy - api key - Your api key is not valid"
    finally:
        api.stop()
        sim.stop()
