"""``/metrics`` and ``/readyz``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from altslot.shell.keycheck import any_invalid

if TYPE_CHECKING:
    from altslot.shell.runtime import Runtime


async def _redis_check(runtime: Runtime) -> str:
    """``ok``, or what the instance is really doing: working alone, and why.

    A ``PING`` is not enough: a cluster node given as a plain URL answers it and then ``MOVED`` for most
    keys, and a cluster client's ``PING`` reaches one node. So the probe asks every primary (or checks
    for a cluster node behind a plain URL), and a failure the instance met on real traffic within its
    health window counts too.
    """
    if runtime.redis_link is None:
        return "ok"
    problem = await runtime.redis_link.problem()
    health = runtime.health
    if problem is None and health is not None and health.down and not health.usable:
        problem = health.problem
    return "ok" if problem is None else f"degraded: working from local memory ({problem})"


async def readiness(runtime: Runtime) -> tuple[int, dict[str, Any]]:
    """Check Redis (when configured) and the search-log database; the status code and the body.

    Only a dependency searches cannot do without makes the instance unready (503): Redis when
    ``cache.redis_required``. Otherwise Redis falls back to memory and the search log is best effort, so
    taking the instance out of a load balancer would cost more than it saves: they report ``degraded``.
    Each tenant's Cal.com key is reported under ``calcom_keys``; a key Cal.com refuses degrades too
    (searches still work with it, holds and bookings do not).
    """
    checks: dict[str, str] = {}
    required: set[str] = set()
    if runtime.redis is not None:
        checks["redis"] = await _redis_check(runtime)
        if runtime.settings.cache.redis_required:
            required.add("redis")
    if runtime.observability is not None and runtime.observability.search_log is not None:
        problems = await runtime.observability.problems()
        checks["search_log"] = problems.get("search_log", "ok")
    keys = await runtime.keys.report() if runtime.keys is not None else {}
    failing = {name for name, state in checks.items() if state != "ok"}
    status = "unavailable" if failing & required else "degraded" if failing or any_invalid(keys) else "ok"
    body = {
        "status": status,
        "checks": checks,
        "calcom_keys": keys,
        "tenants": len(runtime.tenants),
        "cache": runtime.settings.cache.backend,
    }
    return (503 if status == "unavailable" else 200), body


def observability_routes(runtime: Runtime) -> APIRouter:
    """The routes of one app around ``runtime``."""
    router = APIRouter()

    ready = {"description": "The dependency checks", "content": {"application/json": {"schema": {"type": "object"}}}}

    @router.get(
        "/readyz",
        summary="Dependencies are reachable",
        responses={200: ready, 503: {**ready, "description": "A dependency searches need is down"}},
    )
    async def readyz() -> JSONResponse:
        status, body = await readiness(runtime)
        return JSONResponse(body, status)

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        found = runtime.observability.metrics if runtime.observability is not None else None
        if found is None:
            return JSONResponse({"error": "not_found", "message": "metrics are off"}, 404)
        return Response(found.render(), media_type=CONTENT_TYPE_LATEST)

    return router
