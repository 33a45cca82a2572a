"""``/v2/slots`` (2024-09-04), the legacy ``/v2/slots/available`` and slot reservations."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from altslot.sim.envelopes import ApiError, iso_zoned, json_response, read_json, request_path, success
from altslot.sim.params import SlotsParams, parse_iso, parse_legacy, parse_v2, validation_error
from altslot.sim.state import SimState

SLOTS_API_VERSION = "2024-09-04"
_RESERVE_FIELDS = frozenset({"eventTypeId", "slotStart", "slotDuration", "reservationDuration"})


def _grouped(state: SimState, params: SlotsParams, length: int) -> tuple[dict[date, list[datetime]], timedelta, bool]:
    zone = params.time_zone or "UTC"
    grouped = state.slots(params.event_type_id, params.start, params.end, zone, params.duration, params.exclude_uid)
    # Luxon prints the UTC zone with "Z" and every other zone with its numeric offset.
    return grouped, timedelta(minutes=params.duration or length), zone == "UTC"


def _is_authenticated(request: Request) -> bool:
    return request.scope.get("altslot.sim.api_key") is not None


def slot_routes(state: SimState) -> list[Route]:
    """The slot endpoints bound to ``state``."""

    async def get_slots(request: Request) -> Response:
        if request.headers.get("cal-api-version") != SLOTS_API_VERSION:
            # Other versions route to the 2024-04-15 controller, which has no GET /v2/slots.
            raise ApiError(404, f"Cannot GET {request_path(request)}")
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
        if slot_duration is not None and slot_duration != event_type.length:
            raise ApiError(400, "You passed 'slotDuration' but this event type is not a variable length event type.")
        duration = slot_duration or event_type.length
        conflict = state.conflict(event_type.schedule, start, start + timedelta(minutes=duration))
        if conflict == "booked":
            raise ApiError(422, "Can't reserve a slot if the event is already booked.")
        if conflict == "reserved":
            raise ApiError(422, "This time slot is already reserved by another user. Please choose a different time.")
        reservation = state.reserve(event_type_id, start, duration, minutes or 5)
        return success(reservation.output(), 201)

    async def get_reservation(request: Request) -> Response:
        reservation = state.reservations.get(request.path_params["uid"])
        if reservation is not None and reservation.until <= state.now():
            reservation = None
        return success(reservation.output(with_duration=False) if reservation else None)

    async def delete_reservation(request: Request) -> Response:
        uid = request.path_params["uid"]
        if state.reservations.pop(uid, None) is None:
            raise ApiError(404, f"Slot with uid={uid} not found")
        return json_response({"status": "success"})

    return [
        Route("/v2/slots", get_slots, methods=["GET"]),
        Route("/v2/slots/available", get_available, methods=["GET"]),
        Route("/v2/slots/reservations", reserve, methods=["POST"]),
        Route("/v2/slots/reservations/{uid}", get_reservation, methods=["GET"]),
        Route("/v2/slots/reservations/{uid}", delete_reservation, methods=["DELETE"]),
    ]


def _reservation_input(body: Any) -> tuple[int, datetime, int | None, int | None]:
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object")
    problems: dict[str, list[str]] = {}
    event_type_id = body.get("eventTypeId")
    if not _is_int(event_type_id):
        problems["eventTypeId"] = ["eventTypeId must be an integer number"]
    start = parse_iso(body["slotStart"]) if isinstance(body.get("slotStart"), str) else None
    if start is None:
        problems["slotStart"] = ["slotStart must be a valid ISO 8601 date string"]
    for name in ("slotDuration", "reservationDuration"):
        value = body.get(name)
        if value is not None and (not _is_int(value) or value < 1):
            problems[name] = [f"{name} must be a positive number"]
    for name in body:
        if name not in _RESERVE_FIELDS:
            problems.setdefault(name, []).append(f"property {name} should not exist")
    if problems:
        raise validation_error(problems)
    assert start is not None
    assert isinstance(event_type_id, int)
    return event_type_id, start, body.get("slotDuration"), body.get("reservationDuration")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
