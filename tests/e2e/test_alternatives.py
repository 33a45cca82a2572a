"""The alternatives route end to end: uvicorn + the Cal.com simulator over loopback HTTP."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from altslot.shell.http_settings import ServerSettings
from tests.support.world import (
    TOKEN,
    berlin,
    day_full,
    days_from,
    running,
    salon_data,
)


def starts(answer: dict[str, Any]) -> list[str]:
    return [a["start"] for a in answer["alternatives"]]


def test_taken_afternoon_slot_offers_real_neighbours_and_one_upstream_call() -> None:
    """A taken 14:00 gets real free slots (the later one first) from exactly one GET /v2/slots."""
    data = salon_data(bookings=[("2025-09-30 14:00", "2025-09-30 14:30")])
    with running(data) as world:
        response = world.search(desired_start="2025-09-30T14:00")
        answer = response.json()
        assert response.status_code == 200, answer
        assert answer["available"] is False
        assert answer["requested"] == {
            "start": berlin("2025-09-30T14:00"),
            "adjusted_start": None,
            "why_not": "busy",
            "hold_id": None,
            "held_until": None,
        }
        assert starts(answer)[0] == berlin("2025-09-30T14:30")
        assert answer["alternatives"][0]["strategy"] == "same_day_later"
        assert berlin("2025-09-30T14:00") not in starts(answer)
        assert len(starts(answer)) == 2 == len(set(starts(answer)))
        assert answer["search"]["upstream_calls"] == 1
        assert world.slot_calls() == 1
        assert "\n" not in answer["response_text"]
        assert answer["freshness"]["stale"] is False


def test_taken_morning_slot_prefers_earlier() -> None:
    """A taken 11:00 (a morning request) is offered the earlier neighbour first."""
    data = salon_data(bookings=[("2025-09-30 11:00", "2025-09-30 11:30")])
    with running(data) as world:
        answer = world.search(desired_start="2025-09-30T11:00").json()
        assert starts(answer)[0] == berlin("2025-09-30T10:30")
        assert answer["alternatives"][0]["strategy"] == "same_day_earlier"


def test_free_slot_is_confirmed() -> None:
    """A free desired time answers available with a confirming sentence."""
    with running(salon_data()) as world:
        answer = world.search(desired_start="2025-09-30T15:00").json()
        assert answer["available"] is True
        assert answer["requested"]["why_not"] is None
        assert "15 Uhr" in answer["response_text"]


def test_second_search_is_served_from_cache() -> None:
    """The same horizon twice: the second search makes no upstream call."""
    with running(salon_data()) as world:
        world.search(desired_start="2025-09-30T15:00")
        answer = world.search(desired_start="2025-09-30T10:00").json()
        assert answer["search"]["upstream_calls"] == 0
        assert answer["search"]["cache_misses"] == 0
        assert world.slot_calls() == 1
        later = world.search(desired_start="2025-10-01T10:00").json()
        assert later["search"]["cache_misses"] == 1, "only the one new day at the horizon's end is fetched"
        assert world.slot_calls() == 2


@pytest.mark.parametrize(
    ("desired", "adjusted", "why"),
    [
        ("2025-09-30T08:00", "2025-09-30T09:00", "outside_hours"),
        ("2025-09-30T19:00", "2025-10-01T09:00", "outside_hours"),
        ("2025-10-04T10:00", "2025-10-06T09:00", "non_workday"),
        ("2025-10-03T10:00", "2025-10-06T09:00", "holiday"),
    ],
)
def test_requests_outside_opening_are_moved_and_explained(desired: str, adjusted: str, why: str) -> None:
    """Before opening, after closing, Saturday and a public holiday move to the next opening and say why."""
    with running(salon_data()) as world:
        answer = world.search(desired_start=desired).json()
        assert answer["requested"]["why_not"] == why
        assert answer["requested"]["adjusted_start"] == berlin(adjusted)
        assert answer["alternatives"], answer
        assert starts(answer)[0] == berlin(adjusted)
        for start in starts(answer):
            moment = datetime.fromisoformat(start)
            assert moment.weekday() < 5 and moment.date() != date(2025, 10, 3)


def test_full_friday_offers_monday_without_weekend_or_duplicates() -> None:
    """Friday fully booked: the offers are on Monday, never on the weekend, never twice."""
    data = salon_data(bookings=day_full("2025-10-10"))
    with running(data) as world:
        answer = world.search(desired_start="2025-10-10T14:00", max_alternatives=3).json()
        assert answer["alternatives"]
        assert all(s.startswith("2025-10-13") for s in starts(answer))
        assert len(set(starts(answer))) == len(starts(answer))


def test_nothing_free_until_the_last_day_of_the_horizon() -> None:
    """Only the horizon's last day has room: the offer is found there, still in one upstream call."""
    closed = days_from(date(2025, 9, 30), 13)  # 09-30 … 10-12 closed, 10-13 (+14 days) open
    with running(salon_data(closed=closed)) as world:
        answer = world.search(desired_start="2025-09-30T14:00").json()
        assert answer["alternatives"], answer
        assert all(s.startswith("2025-10-13") for s in starts(answer))
        assert world.slot_calls() == 1


