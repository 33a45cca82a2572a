"""The FastAPI application: auth, routes, and error mapping (422 / 401 / 404 / 503, never a 500)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from altslot.agents import agent_routes
from altslot.api.booking_routes import router as booking_router
from altslot.api.catchall import CatchAll
from altslot.api.deps import Unauthorized, caller_tenant, unavailable_response
from altslot.api.gate import FailedAuthLimiter, Gate, refusal
from altslot.api.limits import BodyLimit
from altslot.api.responses import SEARCH
from altslot.api.schemas import AlternativesRequest, AlternativesResponse, ErrorResponse
from altslot.availability.warming import run_warmer
from altslot.booking.booker import BookingConflict, IdempotencyConflict, UnknownBooking
from altslot.booking.webhooks import BadPayload, BadSignature
from altslot.observability.http import observe_requests
from altslot.observability.requestid import RequestId
from altslot.observability.routes import observability_routes, request_id
from altslot.search.service import InvalidField, NotOwned, Unavailable
from altslot.shell.runtime import Runtime
from altslot.shell.tenants import Tenant
from altslot.tools import Toolbox

_HTTP_ERRORS = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}


def _error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(ErrorResponse(error=error, message=message).model_dump(), status, headers=headers)


def create_app(runtime: Runtime, *, own_runtime: bool = True) -> Any:
    """Build the ASGI app around a runtime (closed on shutdown when ``own_runtime``)."""
    toolbox = Toolbox(runtime.searcher, runtime.booker, runtime.clock, runtime.events)
    mcp = None
    if runtime.settings.mcp.enabled:
        from altslot.agents.mcp_endpoint import build_mcp  # the SDK costs start-up time; only when served

        mcp = build_mcp(runtime.tenants, toolbox, runtime.settings.mcp)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        warmer = None
        warm = runtime.settings.warm
        if warm.enabled:
            job = run_warmer(
                runtime.tenants,
                runtime.availability,
                runtime.upstream,
                runtime.clock,
                days=warm.days,
                interval=warm.interval_seconds,
                fresh_ttl=runtime.settings.cache.fresh_ttl_seconds,
                redis=runtime.redis,
                health=runtime.health,
            )
            warmer = asyncio.create_task(job)
        if runtime.observability is not None:
            runtime.observability.start()
        if runtime.keys is not None:
            runtime.keys.start()  # a wrong Cal.com key is logged at start-up, not at the first booking
        async with AsyncExitStack() as stack:
            if mcp is not None:
                # The SDK's session manager must run for /mcp to answer ("Task group is not initialized").
                await stack.enter_async_context(mcp[0].session_manager.run())
            yield
        if warmer is not None:
            warmer.cancel()
        if runtime.observability is not None:
            await runtime.observability.stop()
        if own_runtime:
            await runtime.aclose()

    server = runtime.settings.server
    docs = server.expose_docs
    app = FastAPI(
        title="altslot",
        summary="Verified alternative appointment times in front of the Cal.com API.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.runtime = runtime
    link = runtime.redis_link
    limiter = FailedAuthLimiter(server.failed_auth_limit, link.window if link is not None else None)
    app.state.failed_auth = limiter  # the agent adapters count their refusals here too
    app.add_middleware(CatchAll)

    @app.exception_handler(Unauthorized)
    async def unauthorized(request: Request, exc: Unauthorized) -> JSONResponse:
        return _error(401, "unauthorized", "a valid bearer token is required", {"WWW-Authenticate": "Bearer"})

    @app.exception_handler(NotOwned)
    async def not_owned(request: Request, exc: NotOwned) -> JSONResponse:
        return _error(404, "not_found", f"event type {exc.args[0]} is not configured for this tenant")

    @app.exception_handler(UnknownBooking)
    async def unknown_booking(request: Request, exc: UnknownBooking) -> JSONResponse:
        return _error(404, "not_found", str(exc) or "no such booking")

    @app.exception_handler(BookingConflict)
    async def booking_conflict(request: Request, exc: BookingConflict) -> JSONResponse:
        return _error(409, "booking_conflict", str(exc))

    @app.exception_handler(IdempotencyConflict)
    async def idempotency_conflict(request: Request, exc: IdempotencyConflict) -> JSONResponse:
        if exc.in_progress:
            return _error(409, "in_progress", str(exc))
        detail = [{"loc": ["header", "idempotency-key"], "msg": str(exc), "type": "value_error"}]
        return JSONResponse({"detail": detail}, 422)

    @app.exception_handler(BadSignature)
    async def bad_signature(request: Request, exc: BadSignature) -> JSONResponse:
        # An unknown tenant lands here too: the two answers must not tell which tenants exist.
        status, error, message, headers = await refusal(limiter, request.scope)
        if status == 401:
            return _error(401, "bad_signature", "X-Cal-Signature-256 does not match the body")
        return _error(status, error, message, headers)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        # FastAPI's own 400 ("error parsing the body"), unknown routes and methods, in the documented shape.
        message = str(exc.detail) if exc.detail else "request refused"
        headers = dict(exc.headers) if exc.headers else None
        return _error(exc.status_code, _HTTP_ERRORS.get(exc.status_code, "error"), message, headers)

    @app.exception_handler(BadPayload)
    async def bad_payload(request: Request, exc: BadPayload) -> JSONResponse:
        detail = [{"loc": ["body"], "msg": str(exc), "type": "value_error"}]
        return JSONResponse({"detail": detail}, 422)

    @app.exception_handler(InvalidField)
    async def invalid_field(request: Request, exc: InvalidField) -> JSONResponse:
        detail = [{"loc": ["body", *exc.field.split(".")], "msg": exc.message, "type": "value_error"}]
        return JSONResponse({"detail": detail}, 422)

    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Echoing inputs back would copy callers' personal data into responses and logs.
        detail = [
            {"loc": list(e["loc"]), "msg": str(e["msg"]).removeprefix("Value error, "), "type": e["type"]}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": detail}, 422)

    @app.post(
        "/api/appointments/alternatives",
        response_model=AlternativesResponse,
        responses=SEARCH,
        summary="Find verified alternatives around a desired time",
    )
    async def alternatives(
        body: AlternativesRequest,
        caller: Annotated[Tenant, Depends(caller_tenant)],
        rid: Annotated[str, Depends(request_id)],
    ) -> Response:
        answer = await runtime.searcher.search(caller, body, request_id=rid)
        if isinstance(answer, Unavailable):
            return unavailable_response(answer)
        # Serialised once, straight from the model: FastAPI would validate and encode it a second time.
        return Response(answer.model_dump_json(), media_type="application/json")

    app.include_router(booking_router)
    app.include_router(agent_routes(runtime, toolbox))

    @app.get("/healthz", summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(observability_routes(runtime))
    if mcp is not None:
        # Last, so every route above matches first; the MCP app itself only serves /mcp.
        app.mount("/", mcp[1])
    token = runtime.settings.observability.metrics_token
    gate = Gate(BodyLimit(app), runtime.tenants, limiter, token.get_secret_value() if token else None)
    return RequestId(observe_requests(app.routes, gate, runtime))
