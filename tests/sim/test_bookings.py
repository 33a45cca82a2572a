"""Reservations and bookings: holding, booking, cancelling and rescheduling slots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from altslot.api.serving import RunningServer
from altslot.sim.datafile import parse_data
from tests.sim.simdata import API_KEY, BOOKINGS, SLOTS, sim_raw

SLOT = "2050-09-05T10:00:00.000Z"
DAY = {"start": "2050-09-05", "end": "2050-09-05", "eventTypeId": "10"}
ATTENDEE = {"name": "Erika Mustermann", "email": "erika@example.com", "timeZone": "Europe/Berlin"}


def _starts(client: httpx.Client) -> list[str]:
    body = client.get("/v2/slots", params=DAY, headers=SLOTS).json()
    return [s["start"] for s in body["data"].get("2050-09-05", [])]


def _book(client: httpx.Client, start: str = SLOT, **extra: Any) -> httpx.Response:
    body = {"start": start, "eventTypeId": 10, "attendee": ATTENDEE, **extra}
    return client.post("/v2/bookings", json=body, headers=BOOKINGS)


def _reserve(client: httpx.Client, key: str | None = None, **extra: Any) -> httpx.Response:
    headers = {**SLOTS, "Authorization": f"Bearer {key}"} if key else SLOTS
    return client.post("/v2/slots/reservations", json={"eventTypeId": 10, "slotStart": SLOT, **extra}, headers=headers)


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
    deleted = client.delete(f"/v2/slots/reservations/{data['reservationUid']}", headers=SLOTS)
    assert deleted.json() == {"status": "success"}
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
    authed = _reserve(client, API_KEY, reservationDuration=10)
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


def test_booking_through_a_reservation(client: httpx.Client) -> None:
    """The holder books with reservedSlotUid, which consumes the hold; Cal.com's invented field is refused."""
    uid = _reserve(client).json()["data"]["reservationUid"]
    assert _book(client, reservationUid=uid).status_code == 400
    assert _book(client, reservedSlotUid=uid).status_code == 201
    assert client.get(f"/v2/slots/reservations/{uid}", headers=SLOTS).json()["data"] is None


def test_booking_through_someone_elses_reservation(client: httpx.Client) -> None:
    """A reservedSlotUid that is not first in line for the slot is Cal.com's 400 naming the seconds left."""
    _reserve(client)
    response = _book(client, reservedSlotUid="not-mine")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "Someone else reserved this booking time slot before you. This time slot will be freed up in 300 seconds."
    )


def test_booking_without_a_reservation_outranks_a_hold(client: httpx.Client) -> None:
    """A booking that names no reservation is not checked against holds (a booking outranks a hold)."""
    _reserve(client)
    assert _book(client).status_code == 201


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
    again = client.post(f"/v2/bookings/{uid}/cancel", json={"cancellationReason": "x"}, headers=BOOKINGS)
    assert again.json()["error"]["message"] == (
        f"Can't cancel booking with uid={uid} because it has been cancelled already. "
        "Please provide uid of a booking that is not cancelled."
    )


def test_host_cancel_needs_a_reason(client: httpx.Client) -> None:
    """With the host's API key a cancel without cancellationReason is 400; unknown body fields are 400 too."""
    uid = _book(client).json()["data"]["uid"]
    authed = {**BOOKINGS, "Authorization": f"Bearer {API_KEY}"}
    refused = client.post(f"/v2/bookings/{uid}/cancel", json={}, headers=authed)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "Cancellation reason is required when you are the host"
    extra = client.post(f"/v2/bookings/{uid}/cancel", json={"cancellationReason": "x", "note": "y"}, headers=authed)
    assert extra.json()["error"]["message"] == "note property is wrong,property note should not exist "
    done = client.post(f"/v2/bookings/{uid}/cancel", json={"cancellationReason": "ill"}, headers=authed)
    assert done.status_code == 200
    assert done.json()["data"]["cancelledByEmail"] == "rome@example.com"


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
    assert again.json()["error"]["message"] == (
        f"Can't reschedule booking with uid={old} because it has been cancelled and rescheduled already to booking "
        f"with uid={new['uid']}. You probably want to reschedule {new['uid']} instead by passing it within the "
        "request URL."
    )
    unknown = client.post(f"/v2/bookings/{new['uid']}/reschedule", json={"start": SLOT, "x": 1}, headers=BOOKINGS)
    assert unknown.json()["error"]["message"] == "x property is wrong,property x should not exist "


def test_reschedule_of_a_cancelled_booking(client: httpx.Client) -> None:
    """A cancelled booking cannot be rescheduled: Cal.com's canRescheduleBooking text."""
    uid = _book(client).json()["data"]["uid"]
    client.post(f"/v2/bookings/{uid}/cancel", json={"cancellationReason": "ill"}, headers=BOOKINGS)
    response = client.post(f"/v2/bookings/{uid}/reschedule", json={"start": SLOT}, headers=BOOKINGS)
    assert response.json()["error"]["message"] == (
        f"Can't reschedule booking with uid={uid} because it has been cancelled. "
        "Please provide uid of a booking that is not cancelled."
    )


