"""Several altslot instances on one Redis, and stale-while-revalidate over HTTP."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from altslot.shell.config import CacheSettings
from tests.support.world import NOW, Clock, running, salon_data


def test_two_instances_on_one_redis_share_a_cold_fetch(shared_redis: str) -> None:
    """100 concurrent cold searches split across two instances on one Redis (node or cluster): at most 2 calls.

    One lease holder fetches for both; a second call is allowed because a waiter whose holder is still
    silent 1 s before its deadline fetches itself (a loaded machine can slow the simulator that far).
    """
    cache = CacheSettings(backend="redis", redis_url=shared_redis, redis_required=True)
    with running(salon_data(), cache=cache, instances=2) as world:
        world.fault("ok", latency_ms=800)  # long enough for the second instance to find the first one's leases

        def search(i: int) -> tuple[int, str]:
            response = world.search(instance=i % 2, desired_start="2025-09-30T14:00")
            return response.status_code, response.text

        with ThreadPoolExecutor(max_workers=100) as pool:
            answers = list(pool.map(search, range(100)))
        calls = world.slot_calls()
    assert [s for s, _ in answers] == [200] * 100, [t[:300] for s, t in answers if s != 200][:3]
    offers = {json.dumps(json.loads(t)["alternatives"]) for _, t in answers}
    assert len(offers) == 1, "every instance offers the same slots"
    assert calls <= 2


def test_stale_entry_answers_at_once_then_refreshes() -> None:
    """Past fresh_ttl a search answers from the stale day without waiting; after the refresh it is fresh."""
    clock = Clock()
    with running(salon_data(), clock=clock) as world:
        assert world.search(desired_start="2025-09-30T14:00").json()["freshness"]["stale"] is False
        world.fault("ok", latency_ms=30_000)  # a refresh that would outlast the deadline, were it awaited
        clock.now = NOW + timedelta(seconds=90)
        stale = world.search(desired_start="2025-09-30T14:00").json()
        assert stale["freshness"]["stale"] is True
        assert stale["search"]["upstream_calls"] == 0
        assert stale["search"]["timeout_hit"] is False
        assert stale["search"]["degraded"] is None
        world.release()  # the refresh was still hanging on the slow simulator: let it answer now
        refresh = world.fetches.wait_for(2)[-1]
        assert refresh.error is None
        fresh = world.search(desired_start="2025-09-30T14:00").json()
        assert fresh["freshness"]["stale"] is False
        assert fresh["search"]["upstream_calls"] == 0
        assert world.slot_calls() == 2
