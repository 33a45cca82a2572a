"""Auth, the rate limit, fault modes, injected errors and the admin counters."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from altslot.api.serving import RunningServer
from tests.sim.simdata import API_KEY, BOOKINGS, SLOTS

WEEK = {"start": "2050-09-05", "end": "2050-09-09", "eventTypeId": "10"}


def _slots(client: httpx.Client, key: str | None = None) -> httpx.Response:
    headers = {**SLOTS, "Authorization": f"Bearer {key}"} if key else SLOTS
    return client.get("/v2/slots", params=WEEK, headers=headers)


def test_wrong_key_serves_slots_but_not_guarded_routes(client: httpx.Client) -> None:
    """GET /v2/slots has no auth guard (a wrong key gets slots); reservations, bookings and /v2/me answer 401."""
    wrong = {"Authorization": "Bearer cal_test_wrong"}
    assert _slots(client, "cal_test_wrong").status_code == 200
    reserve = client.post(
        "/v2/slots/reservations",
        json={"eventTypeId": 10, "slotStart": "2050-09-05T10:00:00Z"},
        headers={**SLOTS, **wrong},
    )
    assert reserve.status_code == 401
    assert reserve.json()["error"]["code"] == "UnauthorizedException"
    assert reserve.json()["error"]["message"] == "ApiAuthStrategy - api key - Your api key is not valid"
    assert client.post("/v2/bookings", json={}, headers={**BOOKINGS, **wrong}).status_code == 401
    assert client.get("/v2/me", headers=wrong).status_code == 401
    assert client.get("/v2/me").status_code == 401
    me = client.get("/v2/me", headers={"Authorization": f"Bearer {API_KEY}"})
    assert me.status_code == 200
    assert me.json()["data"]["email"] == "rome@example.com"


def test_401s_count_against_the_rate_limit(serve: Callable[..., RunningServer]) -> None:
    """The throttler runs before auth: a 401 carries the rate-limit headers and spends the key's budget."""
    with httpx.Client(base_url=serve(rate_limit=2).url) as client:
        wrong = {"Authorization": "Bearer cal_test_wrong"}
        first = client.get("/v2/me", headers=wrong)
        assert first.status_code == 401
        assert first.headers["x-ratelimit-remaining-default"] == "1"
        assert client.get("/v2/me", headers=wrong).status_code == 401
        assert client.get("/v2/me", headers=wrong).status_code == 429


def test_rate_limit_blocks_after_limit(serve: Callable[..., RunningServer]) -> None:
    """With limit 5 the 6th request of a key is 429 ThrottlerException, Remaining 0 and Reset ≥ 60."""
    with httpx.Client(base_url=serve(rate_limit=5).url) as client:
        remaining = [int(_slots(client, API_KEY).headers["x-ratelimit-remaining-default"]) for _ in range(5)]
        assert remaining == [4, 3, 2, 1, 0]
        blocked = _slots(client, API_KEY)
        assert blocked.status_code == 429
        assert blocked.headers["x-ratelimit-limit-default"] == "5"
        assert blocked.headers["x-ratelimit-remaining-default"] == "0"
        assert int(blocked.headers["x-ratelimit-reset-default"]) >= 60
        assert blocked.json()["error"] == {
            "code": "ThrottlerException",
            "message": "Too many requests. Please try again later.",
            "details": "Too many requests. Please try again later.",
        }
        assert _slots(client, "cal_test_other").status_code == 200  # other keys have their own window
        assert _slots(client).status_code == 200  # so do anonymous callers (per IP)
        assert client.get("/_sim/stats").json()["rate_limited"] == 1
        client.post("/_sim/reset")
        assert _slots(client, API_KEY).status_code == 200


def test_rate_limit_ignores_frozen_clock(serve: Callable[..., RunningServer]) -> None:
    """The window runs on real monotonic time: a frozen simulated clock still shows Reset counting from 60."""
    with httpx.Client(base_url=serve(rate_limit=3).url) as client:
        reset = int(_slots(client).headers["x-ratelimit-reset-default"])
        assert 1 <= reset <= 60


