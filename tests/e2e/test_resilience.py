"""Cal.com failing in every documented way: the right status, flags and number of upstream calls."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from altslot.shell.config import CacheSettings
from altslot.upstream import ResilienceSettings
from tests.observability.promtext import value
from tests.support.world import NOW, Clock, Jumps, running, salon_data

FAST = ResilienceSettings(backoff_initial=0.01, backoff_max=0.05, cool_down_seconds=1.0, failure_threshold=3)


def unavailable(response: Any, cause: str) -> dict[str, Any]:
    assert response.status_code == 503, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == "upstream_unavailable"
    assert body["cause"] == cause
    assert body["response_text"]
    assert body["retry_after_seconds"] >= 1
    return body


@pytest.mark.parametrize(
    ("mode", "cause", "calls"),
    [
        ("down", "unreachable", 3),  # transport errors are retried up to max_attempts
        ("error_500", "unreachable", 3),
        ("garbage", "unreachable", 1),  # a malformed body is fatal: never retried
        ("rate_limited", "rate_limited", 1),  # Cal.com's reset (60 s) is beyond the deadline: no retry
    ],
)
def test_fault_modes_answer_503_with_the_right_number_of_calls(mode: str, cause: str, calls: int) -> None:
    """Each fault answers 503 with a fitting cause, never 500, after exactly the calls it deserves."""
    with running(salon_data(), resilience=FAST) as world:
        world.fault(mode)
        unavailable(world.search(desired_start="2025-09-30T14:00"), cause)
        assert world.slot_calls() == calls


def test_slow_upstream_beyond_the_deadline() -> None:
    """Cal.com slower than the deadline: 503 after one call, within the deadline, no traceback."""
    with running(salon_data(), resilience=FAST, deadline_seconds=1.0) as world:
        world.fault("slow", latency_ms=10_000)
        unavailable(world.search(desired_start="2025-09-30T14:00"), "unreachable")
        assert world.slot_calls() == 1


def test_slow_upstream_with_partial_cache_is_a_partial_answer() -> None:
    """Known days answer even when the rest times out: 200 with timeout_hit and degraded partial."""
    data = salon_data(bookings=[("2025-10-02 14:00", "2025-10-02 14:30")])
    with running(data, resilience=FAST, deadline_seconds=1.0) as world:
        assert world.search(desired_start="2025-09-30T14:00").status_code == 200
        world.fault("slow", latency_ms=10_000)
        answer = world.search(desired_start="2025-10-02T14:00").json()  # needs 2 new days at the end
        assert answer["search"]["timeout_hit"] is True
        assert answer["search"]["degraded"] == "partial"
        assert answer["alternatives"]


def test_wrong_api_key_is_reported_by_readyz_and_searches_still_work() -> None:
    """A key Cal.com refuses: searches work (GET /v2/slots has no auth guard), /readyz names the tenant's key."""
    with running(salon_data(), resilience=FAST, tenant_keys=["cal_test_revoked"]) as world:
        assert world.search(desired_start="2025-09-30T14:00").status_code == 200
        ready = world.http.get(f"{world.api.url}/readyz")
        assert ready.status_code == 200
        assert ready.json()["status"] == "degraded"
        assert ready.json()["calcom_keys"]["salon"].startswith("invalid: ")
        assert world.stats()["requests"]["GET /v2/me"] == 1


def test_right_api_key_is_reported_ok() -> None:
    """The tenant's own key: /readyz reports it ok, checked once at start-up and not again within a minute."""
    with running(salon_data()) as world:
        ready = world.http.get(f"{world.api.url}/readyz").json()
        assert ready["calcom_keys"] == {"salon": "ok"}
        assert ready["status"] == "ok"
        assert world.stats()["requests"]["GET /v2/me"] == 1


def test_hold_with_a_refused_key_is_one_call() -> None:
    """Holding with a key Cal.com refuses: one 401 per parallel hold, never retried, and no offer claims a hold."""
    busy = salon_data(bookings=[("2025-09-30 14:00", "2025-09-30 14:30")])
    with running(busy, resilience=FAST, tenant_keys=["cal_test_revoked"]) as world:
        answer = world.search(desired_start="2025-09-30T14:00", hold_minutes=5, max_alternatives=2)
        assert answer.status_code == 200
        offers = answer.json()["alternatives"]
        assert offers  # still real free slots (searches need no key at Cal.com) ...
        assert all(offer.get("hold_id") is None for offer in offers)  # ... but none is held
        assert world.stats()["requests"]["POST /v2/slots/reservations"] == 2  # one each, none retried


