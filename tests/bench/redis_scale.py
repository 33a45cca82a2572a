"""Figures for BENCHMARKS.md: two ``altslot serve`` processes on one Redis node vs on a real Redis Cluster.

    .venv/bin/python -m tests.bench.redis_scale [--quick]

Per backend: a cold burst of 100 searches split over both processes (simulator calls, latency) and warm
throughput over both. Then faults under a closed-loop load of 16 workers on both processes: a cluster
master killed (its replica promotes) and a single redis-server killed and restarted after 2 s. For each:
requests, failed requests, 5xx, seconds until ``/readyz`` is ok again, and seconds until sharing is back
(a cold probe burst split over both processes costs one upstream call). Prints one JSON document.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import date
from itertools import count
from pathlib import Path
from typing import Any

import httpx

from altslot.bench.driver import Call, run_load
from altslot.bench.extras import throughput
from altslot.bench.processes import Fleet
from altslot.bench.scenarios import search_call
from altslot.bench.world import BUSY, TYPICAL, ServiceConfig, at, first_day, sim_data
from tests.support.redis_servers import Cluster, PrivateRedis

LATENCY_MS = 300
PROBE_EVERY = 0.25


def with_duration(call: Call, minutes: int) -> Call:
    """The same search with its own duration: another cache key, so a cold horizon."""
    return replace(call, body={**call.body, "duration_minutes": minutes})


async def cold_burst(targets: list[str], call: Call, size: int = 100) -> dict[str, Any]:
    """``size`` concurrent cold searches over ``targets``: upstream calls and latency."""
    tally = await run_load(targets, lambda i: call, concurrency=size, total=size)
    summary = tally.summary()
    return {"upstream_calls": tally.upstream_calls, **{k: summary[k] for k in ("p50_ms", "p99_ms", "errors")}}


async def shared(targets: list[str], call: Call, minutes: int) -> bool:
    """A probe: 10 cold searches split over both processes cost exactly one upstream call."""
    tally = await run_load(targets, lambda i: with_duration(call, minutes), concurrency=10, total=10)
    return tally.upstream_calls == 1 and set(tally.statuses) == {200}


def ready(targets: list[str]) -> bool:
    """Every process answers ``/readyz`` with redis ok."""
    try:
        return all(httpx.get(f"{t}/readyz", timeout=2).json()["checks"]["redis"] == "ok" for t in targets)
    except httpx.HTTPError:
        return False


async def fault(targets: list[str], call: Call, inject: Any, restore: Any, seconds: float) -> dict[str, Any]:
    """Load for ``seconds``; ``inject()`` at 2 s, ``restore()`` right after; time until ready and shared."""
    load = asyncio.create_task(run_load(targets, lambda i: call, concurrency=16, duration=seconds))
    await asyncio.sleep(2.0)
    inject()
    hit = time.perf_counter()
    await asyncio.to_thread(restore)
    restored = time.perf_counter()
    ready_at = shared_at = None
    durations = count(200)
    while time.perf_counter() - hit < seconds and (ready_at is None or shared_at is None):
        now = time.perf_counter()
        if ready_at is None and await asyncio.to_thread(ready, targets):
            ready_at = now
        if shared_at is None and await shared(targets, call, next(durations)):
            shared_at = now
        await asyncio.sleep(PROBE_EVERY)
    tally = await load
    statuses = dict(tally.statuses)
    return {
        "requests": tally.done,
        "failed": tally.transport_errors + sum(n for s, n in statuses.items() if s != 200),
        "5xx": sum(n for s, n in statuses.items() if s >= 500),
        "statuses": statuses,
        "seconds_to_restore": round(restored - hit, 2),
        "seconds_to_ready": None if ready_at is None else round(ready_at - hit, 2),
        "seconds_to_shared": None if shared_at is None else round(shared_at - hit, 2),
        "seconds_shared_after_restore": None if shared_at is None else round(shared_at - restored, 2),
    }


async def measure(single: list[str], clustered: list[str], quick: bool, cluster: Cluster, node: PrivateRedis) -> Any:
    """Every figure, in order."""
    wish = at(first_day(date.today()), 14)
    seconds = 3.0 if quick else 10.0
    out: dict[str, Any] = {}
    for name, targets, offset in (("single", single, 1), ("cluster", clustered, 2)):
        out[name] = {
            "cold_burst_100": await cold_burst(targets, search_call(BUSY + offset, wish)),
            "warm": await throughput(targets, search_call(TYPICAL + offset, wish), seconds),
        }
    warm = search_call(TYPICAL + 3, wish)
    await run_load(single + clustered, lambda i: warm, concurrency=4, total=8)

    def kill_master() -> None:
        cluster.master_of("altslot:{x}").kill()  # any master: some tenants' slots live there

    def promoted() -> None:
        deadline = time.monotonic() + 60
        while not cluster.healthy() and time.monotonic() < deadline:
            time.sleep(0.05)

    def restart() -> None:
        time.sleep(2.0)
        node.start()

    out["cluster_master_killed"] = await fault(clustered, warm, kill_master, promoted, 15.0 if quick else 25.0)
    out["single_killed_and_restarted"] = await fault(single, warm, node.stop, restart, 15.0 if quick else 25.0)
    return out


def main() -> None:
    """Start everything, measure, print JSON."""
    quick = "--quick" in sys.argv
    run = uuid.uuid4().hex[:8]
    node, cluster = PrivateRedis(), Cluster(masters=3, replicas=1)
    with tempfile.TemporaryDirectory(prefix="altslot-redis-bench-") as tmp, Fleet(Path(tmp)) as fleet:
        try:
            node.start()
            cluster.start()
            api_key = f"cal_bench_{run}"
            sim = fleet.simulator(sim_data(date.today(), api_key), LATENCY_MS)
            fleet.ready()
            base = ServiceConfig(tenant=f"bench{run}", api_key=api_key, calcom_url=sim.url, backend="redis")
            single = [fleet.service(replace(base, redis_url=node.url)) for _ in range(2)]
            clustered = [fleet.service(replace(base, redis_url=cluster.url)) for _ in range(2)]
            fleet.ready()
            figures = asyncio.run(measure([c.url for c in single], [c.url for c in clustered], quick, cluster, node))
        finally:
            cluster.close()
            node.close()
    figures["settings"] = {"simulator_latency_ms": LATENCY_MS, "quick": quick, "processes_per_backend": 2}
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
