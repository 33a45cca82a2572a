"""``/v2/slots`` (2024-09-04), the legacy ``/v2/slots/available`` and slot reservations."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from altslot.sim.datafile import EventTypeData
from altslot.sim.envelopes import API_KEY_SCOPE, ApiError, iso_zoned, json_response, read_json, request_path, success
from altslot.sim.params import Constraints, SlotsParams, parse_iso, parse_legacy, parse_v2, pipe_error
from altslot.sim.state import SimState

SLOTS_API_VERSION = "2024-09-04"
DEFAULT_RESERVATION_MINUTES = 5


def _grouped(state: SimState, params: SlotsParams, length: int) -> tuple[dict[date, list[datetime]], timedelta, bool]:
    zone = params.time_zone or "UTC"
    grouped = state.slots(params.event_type_id, params.start, params.end, zone, params.duration, params.exclude_uid)
    # Luxon prints the UTC zone with "Z" and every other zone with its numeric offset.
    return grouped, timedelta(minutes=params.duration or length), zone == "UTC"


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


def slot_routes(state: SimState) -> list[Route]:
    """The slot endpoints bound to ``state``."""

    async def get_slots(request: Request) -> Response:
        _route_version(request, current=True)
        params = parse_v2(request.query_params)
        event_type = state.event_types.get(params.event_type_id)
        if event_type is None:
            raise ApiError(404, "Event Type not found")
        grouped, length, utc = _grouped(state, params, event_type.length)
        data: dict[str, list[dict[str, str]]] = {}
        for day, starts in grouped.items():
            if params.range_format:
                data[day.isoformat()] = [
                    {"start": iso_zoned(s, utc), "end": iso_zoned(s + length, utc)} for s in starts
                ]
            else:
                data[day.isoformat()] = [{"start": iso_zoned(s, utc)} for s in starts]
        return success(data)

    async def get_available(request: Request) -> Response:
        _route_version(request, current=False)
        params = parse_legacy(request.query_params)
        event_type = state.event_types.get(params.event_type_id) if params is not None else None
        if params is None or event_type is None:
            # The legacy controller surfaces tRPC's NOT_FOUND without details (issue #16759).
            raise ApiError(404, "NOT_FOUND", error={"code": "TRPCError", "message": "NOT_FOUND"})
        grouped, length, utc = _grouped(state, params, event_type.length)
        slots: dict[str, list[dict[str, str]]] = {}
        for day, starts in grouped.items():
            if params.range_format:
                slots[day.isoformat()] = [
                    {"startTime": iso_zoned(s, utc), "endTime": iso_zoned(s + length, utc)} for s in starts
                ]
            else:
                slots[day.isoformat()] = [{"time": iso_zoned(s, utc)} for s in starts]
        return success({"slots": slots})

    async def reserve(request: Request) -> Response:
        _route_version(request, current=True)
        body = await read_json(request)
        event_type_id, start, slot_duration, minutes = _reservation_input(body)
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
        _route_version(request, current=True)
        reservation = state.reservations.get(request.path_params["uid"])
        if reservation is not None and reservation.until <= state.now():
            reservation = None
        return success(reservation.output(with_duration=False) if reservation else None)

    async def delete_reservation(request: Request) -> Response:
        _route_version(request, current=True)
        # ``deleteMany`` by uid: an unknown or already deleted uid is no error at Cal.com.
        state.reservations.pop(request.path_params["uid"], None)
        return json_response({"status": "success"})

    return [
        Route("/v2/slots", get_slots, methods=["GET"]),
        Route("/v2/slots/available", get_available, methods=["GET"]),
        Route("/v2/slots/reservations", reserve, methods=["POST"]),
        Route("/v2/slots/reservations/{uid}", get_reservation, methods=["GET"]),
        Route("/v2/slots/reservations/{uid}", delete_reservation, methods=["DELETE"]),
    ]


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
