"""Hostile input at the HTTP API: uids, far-out dates, deep webhook bodies, unknown faults (issue 16)."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from altslot.api.app import create_app
from altslot.api.schemas import UnavailableResponse
from altslot.api.serving import RunningServer, start_in_thread
from altslot.calcom.client import CalcomClient
from altslot.calcom.errors import BadRequest
from altslot.observability import ObservabilitySettings
from altslot.shell.config import CalcomSettings, Settings
from altslot.shell.runtime import build_runtime
from tests.support.world import EVENT, NOW, TOKEN, World, running, salon_data, tenant_settings

SECRET = "whsec_test"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ATTENDEE = {"name": "Erika Mustermann", "email": "erika@example.com", "time_zone": "Europe/Berlin"}


def field_of(response: httpx.Response) -> list[Any]:
    """The ``loc`` of a 422's first field message."""
    assert response.status_code == 422, response.text
    loc: list[Any] = response.json()["detail"][0]["loc"]
    return loc


def upstream_requests(world: World) -> int:
    """Every request the simulator has seen."""
    return sum(int(n) for n in world.stats()["requests"].values())


@pytest.mark.parametrize("uid", ["a%01b", "a%3Fx%3Dy", "a%23frag", "..", "a%2F..%2Fb", "%7F", "x" * 129])
def test_bad_booking_uids_are_422_before_any_upstream_call(uid: str) -> None:
    """Uids with ?, #, /, .., control characters or over 128 characters are 422 and never reach Cal.com (D5, D10)."""
    with running(salon_data()) as world:
        before = upstream_requests(world)
        for action, body in (("cancel", {}), ("reschedule", {"start": "2025-09-30T10:00"})):
            response = world.http.post(f"{world.api.url}/api/appointments/{uid}/{action}", json=body, headers=AUTH)
            assert response.status_code in (404, 422), (action, response.text)
            if response.status_code == 422:
                assert field_of(response) == ["path", "uid"]
        assert upstream_requests(world) == before


@pytest.mark.anyio
@pytest.mark.parametrize("uid", ["x?y", "x#y", "..", "a/../b", "a\x01b", ""])
async def test_client_refuses_uids_that_would_change_the_url(uid: str) -> None:
    """The Cal.com client sends nothing for a uid that is not one path segment of the documented charset (D10)."""
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(500))
    async with httpx.AsyncClient(base_url="http://calcom.invalid", transport=transport) as http:
        client = CalcomClient(http, "key")
        with pytest.raises(BadRequest):
            await client.cancel_booking(uid, "ill")
        with pytest.raises(BadRequest):
            await client.reschedule_booking(uid, NOW)
        with pytest.raises(BadRequest):
            await client.release_slot(uid)
    assert sent == []


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"exclude": [{"start": "0001-01-01T00:00", "end": "0001-01-02T00:00"}]}, ["body", "exclude", 0, "start"]),
        ({"exclude": [{"start": "2025-09-30T10:00", "end": "9999-12-31T23:59"}]}, ["body", "exclude", 0, "end"]),
        ({"desired_start": "9999-12-31T23:45-10:00"}, ["body", "desired_start"]),
        ({"desired_start": "0001-01-01T00:30+14:00"}, ["body", "desired_start"]),
    ],
)
def test_searches_near_year_1_or_9999_are_422(body: dict[str, Any], loc: list[Any]) -> None:
    """Dates at the calendar's edges in any search field are a 422 naming the field, not a masked 500 (D5)."""
    with running(salon_data()) as world:
        response = world.search(**{"desired_start": "2025-09-30T10:00", **body})
        assert field_of(response) == loc


@pytest.mark.parametrize("start", ["9999-12-31T23:45-10:00", "0001-01-01T00:30+14:00", "2026-10-06T10:00"])
def test_booking_and_reschedule_starts_are_bounded(start: str) -> None:
    """Booking or rescheduling to year 1/9999 or over a year ahead is a 422 on ``start``, nothing upstream (D5, D13)."""
    with running(salon_data()) as world:
        before = upstream_requests(world)
        body = {"event_type_id": EVENT, "start": start, "attendee": ATTENDEE}
        headers = {**AUTH, "Idempotency-Key": "far"}
        booked = world.http.post(f"{world.api.url}/api/appointments", json=body, headers=headers)
        assert field_of(booked) == ["body", "start"]
        moved = world.http.post(f"{world.api.url}/api/appointments/b1/reschedule", json={"start": start}, headers=AUTH)
        assert field_of(moved) == ["body", "start"]
        assert upstream_requests(world) == before


def signed(body: bytes) -> dict[str, str]:
    """Headers of a delivery signed with the test secret."""
    return {"X-Cal-Signature-256": hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()}


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"triggerEvent": "BOOKING_CREATED", "payload": {"startTime": "0001-01-01T00:00:00+14:00"}}),
        json.dumps({"triggerEvent": "BOOKING_CANCELLED", "payload": {"startTime": "9999-12-31T23:00:00-14:00"}}),
        '{"triggerEvent": "BOOKING_CREATED", "payload": ' + "[" * 20_000 + "]" * 20_000 + "}",
    ],
    ids=["year-1", "year-9999", "nested-20000"],
)
def test_signed_webhooks_with_edge_dates_or_deep_nesting_are_422(body: str) -> None:
    """A correctly signed delivery at the calendar's edge or nested 20,000 deep is a 422 (D5)."""
    with running(salon_data(), webhook_secret=SECRET) as world:
        raw = body.encode()
        response = world.http.post(f"{world.api.url}/webhooks/calcom/salon", content=raw, headers=signed(raw))
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"][0] == "body"


@contextmanager
def failing_search() -> Iterator[RunningServer]:
    """altslot whose searcher raises an exception no handler knows."""
    with running(salon_data()) as world:
        settings = Settings(
            calcom=CalcomSettings(base_url=world.sims[0].url),
            observability=ObservabilitySettings(search_log_url=""),
            tenants={"salon": tenant_settings(TOKEN, "cal_test_salon", world.sims[0].url)},
        )
        runtime = build_runtime(settings, clock=lambda: NOW, env={})

        async def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("a bug")

        runtime.searcher.search = broken  # type: ignore[method-assign]
        with start_in_thread(create_app(runtime)) as api:
            yield api


def test_catch_all_answers_the_documented_503_and_keeps_the_connection() -> None:
    """An unexpected exception is a 503 in the ``UnavailableResponse`` schema; the keep-alive connection lives (D5)."""
    with failing_search() as api:
        parts = urlsplit(api.url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        body = json.dumps({"event_type_id": EVENT, "desired_start": "2025-09-30T10:00"})
        headers = {**AUTH, "Content-Type": "application/json"}
        for _ in range(2):  # the second request travels on the same connection
            connection.request("POST", "/api/appointments/alternatives", body=body, headers=headers)
            response = connection.getresponse()
            assert response.status == 503
            assert response.getheader("Retry-After")
            answer = UnavailableResponse.model_validate_json(response.read())
            assert answer.error == "internal_error"
        connection.close()
