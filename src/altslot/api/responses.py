"""Every status a route can answer besides its success, for the OpenAPI document (schemathesis checks it)."""

from __future__ import annotations

from typing import Any

from altslot.api.schemas import ErrorResponse, SlotTakenResponse, UnavailableResponse

_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}}

BAD_REQUEST: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The body could not be read (e.g. a form instead of JSON)"},
}
AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "No valid bearer token (or webhook signature)"},
    429: {
        "model": ErrorResponse,
        "description": "Too many failed authentications from this address",
        "headers": _RETRY_AFTER,
    },
}
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {
        "model": UnavailableResponse,
        "description": "Cal.com cannot be reached, or an internal fault",
        "headers": _RETRY_AFTER,
    },
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "Another tenant's or an unknown event type or booking"},
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "model": SlotTakenResponse | ErrorResponse,
        "description": "The slot is gone (with fresh alternatives), or the idempotency key is in use",
    },
}

SEARCH = {**BAD_REQUEST, **AUTH, **NOT_FOUND, **UNAVAILABLE}
BOOKING = {**SEARCH, **CONFLICT}
WEBHOOK = {**AUTH, **UNAVAILABLE}
