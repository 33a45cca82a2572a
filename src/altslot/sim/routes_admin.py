"""``/_sim/*``: faults, counters, the clock and bookings made "in Cal.com's UI" (never faulted)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from altslot.sim.datafile import AttendeeData, one_line_error
from altslot.sim.envelopes import json_response, read_json
from altslot.sim.state import SimState


class UiBooking(BaseModel):
    """``POST /_sim/bookings``: a booking made outside the API; ``end`` defaults to start + length."""

    model_config = ConfigDict(extra="forbid")

    event_type_id: int
    start: AwareDatetime
    end: AwareDatetime | None = None
    uid: str | None = Field(default=None, min_length=1)
    attendee: AttendeeData = AttendeeData()


class ClockInput(BaseModel):
    """``POST /_sim/clock``: freeze the clock at ``now``; null returns to the configured clock."""

    model_config = ConfigDict(extra="forbid")

    now: AwareDatetime | None


def _problem(message: str, status: int = 400) -> Response:
    return json_response({"error": message}, status)


def admin_routes(state: SimState) -> list[Route]:
    """The admin endpoints bound to ``state``."""

    async def get_faults(request: Request) -> Response:
        return json_response(state.faults.describe())

    async def set_faults(request: Request) -> Response:
        try:
            state.faults.update(await read_json(request))
        except ValueError as error:
            return _problem(str(error))
        return json_response(state.faults.describe())

    async def stats(request: Request) -> Response:
        return json_response(state.stats())

    async def reset(request: Request) -> Response:
        state.reset_counters()
        return json_response(state.stats())

    async def get_clock(request: Request) -> Response:
        return json_response({"now": state.now().isoformat()})

    async def set_clock(request: Request) -> Response:
        try:
            body = ClockInput.model_validate(await read_json(request))
        except ValidationError as error:
            return _problem(one_line_error(error))
        state.set_clock(body.now)
        return json_response({"now": state.now().isoformat()})

    async def list_bookings(request: Request) -> Response:
        return json_response([state.output(b) for b in state.bookings.values()])

    async def create_booking(request: Request) -> Response:
        try:
            body = UiBooking.model_validate(await read_json(request))
        except ValidationError as error:
            return _problem(one_line_error(error))
        event_type = state.event_types.get(body.event_type_id)
        if event_type is None:
            return _problem(f"unknown event type {body.event_type_id}", 404)
        if body.uid is not None and body.uid in state.bookings:
            return _problem(f"booking {body.uid!r} exists", 409)
        end = body.end or body.start + timedelta(minutes=event_type.length)
        if end <= body.start:
            return _problem("end must be after start")
        minutes = int((end - body.start).total_seconds() // 60)
        booking = state.book(body.event_type_id, body.start, minutes, body.attendee, body.uid)
        return json_response(state.output(booking), 201)

    async def cancel_booking(request: Request) -> Response:
        booking = state.bookings.get(request.path_params["uid"])
        if booking is None:
            return _problem("unknown booking", 404)
        if booking.blocking:
            body = await read_json(request)
            reason = body.get("cancellationReason") if isinstance(body, dict) else None
            state.cancel(booking, str(reason) if reason is not None else None)
        return json_response(state.output(booking))

    return [
        Route("/_sim/faults", get_faults, methods=["GET"]),
        Route("/_sim/faults", set_faults, methods=["POST"]),
        Route("/_sim/stats", stats, methods=["GET"]),
        Route("/_sim/reset", reset, methods=["POST"]),
        Route("/_sim/clock", get_clock, methods=["GET"]),
        Route("/_sim/clock", set_clock, methods=["POST"]),
        Route("/_sim/bookings", list_bookings, methods=["GET"]),
        Route("/_sim/bookings", create_booking, methods=["POST"]),
        Route("/_sim/bookings/{uid}/cancel", cancel_booking, methods=["POST"]),
    ]
