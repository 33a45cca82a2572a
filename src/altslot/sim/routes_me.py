"""``GET /v2/me``: the API key's owner; the cheapest call that proves a key (the gate refuses others)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from altslot.sim.envelopes import success
from altslot.sim.state import state_of


async def me(request: Request) -> Response:
    """``GET /v2/me``: every key of the simulator belongs to the first host."""
    state = state_of(request)
    name = next(iter(state.hosts))
    host = state.hosts[name]
    # ``me.controller.ts``: id, email, timeFormat (12 when unset), defaultScheduleId, weekStart, timeZone.
    return success(
        {
            "id": host.id,
            "username": host.username,
            "email": host.email,
            "timeFormat": 24,
            "defaultScheduleId": 1,
            "weekStart": "Monday",
            "timeZone": state.schedules[name].time_zone,
            "organizationId": None,
        }
    )
