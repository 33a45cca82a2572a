"""The FastAPI application: routes, error mapping (never a 500), and the ASGI layers around them.

The runtime owns everything long-lived; the app's lifespan only starts and stops it (and the MCP session
manager, which belongs to the HTTP app).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from altslot import __version__
from altslot.api.catchall import CatchAll
from altslot.api.deps import bearer
from altslot.api.gate import FailedAuthLimiter, Gate, refusal
from altslot.api.jsonbody import document_bodies
from altslot.api.limits import BodyLimit
from altslot.api.observe import observe_requests
from altslot.api.requestid import RequestId
from altslot.api.routes_agents import agent_routes
from altslot.api.routes_booking import router as booking_router
from altslot.api.routes_ops import observability_routes
from altslot.api.routes_search import BODIES, add_search_route
from altslot.api.schemas import ErrorResponse
from altslot.errors import BadSignature, CallerError, FieldError, NotAuthenticated
from altslot.shell.runtime import Runtime

_HTTP_ERRORS = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}


def _error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(ErrorResponse(error=error, message=message).model_dump(), status, headers=headers)


def _field_errors(detail: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"detail": detail}, 422)


def _install_error_handlers(app: FastAPI, limiter: FailedAuthLimiter) -> None:
    """Every error a caller can cause, answered in the documented shapes (``altslot.errors`` draws the tree)."""

    @app.exception_handler(CallerError)
    async def caller_error(request: Request, exc: CallerError) -> JSONResponse:
        if isinstance(exc, FieldError):
            return _field_errors([{"loc": list(exc.loc), "msg": exc.message, "type": "value_error"}])
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, NotAuthenticated) else None
        return _error(exc.status, exc.code, exc.message, headers)

    @app.exception_handler(BadSignature)
    async def bad_signature(request: Request, exc: BadSignature) -> JSONResponse:
        # An unknown tenant lands here too: the two answers must not tell which tenants exist.
        status, error, message, headers = await refusal(limiter, request.scope)
        if status == 401:
            return _error(exc.status, exc.code, exc.message)
        return _error(status, error, message, headers)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        # FastAPI's own 400 ("error parsing the body"), unknown routes and methods, in the documented shape.
        message = str(exc.detail) if exc.detail else "request refused"
        headers = dict(exc.headers) if exc.headers else None
        return _error(exc.status_code, _HTTP_ERRORS.get(exc.status_code, "error"), message, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Echoing inputs back would copy callers' personal data into responses and logs.
        return _field_errors(
            [
                {"loc": list(e["loc"]), "msg": str(e["msg"]).removeprefix("Value error, "), "type": e["type"]}
                for e in exc.errors()
            ]
        )


def create_app(runtime: Runtime) -> Any:
    """Build the ASGI app around a runtime, which starts with the app and closes when it shuts down."""
    mcp = None
    if runtime.settings.mcp.enabled:
        from altslot.agents.mcp_endpoint import build_mcp  # the SDK costs start-up time; only when served

        mcp = build_mcp(runtime.tenants, runtime.toolbox, runtime.settings.mcp)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            async with AsyncExitStack() as stack:
                if mcp is not None:
                    # The SDK's session manager must run for /mcp to answer ("Task group is not initialized").
                    await stack.enter_async_context(mcp[0].session_manager.run())
                yield
        finally:
            await runtime.aclose()

    server = runtime.settings.server
    docs = server.expose_docs
    app = FastAPI(
        title="altslot",
        summary="Verified alternative appointment times in front of the Cal.com API.",
        version=__version__,
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
    _install_error_handlers(app, limiter)
    add_search_route(app.router, runtime)
    app.include_router(booking_router)
    app.include_router(agent_routes(runtime))

    @app.get("/healthz", summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(observability_routes(runtime))
    document_bodies(app, BODIES, bearer)
    if mcp is not None:
        # Last, so every route above matches first; the MCP app itself only serves /mcp.
        app.mount("/", mcp[1])
    token = runtime.settings.observability.metrics_token
    gate = Gate(BodyLimit(app), runtime.tenants, limiter, token.get_secret_value() if token else None)
    return RequestId(observe_requests(app.routes, gate, runtime))