def test_reschedule_to_overlapping_own_time(client: httpx.Client) -> None:
    """A booking may move to a slot that only its own old time blocks."""
    old = _book(client).json()["data"]["uid"]
    response = client.post(f"/v2/bookings/{old}/reschedule", json={"start": SLOT}, headers=BOOKINGS)
    assert response.status_code == 201


def test_unknown_booking_is_404(client: httpx.Client) -> None:
    """Unknown uids are 404 for get, cancel and reschedule."""
    assert client.get("/v2/bookings/nope", headers=BOOKINGS).status_code == 404
    assert client.post("/v2/bookings/nope/cancel", json={}, headers=BOOKINGS).status_code == 404
    moved = client.post("/v2/bookings/nope/reschedule", json={"start": SLOT}, headers=BOOKINGS)
    assert moved.json()["error"]["message"] == "Booking with uid=nope was not found in the database"


def _as(key: str | None) -> dict[str, str]:
    return {**BOOKINGS, **({"Authorization": f"Bearer {key}"} if key else {})}


def test_bookings_are_scoped_to_the_api_key_that_made_them(client: httpx.Client) -> None:
    """Another key's booking is "not found" to read, cancel and reschedule, and missing from its list."""
    body = {"start": SLOT, "eventTypeId": 10, "attendee": ATTENDEE}
    uid = client.post("/v2/bookings", json=body, headers=_as(API_KEY)).json()["data"]["uid"]
    other = _as("cal_test_other")
    assert client.get(f"/v2/bookings/{uid}", headers=other).status_code == 404
    cancel = client.post(f"/v2/bookings/{uid}/cancel", json={"cancellationReason": "x"}, headers=other)
    assert cancel.status_code == 404
    assert cancel.json()["error"]["message"] == f"Booking with uid={uid} not found"
    move = client.post(f"/v2/bookings/{uid}/reschedule", json={"start": "2050-09-05T12:00:00Z"}, headers=other)
    assert move.status_code == 404
    assert client.get("/v2/bookings", headers=other).json()["data"] == []
    assert [b["uid"] for b in client.get("/v2/bookings", headers=_as(API_KEY)).json()["data"]] == [uid]
    assert client.get(f"/v2/bookings/{uid}", headers=_as(API_KEY)).json()["data"]["status"] == "accepted"


def test_booking_list_filters_and_pagination(client: httpx.Client) -> None:
    """GET /v2/bookings filters by event type, uid, start/end and status, and answers Cal.com's page shape."""
    mine = _as(API_KEY)
    made = [
        client.post(
            "/v2/bookings",
            json={"start": start, "eventTypeId": et, "attendee": ATTENDEE, "metadata": {"n": str(i)}},
            headers=mine,
        ).json()["data"]
        for i, (start, et) in enumerate(
            [(SLOT, 10), ("2050-09-05T12:00:00.000Z", 10), ("2050-09-06T08:00:00.000Z", 11)]
        )
    ]
    client.post(f"/v2/bookings/{made[1]['uid']}/cancel", json={"cancellationReason": "x"}, headers=mine)

    def uids(**params: str) -> list[str]:
        response = client.get("/v2/bookings", params=params, headers=mine)
        assert response.status_code == 200, response.text
        return [b["uid"] for b in response.json()["data"]]

    assert uids(eventTypeId="10") == [made[0]["uid"], made[1]["uid"]]
    assert uids(eventTypeIds="10,11", afterStart="2050-09-05T11:00:00Z") == [made[1]["uid"], made[2]["uid"]]
    assert uids(beforeEnd="2050-09-05T11:00:00Z") == [made[0]["uid"]]
    assert uids(bookingUid=made[2]["uid"]) == [made[2]["uid"]]
    assert uids(status="cancelled") == [made[1]["uid"]]
    assert uids(status="upcoming", sortStart="desc") == [made[2]["uid"], made[0]["uid"]]
    page = client.get("/v2/bookings", params={"take": "2", "skip": "2"}, headers=mine).json()
    assert [b["uid"] for b in page["data"]] == [made[2]["uid"]]
    assert page["data"][0]["metadata"] == {"n": "2"}
    assert page["pagination"] == {
        "totalItems": 3,
        "remainingItems": 0,
        "returnedItems": 1,
        "itemsPerPage": 2,
        "currentPage": 2,
        "totalPages": 2,
        "hasNextPage": False,
        "hasPreviousPage": True,
    }


