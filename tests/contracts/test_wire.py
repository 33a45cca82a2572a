"""altslot's requests (captured at the transport seam) and the simulator's answers, held to the schemas.

Both sides are checked against ``schemas/``, written from Cal.com's source, not against each other: a change
that makes client and simulator agree on something Cal.com does not do fails here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from altslot.api.app import create_app
from altslot.api.serving import RunningServer, start_in_thread
from altslot.observability import ObservabilitySettings
from altslot.shell.config import CalcomSettings, Settings
from altslot.shell.runtime import build_runtime
from altslot.sim import create_app as create_sim
from altslot.sim.datafile import parse_data
from tests.contracts.contract import assert_valid, validator
from tests.contracts.recorder import CONTRACTS, Exchange, Recorder, contract_of
from tests.support.world import EVENT, NOW, TOKEN, salon_data, tenant_settings

TAKEN_14 = [("2025-09-30 14:00", "2025-09-30 14:30")]


def check(exchange: Exchange) -> None:
    """One exchange against its route's contract: version header, query or body, and the answer."""
    contract = contract_of(exchange)
    what = f"{exchange.method} {exchange.path}"
    if contract.version is not None:
        assert exchange.headers.get("cal-api-version") == contract.version, what
    if contract.name in ("slots", "bookings"):
        assert_valid(f"{contract.name}-query", exchange.query, f"{what} query")
    elif contract.request is not None:
        assert_valid(contract.request, exchange.body, f"{what} body")
    else:
        assert exchange.body is None, f"{what} sends a body"
    assert_valid("error-response" if exchange.status >= 400 else contract.answer, exchange.answer, f"{what} answer")


@pytest.fixture
def altslot_on_sim() -> Iterator[tuple[RunningServer, RunningServer, Recorder]]:
    """The simulator, and altslot in front of it with its client's transport recorded."""
    sim = start_in_thread(create_sim(parse_data(salon_data(bookings=TAKEN_14))))
    recorder = Recorder()
    settings = Settings(
        calcom=CalcomSettings(base_url=sim.url),
        observability=ObservabilitySettings(search_log_url=""),
        tenants={"salon": tenant_settings(TOKEN, "cal_test_salon", sim.url)},
    )
    api = start_in_thread(create_app(build_runtime(settings, clock=lambda: NOW, env={}, transport=recorder)))
    try:
        yield sim, api, recorder
    finally:
        api.stop()
        sim.stop()


def test_every_call_altslot_makes_matches_cal_com(
    altslot_on_sim: tuple[RunningServer, RunningServer, Recorder],
) -> None:
    """Search, hold, book through a hold (phone only), book, reschedule, cancel and the key check, all on contract."""
    _, api, recorder = altslot_on_sim
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=api.url, headers=auth, timeout=30) as http:
        assert http.get("/readyz").json()["calcom_keys"] == {"salon": "ok"}
        search = {"event_type_id": EVENT, "desired_start": "2025-09-30T14:00"}
        held = http.post("/api/appointments/alternatives", json={**search, "hold_minutes": 5, "duration_minutes": 30})
        offer = held.json()["alternatives"][0]

        def book(start: str, key: str, attendee: dict[str, Any], **extra: Any) -> httpx.Response:
            body = {"event_type_id": EVENT, "start": start, "attendee": {"time_zone": "Europe/Berlin", **attendee}}
            return http.post("/api/appointments", json={**body, **extra}, headers={"Idempotency-Key": key})

        phone = {"name": "Erika", "phone": "030 1234567"}
        assert book(offer["start"], "a", phone, hold_id=offer["hold_id"]).status_code == 201
        mail = {"name": "Max", "email": "max@example.com"}
        uid = book("2025-10-01T10:00", "b", mail, metadata={"source": "phone"}).json()["uid"]
        assert book("2025-09-30T14:00", "c", mail).status_code == 409  # Cal.com's 400 slot taken
        moved = http.post(f"/api/appointments/{uid}/reschedule", json={"start": "2025-10-01T11:00"}).json()
        assert http.post(f"/api/appointments/{moved['uid']}/cancel").status_code == 200
    seen = {contract_of(e).name for e in recorder.exchanges}
    assert seen >= {"me", "slots", "reserve", "release", "book", "bookings", "reschedule", "cancel"}
    for exchange in recorder.exchanges:
        check(exchange)


