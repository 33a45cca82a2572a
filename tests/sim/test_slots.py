"""``GET /v2/slots`` and the legacy ``GET /v2/slots/available`` over real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import httpx
import pytest

from altslot.api.serving import RunningServer
from altslot.sim import demo_data
from altslot.sim.datafile import parse_data
from tests.sim.simdata import SLOTS, sim_raw

DEMO_TODAY = date(2026, 12, 1)  # a Tuesday: tomorrow is an ordinary salon day

WEEK = {"start": "2050-09-05", "end": "2050-09-09", "eventTypeId": "10"}
BAD_START = "start property is wrong,start must be a valid ISO 8601 date string "
BAD_RANGE = "Invalid time range given - check the 'start' and 'end' query parameters."
BAD_ZONE = "timeZone property is wrong,timeZone must be a valid IANA time-zone "


def _slots(client: httpx.Client, **params: str) -> httpx.Response:
    return client.get("/v2/slots", params=params, headers=SLOTS)


def test_week_in_utc_without_time_zone(client: httpx.Client) -> None:
    """Without timeZone: 5 days × 8 hourly slots, printed in UTC with millis and Z (Cal.com's e2e case)."""
    response = _slots(client, **WEEK)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    assert list(body["data"]) == ["2050-09-05", "2050-09-06", "2050-09-07", "2050-09-08", "2050-09-09"]
    assert all(len(day) == 8 for day in body["data"].values())
    assert body["data"]["2050-09-05"][0] == {"start": "2050-09-05T07:00:00.000Z"}
    assert body["data"]["2050-09-05"][-1] == {"start": "2050-09-05T14:00:00.000Z"}


def test_time_zone_formatting(client: httpx.Client) -> None:
    """With timeZone, times carry the zone's offset and millis, as luxon's toISO prints them."""
    body = _slots(client, **WEEK, timeZone="Europe/Rome").json()
    assert body["data"]["2050-09-05"][:2] == [
        {"start": "2050-09-05T09:00:00.000+02:00"},
        {"start": "2050-09-05T10:00:00.000+02:00"},
    ]


def test_range_format_case_insensitive(client: httpx.Client) -> None:
    """format=RANGE adds an end of start + length in the same zone formatting."""
    body = _slots(client, **WEEK, timeZone="Europe/Rome", format="RANGE").json()
    assert body["data"]["2050-09-06"][0] == {
        "start": "2050-09-06T09:00:00.000+02:00",
        "end": "2050-09-06T10:00:00.000+02:00",
    }


def test_duration_and_window_edges(client: httpx.Client) -> None:
    """Slots start at or after start and end by end; duration changes length and step."""
    body = _slots(
        client,
        start="2050-09-05T09:00:00.000Z",
        end="2050-09-05T12:00:00.000Z",
        eventTypeId="10",
        duration="30",
    ).json()
    starts = [s["start"] for s in body["data"]["2050-09-05"]]
    assert starts == [
        f"2050-09-05T{h}.000Z" for h in ("09:00:00", "09:30:00", "10:00:00", "10:30:00", "11:00:00", "11:30:00")
    ]


def test_no_slots_is_empty_object(client: httpx.Client) -> None:
    """A weekend has no slots: data is {}."""
    body = _slots(client, start="2050-09-10", end="2050-09-11", eventTypeId="10").json()
    assert body == {"status": "success", "data": {}}


def test_bookings_block_every_event_type_on_the_schedule(serve: Callable[..., RunningServer]) -> None:
    """A booking of one event type removes overlapping slots of the others; cancelled ones do not block."""
    booking = {
        "uid": "b1",
        "event_type_id": 11,
        "start": "2050-09-05T11:00:00Z",
        "end": "2050-09-05T11:30:00Z",
    }
    cancelled = {
        **booking,
        "uid": "b2",
        "start": "2050-09-05T13:00:00Z",
        "end": "2050-09-05T13:30:00Z",
        "status": "cancelled",
    }
    server = serve(parse_data(sim_raw(bookings=[booking, cancelled])))
    with httpx.Client(base_url=server.url) as client:
        body = _slots(client, start="2050-09-05", end="2050-09-05", eventTypeId="10").json()
    hours = [s["start"][11:13] for s in body["data"]["2050-09-05"]]
    # 11:00-11:30 plus the 15 min after-buffer of event type 11 takes the 11:00 hour only.
    assert hours == ["07", "08", "09", "10", "12", "13", "14"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"end": "2050-09-09", "eventTypeId": "10"}, BAD_START),
        ({**WEEK, "start": "2050-13-45"}, BAD_START),
        ({**WEEK, "start": "next monday"}, BAD_START),
        ({**WEEK, "end": "2050-09-04"}, BAD_RANGE),
        ({**WEEK, "colour": "red"}, "colour property is wrong,property colour should not exist "),
        ({**WEEK, "timeZone": "Mars/Base"}, BAD_ZONE),
        ({**WEEK, "format": "list"}, "format property is wrong,slotFormat must be either 'range' or 'time' "),
        (
            {**WEEK, "username": "bob", "eventTypeSlug": "60min"},
            "username property is wrong,property username should not exist , "
            "eventTypeSlug property is wrong,property eventTypeSlug should not exist ",
        ),
    ],
)
def test_validation_errors(client: httpx.Client, params: dict[str, str], message: str) -> None:
    """Bad queries get Cal.com's 400 envelope with its exact message and the path incl. query."""
    response = _slots(client, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "error"
    assert body["path"].startswith("/v2/slots?")
    assert body["timestamp"] == "2050-09-05T06:00:00.000Z"
    assert body["error"] == {
        "code": "BadRequestException",
        "message": message,
        "details": {"message": message, "error": "Bad Request", "statusCode": 400},
    }


def test_unknown_event_type_is_404(client: httpx.Client) -> None:
    """An event type that does not exist is 404 "Event Type not found"."""
    response = _slots(client, **{**WEEK, "eventTypeId": "999"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NotFoundException"
    assert response.json()["error"]["message"] == "Event Type not found"


def test_missing_version_header_is_404(client: httpx.Client) -> None:
    """Without cal-api-version 2024-09-04 there is no GET /v2/slots (the old controller answers 404)."""
    response = client.get("/v2/slots", params=WEEK)
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith("Cannot GET /v2/slots?")


def test_request_id_generated(client: httpx.Client) -> None:
    """X-Request-Id is the server's own uuid on every response, not an echo of the client's."""
    first = _slots(client, **WEEK).headers["x-request-id"]
    sent = client.get("/v2/slots", params=WEEK, headers={**SLOTS, "X-Request-Id": "abc-1"})
    assert sent.headers["x-request-id"] not in ("abc-1", first)
    assert str(uuid.UUID(first)) == first


def test_legacy_available(client: httpx.Client) -> None:
    """/v2/slots/available answers {"slots": {date: [{"time"}]}} and ranges as startTime/endTime."""
    params = {
        "startTime": "2050-09-05T00:00:00.000Z",
        "endTime": "2050-09-05T23:59:59.999Z",
        "eventTypeId": "10",
    }
    body = client.get("/v2/slots/available", params=params).json()
    assert body["data"]["slots"]["2050-09-05"][0] == {"time": "2050-09-05T07:00:00.000Z"}
    ranged = client.get("/v2/slots/available", params={**params, "slotFormat": "range", "timeZone": "Europe/Rome"})
    assert ranged.json()["data"]["slots"]["2050-09-05"][0] == {
        "startTime": "2050-09-05T09:00:00.000+02:00",
        "endTime": "2050-09-05T10:00:00.000+02:00",
    }


def test_legacy_errors(client: httpx.Client) -> None:
    """The legacy route's bad range is a 400; a missing event type is tRPC's NOT_FOUND without details."""
    bad = client.get(
        "/v2/slots/available", params={"startTime": "2050-09-06T00:00:00Z", "endTime": "2050-09-05T00:00:00Z"}
    )
    assert bad.status_code == 400
    assert "'startTime' and 'endTime'" in bad.json()["error"]["message"]
    missing = client.get(
        "/v2/slots/available", params={"startTime": "2050-09-05T00:00:00Z", "endTime": "2050-09-06T00:00:00Z"}
    )
    assert missing.status_code == 404
    assert missing.json()["error"] == {"code": "TRPCError", "message": "NOT_FOUND"}


def test_demo_data_yields_slots(serve: Callable[..., RunningServer]) -> None:
    """The demo salon offers slots in Berlin time over the next weeks; tomorrow 14:00 is taken, 13:30 and 14:30 free."""
    today = DEMO_TODAY
    server = serve(demo_data(today), clock=lambda: datetime.combine(today, time(8), UTC))
    end = (today + timedelta(days=20)).isoformat()
    with httpx.Client(base_url=server.url) as client:
        body = _slots(client, start=today.isoformat(), end=end, eventTypeId="1412903", timeZone="Europe/Berlin").json()
        praxis = _slots(client, start=today.isoformat(), end=end, eventTypeId="2001").json()
    assert body["data"]
    assert praxis["data"]
    first = next(iter(body["data"].values()))[0]["start"]
    assert first.endswith(("+01:00", "+02:00"))
    weekdays = {date.fromisoformat(d).weekday() for d in body["data"]}
    assert 6 not in weekdays  # closed on Sundays
    tomorrow = {s["start"][11:16] for s in body["data"][(today + timedelta(days=1)).isoformat()]}
    assert "14:00" not in tomorrow
    assert {"13:30", "14:30"} <= tomorrow


def test_event_type_id_and_duration_rules(client: httpx.Client) -> None:
    """A non-numeric eventTypeId gets @IsNumber's text; duration=0 passes and means the event's length."""
    bad = _slots(client, **{**WEEK, "eventTypeId": "ten"})
    assert bad.json()["error"]["message"] == (
        "eventTypeId property is wrong,eventTypeId must be a number conforming to the specified constraints "
    )
    zero = _slots(client, **WEEK, duration="0", format="range").json()
    first = zero["data"]["2050-09-05"][0]
    assert (first["start"], first["end"]) == ("2050-09-05T07:00:00.000Z", "2050-09-05T08:00:00.000Z")


def test_legacy_global_pipe(client: httpx.Client) -> None:
    """/available strips unknown params, checks timeZone as a string only, and words errors as the global pipe."""
    params = {"startTime": "2050-09-05T00:00:00.000Z", "endTime": "2050-09-05T23:59:59.999Z", "eventTypeId": "10"}
    assert client.get("/v2/slots/available", params={**params, "colour": "red"}).status_code == 200
    assert client.get("/v2/slots/available", params={**params, "timeZone": "Mars/Base"}).status_code == 200
    bad = client.get("/v2/slots/available", params={**params, "startTime": "soon"})
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["message"] == "Bad Request Exception"
    assert error["details"]["errors"][0]["property"] == "startTime"
    assert error["details"]["errors"][0]["constraints"] == {
        "isDateString": "startTime must be a valid ISO 8601 date string"
    }
    timed = client.get("/v2/slots/available", params={**params, "slotFormat": "time"}).json()
    assert timed["data"]["slots"]["2050-09-05"][0] == {
        "startTime": "2050-09-05T07:00:00.000Z",
        "endTime": "2050-09-05T08:00:00.000Z",
    }


def test_version_routing(client: httpx.Client) -> None:
    """/available exists only for the old versions, reservations only for 2024-09-04."""
    params = {"startTime": "2050-09-05T00:00:00.000Z", "endTime": "2050-09-05T23:59:59.999Z", "eventTypeId": "10"}
    assert client.get("/v2/slots/available", params=params, headers=SLOTS).status_code == 404
    assert (
        client.get("/v2/slots/available", params=params, headers={"cal-api-version": "2024-08-13"}).status_code == 200
    )
    body = {"eventTypeId": 10, "slotStart": "2050-09-05T10:00:00.000Z"}
    missing = client.post("/v2/slots/reservations", json=body)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "Cannot POST /v2/slots/reservations"
    assert client.post("/v2/slots/reservations", json=body, headers=SLOTS).status_code == 201
