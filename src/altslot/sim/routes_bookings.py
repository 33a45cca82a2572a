"""``/v2/bookings`` (2024-08-13): create, read, cancel and reschedule."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Any

import phonenumbers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from altslot.sim.datafile import AttendeeData
from altslot.sim.envelopes import API_KEY_SCOPE, ApiError, read_json, success
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
RESERVED_BY_OTHER = (
    "Someone else reserved this booking time slot before you. This time slot will be freed up in {} seconds."
)
HOST_NEEDS_REASON = "Cancellation reason is required when you are the host"
NO_CONTACT = "At least one contact method (email or phone number) must be provided"
BAD_PHONE = "Invalid phone number format. Please use international format."
BAD_METADATA = (
    "Metadata must have at most 50 keys, each key up to 40 characters, and string values up to 500 characters."
)
# ``BookingLanguage`` of the 2024-08-13 inputs (``language.ts``), in Cal.com's order.
LANGUAGES = (
    "ar", "ca", "de", "es", "eu", "he", "id", "ja", "lv", "pl", "ro", "sr", "th", "vi", "az", "cs", "el", "es-419",
    "fi", "hr", "it", "km", "nl", "pt", "ru", "sv", "tr", "zh-CN", "bg", "da", "en", "et", "fr", "hu", "iw", "ko",
    "no", "pt-BR", "sk", "ta", "uk", "zh-TW", "bn",
)  # fmt: skip
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
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


def _international(phone: str) -> str | None:
    """The number in E.164 when libphonenumber accepts it without a default region, else None."""
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return None
    return (
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(parsed)
        else None
    )


def _attendee(value: Any, problems: dict[str, list[str]]) -> AttendeeData | None:
    if not isinstance(value, dict):
        problems["attendee"] = ["attendee must be an object", "attendee should not be empty"]
        return None
    name, zone, email, phone = value.get("name"), value.get("timeZone"), value.get("email"), value.get("phoneNumber")
    language = value.get("language", "en")
    messages = []
    if not isinstance(name, str) or not name:
        messages.append("name must be a string")
    if not isinstance(zone, str) or not valid_zone(zone):
        messages.append("timeZone must be a valid IANA time-zone")
    if email and (not isinstance(email, str) or not _EMAIL.match(email)):
        messages.append("Invalid email format")
    if phone and (not isinstance(phone, str) or _international(phone) is None):
        messages.append(BAD_PHONE)
    has_email = isinstance(email, str) and bool(email.strip())
    has_phone = isinstance(phone, str) and bool(phone.strip())
    if not has_email and not has_phone:
        messages.append(NO_CONTACT)
    if language not in LANGUAGES:
        messages.append(f"language must be one of the following values: {', '.join(LANGUAGES)}")
    if messages or not isinstance(name, str) or not isinstance(zone, str):
        problems["attendee"] = messages
        return None
    # A phone-only attendee gets Cal.com's placeholder address (``contructEmailFromPhoneNumber``).
    address = str(email) if has_email else f"{str(phone).replace('+', '')}@sms.cal.com"
    return AttendeeData(
        name=name,
        email=address,
        time_zone=zone,
        language=str(language),
        phone_number=str(phone) if has_phone else None,
    )


def _metadata(value: Any, problems: dict[str, list[str]]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems["metadata"] = ["metadata must be an object"]
        return {}
    too_long = any(len(k) > 40 for k in value) or any(isinstance(v, str) and len(v) > 500 for v in value.values())
    if len(value) > 50 or too_long:
        problems["metadata"] = [BAD_METADATA]
    return dict(value)


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
    """Cal.com's booking checks; reservations are not among them (a booking outranks a hold)."""
    now = state.now()
    if start < now:
        raise ApiError(400, IN_THE_PAST)
    event_type = state.event_types[event_type_id]
    if start < now + timedelta(minutes=event_type.minimum_booking_notice):
        raise ApiError(400, OUT_OF_BOUNDS)
    if not state.is_offered(event_type_id, start, duration, **check):
        raise ApiError(400, SLOT_UNAVAILABLE)


def _check_reserved_slot(state: SimState, event_type_id: int, start: datetime, end: datetime, uid: str) -> None:
    """``createBookingWithReservedSlot``: the caller's hold must be first in line for exactly this slot."""
    first = state.first_in_line(event_type_id, start, end)
    if first is not None and first.uid != uid:
        seconds = max(0, math.ceil((first.until - state.now()).total_seconds()))
        raise ApiError(400, RESERVED_BY_OTHER.format(seconds))


def booking_routes(state: SimState) -> list[Route]:
    """The booking endpoints bound to ``state``."""

    def find(uid: str, missing: str = "Booking with uid={} not found") -> Booking:
        booking = state.bookings.get(uid)
        if booking is None:
            raise ApiError(404, missing.format(uid))
        return booking

    async def create(request: Request) -> Response:
        if request.headers.get("cal-api-version") != BOOKINGS_API_VERSION:
            # Cal.com would hand this to its legacy booking handler with another body; refuse clearly.
            raise ApiError(400, f"cal-api-version header must be {BOOKINGS_API_VERSION} for this endpoint")
        body = _object(await read_json(request))
        problems: dict[str, list[str]] = {}
        start = _start(body, problems)
        attendee = _attendee(body.get("attendee"), problems)
        metadata = _metadata(body.get("metadata"), problems)
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
            location=_location(body.get("location")),
            booking_fields_responses=dict(body.get("bookingFieldsResponses") or {}),
        )
        if isinstance(reserved, str):
            state.consume_reservation(reserved, event_type_id, start, end)
        return success(state.output(booking), 201)

    async def get(request: Request) -> Response:
        return success(state.output(find(request.path_params["uid"])))

    async def cancel(request: Request) -> Response:
        booking = find(request.path_params["uid"])
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
        booking = find(request.path_params["uid"], "Booking with uid={} was not found in the database")
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

    return [
        Route("/v2/bookings", create, methods=["POST"]),
        Route("/v2/bookings/{uid}", get, methods=["GET"]),
        Route("/v2/bookings/{uid}/cancel", cancel, methods=["POST"]),
        Route("/v2/bookings/{uid}/reschedule", reschedule, methods=["POST"]),
    ]


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None
