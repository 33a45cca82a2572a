"""Dependencies shared by the routes: the runtime and the caller's tenant."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from altslot.api.gate import TENANT_SCOPE_KEY
from altslot.errors import NotAuthenticated
from altslot.shell.runtime import Runtime
from altslot.types import Tenant

bearer = HTTPBearer(auto_error=False, description="A tenant's caller token")


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
        raise NotAuthenticated
    return found


def gate_tenant(scope: Mapping[str, Any]) -> Tenant:
    """The tenant the gate authenticated for this request (401 if the gate was not in front of the route)."""
    found: Tenant | None = scope.get(TENANT_SCOPE_KEY)
    if found is None:
        raise NotAuthenticated
    return found


Caller = Annotated[Tenant, Depends(caller_tenant)]
"""A route parameter: the authenticated caller's tenant."""
