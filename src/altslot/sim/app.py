"""Assembles the simulated Cal.com: routes, error envelopes, the ``/v2`` gate and webhook shutdown."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from altslot.sim import routes_admin as admin
from altslot.sim import routes_bookings as bookings
from altslot.sim import routes_me as profile
from altslot.sim import routes_slots as slots
from altslot.sim.datafile import SimData
from altslot.sim.envelopes import ApiError, error_body, json_response, request_path
from altslot.sim.gate import Gate
from altslot.sim.state import SimState, state_of

_log = logging.getLogger(__name__)


def routes() -> list[Route]:
    """Every endpoint of the simulator: Cal.com's ``/v2`` API, then the ``/_sim`` controls."""
    return [
        Route("/v2/slots", slots.get_slots, methods=["GET"]),
        Route("/v2/slots/available", slots.get_available, methods=["GET"]),
        Route("/v2/slots/reservations", slots.reserve, methods=["POST"]),
        Route("/v2/slots/reservations/{uid}", slots.get_reservation, methods=["GET"]),
        Route("/v2/slots/reservations/{uid}", slots.delete_reservation, methods=["DELETE"]),
        Route("/v2/bookings", bookings.create, methods=["POST"]),
        Route("/v2/bookings", bookings.listing, methods=["GET"]),
        Route("/v2/bookings/{uid}", bookings.read, methods=["GET"]),
        Route("/v2/bookings/{uid}/cancel", bookings.cancel, methods=["POST"]),
        Route("/v2/bookings/{uid}/reschedule", bookings.reschedule, methods=["POST"]),
        Route("/v2/me", profile.me, methods=["GET"]),
        Route("/_sim/faults", admin.get_faults, methods=["GET"]),
        Route("/_sim/faults", admin.set_faults, methods=["POST"]),
        Route("/_sim/stats", admin.stats, methods=["GET"]),
        Route("/_sim/reset", admin.reset, methods=["POST"]),
        Route("/_sim/clock", admin.get_clock, methods=["GET"]),
        Route("/_sim/clock", admin.set_clock, methods=["POST"]),
        Route("/_sim/bookings", admin.list_bookings, methods=["GET"]),
        Route("/_sim/bookings", admin.create_booking, methods=["POST"]),
        Route("/_sim/bookings/{uid}/cancel", admin.cancel_booking, methods=["POST"]),
    ]


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    body = error_body(exc.status, exc.message, request_path(request), state_of(request).now(), exc.error, exc.details)
    return json_response(body, exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # Nest answers unknown routes with "Cannot <METHOD> <url>".
    message = f"Cannot {request.method} {request_path(request)}" if exc.status_code in (404, 405) else exc.detail
    body = error_body(exc.status_code, message, request_path(request), state_of(request).now())
    return json_response(body, exc.status_code)


async def _server_error(request: Request, exc: Exception) -> Response:
    _log.exception("simulator bug while answering %s", request_path(request), exc_info=exc)
    body = error_body(500, "Internal Server Error", request_path(request), state_of(request).now())
    return json_response(body, 500)


class SimulatorApp(Starlette):
    """A Starlette app whose ``/v2`` traffic passes the `Gate` before any Starlette middleware.

    The gate sits outside Starlette's own error middleware so that the ``down`` fault can close the
    server's connection instead of having a 500 written for it. Handlers find the `SimState` in
    ``app.state.sim``.
    """

    def __init__(self, state: SimState) -> None:
        @contextlib.asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            yield
            await state.webhooks.aclose()

        table = routes()
        super().__init__(
            routes=table,
            exception_handlers={ApiError: _api_error, HTTPException: _http_error, 500: _server_error},
            lifespan=lifespan,
        )
        self.state.sim = state
        self._gate = Gate(state, super().__call__, table)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._gate(scope, receive, send)


def create_app(
    data: SimData,
    *,
    clock: Callable[[], datetime] | None = None,
    latency_ms: tuple[int, int] = (0, 0),
    error_rate: float = 0.0,
    rate_limit: int = 120,
    seed: int | None = None,
) -> Starlette:
    """A simulated Cal.com API v2 serving ``data``; ``clock`` defaults to ``data.now`` or real UTC time."""
    state = SimState(data, clock=clock, latency_ms=latency_ms, error_rate=error_rate, rate_limit=rate_limit, seed=seed)
    return SimulatorApp(state)
