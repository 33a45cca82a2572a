"""``/v2/bookings`` (2024-08-13): create, list, read, cancel and reschedule.

Bookings are scoped to the account of the API key that made them, as at Cal.com: another key's booking
is "not found" to read, cancel or reschedule, and is left out of the list.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from altslot.sim.booking_input import attendee_of, location_of, metadata_of
from altslot.sim.booking_list import list_page, parse_query, visible
from altslot.sim.envelopes import API_KEY_SCOPE, ApiError, json_response, read_json, success
from altslot.sim.params import parse_iso, validation_error
from altslot.sim.records import Booking
from altslot.sim.state import SimState, state_of

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
RESERVED_BY_OTHER = (
    "Someone else reserved this booking time slot before you. This time slot will be freed up in {} seconds."
)
HOST_NEEDS_REASON = "Cancellation reason is required when you are the host"
_CREATE_FIELDS = frozenset(
    (
        "start", "attendee", "eventTypeId", "eventTypeSlug", "username", "teamSlug", "organizationSlug",
        "bookingFieldsResponses", "guests", "location", "meetingUrl", "metadata", "lengthInMinutes",
        "routing", "emailVerificationCode", "allowConflicts", "reservedSlotUid", "instant", "recurrenceCount",
    )
)  # fmt: skip
_CANCEL_FIELDS = frozenset(("cancellationReason", "cancelSubsequentBookings", "seatUid"))
_RESCHEDULE_FIELDS = frozenset(
    ("start", "rescheduledBy", "reschedulingReason", "emailVerificationCode", "rrHostSubsetIds", "reservedSlotUid",
     "seatUid")
)  # fmt: skip


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object")
    return body


def _forbid(body: dict[str, Any], allowed: frozenset[str], problems: dict[str, list[str]]) -> None:
    # The bookings pipes validate with ``forbidNonWhitelisted``.
    for name in body:
        if name not in allowed:
            problems.setdefault(name, []).append(f"property {name} should not exist")


def _start(body: dict[str, Any], problems: dict[str, list[str]]) -> datetime | None:
    start = parse_iso(body["start"]) if isinstance(body.get("start"), str) else None
    if start is None:
        problems["start"] = ["start must be a valid ISO 8601 date string"]
    return start


def _check_bookable(state: SimState, event_type_id: int, start: datetime, duration: int, **check: Any) -> None:
    """Cal.com's booking checks; reservations are not among them (a booking outranks a hold)."""
    now = state.now()
    if start < now:
        raise ApiError(400, IN_THE_PAST)
    event_type = state.event_types[event_type_id]
    if start < now + timedelta(minutes=event_type.minimum_booking_notice):
        raise ApiError(400, OUT_OF_BOUNDS)
    try:
        offered = state.is_offered(event_type_id, start, duration, **check)
    except OverflowError:
        # A start at the end of the calendar (year 9999) has no slot grid; Cal.com answers it as unavailable.
        offered = False
    if not offered:
        raise ApiError(400, SLOT_UNAVAILABLE)


def _check_reserved_slot(state: SimState, event_type_id: int, start: datetime, end: datetime, uid: str) -> None:
    """``createBookingWithReservedSlot``: the caller's hold must be first in line for exactly this slot."""
    first = state.first_in_line(event_type_id, start, end)
    if first is not None and first.uid != uid:
        seconds = max(0, math.ceil((first.until - state.now()).total_seconds()))
        raise ApiError(400, RESERVED_BY_OTHER.format(seconds))


def _find(request: Request, missing: str = "Booking with uid={} not found") -> Booking:
    """The booking named in the path, if the caller's key may see it; else Cal.com's 404."""
    uid = request.path_params["uid"]
    booking = state_of(request).bookings.get(uid)
    if booking is None or not visible(booking, _key(request)):
        raise ApiError(404, missing.format(uid))
    return booking


async def listing(request: Request) -> Response:
    """``GET /v2/bookings``: the key's own bookings, filtered, sorted and paged."""
    if _key(request) is None:
        raise ApiError(401, "ApiAuthGuard - no api key or access token provided")
    state = state_of(request)
    query = parse_query(request.query_params)
    mine = [b for b in state.bookings.values() if visible(b, _key(request))]
    return json_response(list_page(mine, query, state.now(), state.output))