def test_simulator_answers_match_cal_com(altslot_on_sim: tuple[RunningServer, RunningServer, Recorder]) -> None:
    """The simulator's answers on every route altslot uses, errors included, satisfy the schemas."""
    sim, _, _ = altslot_on_sim
    slots = {"cal-api-version": "2024-09-04"}
    bookings = {"cal-api-version": "2024-08-13"}
    key = {"Authorization": "Bearer cal_test_salon"}
    answers: list[tuple[str, Any]] = []
    with httpx.Client(base_url=sim.url, timeout=30) as http:

        def keep(schema: str, response: httpx.Response) -> Any:
            answers.append((schema, response.json()))
            return response.json()

        week = {"eventTypeId": str(EVENT), "start": "2025-09-29", "end": "2025-10-03"}
        keep("slots-response", http.get("/v2/slots", params=week, headers=slots))
        keep("slots-response", http.get("/v2/slots", params={**week, "timeZone": "Europe/Berlin"}, headers=slots))
        keep("slots-response", http.get("/v2/slots", params={**week, "format": "range"}, headers=slots))
        keep(
            "slots-response",
            http.get("/v2/slots", params={**week, "start": "2025-10-04", "end": "2025-10-05"}, headers=slots),
        )
        hold = {"eventTypeId": EVENT, "slotStart": "2025-09-30T08:00:00.000Z"}
        uid = keep("reserve-slot-response", http.post("/v2/slots/reservations", json=hold, headers=slots))["data"]
        keep("reservation-response", http.get(f"/v2/slots/reservations/{uid['reservationUid']}", headers=slots))
        keep("error-response", http.post("/v2/slots/reservations", json=hold, headers=slots))  # 422 reserved
        keep("release-response", http.delete(f"/v2/slots/reservations/{uid['reservationUid']}", headers=slots))
        keep("reservation-response", http.get(f"/v2/slots/reservations/{uid['reservationUid']}", headers=slots))
        keep("release-response", http.delete("/v2/slots/reservations/unknown", headers=slots))
        attendee = {"name": "Erika", "timeZone": "Europe/Berlin", "phoneNumber": "+49301234567"}
        create = {"start": "2025-09-30T09:00:00.000Z", "eventTypeId": EVENT, "attendee": attendee}
        booked = keep("booking-response", http.post("/v2/bookings", json=create, headers=bookings))["data"]
        keep("booking-response", http.get(f"/v2/bookings/{booked['uid']}", headers=bookings))
        listed = http.get("/v2/bookings", params={"eventTypeId": str(EVENT), "take": "10"}, headers={**bookings, **key})
        keep("bookings-response", listed)
        keep("error-response", http.post("/v2/bookings", json=create, headers=bookings))  # 400 taken
        moved = {"start": "2025-09-30T10:00:00.000Z", "reschedulingReason": "later"}
        new = keep(
            "booking-response", http.post(f"/v2/bookings/{booked['uid']}/reschedule", json=moved, headers=bookings)
        )
        cancel = {"cancellationReason": "ill"}
        path = f"/v2/bookings/{new['data']['uid']}/cancel"
        keep("booking-response", http.post(path, json=cancel, headers={**bookings, **key}))
        keep("error-response", http.post(path, json={}, headers={**bookings, **key}))  # already cancelled
        keep("me-response", http.get("/v2/me", headers=key))
        keep("error-response", http.get("/v2/me", headers={"Authorization": "Bearer cal_wrong"}))  # 401
        keep("error-response", http.get("/v2/slots", params={**week, "x": "1"}, headers=slots))  # 400
        keep("error-response", http.get("/v2/slots/available", params={"startTime": "x"}))  # global pipe 400
        keep("error-response", http.get("/v2/slots", params={**week, "eventTypeId": "9"}, headers=slots))  # 404
        http.post("/_sim/faults", json={"mode": "rate_limited"})
        keep("error-response", http.get("/v2/slots", params=week, headers=slots))  # 429
    for schema, body in answers:
        assert_valid(schema, body)


def test_simulator_webhooks_match_cal_com() -> None:
    """The booking webhooks the simulator delivers (created, then cancelled) satisfy the schema."""
    received: list[bytes] = []
    both = threading.Event()

    async def hook(request: Request) -> Response:
        received.append(await request.body())
        if len(received) == 2:
            both.set()
        return Response(status_code=200)

    sink = start_in_thread(Starlette(routes=[Route("/hook", hook, methods=["POST"])]))
    data = {**salon_data(), "webhooks": [{"subscriber_url": f"{sink.url}/hook", "secret": "s"}]}
    sim = start_in_thread(create_sim(parse_data(data)))
    try:
        with httpx.Client(base_url=sim.url, timeout=30) as http:
            when = datetime(2025, 9, 30, 8, 0, tzinfo=UTC).isoformat()
            uid = http.post("/_sim/bookings", json={"event_type_id": EVENT, "start": when}).json()["uid"]
            http.post(f"/_sim/bookings/{uid}/cancel", json={"cancellationReason": "ill"})
        assert both.wait(30), "the simulator delivered fewer than two webhooks"
    finally:
        sim.stop()
        sink.stop()
    for raw in received:
        assert_valid("webhook", json.loads(raw))


def test_every_contract_names_existing_schemas() -> None:
    """The route table only names schema files that exist and are valid."""
    for contract in CONTRACTS:
        for name in (contract.request, contract.answer):
            if name:
                validator(name)


def test_a_client_that_drifts_fails_the_contract() -> None:
    """The pre-issue-13 requests (cancel without reason, invented hold field, national phone) are caught."""
    old_cancel = Exchange("POST", "/v2/bookings/u/cancel", {}, {"cal-api-version": "2024-08-13"}, {}, 200, None)
    with pytest.raises(AssertionError):
        check(old_cancel)
    attendee = {"name": "A", "timeZone": "UTC", "phoneNumber": "030 1234567"}
    body = {"start": "2050-09-05T10:00:00.000Z", "eventTypeId": 1, "attendee": attendee, "reservationUid": "r"}
    with pytest.raises(AssertionError):
        check(Exchange("POST", "/v2/bookings", {}, {"cal-api-version": "2024-08-13"}, body, 201, None))