def test_booking_list_needs_a_key_and_valid_filters(client: httpx.Client) -> None:
    """Without a key the list is 401; a bad filter or an unknown parameter is a 400 naming it."""
    assert client.get("/v2/bookings", headers=BOOKINGS).status_code == 401
    bad = client.get("/v2/bookings", params={"afterStart": "soon", "color": "red"}, headers=_as(API_KEY))
    assert bad.status_code == 400
    message = bad.json()["error"]["message"]
    assert "afterStart must be a valid ISO 8601 date string" in message
    assert "property color should not exist" in message
    assert client.get("/v2/bookings", params={"take": "0"}, headers=_as(API_KEY)).status_code == 400


def test_reservation_body_rules(client: httpx.Client) -> None:
    """Unknown reservation fields are stripped; bad ones are the global pipe's 400; unknown holds delete fine."""
    assert _reserve(client, note="x").status_code == 201
    bad = client.post("/v2/slots/reservations", json={"eventTypeId": "ten", "slotStart": SLOT}, headers=SLOTS)
    assert bad.json()["error"]["message"] == "Bad Request Exception"
    assert bad.json()["error"]["details"]["errors"][0]["property"] == "eventTypeId"
    assert client.delete("/v2/slots/reservations/nope", headers=SLOTS).json() == {"status": "success"}


def test_slot_duration_only_for_variable_lengths(serve: Callable[..., RunningServer]) -> None:
    """slotDuration on a fixed-length type is 400 even when it equals the length; variable types check the list."""
    types = [
        {"id": 10, "length": 60, "schedule": "rome"},
        {"id": 12, "length": 30, "schedule": "rome", "lengths": [30, 60]},
    ]
    with httpx.Client(base_url=serve(parse_data(sim_raw(event_types=types))).url) as client:
        fixed = _reserve(client, slotDuration=60)
        assert fixed.status_code == 400
        assert fixed.json()["error"]["message"] == (
            "You passed 'slotDuration' but this event type is not a variable length event type."
        )
        body = {"eventTypeId": 12, "slotStart": SLOT, "slotDuration": 45}
        wrong = client.post("/v2/slots/reservations", json=body, headers=SLOTS)
        assert wrong.json()["error"]["message"].endswith("are: 30, 60")
        ok = client.post("/v2/slots/reservations", json={**body, "slotDuration": 60}, headers=SLOTS)
        assert ok.json()["data"]["slotEnd"] == "2050-09-05T11:00:00.000Z"


def test_reservation_conflicts_are_per_event_type(client: httpx.Client) -> None:
    """A hold or booking of event type 11 does not stop a reservation of type 10 at the same time."""
    other = {"eventTypeId": 11, "slotStart": SLOT}
    assert client.post("/v2/slots/reservations", json=other, headers=SLOTS).status_code == 201
    assert _reserve(client).status_code == 201


def test_attendee_contact_rules(client: httpx.Client) -> None:
    """Email or phone is required, a phone must be international, and no email is invented for phone-only."""
    nobody = _book(client, attendee={"name": "A", "timeZone": "Europe/Berlin"})
    assert nobody.status_code == 400
    assert "At least one contact method (email or phone number) must be provided" in nobody.json()["error"]["message"]
    national = _book(client, attendee={"name": "A", "timeZone": "Europe/Berlin", "phoneNumber": "030 1234567"})
    assert "Invalid phone number format. Please use international format." in national.json()["error"]["message"]
    phone_only = _book(client, attendee={"name": "A", "timeZone": "Europe/Berlin", "phoneNumber": "+49301234567"})
    assert phone_only.status_code == 201, phone_only.text
    person = phone_only.json()["data"]["attendees"][0]
    assert person["phoneNumber"] == "+49301234567"
    assert person["email"] == "49301234567@sms.cal.com"


def test_attendee_language_and_metadata_limits(client: httpx.Client) -> None:
    """attendee.language is Cal.com's enum; metadata keys longer than 40 characters are refused."""
    klingon = _book(client, attendee={**ATTENDEE, "language": "tlh"})
    assert "language must be one of the following values: ar, ca, de" in klingon.json()["error"]["message"]
    long_key = _book(client, metadata={"k" * 41: "v"})
    assert long_key.json()["error"]["message"].startswith("metadata property is wrong,Metadata must have at most 50")


def test_unset_booking_fields_are_absent(client: httpx.Client) -> None:
    """Optional output fields Cal.com leaves undefined are missing from the JSON, not null."""
    data = _book(client).json()["data"]
    for name in ("cancellationReason", "rescheduledFromUid", "meetingUrl", "location", "rating"):
        assert name not in data
    assert "phoneNumber" not in data["attendees"][0]


def test_booking_at_the_end_of_the_calendar_is_a_400(client: httpx.Client) -> None:
    """A start in year 9999 is answered 400 "not available", as Cal.com would, never a 500 (D13)."""
    response = _book(client, start="9999-12-31T10:00:00.000Z")
    assert response.status_code == 400
    assert response.json()["status"] == "error"
