"""``/metrics`` over real uvicorn in front of the simulator: the numbers move with what happens."""

from __future__ import annotations

from datetime import datetime, timedelta

from altslot.events import RateLimitWait, UpstreamCall
from altslot.observability.metrics import Metrics
from altslot.resilience import ResilienceSettings
from tests.e2e.world import NOW, Jumps, running, salon_data
from tests.observability.promtext import value

FAST = ResilienceSettings(
    backoff_initial=0.01, backoff_max=0.05, cool_down_seconds=1.0, failure_threshold=3, success_threshold=1
)
AT = "2025-09-30T14:00"


def test_searches_and_cache_lookups_move_the_counters() -> None:
    """A cold then a warm search: one Cal.com call, misses then hits, two searches in the histogram."""
    with running(salon_data()) as world:
        before = world.metrics()
        assert value(before, "alternative_searches_total", tenant="salon") == 0
        assert world.search(desired_start=AT).status_code == 200
        assert world.search(desired_start=AT).status_code == 200
        after = world.metrics()
    assert value(after, "alternative_searches_total", tenant="salon") == 2
    assert value(after, "alternative_search_duration_seconds_count", tenant="salon") == 2
    assert value(after, "availability_cache_requests_total", tenant="salon", result="miss") > 0
    assert value(after, "availability_cache_requests_total", tenant="salon", result="hit") > 0
    calls = {"tenant": "salon", "endpoint": "GET /v2/slots", "status": "200"}
    assert value(after, "calcom_api_calls_total", **calls) == 1
    assert value(after, "calcom_api_duration_seconds_count", endpoint="GET /v2/slots") == 1
    assert value(after, "process_resident_memory_bytes") > 0


def test_upstream_errors_and_breaker_transitions_move_the_metrics() -> None:
    """Failures count as errors and open the breaker (state 2); a good probe closes it (state 0)."""
    monotonic = Jumps()
    with running(salon_data(), resilience=FAST, monotonic=monotonic) as world:
        world.fault("error_500")
        for _ in range(3):
            assert world.search(desired_start=AT).status_code == 503
        opened = world.metrics()
        world.fault("ok")
        monotonic.jump(FAST.cool_down_seconds)  # the configured cool-down, so the next search probes
        assert world.search(desired_start=AT).status_code == 200
        closed = world.metrics()
    assert value(opened, "calcom_api_errors_total", tenant="salon", endpoint="GET /v2/slots") >= 3
    assert value(opened, "calcom_api_calls_total", tenant="salon", status="500") >= 3
    assert value(opened, "alternative_searches_total", tenant="salon", outcome="unavailable") == 3
    assert value(opened, "circuit_breaker_state", tenant="salon") == 2
    assert value(opened, "circuit_breaker_transitions_total", tenant="salon", state="open") == 1
    assert value(closed, "circuit_breaker_state", tenant="salon") == 0
    assert value(closed, "circuit_breaker_transitions_total", tenant="salon", state="half_open") == 1
    assert value(closed, "circuit_breaker_transitions_total", tenant="salon", state="closed") == 1


def test_a_429_is_counted_as_rate_limited() -> None:
    """Cal.com answering 429 moves ``calcom_rate_limited_total`` and the 429 call counter."""
    with running(salon_data(), resilience=FAST) as world:
        world.fault("rate_limited")
        assert world.search(desired_start=AT).status_code == 503
        text = world.metrics()
    assert value(text, "calcom_rate_limited_total", tenant="salon") == 1
    assert value(text, "calcom_api_calls_total", tenant="salon", status="429") == 1


class _Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def test_stale_and_degraded_answers_are_counted() -> None:
    """Cal.com down with stale days cached: the stale and degraded counters move."""
    clock = _Clock()
    with running(salon_data(), resilience=FAST, clock=clock) as world:
        assert world.search(desired_start=AT).status_code == 200
        world.fault("error_500")
        clock.now = NOW + timedelta(seconds=120)
        world.search(desired_start=AT)  # starts the refresh, which fails
        assert world.fetches.wait_for(2)[-1].error is not None
        assert world.search(desired_start=AT).json()["search"]["degraded"] == "stale"
        text = world.metrics()
    assert value(text, "alternative_searches_stale_total", tenant="salon") >= 1
    assert value(text, "alternative_searches_degraded_total", tenant="salon", degraded="stale") >= 1
    assert value(text, "availability_cache_requests_total", tenant="salon", result="stale") >= 1


def test_labels_stay_bounded() -> None:
    """Unknown tenants become ``other``; ids in Cal.com paths become ``{id}``; limiter waits land."""
    metrics = Metrics(["salon"])
    metrics.observe(UpstreamCall("intruder", "POST /v2/bookings/b9x7/cancel", 200, 0.2))
    metrics.observe(RateLimitWait("salon", 0.3))
    text = metrics.render().decode()
    labels = {"tenant": "other", "endpoint": "POST /v2/bookings/{id}/cancel"}
    assert value(text, "calcom_api_calls_total", **labels) == 1
    assert value(text, "ratelimit_wait_seconds_count", tenant="salon") == 1
    assert "intruder" not in text


def test_metrics_can_be_switched_off() -> None:
    """``observability.metrics = false``: ``/metrics`` answers 404."""
    from altslot.observability import ObservabilitySettings

    with running(salon_data(), observability=ObservabilitySettings(metrics=False, search_log_url="")) as world:
        assert world.http.get(f"{world.api.url}/metrics").status_code == 404
