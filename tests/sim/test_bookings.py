"""Reservations and bookings: holding, booking, cancelling and rescheduling slots."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sim.simdata import API_KEY, BOOKINGS, SLOTS

SLOT = "2050-09-05T10:00:00.000Z"
DAY = {"start": "2050-09-05", "end": "2050-09-05", "eventTypeId": "10"}
ATTENDEE = {"name": "Erika Mustermann", "email": "erika@example.com", "timeZone": "Europe/Berlin"}


def _starts(client: httpx.Client) -> list[str]:
    body = client.get("/v2/slots", params=DAY, headers=SLOTS).json()
    return [s["start"] for s in body["data"].get("2050-09-05", [])]


def _book(client: httpx.Client, start: str = SLOT, **extra: Any) -> httpx.Response:
    body = {"start": start, "eventTypeId": 10, "attendee": ATTENDEE, **extra}
    return client.post("/v2/bookings", json=body, headers=BOOKINGS)


def _reserve(client: httpx.Client, **extra: Any) -> httpx.Response:
    return client.post("/v2/slots/reservations", json={"eventTypeId": 10, "slotStart": SLOT, **extra})


def test_reservation_hides_slot_until_deleted(client: httpx.Client) -> None:
    """A reservation answers 201 with Cal.com's fields and hides its slot until it is deleted."""
    response = _reserve(client)
    assert response.status_code == 201
    data = response.json()["data"]
    assert data == {
        "eventTypeId": 10,
        "slotStart": SLOT,
        "slotEnd": "2050-09-05T11:00:00.000Z",
        "slotDuration": 60,
        "reservationUid": data["reservationUid"],
        "reservationDuration": 5,
        "reservationUntil": "2050-09-05T06:05:00.000Z",
    }
    assert SLOT not in _starts(client)
    assert client.delete(f"/v2/slots/reservations/{data['reservationUid']}").json() == {"status": "success"}
    assert SLOT in _starts(client)


def test_reservation_expires_with_the_clock(client: httpx.Client) -> None:
    """Moving the clock past reservationUntil frees the slot again."""
    _reserve(client)
    client.post("/_sim/clock", json={"now": "2050-09-05T06:06:00Z"})
    assert SLOT in _starts(client)


def test_double_reservation_is_422(client: httpx.Client) -> None:
    """A second overlapping reservation is 422 with Cal.com's text."""
    assert _reserve(client).status_code == 201
    second = _reserve(client)
    assert second.status_code == 422
    assert second.json()["error"]["code"] == "UnprocessableEntityException"
    assert second.json()["error"]["message"] == (
        "This time slot is already reserved by another user. Please choose a different time."
    )


def test_reserving_a_booked_slot_is_422(client: httpx.Client) -> None:
    """Reserving over an accepted booking is 422 "Can't reserve a slot if the event is already booked."."""
    assert _book(client).status_code == 201
    response = _reserve(client)
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "Can't reserve a slot if the event is already booked."


def test_reservation_duration_needs_a_key(client: httpx.Client) -> None:
    """reservationDuration is for authenticated requests only; with a key it sets reservationUntil."""
    anonymous = _reserve(client, reservationDuration=10)
    assert anonymous.status_code == 401
    authed = client.post(
        "/v2/slots/reservations",
        json={"eventTypeId": 10, "slotStart": SLOT, "reservationDuration": 10},
        headers={"Authorization": f"Bearer {API_KEY}"},
    )
    assert authed.json()["data"]["reservationUntil"] == "2050-09-05T06:10:00.000Z"


def test_booking_takes_the_slot(client: httpx.Client) -> None:
    """A booking answers 201 with a BookingOutput; the slot disappears; booking it again is 400 verbatim."""
    response = _book(client, metadata={"source": "test"})
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["status"] == "accepted"
    assert (data["start"], data["end"], data["duration"]) == (SLOT, "2050-09-05T11:00:00.000Z", 60)
    assert data["attendees"][0]["name"] == "Erika Mustermann"
    assert data["eventType"]["id"] == 10
    assert data["metadata"] == {"source": "test"}
    assert SLOT not in _starts(client)
    again = _book(client)
    assert again.status_code == 400
    assert again.json() == {
        "status": "error",
        "timestamp": "2050-09-05T06:00:00.000Z",
        "path": "/v2/bookings",
        "error": {
            "code": "BadRequestException",
            "message": "User either already has booking at this time or is not available",
            "details": {
                "message": "User either already has booking at this time or is not available",
                "error": "Bad Request",
                "statusCode": 400,
            },
        },
    }
    assert client.get(f"/v2/bookings/{data['uid']}", headers=BOOKINGS).json()["data"]["uid"] == data["uid"]


