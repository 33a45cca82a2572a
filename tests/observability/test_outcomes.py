"""Answers, bookings, holds and webhook deliveries in ``/metrics``, over real uvicorn and the simulator."""

from __future__ import annotations

import json

from tests.e2e.test_booking import TAKEN_14, book, post, signed, webhook_body
from tests.observability.promtext import value
from tests.support.world import TOKEN, running, salon_data

SECRET = "whsec_metrics"
AT = "2025-09-30T14:00"


def requests(text: str, route: str, status: int, tenant: str = "salon") -> float:
    """``http_requests_total`` of one route, status and tenant."""
    return value(text, "http_requests_total", route=route, status=str(status), tenant=tenant)


def bookings(text: str, operation: str, outcome: str) -> float:
    """``bookings_total`` of the salon for one operation and outcome."""
    return value(text, "bookings_total", tenant="salon", operation=operation, outcome=outcome)


def test_a_taken_slot_counts_as_slot_taken_and_not_as_a_cal_com_error() -> None:
    """Cal.com refusing a taken start: a 400 attempt, a ``slot_taken`` booking, a 409 answer, no error."""
    with running(salon_data(bookings=TAKEN_14)) as world:
        assert world.search(desired_start=AT).status_code == 200
        assert book(world, AT, "taken").status_code == 409
        text = world.metrics()
    assert value(text, "calcom_api_calls_total", endpoint="POST /v2/bookings", status="400") == 1
    assert value(text, "calcom_api_errors_total", endpoint="POST /v2/bookings") == 0
    assert bookings(text, "create", "slot_taken") == 1
    assert requests(text, "POST /api/appointments", 409) == 1


def test_booking_outcomes_are_counted() -> None:
    """Created, replayed, rejected, rescheduled, cancelled, not found and upstream error, each once."""
    with running(salon_data()) as world:
        first = book(world, "2025-09-30T10:00", "k1")
        assert first.status_code == 201
        assert book(world, "2025-09-30T10:00", "k1").json()["uid"] == first.json()["uid"]
        assert book(world, "2025-09-28T10:00", "past").status_code == 422
        moved = post(world, f"/api/appointments/{first.json()['uid']}/reschedule", {"start": "2025-09-30T11:00"})
        assert moved.status_code == 201
        assert post(world, f"/api/appointments/{moved.json()['uid']}/cancel").status_code == 200
        assert post(world, "/api/appointments/nope/cancel").status_code == 404
        world.fault("error_500")
        assert book(world, "2025-09-30T12:00", "k2").status_code == 503
        text = world.metrics()
    expected = {
        ("create", "created"): 1,
        ("create", "replayed"): 1,
        ("create", "rejected"): 1,
        ("create", "upstream_error"): 1,
        ("reschedule", "rescheduled"): 1,
        ("cancel", "cancelled"): 1,
        ("cancel", "not_found"): 1,
    }
    for (operation, outcome), count in expected.items():
        assert bookings(text, operation, outcome) == count, (operation, outcome)
    assert value(text, "bookings_total") == sum(expected.values())
    assert requests(text, "POST /api/appointments", 201) == 2
    assert requests(text, "POST /api/appointments", 503) == 1
    assert requests(text, "POST /api/appointments/{uid}/cancel", 404) == 1


def test_holds_placed_and_released_are_counted() -> None:
    """Two offers held; booking one books through its hold and releases the other: one release."""
    with running(salon_data(bookings=TAKEN_14)) as world:
        held = world.search(desired_start=AT, hold_minutes=5).json()["alternatives"]
        assert book(world, held[0]["start"], "h", hold_id=held[0]["hold_id"]).status_code == 201
        text = world.metrics()
    assert value(text, "holds_total", tenant="salon", outcome="placed") == 2
    assert value(text, "holds_total", tenant="salon", outcome="refused") == 0
    assert value(text, "holds_total", tenant="salon", outcome="released") == 1
    assert value(text, "holds_total", tenant="salon", outcome="failed") == 0


def test_webhook_deliveries_are_counted_by_outcome() -> None:
    """Refreshed, duplicate, ignored, bad signature, bad payload and unknown tenant, each once."""
    with running(salon_data(), webhook_secret=SECRET) as world:
        url = f"{world.api.url}/webhooks/calcom/salon"
        body = webhook_body("2025-09-30T13:00:00Z", "2025-09-30T13:30:00Z")
        assert world.http.post(url, content=body, headers=signed(body, SECRET)).json()["status"] == "refreshed"
        assert world.http.post(url, content=body, headers=signed(body, SECRET)).json()["status"] == "duplicate"
        other = json.dumps({"triggerEvent": "MEETING_ENDED", "payload": {}}).encode()
        assert world.http.post(url, content=other, headers=signed(other, SECRET)).json()["status"] == "ignored"
        assert world.http.post(url, content=body, headers=signed(body, "wrong")).status_code == 401
        assert world.http.post(url, content=b"nope", headers=signed(b"nope", SECRET)).status_code == 422
        assert world.http.post(f"{world.api.url}/webhooks/calcom/intruder", content=body).status_code == 401
        text = world.metrics()
    for outcome in ("refreshed", "duplicate", "ignored", "bad_signature", "bad_payload"):
        assert value(text, "webhook_deliveries_total", tenant="salon", outcome=outcome) == 1, outcome
    assert value(text, "webhook_deliveries_total", tenant="other", outcome="unknown_tenant") == 1
    assert requests(text, "POST /webhooks/calcom/{tenant}", 401) == 1
    assert requests(text, "POST /webhooks/calcom/{tenant}", 401, tenant="other") == 1  # told no more than that
    assert "intruder" not in text


def test_requests_are_labelled_by_route_template_status_and_tenant() -> None:
    """Route templates (no ids, no unknown paths), statuses as answered, unauthenticated callers as ``other``."""
    with running(salon_data()) as world:
        assert world.search(desired_start=AT).status_code == 200
        assert world.search(token="wrong", desired_start=AT).status_code == 401
        assert world.search(desired_start="not a date").status_code == 422
        assert post(world, "/api/appointments/b-9f3a7/cancel").status_code == 404
        assert world.http.get(f"{world.api.url}/no/such/path/77").status_code == 404
        headers = {"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": "big", "Content-Type": "application/json"}
        oversized = world.http.post(f"{world.api.url}/api/appointments", content=b"x" * 70_000, headers=headers)
        assert oversized.status_code == 422
        text = world.metrics()
    search = "POST /api/appointments/alternatives"
    assert requests(text, search, 200) == 1
    assert requests(text, search, 401, tenant="other") == 1
    assert requests(text, search, 422) == 1
    assert requests(text, "POST /api/appointments/{uid}/cancel", 404) == 1
    assert requests(text, "other", 404, tenant="other") == 1
    assert requests(text, "POST /api/appointments", 422) == 1
    assert value(text, "http_request_duration_seconds_count", route=search) == 3
    assert "b-9f3a7" not in text
    assert "/no/such/path" not in text
