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
from starlette.types import Receive, Scope, Send

from altslot.sim.datafile import SimData
from altslot.sim.envelopes import ApiError, error_body, json_response, request_path
from altslot.sim.gate import Gate
from altslot.sim.routes_admin import admin_routes
from altslot.sim.routes_bookings import booking_routes
from altslot.sim.routes_me import me_routes
from altslot.sim.routes_slots import slot_routes
from altslot.sim.state import SimState

_log = logging.getLogger(__name__)


class SimulatorApp(Starlette):
    """A Starlette app whose ``/v2`` traffic passes the `Gate` before any Starlette middleware.

    The gate sits outside Starlette's own error middleware so that the ``down`` fault can close the
    server's connection instead of having a 500 written for it.
    """

    def __init__(self, state: SimState) -> None:
        routes = [*slot_routes(state), *booking_routes(state), *me_routes(state), *admin_routes(state)]

        async def api_error(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, ApiError)
            body = error_body(exc.status, exc.message, request_path(request), state.now(), exc.error, exc.details)
            return json_response(body, exc.status)

        async def http_error(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, HTTPException)
            # Nest answers unknown routes with "Cannot <METHOD> <url>".
            message = (
                f"Cannot {request.method} {request_path(request)}" if exc.status_code in (404, 405) else exc.detail
            )
            body = error_body(exc.status_code, message, request_path(request), state.now())
            return json_response(body, exc.status_code)

        async def server_error(request: Request, exc: Exception) -> Response:
            _log.exception("simulator bug while answering %s", request_path(request), exc_info=exc)
            body = error_body(500, "Internal Server Error", request_path(request), state.now())
            return json_response(body, 500)

        @contextlib.asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            yield
            await state.webhooks.aclose()

        super().__init__(
            routes=routes,
            exception_handlers={ApiError: api_error, HTTPException: http_error, 500: server_error},
            lifespan=lifespan,
        )
        self.sim = state
        self._gate = Gate(state, super().__call__, routes)

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