async def create(request: Request) -> Response:
    """``POST /v2/bookings``: book a slot the engine offers (optionally the caller's reserved one)."""
    if request.headers.get("cal-api-version") != BOOKINGS_API_VERSION:
        # Cal.com would hand this to its legacy booking handler with another body; refuse clearly.
        raise ApiError(400, f"cal-api-version header must be {BOOKINGS_API_VERSION} for this endpoint")
    state = state_of(request)
    body = _object(await read_json(request))
    problems: dict[str, list[str]] = {}
    start = _start(body, problems)
    attendee = attendee_of(body.get("attendee"), problems)
    metadata = metadata_of(body.get("metadata"), problems)
    event_type_id = body.get("eventTypeId")
    if not isinstance(event_type_id, int) or isinstance(event_type_id, bool):
        problems["eventTypeId"] = ["eventTypeId must be an integer number"]
    length = body.get("lengthInMinutes")
    if length is not None and (not isinstance(length, int) or length < 1):
        problems["lengthInMinutes"] = ["lengthInMinutes must not be less than 1"]
    _forbid(body, _CREATE_FIELDS, problems)
    if problems:
        raise validation_error(problems)
    assert start is not None
    assert attendee is not None
    assert isinstance(event_type_id, int)
    event_type = state.event_types.get(event_type_id)
    if event_type is None:
        raise ApiError(404, f"Event type with id {event_type_id} not found.")
    duration = length or event_type.length
    _check_bookable(state, event_type_id, start, duration, time_zone=attendee.time_zone)
    end = start + timedelta(minutes=duration)
    reserved = body.get("reservedSlotUid")
    if isinstance(reserved, str):
        _check_reserved_slot(state, event_type_id, start, end, reserved)
    booking = state.book(
        event_type_id,
        start,
        duration,
        attendee,
        guests=[str(g) for g in body.get("guests") or []],
        metadata=metadata,
        location=location_of(body.get("location")),
        booking_fields_responses=dict(body.get("bookingFieldsResponses") or {}),
        api_key=_key(request),
    )
    if isinstance(reserved, str):
        state.consume_reservation(reserved, event_type_id, start, end)
    return success(state.output(booking), 201)


async def read(request: Request) -> Response:
    """``GET /v2/bookings/{uid}``."""
    return success(state_of(request).output(_find(request)))


async def cancel(request: Request) -> Response:
    """``POST /v2/bookings/{uid}/cancel``: the host must give a reason."""
    state = state_of(request)
    booking = _find(request)
    body = _object(await read_json(request))
    problems: dict[str, list[str]] = {}
    _forbid(body, _CANCEL_FIELDS, problems)
    if problems:
        raise validation_error(problems)
    if not booking.blocking:
        raise ApiError(
            400,
            f"Can't cancel booking with uid={booking.uid} because it has been cancelled already. "
            "Please provide uid of a booking that is not cancelled.",
        )
    reason = body.get("cancellationReason")
    # handleCancelBooking: the host (the API key's owner, here any valid key) must give a reason.
    by_host = request.scope.get(API_KEY_SCOPE) is not None
    if not reason and by_host:
        raise ApiError(400, HOST_NEEDS_REASON)
    state.cancel(booking, str(reason) if reason else None, state.hosts[booking.schedule].email if by_host else None)
    return success(state.output(booking))


async def reschedule(request: Request) -> Response:
    """``POST /v2/bookings/{uid}/reschedule``: a new booking replaces the old one, which is cancelled."""
    state = state_of(request)
    booking = _find(request, "Booking with uid={} was not found in the database")
    body = _object(await read_json(request))
    problems: dict[str, list[str]] = {}
    start = _start(body, problems)
    _forbid(body, _RESCHEDULE_FIELDS, problems)
    if problems:
        raise validation_error(problems)
    assert start is not None
    if booking.rescheduled_to_uid is not None:
        raise ApiError(
            400,
            f"Can't reschedule booking with uid={booking.uid} because it has been cancelled and rescheduled "
            f"already to booking with uid={booking.rescheduled_to_uid}. You probably want to reschedule "
            f"{booking.rescheduled_to_uid} instead by passing it within the request URL.",
        )
    if not booking.blocking:
        raise ApiError(
            400,
            f"Can't reschedule booking with uid={booking.uid} because it has been cancelled. "
            "Please provide uid of a booking that is not cancelled.",
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


def _key(request: Request) -> str | None:
    key: str | None = request.scope.get(API_KEY_SCOPE)
    return key


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None