def test_nothing_free_at_all_offers_a_call_back() -> None:
    """No free slot in the whole horizon: 200, no alternatives, a sentence offering a call-back."""
    closed = days_from(date(2025, 9, 29), 20)
    with running(salon_data(closed=closed)) as world:
        response = world.search(desired_start="2025-09-30T14:00")
        answer = response.json()
        assert response.status_code == 200
        assert answer["alternatives"] == []
        assert answer["search"]["degraded"] is None
        assert "zurück" in answer["response_text"].lower() or "rückruf" in answer["response_text"].lower()


def test_exclude_and_max_alternatives_are_respected() -> None:
    """No offer overlaps an excluded interval, and at most max_alternatives come back."""
    data = salon_data(bookings=[("2025-09-30 14:00", "2025-09-30 14:30")])
    with running(data) as world:
        answer = world.search(
            desired_start="2025-09-30T14:00",
            max_alternatives=4,
            exclude=[{"start": "2025-09-30T14:30", "end": "2025-09-30T16:00"}],
        ).json()
        assert 0 < len(answer["alternatives"]) <= 4
        for alt in answer["alternatives"]:
            start, end = datetime.fromisoformat(alt["start"]), datetime.fromisoformat(alt["end"])
            assert end <= datetime.fromisoformat(berlin("2025-09-30T14:30")) or start >= datetime.fromisoformat(
                berlin("2025-09-30T16:00")
            )


def test_english_answer() -> None:
    """language=en phrases the answer in English."""
    data = salon_data(bookings=[("2025-09-30 14:00", "2025-09-30 14:30")])
    with running(data) as world:
        answer = world.search(desired_start="2025-09-30T14:00", language="en").json()
        assert " or " in answer["response_text"]
        assert "pm" in answer["alternatives"][0]["label"]


def test_tenants_with_the_same_event_type_id_never_share_slots() -> None:
    """Two tenants on different Cal.com accounts with the same event type id see only their own slots."""
    busy = salon_data(bookings=day_full("2025-09-30"), api_key="cal_test_a")
    free = salon_data(api_key="cal_test_b")
    with running(busy, free) as world:
        a = world.search(desired_start="2025-09-30T14:00").json()
        b = world.search(token=f"{TOKEN}1", desired_start="2025-09-30T14:00").json()
        assert a["available"] is False and b["available"] is True
        assert all(not s.startswith("2025-09-30") for s in starts(a))
        assert world.slot_calls(0) == 1 and world.slot_calls(1) == 1


def test_caller_must_present_a_valid_token() -> None:
    """No token or an unknown token: 401 and nothing fetched."""
    with running(salon_data()) as world:
        no_token = world.http.post(f"{world.api.url}/api/appointments/alternatives", json={})
        assert no_token.status_code == 401
        assert world.search(token="nope", desired_start="2025-09-30T14:00").status_code == 401
        assert world.slot_calls() == 0


def test_event_type_of_another_tenant_is_not_found() -> None:
    """An event type the tenant does not own is a 404 and nothing is fetched."""
    with running(salon_data()) as world:
        response = world.search(event_type_id=999, desired_start="2025-09-30T14:00")
        assert response.status_code == 404
        assert world.slot_calls() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"desired_start": "2025-09-30T14:00", "time_zone": "Mars/Base"}, "time_zone"),
        ({"desired_start": "2025-02-30T14:00"}, "desired_start"),
        ({"desired_start": "tomorrow"}, "desired_start"),
        ({"desired_start": "2025-09-30T14:00", "duration_minutes": 0}, "duration_minutes"),
        ({"desired_start": "2025-09-30T14:00", "duration_minutes": 1441}, "duration_minutes"),
        ({"desired_start": "2025-09-30T14:00", "max_alternatives": 11}, "max_alternatives"),
        ({"desired_start": "2025-09-30T14:00", "max_alternatives": 0}, "max_alternatives"),
        ({"desired_start": "2025-09-30T14:00", "language": "fr"}, "language"),
        ({"desired_start": "2025-09-30T14:00", "preferred_window": "night"}, "preferred_window"),
        ({"desired_start": "2020-01-01T14:00"}, "desired_start"),
        ({"desired_start": "2025-09-30T14:00", "unknown": 1}, "unknown"),
        (
            {
                "desired_start": "2025-09-30T14:00",
                "exclude": [{"start": "2025-09-30T15:00", "end": "2025-09-30T14:00"}],
            },
            "exclude",
        ),
    ],
)
def test_bad_input_is_422_with_field_messages(body: dict[str, Any], field: str) -> None:
    """Bad input answers 422 naming the field, and nothing is fetched."""
    with running(salon_data()) as world:
        response = world.search(**body)
        assert response.status_code == 422, response.text
        fields = [str(part) for item in response.json()["detail"] for part in item["loc"]]
        assert field in fields
        assert world.slot_calls() == 0


