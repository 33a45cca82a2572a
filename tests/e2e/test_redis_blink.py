"""When Redis blinks under load: a real redis-server killed and restarted, a cluster master killed.

Two instances serve a steady load throughout. The health window is on a clock the test moves by hand,
so "sharing is back within one window" is checked exactly: after one window, a cold burst split over
both instances costs one upstream call and a replayed Idempotency-Key returns the same booking. Waits
for the real processes (a server restarting, a replica promoting) are bounded polling.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import count

import httpx
import pytest

from altslot.shared.redis_client import connect_redis
from altslot.shell.config import CacheSettings
from tests.e2e.test_booking import sim_calls
from tests.support.clocks import FakeClock
from tests.support.redis_servers import Cluster, PrivateRedis, wait_until
from tests.support.world import EVENT, TOKEN, World, running, salon_data

WINDOW = 5.0  # RedisHealth's default window: one failure keeps an instance off Redis this long


@contextmanager
def steady_load(world: World, workers: int = 4) -> Iterator[list[int]]:
    """Searches on both instances in a closed loop until the block ends; yields their statuses."""
    statuses: list[int] = []
    stop = threading.Event()
    days = [f"2025-10-0{d}T{h}:00" for d in (1, 2, 3) for h in (10, 14, 16)]

    def loop(worker: int) -> None:
        for i in count(worker):
            if stop.is_set():
                return
            statuses.append(world.search(desired_start=days[i % len(days)], instance=i % 2).status_code)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(loop, w) for w in range(workers)]
        try:
            yield statuses
        finally:
            stop.set()
            for future in futures:
                future.result()


def cold_burst_calls(world: World, minutes: int, size: int = 20) -> int:
    """Upstream calls of ``size`` concurrent cold searches for one horizon, split over both instances.

    A duration of its own makes the horizon cold (another cache key than the load's). The calls are
    counted from the answers (each reports the calls its search made), since the load runs alongside.
    """

    def search(i: int) -> httpx.Response:
        return world.search(desired_start="2025-09-30T10:00", duration_minutes=minutes, instance=i % 2)

    with ThreadPoolExecutor(max_workers=size) as pool:
        answers = list(pool.map(search, range(size)))
    assert [a.status_code for a in answers] == [200] * size
    return sum(int(a.json()["search"]["upstream_calls"]) for a in answers)


def replayed_booking(world: World, start: str, key: str) -> tuple[str, str, int]:
    """Book on instance 0, replay the same key and body on instance 1: both uids and the POSTs it cost."""
    body = {
        "event_type_id": EVENT,
        "start": start,
        "attendee": {"name": "Erika Mustermann", "email": "erika@example.com", "time_zone": "Europe/Berlin"},
    }
    headers = {"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": key}
    before = sim_calls(world, "POST /v2/bookings")
    answers = [world.http.post(f"{api.url}/api/appointments", json=body, headers=headers) for api in world.apis]
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    return answers[0].json()["uid"], answers[1].json()["uid"], sim_calls(world, "POST /v2/bookings") - before


def degraded(world: World, instance: int) -> bool:
    """``/readyz`` of one instance says it works from local memory."""
    check = str(world.http.get(f"{world.apis[instance].url}/readyz").json()["checks"]["redis"])
    return check.startswith("degraded")


@pytest.mark.anyio
async def test_pooled_connections_survive_a_redis_restart(private_redis: PrivateRedis) -> None:
    """16 pooled connections, Redis restarted: the next 16 concurrent commands all succeed (one retry each)."""
    link = connect_redis(private_redis.url)
    try:
        await asyncio.gather(*(link.client.blpop([f"altslot:{{w}}:{i}"], timeout=0.05) for i in range(16)))
        private_redis.stop()
        private_redis.start()
        assert await asyncio.gather(*(link.client.incr("altslot:{blink}:n") for _ in range(16))) != []
        assert int(await link.client.get("altslot:{blink}:n") or 0) == 16
    finally:
        await link.aclose()


def test_sharing_is_back_one_health_window_after_redis_restarts_under_load(private_redis: PrivateRedis) -> None:
    """Kill and restart Redis under load on two instances: no 503, and one window later sharing is back."""
    clock = FakeClock()
    cache = CacheSettings(backend="redis", redis_url=private_redis.url)
    with running(salon_data(), cache=cache, instances=2, health_clock=clock) as world:
        world.fault("ok", latency_ms=300)  # long enough for a burst to meet the lease of its first search
        assert cold_burst_calls(world, 45) == 1
        with steady_load(world) as statuses:
            private_redis.stop()
            wait_until(lambda: degraded(world, 0) and degraded(world, 1), "both instances to notice")
            private_redis.start()
            clock.advance(WINDOW)
            shared_burst = cold_burst_calls(world, 50)
            first, replay, posts = replayed_booking(world, "2025-10-08T10:00", "blink-key")
        ready = [world.http.get(f"{api.url}/readyz").json()["checks"]["redis"] for api in world.apis]
    assert shared_burst == 1
    assert (first, posts) == (replay, 1)
    assert ready == ["ok", "ok"]
    assert statuses and set(statuses) == {200}


def test_a_cluster_master_killed_mid_load_costs_no_5xx() -> None:
    """Kill the master of the tenant's slot under load: replicas promote, no 5xx, sharing resumes after."""
    cluster = Cluster(masters=3, replicas=1)
    clock = FakeClock()
    try:
        cluster.start()
        cache = CacheSettings(backend="redis", redis_url=cluster.url)
        with running(salon_data(), cache=cache, instances=2, health_clock=clock) as world:
            world.fault("ok", latency_ms=300)
            assert cold_burst_calls(world, 45) == 1
            with steady_load(world) as statuses:
                victim = cluster.master_of("altslot:{salon}:day")
                victim.kill()
                wait_until(cluster.healthy, "a replica to take over the slot", seconds=30)
                clock.advance(WINDOW)
                wait_until(lambda: not degraded(world, 0) and not degraded(world, 1), "readiness to recover")
                shared_burst = cold_burst_calls(world, 50)
                first, replay, posts = replayed_booking(world, "2025-10-08T10:00", "failover-key")
    finally:
        cluster.close()
    assert [s for s in statuses if s >= 500] == []
    assert shared_burst == 1
    assert (first, posts) == (replay, 1)
