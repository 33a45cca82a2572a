"""The transport seam: every request altslot's client sends and the answer it got, recorded as JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Exchange:
    """One request and its answer."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int
    answer: Any


class Recorder(httpx.AsyncHTTPTransport):
    """A real HTTP transport (to the simulator over loopback) that keeps a copy of every exchange."""

    def __init__(self) -> None:
        super().__init__()
        self.exchanges: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        content = await response.aread()
        self.exchanges.append(
            Exchange(
                method=request.method,
                path=request.url.path,
                query=dict(request.url.params),
                headers={k.lower(): v for k, v in request.headers.items()},
                body=json.loads(request.content) if request.content else None,
                status=response.status_code,
                answer=json.loads(content) if content else None,
            )
        )
        return httpx.Response(response.status_code, headers=response.headers, content=content, request=request)


@dataclass(frozen=True)
class Contract:
    """What one Cal.com route takes and answers: schema names and the API version header it needs."""

    name: str
    method: str
    pattern: str
    request: str | None
    answer: str
    version: str | None

    def matches(self, exchange: Exchange) -> bool:
        """Whether ``exchange`` went to this route."""
        return exchange.method == self.method and re.fullmatch(self.pattern, exchange.path) is not None


SLOTS, BOOKINGS = "2024-09-04", "2024-08-13"
CONTRACTS = (
    Contract("slots", "GET", r"/v2/slots", "slots-query", "slots-response", SLOTS),
    Contract("reserve", "POST", r"/v2/slots/reservations", "reserve-slot-request", "reserve-slot-response", SLOTS),
    Contract("reservation", "GET", r"/v2/slots/reservations/[^/]+", None, "reservation-response", SLOTS),
    Contract("release", "DELETE", r"/v2/slots/reservations/[^/]+", None, "release-response", SLOTS),
    Contract("book", "POST", r"/v2/bookings", "booking-create-request", "booking-response", BOOKINGS),
    Contract("booking", "GET", r"/v2/bookings/[^/]+", None, "booking-response", BOOKINGS),
    Contract("bookings", "GET", r"/v2/bookings", "bookings-query", "bookings-response", BOOKINGS),
    Contract("cancel", "POST", r"/v2/bookings/[^/]+/cancel", "booking-cancel-request", "booking-response", BOOKINGS),
    Contract(
        "reschedule", "POST", r"/v2/bookings/[^/]+/reschedule", "booking-reschedule-request", "booking-response",
        BOOKINGS,
    ),
    Contract("me", "GET", r"/v2/me", None, "me-response", None),
)  # fmt: skip


def contract_of(exchange: Exchange) -> Contract:
    """The route contract an exchange falls under (fails for a route altslot has no schema for)."""
    found = [c for c in CONTRACTS if c.matches(exchange)]
    assert found, f"no contract for {exchange.method} {exchange.path}: add a schema before calling it"
    return found[0]