def test_booking_own_reservation(client: httpx.Client) -> None:
    """Another booker's hold blocks a booking; the holder books with its reservationUid."""
    uid = _reserve(client).json()["data"]["reservationUid"]
    assert _book(client).status_code == 400
    assert _book(client, reservationUid=uid).status_code == 201


def test_booking_rejects_bad_times(client: httpx.Client) -> None:
    """Past, off-grid and closed times are refused with Cal.com's messages."""
    past = _book(client, start="2050-09-05T05:00:00Z")
    assert past.json()["error"]["message"] == "Attempting to book a meeting in the past."
    off_grid = _book(client, start="2050-09-05T10:20:00Z")
    assert off_grid.status_code == 400
    sunday = _book(client, start="2050-09-11T10:00:00Z")
    assert sunday.json()["error"]["message"] == "User either already has booking at this time or is not available"


def test_booking_validation_and_version(client: httpx.Client) -> None:
    """Missing fields are a 400 naming them; an unknown event type is 404; the version header is required."""
    response = client.post("/v2/bookings", json={"eventTypeId": 10}, headers=BOOKINGS)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("start property is wrong,")
    unknown = client.post(
        "/v2/bookings", json={"start": SLOT, "eventTypeId": 77, "attendee": ATTENDEE}, headers=BOOKINGS
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "Event type with id 77 not found."
    assert client.post("/v2/bookings", json={"start": SLOT, "eventTypeId": 10, "attendee": ATTENDEE}).status_code == 400


def test_cancel(client: httpx.Client) -> None:
    """Cancel answers 200 with status cancelled, frees the slot, and a second cancel is 400."""
    uid = _book(client).json()["data"]["uid"]
    response = client.post(f"/v2/bookings/{uid}/cancel", json={"cancellationReason": "ill"}, headers=BOOKINGS)
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "cancelled"
    assert response.json()["data"]["cancellationReason"] == "ill"
    assert SLOT in _starts(client)
    assert client.post(f"/v2/bookings/{uid}/cancel", json={}, headers=BOOKINGS).status_code == 400


def test_reschedule(client: httpx.Client) -> None:
    """Reschedule is 201 with a new uid and rescheduledFromUid; the old one is cancelled, pointing on."""
    old = _book(client).json()["data"]["uid"]
    target = "2050-09-05T12:00:00.000Z"
    response = client.post(f"/v2/bookings/{old}/reschedule", json={"start": target}, headers=BOOKINGS)
    assert response.status_code == 201
    new = response.json()["data"]
    assert new["uid"] != old
    assert new["rescheduledFromUid"] == old
    assert new["start"] == target
    previous = client.get(f"/v2/bookings/{old}", headers=BOOKINGS).json()["data"]
    assert previous["status"] == "cancelled"
    assert previous["rescheduledToUid"] == new["uid"]
    assert SLOT in _starts(client)
    assert target not in _starts(client)
    again = client.post(f"/v2/bookings/{old}/reschedule", json={"start": SLOT}, headers=BOOKINGS)
    assert again.status_code == 400
    assert new["uid"] in again.json()["error"]["message"]


def test_reschedule_to_overlapping_own_time(client: httpx.Client) -> None:
    """A booking may move to a slot that only its own old time blocks."""
    old = _book(client).json()["data"]["uid"]
    response = client.post(f"/v2/bookings/{old}/reschedule", json={"start": SLOT}, headers=BOOKINGS)
    assert response.status_code == 201


def test_unknown_booking_is_404(client: httpx.Client) -> None:
    """Unknown uids are 404 for get, cancel and reschedule."""
    assert client.get("/v2/bookings/nope", headers=BOOKINGS).status_code == 404
    assert client.post("/v2/bookings/nope/cancel", json={}, headers=BOOKINGS).status_code == 404
    assert client.post("/v2/bookings/nope/reschedule", json={"start": SLOT}, headers=BOOKINGS).status_code == 404


def test_booking_at_the_end_of_the_calendar_is_a_400(client: httpx.Client) -> None:
    """A start in year 9999 is answered 400 "not available", as Cal.com would, never a 500 (D13)."""
    response = _book(client, start="9999-12-31T10:00:00.000Z")
    assert response.status_code == 400
    assert response.json()["status"] == "error"
