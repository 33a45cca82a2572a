"""Secrets compared in constant time, and the one 401 every adapter answers with."""

from __future__ import annotations

import hmac

from fastapi.responses import JSONResponse


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
