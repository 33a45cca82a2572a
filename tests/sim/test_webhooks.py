"""Booking webhooks reach subscribers, signed, without delaying the API."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from altslot.api.serving import RunningServer, start_in_thread
from altslot.sim.datafile import parse_data
from tests.sim.simdata import BOOKINGS, sim_raw

SECRET = "whsec_test"
ATTENDEE = {"name": "Erika Mustermann", "email": "erika@example.com", "timeZone": "Europe/Berlin"}


class Receiver:
    """A tiny webhook subscriber that records what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []

        async def hook(request: Request) -> Response:
            self.received.append((dict(request.headers), await request.body()))
            return Response(status_code=200)

        self.app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])

    def wait_for(self, count: int) -> list[tuple[dict[str, str], dict[str, Any]]]:
        """The first ``count`` deliveries, verified; waits up to 10 s for them to arrive."""
        deadline = time.monotonic() + 10
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.received) >= count
        out = []
        for headers, raw in self.received[:count]:
            expected = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
            assert hmac.compare_digest(headers["x-cal-signature-256"], expected)
            assert headers["content-type"] == "application/json"
            assert headers["x-cal-webhook-version"] == "2021-10-20"
            out.append((headers, json.loads(raw)))
        return out


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, RunningServer]]:
    """A served webhook receiver."""
    hooks = Receiver()
    with start_in_thread(hooks.app) as server:
        yield hooks, server


@pytest.fixture
def hooked(
    serve: Callable[..., RunningServer], receiver: tuple[Receiver, RunningServer]
) -> Iterator[tuple[httpx.Client, Receiver]]:
    """A simulator whose data file subscribes the receiver, and a client for it."""
    hooks, server = receiver
    data = parse_data(sim_raw(webhooks=[{"subscriber_url": f"{server.url}/hook", "secret": SECRET}]))
    with httpx.Client(base_url=serve(data).url) as client:
        yield client, hooks


def _book(client: httpx.Client, start: str = "2050-09-05T10:00:00Z") -> dict[str, Any]:
    body = {"start": start, "eventTypeId": 10, "attendee": ATTENDEE}
    response = client.post("/v2/bookings", json=body, headers=BOOKINGS)
    assert response.status_code == 201
    data: dict[str, Any] = response.json()["data"]
    return data


def test_created_webhook_is_signed(hooked: tuple[httpx.Client, Receiver]) -> None:
    """A booking posts BOOKING_CREATED with Cal.com's payload keys and a valid HMAC signature."""
    client, hooks = hooked
    booking = _book(client)
    [(_, body)] = hooks.wait_for(1)
    assert body["triggerEvent"] == "BOOKING_CREATED"
    assert body["createdAt"] == "2050-09-05T06:00:00.000Z"
    payload = body["payload"]
    assert payload["uid"] == booking["uid"]
    assert payload["bookingId"] == booking["id"]
    assert payload["eventTypeId"] == 10
    assert payload["startTime"] == "2050-09-05T10:00:00Z"
    assert payload["endTime"] == "2050-09-05T11:00:00Z"
    assert payload["status"] == "ACCEPTED"
    assert payload["organizer"]["timeZone"] == "Europe/Rome"
    assert payload["attendees"][0]["email"] == "erika@example.com"


def test_cancel_and_reschedule_webhooks(hooked: tuple[httpx.Client, Receiver]) -> None:
    """Cancel posts BOOKING_CANCELLED; reschedule posts BOOKING_RESCHEDULED naming the old uid."""
    client, hooks = hooked
    first = _book(client)
    client.post(f"/v2/bookings/{first['uid']}/cancel", json={"cancellationReason": "ill"}, headers=BOOKINGS)
    second = _book(client, "2050-09-05T12:00:00Z")
    moved = client.post(
        f"/v2/bookings/{second['uid']}/reschedule", json={"start": "2050-09-05T13:00:00Z"}, headers=BOOKINGS
    ).json()["data"]
    events = [body for _, body in hooks.wait_for(4)]
    by_trigger = {(e["triggerEvent"], e["payload"]["uid"]): e["payload"] for e in events}
    cancelled = by_trigger["BOOKING_CANCELLED", first["uid"]]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["cancellationReason"] == "ill"
    assert cancelled["startTime"] == "2050-09-05T10:00:00+00:00"  # dayjs().format() on a UTC host
    rescheduled = by_trigger["BOOKING_RESCHEDULED", moved["uid"]]
    assert rescheduled["rescheduleUid"] == second["uid"]
    assert rescheduled["rescheduleStartTime"] == "2050-09-05T12:00:00Z"
    assert rescheduled["startTime"] == "2050-09-05T13:00:00Z"


def test_ui_booking_sends_webhook(hooked: tuple[httpx.Client, Receiver]) -> None:
    """A booking made "in the UI" through /_sim/bookings is stored, blocks its slot and is announced."""
    client, hooks = hooked
    response = client.post("/_sim/bookings", json={"event_type_id": 10, "start": "2050-09-05T08:00:00Z", "uid": "ui-1"})
    assert response.status_code == 201
    [(_, body)] = hooks.wait_for(1)
    assert body["payload"]["uid"] == "ui-1"
    slots = client.get(
        "/v2/slots",
        params={"start": "2050-09-05", "end": "2050-09-05", "eventTypeId": "10"},
        headers={"cal-api-version": "2024-09-04"},
    ).json()["data"]["2050-09-05"]
    assert {"start": "2050-09-05T08:00:00.000Z"} not in slots
    assert client.get("/_sim/stats").json()["bookings"] == 1


def test_failed_delivery_is_counted_not_raised(serve: Callable[..., RunningServer]) -> None:
    """An unreachable subscriber does not fail the booking; the failure shows in stats."""
    dead = start_in_thread(Starlette())
    url = dead.url
    dead.stop()
    data = parse_data(sim_raw(webhooks=[{"subscriber_url": f"{url}/hook", "secret": SECRET}]))
    with httpx.Client(base_url=serve(data).url) as client:
        _book(client)
        deadline = time.monotonic() + 10
        while client.get("/_sim/stats").json()["webhooks"]["failed"] < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get("/_sim/stats").json()["webhooks"] == {"sent": 0, "failed": 1, "pending": 0}
