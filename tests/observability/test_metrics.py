"""``/metrics`` over real uvicorn in front of the simulator: the numbers move with what happens."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from altslot.events import (
    AgentCall,
    BookingDone,
    BreakerTransition,
    Event,
    RateLimitWait,
    RequestServed,
    SearchDone,
    UpstreamCall,
    WebhookDelivery,
)
from altslot.observability import labels
from altslot.observability.metrics import Metrics, endpoint_template
from altslot.upstream import ResilienceSettings
from tests.observability.promtext import value
from tests.support.world import NOW, Jumps, running, salon_data

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
    """Unknown tenants become ``other``; ids in Cal.com paths become ``{uid}``; limiter waits land."""
    metrics = Metrics(["salon"])
    metrics.observe(UpstreamCall("intruder", "POST /v2/bookings/b9x7/cancel", 200, 0.2))
    metrics.observe(RateLimitWait("salon", 0.3))
    text = metrics.render().decode()
    labels = {"tenant": "other", "endpoint": "POST /v2/bookings/{uid}/cancel"}
    assert value(text, "calcom_api_calls_total", **labels) == 1
    assert value(text, "ratelimit_wait_seconds_count", tenant="salon") == 1
    assert "intruder" not in text


def test_metrics_can_be_switched_off() -> None:
    """``observability.metrics = false``: ``/metrics`` answers 404."""
    from altslot.observability import ObservabilitySettings

    with running(salon_data(), observability=ObservabilitySettings(metrics=False, search_log_url="")) as world:
        assert world.http.get(f"{world.api.url}/metrics").status_code == 404


def _series(text: str) -> set[tuple[str, frozenset[tuple[str, str]]]]:
    from prometheus_client.parser import text_string_to_metric_families

    return {
        (s.name, frozenset(s.labels.items()))
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if not s.name.endswith("_created")
    }


def test_a_search_counts_its_days_by_how_the_cache_had_them() -> None:
    """``cache_hits`` of a ``SearchDone`` includes its stale days: fresh hits are the difference."""
    metrics = Metrics(["salon"])
    metrics.observe(SearchDone("salon", "r", 1, 1, 15, 2, 4, 2.0, 1, None, False, False, "stale", False, None, 200))
    text = metrics.render().decode()
    found = {
        r: value(text, "availability_cache_requests_total", tenant="salon", result=r) for r in labels.CACHE_RESULTS
    }
    assert found == {"hit": 11, "stale": 4, "miss": 2}


def _every_event() -> list[Event]:
    events: list[Event] = []
    for endpoint in labels.CALCOM_ENDPOINTS:
        events.append(UpstreamCall("salon", endpoint, 200, 0.1))
        for status in (400, 401, 403, 404, 418, 422, 429, 500, 502, 503, 504, 599, None):
            for error in (*labels.CALCOM_ERRORS, *labels.NOT_FAILURES):
                events.append(UpstreamCall("salon", endpoint, status, 0.1, error))
    for state in ("open", "half_open", "closed"):
        events.append(BreakerTransition("salon", state))  # type: ignore[arg-type]
    # Days served fresh (3), stale (2) and fetched (3): every cache result at once.
    events.append(SearchDone("salon", "r", 1, 1, 5, 3, 2, 2.0, 1, None, False, False, "stale", False, None, 200))
    for status, available, found, degraded in [
        (200, True, 0, None), (200, False, 2, "stale"), (200, False, 0, "partial"), (503, False, 0, "unavailable"),
    ]:  # fmt: skip
        events.append(SearchDone("salon", "r", 1, 1, 0, 1, 1, 2.0, found, None, False, False, degraded, available,
                                 None, status))  # fmt: skip
    events.append(RateLimitWait("salon", 0.2))
    for operation, outcomes in labels.BOOKING_OUTCOMES.items():
        events += [BookingDone("salon", operation, o) for o in outcomes]  # type: ignore[arg-type]
    events += [WebhookDelivery("salon", o) for o in labels.WEBHOOK_OUTCOMES]
    events.append(WebhookDelivery("intruder", "unknown_tenant"))
    events += [RequestServed("POST /api/appointments", s, t, 0.01) for s in (201, 409) for t in ("salon", None)]
    events += [RequestServed("GET /nowhere", 404, None, 0.01)]
    events += [AgentCall("salon", p, o) for p in labels.AGENT_PLATFORMS for o in labels.AGENT_OUTCOMES]
    return events


def test_every_series_exists_at_zero_before_its_first_event() -> None:
    """One event of every kind, label and outcome: no series appears that was not there from start-up."""
    metrics = Metrics(["salon"])
    metrics.expect_routes({"POST /api/appointments": ([201, 409], True)})
    metrics.search_log_rows("written", 0)
    before = _series(metrics.render().decode())
    for event in _every_event():
        metrics.observe(event)
    for kind in ("written", *labels.SEARCH_LOG_DROPS):
        metrics.search_log_rows(kind, 2)
    after = _series(metrics.render().decode())
    assert {s for s in after - before if not s[0].startswith(("process_", "python_"))} == set()
    assert value(metrics.render().decode(), "circuit_breaker_transitions_total", state="open") == 1


def test_every_cal_com_endpoint_in_the_source_is_listed() -> None:
    """Each ``"METHOD /v2/…"`` the code names is in ``CALCOM_ENDPOINTS``, so its series are pre-created."""
    source = Path(__file__).parents[2] / "src" / "altslot"
    named = set()
    for path in source.rglob("*.py"):
        parts = path.relative_to(source).parts
        if "sim" in parts or "bench" in parts or path.name == "bench.py":
            continue  # the simulator's own routes, and benchmarks reading its counters
        named |= set(re.findall(r'"((?:GET|POST|PUT|PATCH|DELETE) /v2/[^"\s:]*)"', path.read_text(encoding="utf-8")))
    named = {endpoint_template(n) for n in named}
    assert {"GET /v2/slots", "POST /v2/bookings"} <= named
    assert named - set(labels.CALCOM_ENDPOINTS) == set()


def test_error_labels_cover_the_cal_com_error_tree() -> None:
    """Every leaf of ``calcom.errors`` is a listed error label or a listed non-failure."""
    from altslot.calcom import errors

    kinds = {c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.CalcomError)}
    branches = {errors.CalcomError, errors.RetryableError, errors.FatalError, errors.Refused}
    raised = {c.__name__ for c in kinds - branches}
    assert raised == set(labels.CALCOM_ERRORS) | labels.NOT_FAILURES


def test_agent_labels_cover_every_platform_and_answer_status() -> None:
    """Every ``status`` word a tool answer can carry and every adapter's platform name is a pre-created label."""
    from typing import get_args

    from altslot.tools.answers import Status

    assert set(get_args(Status)) == set(labels.AGENT_OUTCOMES)
    source = Path(__file__).parents[2] / "src" / "altslot"
    named = set()
    for path in [*(source / "agents").rglob("*.py"), source / "api" / "routes_agents.py"]:
        text = path.read_text(encoding="utf-8")
        named |= set(re.findall(r'CallContext\((?:platform=)?"(\w+)"', text))
        named |= set(re.findall(r'plain\(found, tool, request, "(\w+)"\)', text))
    assert named == set(labels.AGENT_PLATFORMS)


def test_label_children_are_resolved_once_and_are_the_familys_own() -> None:
    """Events reuse one child per label set: the family's own, so counts land in the series it exposes."""
    metrics = Metrics(["salon"])
    child = metrics.searches.labels("salon", "alternatives")
    assert metrics.searches.labels("salon", "alternatives") is child
    assert child is metrics.searches.family.labels("salon", "alternatives")
    done = SearchDone("salon", "r", 1, 0, 15, 0, 0, 0.5, 2, "same_day_later", False, False, None, False, None)
    metrics.observe(done)
    metrics.observe(done)
    assert value(metrics.render().decode(), "alternative_searches_total", tenant="salon", outcome="alternatives") == 2
