"""Dependencies shared by the routes: the runtime and the caller's tenant."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from altslot.api.gate import TENANT_SCOPE_KEY
from altslot.search.service import Unavailable
from altslot.shell.runtime import Runtime
from altslot.shell.tenants import Tenant

bearer = HTTPBearer(auto_error=False, description="A tenant's caller token")


class Unauthorized(Exception):
    """No valid bearer token (answered as 401)."""


def runtime_of(request: Request) -> Runtime:
    """The runtime the app was built around."""
    runtime: Runtime = request.app.state.runtime
    return runtime


async def caller_tenant(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Tenant:
    """The tenant whose bearer token the request carries (401 otherwise).

    ``async`` although it never awaits: FastAPI would run a plain function on a worker thread.
    """
    found: Tenant | None = request.scope.get(TENANT_SCOPE_KEY)  # the gate checked the token already
    if found is None and credentials is not None:
        found = runtime_of(request).tenants.by_token(credentials.credentials)
    if found is None:
        raise Unauthorized
    return found


def unavailable_response(answer: Unavailable) -> JSONResponse:
    """503 ``upstream_unavailable`` with ``Retry-After``, for every route that reaches Cal.com."""
    headers = {"Retry-After": str(answer.body.retry_after_seconds)}
    return JSONResponse(answer.body.model_dump(), 503, headers=headers)
