"""Request metrics: one ``RequestServed`` event per answer of altslot's own HTTP API.

The route label is the matched route's template (``POST /api/appointments/{uid}/cancel``), never the raw
path; a request that matches no route counts as ``other``. The tenant is the one the bearer token (or,
for webhooks, the path) names; ``Metrics`` folds anything unconfigured into ``other``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import fastapi.routing
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from altslot.api.gate import TENANT_SCOPE_KEY, bearer_token
from altslot.events import Events, RequestServed
from altslot.observability.labels import OTHER

if TYPE_CHECKING:
    from altslot.shell.runtime import Runtime
    from altslot.shell.tenants import TenantRegistry
    from altslot.types import Tenant

# Routes of the product API: they name a tenant and can refuse a caller, a body or a size.
_TENANT_PREFIXES = ("/api/", "/webhooks/")
_PRODUCT_STATUSES = (401, 404, 422)  # 422 also for an oversized body (``BodyLimit``)
RouteTable = Mapping[str, tuple[Sequence[int], bool]]
_NO_LABELS: Mapping[str, str] = {}


def flat_routes(routes: Sequence[Any]) -> list[Any]:
    """Every route of an app, included routers' too (FastAPI >= 0.16x keeps those nested)."""
    flatten = getattr(fastapi.routing, "iter_route_contexts", None)
    return [r for r in (flatten(routes) if flatten else routes) if getattr(r, "methods", None)]


def route_table(routes: Sequence[Any]) -> dict[str, tuple[Sequence[int], bool]]:
    """``"METHOD /template"`` → (the statuses it documents or can answer, whether it has a tenant)."""
    table: dict[str, tuple[Sequence[int], bool]] = {}
    for route in flat_routes(routes):
        tenanted = route.path.startswith(_TENANT_PREFIXES)
        statuses = {getattr(route, "status_code", None) or 200, 503}
        statuses |= {int(code) for code in getattr(route, "responses", {}) if str(code).isdigit()}
        if tenanted:
            statuses |= set(_PRODUCT_STATUSES)
        for method in sorted(route.methods - {"HEAD"}):
            table[f"{method} {route.path}"] = (sorted(statuses), tenanted)
    return table


def bearer_tenant(tenants: TenantRegistry) -> Callable[[Scope], str | None]:
    """The tenant id a request names: the ``{tenant}`` path parameter, else its bearer token's tenant."""

    def tenant_of(scope: Scope) -> str | None:
        named = (scope.get("path_params") or {}).get("tenant")
        if isinstance(named, str):
            return named
        gated: Tenant | None = scope.get(TENANT_SCOPE_KEY)  # the gate looked the token up already
        if gated is not None:
            return gated.id
        token = bearer_token(scope)
        found = tenants.by_token(token) if token else None
        return None if found is None else found.id

    return tenant_of


class RequestMetrics:
    """ASGI middleware that reports every HTTP answer (status, route template, tenant, duration)."""

    def __init__(
        self,
        app: ASGIApp,
        events: Events,
        tenant_of: Callable[[Scope], str | None],
        routes: Sequence[Any],
        table: RouteTable,
    ) -> None:
        self.app = app
        self._emit = events.emit
        self._tenant_of = tenant_of
        self._routes = flat_routes(routes)
        # Each route's label resolved once: template -> method -> "METHOD /template" (unknown ones are ``other``).
        self._labels: dict[str | None, dict[str, str]] = {}
        for name in table:
            method, _, template = name.partition(" ")
            self._labels.setdefault(template, {})[method] = name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the app fails before it starts a response

        async def recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording)
        finally:
            self._emit(RequestServed(self._route(scope), status, self._tenant_of(scope), time.perf_counter() - started))

    def _route(self, scope: Scope) -> str:
        # The router writes the matched route into the scope it was handed (this very dict); a request
        # refused before routing (an oversized body) is matched here.
        route = scope.get("route")
        if route is None:
            route = next((r for r in self._routes if r.matches(scope)[0] is Match.FULL), None)
        return self._labels.get(getattr(route, "path", None), _NO_LABELS).get(scope["method"], OTHER)


def observe_requests(routes: Sequence[Any], app: ASGIApp, runtime: Runtime) -> ASGIApp:
    """``app`` wrapped in ``RequestMetrics`` when metrics are on (its series created now, at zero)."""
    metrics = runtime.observability.metrics if runtime.observability is not None else None
    if metrics is None:
        return app
    table = route_table(routes)
    metrics.expect_routes(table)
    return RequestMetrics(app, runtime.events, bearer_tenant(runtime.tenants), routes, table)