def test_fault_down_drops_connection(client: httpx.Client) -> None:
    """In down mode a /v2 request gets no response at all; /_sim still answers and "ok" restores."""
    client.post("/_sim/faults", json={"mode": "down"})
    with pytest.raises(httpx.TransportError):
        _slots(client)
    assert client.get("/_sim/stats").status_code == 200
    client.post("/_sim/faults", json={"mode": "ok"})
    assert _slots(client).status_code == 200


def test_fault_slow(client: httpx.Client) -> None:
    """In slow mode answers hang: a short client timeout gives up, a patient client gets 200."""
    client.post("/_sim/faults", json={"mode": "slow", "latency_ms": 1500})
    with pytest.raises(httpx.ReadTimeout):
        client.get("/v2/slots", params=WEEK, headers=SLOTS, timeout=0.2)
    client.post("/_sim/faults", json={"mode": "slow", "latency_ms": 50})
    assert _slots(client).status_code == 200


def test_a_fault_change_releases_requests_waiting_out_the_latency(client: httpx.Client) -> None:
    """A request hanging in slow mode answers as soon as the faults change, not when its latency is over."""
    client.post("/_sim/faults", json={"mode": "slow", "latency_ms": 600_000})
    with ThreadPoolExecutor(max_workers=1) as pool:
        hanging = pool.submit(_slots, client)
        while client.get("/_sim/stats").json()["requests"].get("GET /v2/slots", 0) < 1:
            assert not hanging.done()
        client.post("/_sim/faults", json={"mode": "ok"})
        assert hanging.result().status_code == 200


def test_fault_error_500(client: httpx.Client) -> None:
    """error_500 answers Cal.com's 500 envelope."""
    client.post("/_sim/faults", json={"mode": "error_500"})
    response = _slots(client)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "InternalServerErrorException"


def test_fault_rate_limited(client: httpx.Client) -> None:
    """rate_limited answers 429 ThrottlerException with the rate-limit headers."""
    client.post("/_sim/faults", json={"mode": "rate_limited"})
    response = _slots(client)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "ThrottlerException"
    assert int(response.headers["x-ratelimit-reset-default"]) >= 60


def test_fault_garbage(client: httpx.Client) -> None:
    """garbage answers 200 with a body that is not JSON."""
    client.post("/_sim/faults", json={"mode": "garbage"})
    response = _slots(client)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_bad_fault_request(client: httpx.Client) -> None:
    """An unknown mode is a 400 that lists the modes; the current mode is unchanged."""
    response = client.post("/_sim/faults", json={"mode": "sideways"})
    assert response.status_code == 400
    assert "error_500" in response.json()["error"]
    assert client.get("/_sim/faults").json()["mode"] == "ok"


def test_error_rate(serve: Callable[..., RunningServer]) -> None:
    """error_rate 1.0 answers every /v2 request with a 500; it can be set at run time too."""
    with httpx.Client(base_url=serve(error_rate=1.0).url) as client:
        assert _slots(client).status_code == 500
        client.post("/_sim/faults", json={"mode": "ok", "error_rate": 0})
        assert _slots(client).status_code == 200


def test_latency_option_still_answers(serve: Callable[..., RunningServer]) -> None:
    """Injected latency delays but does not change the answer."""
    with httpx.Client(base_url=serve(latency_ms=(10, 30)).url) as client:
        assert _slots(client).status_code == 200


def test_stats_count_route_templates_and_reset(client: httpx.Client) -> None:
    """Stats count /v2 requests by route template (not raw path); reset clears them."""
    _slots(client)
    _slots(client)
    client.get("/v2/bookings/abc", headers={"cal-api-version": "2024-08-13"})
    client.get("/v2/bookings/def", headers={"cal-api-version": "2024-08-13"})
    stats = client.get("/_sim/stats").json()
    assert stats["requests"] == {"GET /v2/slots": 2, "GET /v2/bookings/{uid}": 2}
    assert stats["rate_limited"] == 0
    assert stats["bookings"] == 0
    client.post("/_sim/reset")
    assert client.get("/_sim/stats").json()["requests"] == {}


def test_unknown_route_envelope(client: httpx.Client) -> None:
    """Unknown /v2 routes answer Nest's 404 "Cannot GET <url>" envelope."""
    response = client.get("/v2/nothing")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Cannot GET /v2/nothing"