def test_malformed_and_oversized_bodies_are_422() -> None:
    """Broken JSON and a body over 64 KiB are 422, not 500."""
    with running(salon_data()) as world:
        url = f"{world.api.url}/api/appointments/alternatives"
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        assert world.http.post(url, content=b"{not json", headers=headers).status_code == 422
        huge = b'{"event_type_id": 1412903, "desired_start": "2025-09-30T14:00", "pad": "' + b"x" * 70_000 + b'"}'
        assert world.http.post(url, content=huge, headers=headers).status_code == 422
        # Without a Content-Length (chunked) the body is counted as it arrives: refused too, or read whole.
        assert world.http.post(url, content=iter([huge[:40_000], huge[40_000:]]), headers=headers).status_code == 422
        small = b'{"event_type_id": 1412903, "desired_start": "2025-09-30T14:00"}'
        assert world.http.post(url, content=iter([small[:20], small[20:]]), headers=headers).status_code == 200


def test_upstream_down_without_cache_is_503_with_a_spoken_text() -> None:
    """Cal.com down and nothing cached: 503 upstream_unavailable with a sentence and Retry-After."""
    with running(salon_data()) as world:
        world.http.post(f"{world.sims[0].url}/_sim/faults", json={"mode": "error_500"})
        response = world.search(desired_start="2025-09-30T14:00")
        assert response.status_code == 503
        body = response.json()
        assert body["error"] == "upstream_unavailable"
        assert body["response_text"] and body["retry_after_seconds"] >= 1
        assert "retry-after" in response.headers


def test_health_and_openapi() -> None:
    """/healthz answers and, with ``[server] expose_docs``, the OpenAPI document lists the alternatives route."""
    with running(salon_data(), server=ServerSettings(expose_docs=True)) as world:
        assert world.http.get(f"{world.api.url}/healthz").json() == {"status": "ok"}
        spec = world.http.get(f"{world.api.url}/openapi.json").json()
        assert "/api/appointments/alternatives" in spec["paths"]


def test_a_wish_three_weeks_ahead_is_answered_around_that_day_in_one_call() -> None:
    """The horizon counts from the desired day: three weeks ahead gets that day's neighbours from one fetch."""
    data = salon_data(bookings=[("2025-10-20 14:00", "2025-10-20 14:30")])
    with running(data) as world:
        answer = world.search(desired_start="2025-10-20T14:00").json()
        assert answer["requested"]["why_not"] == "busy", answer
        assert starts(answer)[0] == berlin("2025-10-20T14:30")
        assert all(s >= "2025-10-20" for s in starts(answer))
        assert answer["search"]["upstream_calls"] == 1
        assert answer["search"]["cache_misses"] == 15
        assert world.slot_calls() == 1


def test_a_wish_past_the_booking_window_names_its_last_day_and_offers_the_nearest() -> None:
    """With booking_window_days = 14, a wish three weeks ahead is beyond_horizon, offered the window's end."""
    with running(salon_data(), booking_window_days=14) as world:
        answer = world.search(desired_start="2025-10-20T14:00").json()
        assert answer["requested"]["why_not"] == "beyond_horizon", answer
        assert "13. Oktober" in answer["response_text"]
        assert answer["alternatives"]
        assert all(s < "2025-10-14" for s in starts(answer))
        assert starts(answer)[0].startswith("2025-10-13"), "the bookable day nearest the wish"
        assert answer["search"]["upstream_calls"] == 1


def test_api_documents_are_off_by_default() -> None:
    """Without ``expose_docs`` the OpenAPI document and both documentation pages are 404."""
    with running(salon_data()) as world:
        for path in ("/openapi.json", "/docs", "/redoc"):
            assert world.http.get(f"{world.api.url}{path}").status_code == 404, path