def test_rate_limited_key_is_held_off_without_further_calls() -> None:
    """After a 429 the key is blocked until Cal.com's reset: the next search makes no call."""
    with running(salon_data(), resilience=FAST) as world:
        world.fault("rate_limited")
        unavailable(world.search(desired_start="2025-09-30T14:00"), "rate_limited")
        world.fault("ok")
        body = unavailable(world.search(desired_start="2025-09-30T14:00"), "rate_limited")
        assert body["retry_after_seconds"] > 30
        assert world.slot_calls() == 1


def test_stale_data_is_served_while_upstream_is_down() -> None:
    """Cal.com down but stale days cached: 200 with freshness.stale and degraded 'stale'."""
    clock = Clock()
    data = salon_data(bookings=[("2025-09-30 14:00", "2025-09-30 14:30")])
    with running(data, resilience=FAST, clock=clock) as world:
        assert world.search(desired_start="2025-09-30T14:00").status_code == 200
        world.fault("error_500")
        clock.now = NOW + timedelta(seconds=120)
        world.search(desired_start="2025-09-30T14:00")  # starts the refresh, which fails
        refresh = world.fetches.wait_for(2)[-1]
        assert refresh.error is not None
        answer = world.search(desired_start="2025-09-30T14:00").json()
        assert answer["freshness"]["stale"] is True
        assert answer["search"]["degraded"] == "stale"
        assert answer["alternatives"]


def test_breaker_opens_fails_fast_probes_and_closes() -> None:
    """After N failures no call is made; after the cool-down one probe goes out; success closes it."""
    monotonic = Jumps()
    with running(salon_data(), resilience=FAST, monotonic=monotonic) as world:
        world.fault("error_500")
        for _ in range(3):
            unavailable(world.search(desired_start="2025-09-30T14:00"), "unreachable")
        calls = world.slot_calls()
        for _ in range(5):
            unavailable(world.search(desired_start="2025-09-30T14:00"), "unreachable")
        assert world.slot_calls() == calls, "an open breaker makes no upstream call"
        world.fault("ok")
        monotonic.jump(FAST.cool_down_seconds)
        assert world.search(desired_start="2025-09-30T14:00").status_code == 200
        assert world.slot_calls() == calls + 1


def test_two_instances_on_one_redis_open_together(shared_redis: str, unique: str) -> None:
    """The breaker lives in Redis (node or cluster): once one instance opened it, the other makes no calls
    either, and its gauge shows the open circuit it obeys."""
    cache = CacheSettings(backend="redis", redis_url=shared_redis)
    data = salon_data(api_key=f"cal_test_{unique}")
    with running(data, resilience=FAST, cache=cache, instances=2) as world:
        world.fault("error_500")
        for _ in range(3):
            unavailable(world.search(desired_start="2025-09-30T14:00", instance=0), "unreachable")
        calls = world.slot_calls()
        for _ in range(3):
            unavailable(world.search(desired_start="2025-09-30T14:00", instance=1), "unreachable")
        assert world.slot_calls() == calls
        assert value(world.metrics(1), "circuit_breaker_state", tenant="salon") == 2


@pytest.mark.parametrize("sim_limit", [120, 20])
def test_limiter_keeps_cal_com_from_ever_answering_429(sim_limit: int) -> None:
    """300 cold searches in a minute: no 429 reaches altslot, every search is answered (some degraded)."""
    # The deadline leaves room for a loaded machine: a search within Cal.com's budget must not miss it by waiting for
    # a CPU; one past the budget is refused at once, whatever the deadline (waiting for the window would exceed it).
    options: dict[str, Any] = {"sim_rate_limit": sim_limit, "deadline_seconds": 3.0, "horizon_days": 1}
    with running(salon_data(), resilience=FAST, **options) as world:
        # A distinct duration is a distinct cache key, so every one of these searches must ask Cal.com.
        def search(minutes: int) -> int:
            return world.search(desired_start="2025-09-30T14:00", duration_minutes=minutes).status_code

        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(search, range(20, 320)))
        stats = world.stats()
    assert stats["rate_limited"] == 0
    assert set(statuses) <= {200, 503}
    assert statuses.count(200) >= sim_limit - 1  # the start-up check of the key spent one call
    assert stats["requests"]["GET /v2/slots"] <= sim_limit
