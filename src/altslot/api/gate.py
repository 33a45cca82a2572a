"""Authentication before anything else: the bearer token is checked before a body is read or parsed.

Failed authentications are counted per client address (``[server] failed_auth_limit``) and, past the
limit, answered 429 with ``Retry-After``. A request with a valid token is never counted nor blocked:
agent platforms send every tenant's calls from a few addresses, so blocking an address would lock out
valid callers together with a guesser behind the same NAT.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import math
import time
from collections.abc import Callable

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Receive, Scope, Send

from altslot.api.asgi import send_json
from altslot.shared.keys import FAILED_AUTH_NAMESPACE
from altslot.shell.tenants import TenantRegistry

log = logging.getLogger("altslot.api")

TENANT_SCOPE_KEY = "altslot.tenant"
"""Where the gate leaves the authenticated tenant in the ASGI scope."""


class FailedAuthLimiter:
    """A moving window of failed authentications per client address; shared through Redis when given."""

    def __init__(self, rate: str, window: Storage | None = None, wall_clock: Callable[[], float] = time.time) -> None:
        """``window``: the shared Redis storage of moving windows (``RedisLink.window``); None counts in memory."""
        parsed = parse(rate)
        # The namespace keeps these windows apart from the Cal.com limiter's keys.
        self._item: RateLimitItem = type(parsed)(parsed.amount, parsed.multiples, namespace=FAILED_AUTH_NAMESPACE)
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._shared: MovingWindowRateLimiter | None = None
        self._wall_clock = wall_clock
        self._redis_down = False
        if window is not None:
            self._shared = MovingWindowRateLimiter(window)

    async def fail(self, address: str) -> int:
        """Count one failure of ``address``; the seconds it must wait when over the limit, else 0."""
        limiter = self._shared or self._memory
        try:
            allowed = await limiter.hit(self._item, address)
            stats = None if allowed else await limiter.get_window_stats(self._item, address)
            self._redis_down = False
        except (RedisError, OSError) as exc:
            # Counting locally while Redis is away keeps the limit per instance rather than dropping it.
            if not self._redis_down:  # one warning per outage, not one per guess
                log.warning("failed-auth limiter: Redis unavailable (%s); counting in memory", type(exc).__name__)
            self._redis_down = True
            limiter = self._memory
            allowed = await limiter.hit(self._item, address)
            stats = None if allowed else await limiter.get_window_stats(self._item, address)
        if stats is None:
            return 0
        return max(1, math.ceil(stats.reset_time - self._wall_clock()))


def client_address(scope: Scope) -> str:
    """The peer's address (uvicorn puts a trusted proxy's ``X-Forwarded-For`` here)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def is_loopback(address: str) -> bool:
    """True for 127.0.0.0/8 and ::1."""
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def bearer_token(scope: Scope) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, or None."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() or None if scheme.lower() == "bearer" else None
    return None


async def refusal(limiter: FailedAuthLimiter, scope: Scope) -> tuple[int, str, str, dict[str, str]]:
    """The answer to a failed authentication: 401, or 429 with ``Retry-After`` past the limit."""
    wait = await limiter.fail(client_address(scope))
    if wait:
        return 429, "too_many_failures", "too many failed authentications; retry later", {"Retry-After": str(wait)}
    return 401, "unauthorized", "a valid bearer token is required", {"WWW-Authenticate": "Bearer"}


class Gate:
    """Checks tenant tokens on ``/api/`` and ``/mcp`` and the metrics token on ``/metrics`` before the app runs."""

    def __init__(
        self, app: ASGIApp, tenants: TenantRegistry, limiter: FailedAuthLimiter, metrics_token: str | None
    ) -> None:
        self.app = app
        self._tenants = tenants
        self._limiter = limiter
        self._metrics_token = metrics_token.encode() if metrics_token is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        # /mcp is verified again by the MCP SDK; checking it here too counts its refusals per address.
        if path.startswith("/api/") or path == "/mcp" or path.startswith("/mcp/"):
            token = bearer_token(scope)
            tenant = self._tenants.by_token(token) if token else None
            if tenant is not None:
                scope[TENANT_SCOPE_KEY] = tenant
                await self.app(scope, receive, send)
                return
            await self._answer(send, *await refusal(self._limiter, scope))
            return
        if path == "/metrics" and not await self._metrics_allowed(scope, send):
            return
        await self.app(scope, receive, send)

    async def _metrics_allowed(self, scope: Scope, send: Send) -> bool:
        if self._metrics_token is None:
            # No token configured: only the same host (a local scraper) sees tenant names and traffic.
            if is_loopback(client_address(scope)):
                return True
            await self._answer(send, 404, "not_found", "no such route", {})
            return False
        token = bearer_token(scope) or ""
        if hmac.compare_digest(token.encode(), self._metrics_token):
            return True
        await self._answer(send, *await refusal(self._limiter, scope))
        return False

    async def _answer(self, send: Send, status: int, error: str, message: str, headers: dict[str, str]) -> None:
        await send_json(send, status, json.dumps({"error": error, "message": message}).encode(), headers)
