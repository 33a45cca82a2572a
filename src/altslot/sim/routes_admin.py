"""``/_sim/*``: faults, counters, the clock and bookings made "in Cal.com's UI" (never faulted)."""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from altslot.sim.datafile import AttendeeData, one_line_error
from altslot.sim.envelopes import json_response, read_json
from altslot.sim.state import state_of


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


_Input = TypeVar("_Input", bound=BaseModel)


def _problem(message: str, status: int = 400) -> Response:
    return json_response({"error": message}, status)


async def _parsed(request: Request, model: type[_Input]) -> _Input | Response:
    """The JSON body as ``model``, or the 400 that names in one line what is wrong with it."""
    try:
        return model.model_validate(await read_json(request))
    except ValidationError as error:
        return _problem(one_line_error(error))


async def get_faults(request: Request) -> Response:
    """``GET /_sim/faults``: the fault mode and latency in force."""
    return json_response(state_of(request).faults.describe())


async def set_faults(request: Request) -> Response:
    """``POST /_sim/faults``: change the fault mode or latency at run time."""
    state = state_of(request)
    try:
        state.faults.update(await read_json(request))
    except ValueError as error:
        return _problem(str(error))
    return json_response(state.faults.describe())


async def stats(request: Request) -> Response:
    """``GET /_sim/stats``: requests per route and the 429s given."""
    return json_response(state_of(request).stats())


async def reset(request: Request) -> Response:
    """``POST /_sim/reset``: zero the counters."""
    state = state_of(request)
    state.reset_counters()
    return json_response(state.stats())


async def get_clock(request: Request) -> Response:
    """``GET /_sim/clock``: the simulated now."""
    return json_response({"now": state_of(request).now().isoformat()})


async def set_clock(request: Request) -> Response:
    """``POST /_sim/clock``: freeze the clock, or return to the configured one."""
    body = await _parsed(request, ClockInput)
    if isinstance(body, Response):
        return body
    state = state_of(request)
    state.set_clock(body.now)
    return json_response({"now": state.now().isoformat()})


async def list_bookings(request: Request) -> Response:
    """``GET /_sim/bookings``: every booking, whichever key made it."""
    state = state_of(request)
    return json_response([state.output(b) for b in state.bookings.values()])


async def create_booking(request: Request) -> Response:
    """``POST /_sim/bookings``: a booking made "in Cal.com's UI": no slot checks, announced to webhooks."""
    body = await _parsed(request, UiBooking)
    if isinstance(body, Response):
        return body
    state = state_of(request)
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
    """``POST /_sim/bookings/{uid}/cancel``: cancel any booking (an already cancelled one stays as it is)."""
    state = state_of(request)
    booking = state.bookings.get(request.path_params["uid"])
    if booking is None:
        return _problem("unknown booking", 404)
    if booking.blocking:
        body = await read_json(request)
        reason = body.get("cancellationReason") if isinstance(body, dict) else None
        state.cancel(booking, str(reason) if reason is not None else None)
    return json_response(state.output(booking))
