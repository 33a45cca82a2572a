"""``/v2/slots`` (2024-09-04), the legacy ``/v2/slots/available`` and slot reservations."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from altslot.sim.datafile import EventTypeData
from altslot.sim.envelopes import API_KEY_SCOPE, ApiError, iso_zoned, json_response, read_json, request_path, success
from altslot.sim.params import Constraints, SlotsParams, parse_iso, parse_legacy, parse_v2, pipe_error
from altslot.sim.state import SimState, state_of

SLOTS_API_VERSION = "2024-09-04"
DEFAULT_RESERVATION_MINUTES = 5


# How each controller names a slot's times: (a start alone, a range's start, a range's end).
_V2_KEYS = ("start", "start", "end")
_LEGACY_KEYS = ("time", "startTime", "endTime")


def _listed(
    state: SimState, params: SlotsParams, length: int, keys: tuple[str, str, str]
) -> dict[str, list[dict[str, str]]]:
    """The free slots per day as a controller lists them: start times, or ranges in range format."""
    zone = params.time_zone or "UTC"
    grouped = state.slots(params.event_type_id, params.start, params.end, zone, params.duration, params.exclude_uid)
    # Luxon prints the UTC zone with "Z" and every other zone with its numeric offset.
    utc = zone == "UTC"
    alone, first, last = keys
    if not params.range_format:
        return {day.isoformat(): [{alone: iso_zoned(s, utc)} for s in starts] for day, starts in grouped.items()}
    step = timedelta(minutes=params.duration or length)
    return {
        day.isoformat(): [{first: iso_zoned(s, utc), last: iso_zoned(s + step, utc)} for s in starts]
        for day, starts in grouped.items()
    }


def _is_authenticated(request: Request) -> bool:
    return request.scope.get(API_KEY_SCOPE) is not None


def _route_version(request: Request, current: bool) -> None:
    """404 like Nest's router when the header picks the other slots controller.

    ``cal-api-version: 2024-09-04`` selects the current controller (``/v2/slots``, reservations); a
    missing or any other value selects the 2024-04-15 one (``/v2/slots/available``).
    """
    if (request.headers.get("cal-api-version") == SLOTS_API_VERSION) != current:
        raise ApiError(404, f"Cannot {request.method} {request_path(request)}")


def _check_slot_duration(event_type: EventTypeData, slot_duration: int | None) -> None:
    """``slots.service.ts`` validateSlotDuration: only variable-length event types take a slotDuration."""
    if slot_duration is None:
        return
    if not event_type.lengths:
        raise ApiError(400, "You passed 'slotDuration' but this event type is not a variable length event type.")
    if slot_duration not in event_type.lengths:
        raise ApiError(
            400,
            "Provided 'slotDuration' is not one of the possible lengths for the event type. The possible lengths "
            f"for this variable length event type are: {', '.join(str(n) for n in event_type.lengths)}",
        )


async def get_slots(request: Request) -> Response:
    """``GET /v2/slots``: free slots per day, as start times or ranges."""
    _route_version(request, current=True)
    state = state_of(request)
    params = parse_v2(request.query_params)
    event_type = state.event_types.get(params.event_type_id)
    if event_type is None:
        raise ApiError(404, "Event Type not found")
    return success(_listed(state, params, event_type.length, _V2_KEYS))


async def get_available(request: Request) -> Response:
    """``GET /v2/slots/available`` (2024-04-15): the legacy shape of the same slots."""
    _route_version(request, current=False)
    state = state_of(request)
    params = parse_legacy(request.query_params)
    event_type = state.event_types.get(params.event_type_id) if params is not None else None
    if params is None or event_type is None:
        # The legacy controller surfaces tRPC's NOT_FOUND without details (issue #16759).
        raise ApiError(404, "NOT_FOUND", error={"code": "TRPCError", "message": "NOT_FOUND"})
    return success({"slots": _listed(state, params, event_type.length, _LEGACY_KEYS)})


async def reserve(request: Request) -> Response:
    """``POST /v2/slots/reservations``: hold a free slot for a few minutes."""
    _route_version(request, current=True)
    state = state_of(request)
    event_type_id, start, slot_duration, minutes = _reservation_input(await read_json(request))
    event_type = state.event_types.get(event_type_id)
    if event_type is None:
        raise ApiError(404, f"Event Type with ID={event_type_id} not found")
    if minutes is not None and not _is_authenticated(request):
        raise ApiError(
            401,
            "reservationDuration can only be used for authenticated requests - use access token, "
            "api key or OAuth credentials",
        )
    _check_slot_duration(event_type, slot_duration)
    duration = slot_duration or event_type.length
    conflict = state.conflict(event_type_id, start, start + timedelta(minutes=duration))
    if conflict == "booked":
        raise ApiError(422, "Can't reserve a slot if the event is already booked.")
    if conflict == "reserved":
        raise ApiError(422, "This time slot is already reserved by another user. Please choose a different time.")
    reservation = state.reserve(event_type_id, start, duration, minutes or DEFAULT_RESERVATION_MINUTES)
    return success(reservation.output(), 201)


async def get_reservation(request: Request) -> Response:
    """``GET /v2/slots/reservations/{uid}``: a live reservation, or null."""
    _route_version(request, current=True)
    state = state_of(request)
    reservation = state.reservations.get(request.path_params["uid"])
    if reservation is not None and reservation.until <= state.now():
        reservation = None
    return success(reservation.output(with_duration=False) if reservation else None)


async def delete_reservation(request: Request) -> Response:
    """``DELETE /v2/slots/reservations/{uid}``: release a hold."""
    _route_version(request, current=True)
    # ``deleteMany`` by uid: an unknown or already deleted uid is no error at Cal.com.
    state_of(request).reservations.pop(request.path_params["uid"], None)
    return json_response({"status": "success"})


def _reservation_input(body: Any) -> tuple[int, datetime, int | None, int | None]:
    """The reservation body as the global ``ValidationPipe`` sees it: unknown fields are stripped."""
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object")
    problems: Constraints = {}
    event_type_id = body.get("eventTypeId")
    if not _is_int(event_type_id):
        problems["eventTypeId"] = {"isInt": "eventTypeId must be an integer number"}
    start = parse_iso(body["slotStart"]) if isinstance(body.get("slotStart"), str) else None
    if start is None:
        problems["slotStart"] = {"isDateString": "slotStart must be a valid ISO 8601 date string"}
    for name in ("slotDuration", "reservationDuration"):
        value = body.get(name)
        if value is not None and (not _is_int(value) or value < 1):
            problems[name] = {"min": f"{name} must not be less than 1"}
    if problems:
        raise pipe_error(problems, body)
    assert start is not None
    assert isinstance(event_type_id, int)
    return event_type_id, start, body.get("slotDuration"), body.get("reservationDuration")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
