"""``/v2/bookings`` (2024-08-13): create, read, cancel and reschedule."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from altslot.sim.datafile import AttendeeData
from altslot.sim.envelopes import ApiError, read_json, success
from altslot.sim.params import parse_iso, valid_zone, validation_error
from altslot.sim.records import Booking
from altslot.sim.state import SimState

BOOKINGS_API_VERSION = "2024-08-13"
SLOT_UNAVAILABLE = "User either already has booking at this time or is not available"
IN_THE_PAST = "Attempting to book a meeting in the past."
OUT_OF_BOUNDS = (
    "The event type can't be booked at the \"start\" time provided. This could be because it's too soon "
    "(violating the minimum booking notice) or too far in the future "
    "(outside the event's scheduling window). "
    "Try fetching available slots first using the GET /v2/slots endpoint and then make a booking with "
    '"start" time equal to one of the available slots: https://cal.com/docs/api-reference/v2/slots'
)
_CREATE_FIELDS = frozenset(
    (
        "start", "attendee", "eventTypeId", "eventTypeSlug", "username", "teamSlug", "organizationSlug",
        "bookingFieldsResponses", "guests", "location", "meetingUrl", "metadata", "lengthInMinutes",
        "routing", "emailVerificationCode", "allowConflicts", "reservationUid", "instant", "recurrenceCount",
    )
)  # fmt: skip


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object")
    return body


def _start(body: dict[str, Any], problems: dict[str, list[str]]) -> datetime | None:
    start = parse_iso(body["start"]) if isinstance(body.get("start"), str) else None
    if start is None:
        problems["start"] = ["start must be a valid ISO 8601 date string"]
    return start


def _attendee(value: Any, problems: dict[str, list[str]]) -> AttendeeData | None:
    if not isinstance(value, dict):
        problems["attendee"] = ["attendee must be an object", "attendee should not be empty"]
        return None
    name, zone = value.get("name"), value.get("timeZone")
    messages = []
    if not isinstance(name, str) or not name:
        messages.append("name must be a string")
    if not isinstance(zone, str) or not valid_zone(zone):
        messages.append("timeZone must be a valid IANA time-zone")
    if messages or not isinstance(name, str) or not isinstance(zone, str):
        problems["attendee"] = messages
        return None
    return AttendeeData(
        name=name,
        email=str(value.get("email") or f"{name.lower().replace(' ', '.')}@example.com"),
        time_zone=zone,
        language=str(value.get("language") or "en"),
        phone_number=value.get("phoneNumber"),
    )


def _location(value: Any) -> str | None:
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "integration":
            return f"integrations:{value.get('integration', 'cal-video')}"
        for key in ("address", "phone", "link", "location"):
            if isinstance(value.get(key), str):
                return str(value[key])
        return str(kind) if kind is not None else None
    return None


def _check_bookable(state: SimState, event_type_id: int, start: datetime, duration: int, **check: Any) -> None:
    now = state.now()
    if start < now:
        raise ApiError(400, IN_THE_PAST)
    event_type = state.event_types[event_type_id]
    if start < now + timedelta(minutes=event_type.minimum_booking_notice):
        raise ApiError(400, OUT_OF_BOUNDS)
    try:
        end = start + timedelta(minutes=duration)
        held = state.conflict(event_type.schedule, start, end, check.pop("own_reservation", None)) == "reserved"
        offered = not held and state.is_offered(event_type_id, start, duration, **check)
    except OverflowError:
        # A start at the end of the calendar (year 9999) has no slot grid; Cal.com answers it as unavailable.
        offered = False
    if not offered:
        raise ApiError(400, SLOT_UNAVAILABLE)


def booking_routes(state: SimState) -> list[Route]:
    """The booking endpoints bound to ``state``."""

    def find(uid: str) -> Booking:
        booking = state.bookings.get(uid)
        if booking is None:
            raise ApiError(404, f"Booking with uid={uid} not found")
        return booking

    async def create(request: Request) -> Response:
        if request.headers.get("cal-api-version") != BOOKINGS_API_VERSION:
            # Cal.com would hand this to its legacy booking handler with another body; refuse clearly.
            raise ApiError(400, f"cal-api-version header must be {BOOKINGS_API_VERSION} for this endpoint")
        body = _object(await read_json(request))
        problems: dict[str, list[str]] = {}
        start = _start(body, problems)
        attendee = _attendee(body.get("attendee"), problems)
        event_type_id = body.get("eventTypeId")
        if not isinstance(event_type_id, int) or isinstance(event_type_id, bool):
            problems["eventTypeId"] = ["eventTypeId must be an integer number"]
        length = body.get("lengthInMinutes")
        if length is not None and (not isinstance(length, int) or length < 1):
            problems["lengthInMinutes"] = ["lengthInMinutes must not be less than 1"]
        for name in body:
            if name not in _CREATE_FIELDS:
                problems.setdefault(name, []).append(f"property {name} should not exist")
        if problems:
            raise validation_error(problems)
        assert start is not None
        assert attendee is not None
        assert isinstance(event_type_id, int)
        event_type = state.event_types.get(event_type_id)
        if event_type is None:
            raise ApiError(404, f"Event type with id {event_type_id} not found.")
        duration = length or event_type.length
        reservation = body.get("reservationUid")
        _check_bookable(
            state, event_type_id, start, duration, time_zone=attendee.time_zone, own_reservation=reservation
        )
        booking = state.book(
            event_type_id,
            start,
            duration,
            attendee,
            guests=[str(g) for g in body.get("guests") or []],
            metadata=dict(body.get("metadata") or {}),
            location=_location(body.get("location")),
            booking_fields_responses=dict(body.get("bookingFieldsResponses") or {}),
        )
        if isinstance(reservation, str):
            state.reservations.pop(reservation, None)
        return success(state.output(booking), 201)

    async def get(request: Request) -> Response:
        return success(state.output(find(request.path_params["uid"])))

    async def cancel(request: Request) -> Response:
        booking = find(request.path_params["uid"])
        body = _object(await read_json(request))
        if not booking.blocking:
            raise ApiError(400, "This booking has already been cancelled.")
        reason = body.get("cancellationReason")
        state.cancel(booking, str(reason) if reason is not None else None)
        return success(state.output(booking))

    async def reschedule(request: Request) -> Response:
        booking = find(request.path_params["uid"])
        body = _object(await read_json(request))
        problems: dict[str, list[str]] = {}
        start = _start(body, problems)
        if problems:
            raise validation_error(problems)
        assert start is not None
        if booking.rescheduled_to_uid is not None:
            raise ApiError(
                400,
                f"Can't reschedule booking with uid={booking.uid} because it has been rescheduled to "
                f"booking with uid={booking.rescheduled_to_uid}. Please provide uid of the latest booking.",
            )
        if not booking.blocking:
            raise ApiError(
                400,
                f"Can't reschedule booking with uid={booking.uid} because it has status {booking.status.lower()}.",
            )
        _check_bookable(
            state,
            booking.event_type_id,
            start,
            booking.duration,
            time_zone=booking.attendee.time_zone,
            exclude_uid=booking.uid,
        )
        reason, by = body.get("reschedulingReason"), body.get("rescheduledBy")
        new = state.reschedule(booking, start, _str(reason), _str(by))
        return success(state.output(new), 201)

    return [
        Route("/v2/bookings", create, methods=["POST"]),
        Route("/v2/bookings/{uid}", get, methods=["GET"]),
        Route("/v2/bookings/{uid}/cancel", cancel, methods=["POST"]),
        Route("/v2/bookings/{uid}/reschedule", reschedule, methods=["POST"]),
    ]


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None
