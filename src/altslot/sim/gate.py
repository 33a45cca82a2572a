"""What stands in front of every ``/v2`` request: counting, faults, latency, auth and the rate limit.

Order: count the route → ``down`` drops the connection → rate limit (429) → auth (401) → ``error_500``/
``--error-rate`` → ``garbage`` → the route. As at Cal.com the throttler is a global guard that runs before
the auth guards: a 401 is counted and carries the rate-limit headers, and a wrong key is still the
throttler's tracker. Only guarded routes check the key: ``GET /v2/slots`` and the reservation reads have
no auth guard (a wrong key is ignored there), the optional guard of reservations and bookings refuses a
wrong key but lets a request without one pass, ``GET /v2/me`` needs a valid key.

Injected latency (or ``slow``) is the time from the request's arrival to its response start: the answer is
computed at once and held back until then, so concurrent requests' work overlaps their waiting like a
remote server's would. Rate-limit headers and a generated ``X-Request-Id`` go on every ``/v2`` response.
``/_sim/*`` passes straight through.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from altslot.sim.envelopes import API_KEY_SCOPE, THROTTLED_MESSAGE, encode, error_body, path_with_query
from altslot.sim.faults import GARBAGE_BODY
from altslot.sim.ratelimit import Verdict
from altslot.sim.state import SimState

INVALID_KEY = "ApiAuthStrategy - api key - Your api key is not valid"
NO_CREDENTIALS = (
    "No authentication method provided. Either pass an API key as 'Bearer' header or OAuth client credentials "
    "as 'x-cal-secret-key' and 'x-cal-client-id' headers"
)
# Route templates behind Cal.com's auth guards: "optional" (OptionalApiAuthGuard) or "required" (ApiAuthGuard).
GUARDS: dict[str, str] = {
    "POST /v2/slots/reservations": "optional",
    "POST /v2/bookings": "optional",
    "GET /v2/bookings/{uid}": "optional",
    "POST /v2/bookings/{uid}/cancel": "optional",
    "POST /v2/bookings/{uid}/reschedule": "optional",
    "GET /v2/bookings": "required",
    "GET /v2/me": "required",
}
_log = logging.getLogger(__name__)


class Gate:
    """ASGI wrapper applying the simulator's faults and Cal.com's throttling to ``/v2`` requests."""

    def __init__(self, state: SimState, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.state = state
        self.app = app
        self._routes = [r for r in routes if isinstance(r, Route) and r.path.startswith("/v2")]

    def _template(self, method: str, path: str) -> str:
        for route in self._routes:
            if route.methods is not None and method in route.methods and route.path_regex.match(path):
                return f"{method} {route.path}"
        return f"{method} (unmatched)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v2"):
            await self.app(scope, receive, send)
            return
        state = self.state
        template = self._template(scope["method"], scope["path"])
        state.requests[template] += 1
        if state.faults.mode == "down":
            await _drop_connection(send)
            return
        hold = await self._latency()
        key = _bearer_key(scope)
        # Cal.com's request-id middleware makes its own id; a client's X-Request-Id is not echoed.
        extra = [(b"x-request-id", str(uuid.uuid4()).encode())]
        verdict = self._verdict(scope, key)
        extra += verdict.headers()
        refusal = self._refusal(scope, template, key, verdict)
        if refusal is not None:
            await hold()
            await _respond(send, *refusal, extra)
            return
        scope[API_KEY_SCOPE] = key if key in state.api_keys else None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                await hold()
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _latency(self) -> Callable[[], Awaitable[None]]:
        """Start the request's latency clock; the returned wait ends when its answer may start."""
        faults = self.state.faults
        loop = asyncio.get_running_loop()
        delay = faults.slow_ms / 1000 if faults.mode == "slow" else faults.delay_seconds(self.state.rng)
        ready_at = loop.time() + delay
        changed = faults.changed()
        if delay > 0:
            # Requests that arrived together start their clocks together: yield once before computing,
            # so a burst's work is not added to the latency of the requests queued behind it.
            await asyncio.sleep(0)
        return functools.partial(_wait_until, loop, ready_at, changed)

    def _verdict(self, scope: Scope, key: str | None) -> Verdict:
        """The throttler's word: per API key, else per client address (always 429 in ``rate_limited``)."""
        limiter = self.state.limiter
        if self.state.faults.mode == "rate_limited":
            return limiter.blocked()
        client = scope.get("client")
        return limiter.hit(f"key:{key}" if key else f"ip:{client[0] if client else '?'}")

    def _refusal(self, scope: Scope, template: str, key: str | None, verdict: Verdict) -> tuple[int, bytes] | None:
        """The status and body answered instead of the route, in the order above; None lets the request on."""
        state, faults = self.state, self.state.faults
        if not verdict.allowed:
            state.rate_limited += 1
            return 429, self._error(scope, 429, THROTTLED_MESSAGE)
        guard = GUARDS.get(template)
        if guard is not None and key is not None and key not in state.api_keys:
            return 401, self._error(scope, 401, INVALID_KEY)
        if guard == "required" and key is None:
            return 401, self._error(scope, 401, NO_CREDENTIALS)
        if faults.mode == "error_500" or (faults.error_rate > 0 and state.rng.random() < faults.error_rate):
            return 500, self._error(scope, 500, "Internal Server Error")
        if faults.mode == "garbage":
            return 200, GARBAGE_BODY
        return None

    def _error(self, scope: Scope, status: int, message: str) -> bytes:
        path = path_with_query(scope["path"], scope.get("query_string", b""))
        return encode(error_body(status, message, path, self.state.now()))


def _bearer_key(scope: Scope) -> str | None:
    authorization = next((value for name, value in scope["headers"] if name == b"authorization"), b"")
    return authorization[7:].decode("latin-1").strip() if authorization[:7].lower() == b"bearer " else None


async def _wait_until(loop: asyncio.AbstractEventLoop, moment: float, changed: asyncio.Event) -> None:
    """Wait until ``moment`` on the loop's clock, or less if the faults change first (a test ends a hang)."""
    wait = moment - loop.time()
    if wait > 0:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), wait)


async def _respond(send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]]) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drop_connection(send: Send) -> None:
    """Close the TCP connection without answering, as a crashed or unreachable upstream would.

    ASGI has no "abort" message, so this reaches for uvicorn's transport behind its ``send`` (the Gate is
    the outermost ASGI layer, so ``send`` is uvicorn's own). Elsewhere it falls back to a bare 503.
    """
    cycle: Any = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "close"):
        _log.warning("cannot reach the server transport; answering 503 instead of dropping the connection")
        await _respond(send, 503, b"", [])
        return
    transport.close()
    # Let the server see the connection as lost, so it does not try to send its own 500 afterwards.
    for _ in range(100):
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0.001)
