"""The figures around the side-by-side table: instances on Redis, the warm-path ceiling, Redis vs memory,
one cold search, resilience (breaker, recovery, limiter) and the micro-benchmarks of earlier issues."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from altslot.bench.driver import Call, percentiles, run_load
from altslot.bench.scenarios import Stage, altslot_run, search_call
from altslot.bench.world import BUSY, LIMITER, TOKEN, TYPICAL, at

WARM_CONCURRENCY = 32


async def throughput(targets: list[str], call: Call, seconds: float) -> dict[str, Any]:
    """Warm requests/s from ``WARM_CONCURRENCY`` connections spread over ``targets``."""
    await run_load(targets, lambda i: call, concurrency=WARM_CONCURRENCY, total=WARM_CONCURRENCY * 4)
    tally = await run_load(targets, lambda i: call, concurrency=WARM_CONCURRENCY, duration=seconds)
    summary = tally.summary()
    keys = ("requests", "requests_per_second", "p50_ms", "p99_ms", "errors")
    return {k: summary[k] for k in keys}


async def instances(stage: Stage, redis_urls: list[str]) -> dict[str, Any]:
    """Cold bursts of 100 over 1, 2 and 4 processes on one Redis; warm throughput of 1 vs 4 processes."""
    wish = at(stage.day, 14)
    bursts: dict[str, Any] = {}
    for count in (1, 2, 4):
        burst = [search_call(BUSY + 10 + count, wish)] * 100
        stage.reset()
        tally = await run_load(redis_urls[:count], burst.__getitem__, concurrency=100, total=100)
        summary = tally.summary()
        bursts[str(count)] = {
            "simulator_calls": stage.slot_calls(),
            "round_trips_p99": round((summary["p99_ms"] or 0) / stage.latency_ms, 2),
            **{k: summary[k] for k in ("p50_ms", "p99_ms", "errors")},
        }
    seconds = 2.0 if stage.quick else 10.0
    warm = search_call(TYPICAL + 251, wish)
    one = await throughput(redis_urls[:1], warm, seconds)
    four = await throughput(redis_urls[:4], warm, seconds)
    scale = round(four["requests_per_second"] / one["requests_per_second"], 2)
    return {"cold_burst": bursts, "warm_1": one, "warm_4": four, "warm_4_over_1": scale}


async def ceiling(stage: Stage, ping_url: str) -> dict[str, Any]:
    """Warm altslot throughput as a share of a bare FastAPI ping route served the same way (``_in_turns``)."""
    call = search_call(TYPICAL, at(stage.day, 14))
    ping = Call("POST", "/ping", call.body, call.headers)
    bare, warm, share, per_round = await _in_turns(stage, (ping_url, ping), (stage.altslot_url, call))
    return {
        "ping": bare,
        "altslot_warm": warm,
        "share_of_ceiling": round(share, 3),
        "share_per_round": [round(r, 3) for r in per_round],
    }


async def workers(stage: Stage, one_url: str, two_url: str) -> dict[str, Any]:
    """Warm throughput of ``altslot serve --workers 1`` and ``--workers 2`` on one Redis (``_in_turns``).

    On a 2-core machine the load driver shares the cores with the workers, so two workers cannot double it. The
    workers share one listening socket and the kernel hands each new connection to whichever worker accepts first:
    a round's 32 connections may land unevenly (all on one worker, now and then), hence several rounds.
    """
    call = search_call(TYPICAL + 252, at(stage.day, 14))
    one, two, ratio, per_round = await _in_turns(stage, (one_url, call), (two_url, call))
    return {
        "workers_1": one,
        "workers_2": two,
        "two_over_one": round(ratio, 2),
        "two_over_one_per_round": [round(r, 2) for r in per_round],
    }


async def _in_turns(
    stage: Stage, first: tuple[str, Call], second: tuple[str, Call]
) -> tuple[dict[str, Any], dict[str, Any], float, list[float]]:
    """Two targets' warm throughput, taking turns (three rounds each in a full run, 10 s a round).

    Returns each one's median run, the ratio of their medians (second over first) and each round's ratio. Taking
    turns lets a burst of other work on the machine weigh on both alike.
    """
    seconds = 2.0 if stage.quick else 10.0
    runs: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])
    for _ in range(1 if stage.quick else 3):
        for (url, call), found in zip((first, second), runs, strict=True):
            found.append(await throughput([url], call, seconds))
    a, b = (_median_run(found) for found in runs)
    per_round = [y["requests_per_second"] / x["requests_per_second"] for x, y in zip(*runs, strict=True)]
    return a, b, b["requests_per_second"] / a["requests_per_second"], per_round


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median throughput."""
    return sorted(runs, key=lambda r: float(r["requests_per_second"]))[len(runs) // 2]


async def single_cold(stage: Stage) -> dict[str, Any]:
    """One cold search (typical day) against one upstream round trip."""
    result = await altslot_run(stage, [search_call(TYPICAL + 199, at(stage.day, 14))], 1)
    p50 = result["p50_ms"]
    return {
        "upstream_calls": result["simulator_calls"],
        "latency_ms": p50,
        "round_trips": round(p50 / stage.latency_ms, 3),
    }


async def redis_vs_memory(stage: Stage, redis_url: str) -> dict[str, Any]:
    """Sequential warm search latency from the memory cache and from Redis."""
    n = 100 if stage.quick else 500
    out: dict[str, Any] = {}
    for name, url, event in (("memory", stage.altslot_url, TYPICAL), ("redis", redis_url, TYPICAL + 252)):
        calls = [search_call(event, at(stage.day, 14))] * n
        await run_load([url], calls.__getitem__, concurrency=1, total=5)
        tally = await run_load([url], calls.__getitem__, concurrency=1, total=n)
        out[name] = {k: v for k, v in tally.summary().items() if k in ("p50_ms", "p95_ms", "p99_ms")}
    return out


async def _post(url: str, body: dict[str, Any], client: httpx.AsyncClient) -> httpx.Response:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    return await client.post(f"{url}/api/appointments/alternatives", json=body, headers=headers)


async def resilience(stage: Stage, url: str, cool_down: float) -> dict[str, Any]:
    """Fail-fast latency while the breaker is open, then the time from recovery to the first fresh answer."""
    wish = at(stage.day, 14)
    faults = f"{stage.sim_url}/_sim/faults"
    async with httpx.AsyncClient(timeout=60) as client:
        await client.post(faults, json={"mode": "error_500"})
        opened_after, event = 0, TYPICAL + 100
        while True:  # cold searches until one makes no upstream call: the breaker is open
            before = stage.slot_calls()
            response = await _post(url, search_call(event, wish).body, client)
            opened_after += 1
            event += 1
            if response.status_code == 503 and stage.slot_calls() == before:
                break
            if opened_after > 20:
                raise RuntimeError("the breaker never opened")
        n = 100 if stage.quick else 300
        samples: list[float] = []
        calls_before = stage.slot_calls()
        for i in range(n):
            began = time.perf_counter()
            response = await _post(url, search_call(TYPICAL + 130 + i % 20, wish).body, client)
            samples.append(time.perf_counter() - began)
        open_calls = stage.slot_calls() - calls_before
        await client.post(faults, json={"mode": "ok"})
        recovered = time.perf_counter()
        polls = 0
        while True:
            polls += 1
            response = await _post(url, search_call(TYPICAL + 160, wish).body, client)
            if response.status_code == 200 and not response.json()["freshness"]["stale"]:
                break
            await asyncio.sleep(0.05)
    return {
        "searches_until_open": opened_after,
        "fail_fast": {"searches": n, "upstream_calls": open_calls, **percentiles(samples)},
        "cool_down_seconds": cool_down,
        "recovery_to_fresh_answer_seconds": round(time.perf_counter() - recovered, 3),
        "polls": polls,
    }


async def limiter(stage: Stage, url: str, sim_url: str) -> dict[str, Any]:
    """300 cold searches (distinct event types, so distinct horizons) against a 120/min simulator."""
    limited = Stage(sim_url, url, stage.api_key, stage.latency_ms, stage.quick, stage.today, stage.say)
    limited.reset()
    wish = at(stage.day, 14)
    calls = [search_call(LIMITER + i, wish) for i in range(300)]
    tally = await run_load([url], lambda i: calls[i], concurrency=20, total=len(calls))
    stats = limited.stats()
    summary = tally.summary()
    answered = summary["statuses"].get("200", 0)
    return {
        "searches": 300,
        "seconds": summary["seconds"],
        "answered_200": answered,
        "answered_503": summary["statuses"].get("503", 0),
        "degraded_share": round(tally.degraded / answered, 3) if answered else None,
        "upstream_calls": int(stats["requests"].get("GET /v2/slots", 0)),
        "simulator_429s": stats["rate_limited"],
        "simulator_limit_per_minute": 120,
    }


def micro(quick: bool, latency_ms: int) -> dict[str, Any]:
    """The slot engine, the in-process finder and search, and the simulator benchmarks."""
    from altslot.bench.micro.engine import bench_engine
    from altslot.bench.micro.finder import bench_finder
    from altslot.bench.micro.search import bench_search
    from altslot.bench.micro.simulator import bench_simulator

    simulator = bench_simulator(
        requests=300 if quick else 2000,
        latency_requests=100 if quick else 500,
        latency_ms=latency_ms,
    )
    return {
        "engine": {k: round(v, 3) for k, v in bench_engine(50 if quick else 200).items()},
        "finder": {k: round(v, 4) for k, v in bench_finder(300 if quick else 2000).items()},
        "search": bench_search(300 if quick else 3000),
        "simulator": asyncio.run(simulator),
    }
