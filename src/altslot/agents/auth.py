"""Secrets compared in constant time, and the one 401 every adapter answers with."""

from __future__ import annotations

import hmac
from typing import Protocol

from fastapi import Request
from fastapi.responses import JSONResponse


class FailureCounter(Protocol):
    """Counts failed authentications per client address (``altslot.api.gate.FailedAuthLimiter``)."""

    async def fail(self, address: str) -> int:
        """Count one failure; the seconds ``address`` must wait when over the limit, else 0."""
        ...


def same_secret(given: str | None, expected: str | None) -> bool:
    """True when both are set and equal; the comparison takes the same time wherever they differ."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def bearer(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def unauthorized() -> JSONResponse:
    """401 without a hint of which part was wrong (tenant, secret or signature)."""
    body = {"error": "unauthorized", "message": "missing or invalid credentials"}
    return JSONResponse(body, 401)


async def refuse(request: Request) -> JSONResponse:
    """A failed authentication: counted per client address like the API's, so 401, or 429 past the limit."""
    counter: FailureCounter | None = getattr(request.app.state, "failed_auth", None)
    wait = await counter.fail(request.client.host if request.client else "unknown") if counter else 0
    if wait:
        body = {"error": "too_many_failures", "message": "too many failed authentications; retry later"}
        return JSONResponse(body, 429, headers={"Retry-After": str(wait)})
    return unauthorized()
