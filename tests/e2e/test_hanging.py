"""D6: a hanging Cal.com opens the breaker as a down one does; after that, searches fail fast."""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from altslot.shell.config import SearchSettings
from altslot.upstream import ResilienceSettings
from tests.e2e.shared import Shared, TenantSpec, shared_world

SALON = {"salon": TenantSpec("salon-token", "cal_test_salon")}
DEFAULTS = os.environ.get("ALTSLOT_HANG_DEFAULTS") == "1"
"""Measure with the shipped settings (5 s deadline, 4 s timeout, 5 failures; about a minute) instead."""
THRESHOLD = 5 if DEFAULTS else 3
COLD = "2025-09-30T14:00"
"""Nothing is cached: every search for it needs a fetch of its own."""


def cold_search(world: Shared) -> tuple[int, int, float]:
    """Status, Retry-After and milliseconds of one search that needs Cal.com."""
    started = time.perf_counter()
    answer = world.search("salon-token", desired_start=COLD)
    elapsed = (time.perf_counter() - started) * 1000
    return answer.status_code, int(answer.headers.get("Retry-After", 0)), elapsed


def test_hanging_cal_com_opens_the_breaker_then_503s_are_fast() -> None:
    """With Cal.com hanging, the breaker opens after about THRESHOLD cold searches; later ones make no call."""
    resilience = ResilienceSettings(failure_threshold=THRESHOLD, cool_down_seconds=300)
    search = SearchSettings() if DEFAULTS else SearchSettings(deadline_seconds=1.0)
    calcom: dict[str, Any] = {} if DEFAULTS else {"timeout_seconds": 0.5}
    with shared_world(SALON, calcom=calcom, search=search, resilience=resilience) as world:
        # One answer first, so the client limiter knows the key's budget (as on any running service);
        # a booking, which caches no day.
        assert world.book("salon-token", "2025-09-30T10:00", "warm").status_code == 201
        world.fault("slow", latency_ms=30_000 if DEFAULTS else 5_000)
        slow: list[float] = []
        while len(slow) <= 3 * THRESHOLD:
            status, retry_after, elapsed = cold_search(world)
            assert status == 503
            if retry_after > 5:  # the open circuit's cool-down, not the default "try again in 5 s"
                break
            slow.append(elapsed)
        calls = world.sim_calls("GET /v2/slots")
        fast = [cold_search(world) for _ in range(20)]
        assert len(slow) <= 2 * THRESHOLD, "the breaker opened"
        assert {status for status, _, _ in fast} == {503}
        assert world.sim_calls("GET /v2/slots") == calls, "an open breaker makes no call"
        fast_ms = [elapsed for _, _, elapsed in fast]
        print(
            f"FIGURES hanging: breaker open after {len(slow)} slow cold searches "
            f"(p50 {statistics.median(slow):.0f} ms), then {len(fast)} fast 503s "
            f"p50 {statistics.median(fast_ms):.1f} ms, max {max(fast_ms):.1f} ms, upstream slot calls {calls}"
        )
