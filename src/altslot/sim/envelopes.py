"""Cal.com's response envelopes, error bodies and time formats."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

# Nest's exception class name and its reason phrase per status, as Cal.com's HttpExceptionFilter emits them.
_EXCEPTIONS: dict[int, tuple[str, str]] = {
    400: ("BadRequestException", "Bad Request"),
    401: ("UnauthorizedException", "Unauthorized"),
    403: ("ForbiddenException", "Forbidden"),
    404: ("NotFoundException", "Not Found"),
    405: ("MethodNotAllowedException", "Method Not Allowed"),
    413: ("PayloadTooLargeException", "Payload Too Large"),
    422: ("UnprocessableEntityException", "Unprocessable Entity"),
    500: ("InternalServerErrorException", "Internal Server Error"),
    503: ("ServiceUnavailableException", "Service Unavailable"),
}
THROTTLED_MESSAGE = "Too many requests. Please try again later."
API_KEY_SCOPE = "altslot.sim.api_key"
"""Where the gate leaves a request's valid API key (None when it has none) for the routes."""


class ApiError(Exception):
    """An error answered with Cal.com's error envelope."""

    def __init__(self, status: int, message: str, error: dict[str, Any] | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error = error  # replaces the whole ``error`` object (tRPC errors have no ``details``)
        self.details = details  # replaces ``details`` (the global pipe's ``{"errors": [...]}``)


def iso_utc(moment: datetime) -> str:
    """``2050-09-05T07:00:00.000Z``: UTC with milliseconds, as Cal.com prints instants."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_zoned(moment: datetime, utc: bool) -> str:
    """Luxon's ``toISO()``: ``…T09:00:00.000+02:00`` in the moment's zone, ``Z`` for the UTC zone."""
    if utc:
        return iso_utc(moment)
    return moment.isoformat(timespec="milliseconds")


def encode(body: Any) -> bytes:
    """Compact JSON, as Nest and ``JSON.stringify`` write it."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(body: Any, status: int = 200) -> Response:
    """A JSON response of an already-built body."""
    return Response(encode(body), status_code=status, media_type="application/json")


def success(data: Any, status: int = 200) -> Response:
    """``{"status": "success", "data": …}``."""
    return json_response({"status": "success", "data": data}, status)


def error_body(
    status: int,
    message: str,
    path: str,
    now: datetime,
    error: dict[str, Any] | None = None,
    details: Any = None,
) -> dict[str, Any]:
    """Cal.com's v2 error envelope for an HTTP exception (ThrottlerException's details are a string)."""
    if error is not None:
        return {"status": "error", "timestamp": iso_utc(now), "path": path, "error": error}
    if status == 429:
        code, details = "ThrottlerException", message
    else:
        code, reason = _EXCEPTIONS.get(status, ("HttpException", "Error"))
        if details is None:
            details = {"message": message, "error": reason, "statusCode": status}
    return {
        "status": "error",
        "timestamp": iso_utc(now),
        "path": path,
        "error": {"code": code, "message": message, "details": details},
    }


def path_with_query(scope_path: str, query_string: bytes) -> str:
    """The request path including its query, as Cal.com reports it in ``path``."""
    return f"{scope_path}?{query_string.decode('latin-1')}" if query_string else scope_path


def request_path(request: Request) -> str:
    """The full path of ``request`` including the query string."""
    return path_with_query(request.url.path, request.scope.get("query_string", b""))


async def read_json(request: Request) -> Any:
    """The JSON body, an empty object when there is none; a 400 envelope when it is not JSON."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, "Invalid JSON body") from None
