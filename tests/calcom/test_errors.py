"""Cal.com responses map onto the error tree by type; doubles sit only at the transport seam."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from altslot.calcom import (
    BadRequest,
    CalcomClient,
    MalformedResponse,
    NotFound,
    RateLimited,
    RetryableError,
    ServerError,
    Timeout,
    TransportError,
    Unauthorized,
)
from altslot.calcom.client import rate_limit_info, utc_iso

START = datetime(2025, 10, 1, 22, 0, tzinfo=UTC)
END = datetime(2025, 10, 2, 22, 0, tzinfo=UTC)


def client_for(handler: Callable[[httpx.Request], httpx.Response]) -> CalcomClient:
    http = httpx.AsyncClient(base_url="http://cal.test", transport=httpx.MockTransport(handler))
    return CalcomClient(http, "cal_test_key")


def envelope_error(status: int, code: str, message: str) -> httpx.Response:
    body = {"status": "error", "error": {"code": code, "message": message}}
    return httpx.Response(status, json=body)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (envelope_error(400, "BadRequestException", "Invalid time range"), BadRequest),
        (envelope_error(422, "UnprocessableEntityException", "already reserved"), BadRequest),
        (envelope_error(401, "UnauthorizedException", "bad key"), Unauthorized),
        (envelope_error(403, "ForbiddenException", "no"), Unauthorized),
        (envelope_error(404, "NotFoundException", "Event Type not found"), NotFound),
        (envelope_error(500, "InternalServerErrorException", "boom"), ServerError),
        (envelope_error(503, "ServiceUnavailable", "down"), ServerError),
        (httpx.Response(200, text="<html>garbage"), MalformedResponse),
        (httpx.Response(200, json={"status": "success"}), MalformedResponse),
        (
            httpx.Response(200, json={"status": "success", "data": {"2025-10-02": [{"start": "x"}]}}),
            MalformedResponse,
        ),
    ],
)
async def test_status_maps_to_error_type(response: httpx.Response, kind: type[Exception]) -> None:
    """Each documented failure becomes one error type; 5xx are retryable, 4xx and garbage are not."""
    client = client_for(lambda request: response)
    with pytest.raises(kind) as info:
        await client.get_slots(1, START, END, "Europe/Berlin")
    assert isinstance(info.value, RetryableError) == (kind is ServerError)


@pytest.mark.anyio
async def test_rate_limited_carries_reset_seconds() -> None:
    """A 429 carries the reset seconds from Cal.com's X-RateLimit-Reset-* header."""
    headers = {
        "X-RateLimit-Limit-Default": "120",
        "X-RateLimit-Remaining-Default": "0",
        "X-RateLimit-Reset-Default": "42",
    }
    body = json.loads((Path(__file__).parent / "error-429.json").read_text())
    client = client_for(lambda request: httpx.Response(429, json=body, headers=headers))
    with pytest.raises(RateLimited) as info:
        await client.get_slots(1, START, END, "UTC")
    assert info.value.reset_seconds == 42
    assert info.value.message == "Too many requests. Please try again later."


@pytest.mark.anyio
async def test_transport_failures_are_retryable() -> None:
    """Connection errors and timeouts become TransportError and Timeout."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(TransportError):
        await client_for(refuse).get_slots(1, START, END, "UTC")
    with pytest.raises(Timeout):
        await client_for(slow).get_slots(1, START, END, "UTC")


@pytest.mark.anyio
async def test_slots_request_and_parsing() -> None:
    """get_slots sends Cal.com's parameters and headers and parses the range format into UTC pairs."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        slot = {"start": "2025-10-02T09:00:00.000+02:00", "end": "2025-10-02T09:30:00.000+02:00"}
        body = {"status": "success", "data": {"2025-10-02": [slot]}}
        return httpx.Response(200, json=body, headers={"X-RateLimit-Remaining-Default": "7"})

    client = client_for(handler)
    days = await client.get_slots(1412903, START, END, "Europe/Berlin", duration=30)
    request = seen[0]
    assert request.headers["cal-api-version"] == "2024-09-04"
    assert request.headers["authorization"] == "Bearer cal_test_key"
    assert dict(request.url.params) == {
        "eventTypeId": "1412903",
        "start": "2025-10-01T22:00:00.000Z",
        "end": "2025-10-02T22:00:00.000Z",
        "timeZone": "Europe/Berlin",
        "format": "range",
        "duration": "30",
    }
    ((start, end),) = days[datetime(2025, 10, 2).date()]
    assert start == datetime(2025, 10, 2, 7, 0, tzinfo=UTC) and (end - start).seconds == 1800
    assert client.last_rate_limit is not None and client.last_rate_limit.remaining == 7


def test_rate_limit_info_takes_the_tightest_limit() -> None:
    """With several named limits, the one with the fewest remaining requests wins."""
    info = rate_limit_info(
        {
            "X-RateLimit-Limit-Short": "10",
            "X-RateLimit-Remaining-Short": "3",
            "X-RateLimit-Reset-Short": "5",
            "X-RateLimit-Limit-Long": "800",
            "X-RateLimit-Remaining-Long": "500",
            "X-RateLimit-Reset-Long": "60",
        }
    )
    assert info is not None and (info.limit, info.remaining, info.reset_seconds) == (10, 3, 5.0)
    assert rate_limit_info({}) is None


def test_utc_iso_has_millis_and_z() -> None:
    """Instants go to Cal.com as UTC with milliseconds and a Z."""
    assert utc_iso(START) == "2025-10-01T22:00:00.000Z"


@pytest.mark.anyio
async def test_release_accepts_a_success_without_data() -> None:
    """DELETE of a reservation answers {"status":"success"} without data: a success, not a malformed body."""
    client = client_for(lambda request: httpx.Response(200, json={"status": "success"}))
    assert await client.release_slot("r1") is None


@pytest.mark.anyio
async def test_cancel_always_sends_a_reason_and_bookings_name_the_hold() -> None:
    """The cancel body carries cancellationReason; a booking through a hold carries reservedSlotUid."""
    seen: list[dict[str, object]] = []
    booking = {
        "uid": "b1",
        "start": "2025-10-02T08:00:00.000Z",
        "end": "2025-10-02T08:30:00.000Z",
        "status": "accepted",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json={"status": "success", "data": booking})

    client = client_for(handler)
    await client.cancel_booking("b1", "Vom Anrufer abgesagt")
    await client.create_booking(1, START, {"name": "A", "timeZone": "UTC", "email": "a@b.de"}, reserved_slot_uid="r9")
    assert seen[0] == {"cancellationReason": "Vom Anrufer abgesagt"}
    assert seen[1]["reservedSlotUid"] == "r9"
