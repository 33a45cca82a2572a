"""The side-by-side scenarios: best, typical and worst case (seed §1), cold burst (§3) and normal load (§7).

Each runs the old call pattern (`altslot.bench.baseline`) and altslot (over its HTTP API) against the same
simulator, counts upstream calls at the simulator (reset in between) and measures latency client-side.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from altslot.bench.baseline import OldCache, OldFinder
from altslot.bench.driver import Call, Tally, run_load
from altslot.bench.world import BUSY, TOKEN, TYPICAL, WORST, at, first_day, search_body

Say = Callable[[str], None]


@dataclass
class Stage:
    """What every scenario needs: the simulator, one altslot, sizes and where to report progress."""

    sim_url: str
    altslot_url: str
    api_key: str
    latency_ms: int
    quick: bool
    today: date
    say: Say

    @property
    def day(self) -> date:
        """The desired day of single searches."""
        return first_day(self.today)

    def stats(self) -> dict[str, Any]:
        """The simulator's counters (a quick loopback call; blocking is harmless between phases)."""
        stats: dict[str, Any] = httpx.get(f"{self.sim_url}/_sim/stats", timeout=10).json()
        return stats

    def slot_calls(self) -> int:
        """GET /v2/slots the simulator served since the last reset."""
        return int(self.stats()["requests"].get("GET /v2/slots", 0))

    def reset(self) -> None:
        """Zero the simulator's counters."""
        httpx.post(f"{self.sim_url}/_sim/reset", timeout=10).raise_for_status()


def search_call(event_type_id: int, desired: datetime) -> Call:
    """An alternatives request as the driver sends it."""
    headers = (("Authorization", f"Bearer {TOKEN}"),)
    return Call("POST", "/api/appointments/alternatives", search_body(event_type_id, desired), headers)


async def altslot_run(
    stage: Stage, calls: list[Call], concurrency: int, duration: float | None = None, think: float = 0.0
) -> dict[str, Any]:
    """Send ``calls`` (cycled when a duration is given) and add the simulator's count of upstream calls."""
    stage.reset()
    tally = await run_load(
        [stage.altslot_url],
        lambda i: calls[i % len(calls)],
        concurrency=concurrency,
        total=None if duration else len(calls),
        duration=duration,
        think_seconds=think,
    )
    return {**tally.summary(), "simulator_calls": stage.slot_calls(), "_latencies": list(tally.latencies)}


async def baseline_run(
    stage: Stage,
    jobs: list[tuple[int, datetime]],
    concurrency: int,
    cache: OldCache | None = None,
    duration: float | None = None,
    think: float = 0.0,
) -> dict[str, Any]:
    """Run old-pattern searches from ``concurrency`` workers sharing one per-window cache."""
    stage.reset()
    cache = cache or OldCache()
    tally = Tally()
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    started = time.perf_counter()
    stop_at = started + duration if duration else float("inf")
    counter = iter(range(10**12 if duration else len(jobs)))
    async with httpx.AsyncClient(base_url=stage.sim_url, limits=limits, timeout=120) as client:
        finder = OldFinder(client, stage.api_key, cache)

        async def worker() -> None:
            for i in counter:
                if time.perf_counter() >= stop_at:
                    return
                result = await finder.find(*jobs[i % len(jobs)])
                search = {
                    "upstream_calls": result.calls,
                    "cache_hits": result.cache_hits,
                    "cache_misses": result.cache_misses,
                }
                tally.record(result.seconds, 200, {"search": search})
                if think:
                    await asyncio.sleep(think)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    tally.seconds = time.perf_counter() - started
    return {**tally.summary(), "simulator_calls": stage.slot_calls(), "_latencies": list(tally.latencies)}


def compare(name: str, description: str, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """One scenario's figures with the baseline/altslot ratios."""

    def ratio(key: str) -> float | None:
        a, b = old.get(key), new.get(key)
        return round(a / b, 1) if isinstance(a, int | float) and isinstance(b, int | float) and b else None

    ratios = {k: ratio(k) for k in ("calls_per_search", "p50_ms", "p95_ms", "p99_ms")}
    return {"name": name, "description": description, "baseline": old, "altslot": new, "ratio": ratios}


async def best_case(stage: Stage) -> dict[str, Any]:
    """Warm cache: the typical search repeated once its data is cached."""
    n = 50 if stage.quick else 200
    wish = at(stage.day, 14)
    warm_cache = OldCache()
    await baseline_run(stage, [(TYPICAL, wish)], 1, warm_cache)
    old = await baseline_run(stage, [(TYPICAL, wish)] * n, 1, warm_cache)
    await altslot_run(stage, [search_call(TYPICAL, wish)], 1)
    new = await altslot_run(stage, [search_call(TYPICAL, wish)] * n, 1)
    return compare("best", f"warm cache, {n} sequential searches for a taken 14:00", old, new)


async def typical_case(stage: Stage) -> dict[str, Any]:
    """Cold cache, free slots next to the taken wish: each sample on an event type of its own."""
    n = 5 if stage.quick else 20
    wish = at(stage.day, 14)
    old_jobs = [(TYPICAL + 1 + i, wish) for i in range(n)]
    old = await baseline_run(stage, old_jobs, min(n, 10))
    new = await altslot_run(stage, [search_call(TYPICAL + 1 + i, wish) for i in range(n)], min(n, 10))
    return compare("typical", f"cold cache, free slots beside the wish; {n} searches", old, new)


async def worst_case(stage: Stage) -> dict[str, Any]:
    """Cold cache, nothing free until the last day of the horizon."""
    n = 3 if stage.quick else 10
    wish = at(stage.day, 14)
    old = await baseline_run(stage, [(WORST + i, wish) for i in range(n)], n)
    new = await altslot_run(stage, [search_call(WORST + 100 + i, wish) for i in range(n)], n)
    return compare("worst", f"cold cache, nothing free until the end of the horizon; {n} searches", old, new)


async def cold_burst(stage: Stage) -> dict[str, Any]:
    """100 concurrent searches, same tenant and event type, empty cache."""
    n = 100
    wishes = [at(stage.day, 14, 0) for _ in range(n)]
    old = await baseline_run(stage, [(BUSY, w) for w in wishes], n)
    new = await altslot_run(stage, [search_call(BUSY + 100, w) for w in wishes], n)
    return compare("cold_burst", "100 concurrent searches, one event type, empty cache", old, new)


def normal_mix(today: date, seed: int = 1) -> tuple[list[tuple[int, datetime]], list[tuple[int, datetime]]]:
    """(warm share, whole mix) of the seed's scenario 1: mixed dates over 3 weeks, 70 % warmed beforehand."""
    combos: list[tuple[int, datetime]] = []
    for offset in range(1, 22):
        day = today + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        combos.append((TYPICAL + 200, at(day, 14)))
        combos += [(BUSY + 200, at(day, hour)) for hour in (12, 13, 14, 15)]
    random.Random(seed).shuffle(combos)
    return combos[: int(len(combos) * 0.7)], combos


async def normal_load(stage: Stage) -> dict[str, Any]:
    """The seed's normal load: 100 users, mixed dates, 70 % of them warm when the run starts.

    Each user pauses 1 s between searches (as a k6 script's ``sleep(1)``); without a pause 100 users would
    measure a saturated 2-core machine's queue, not the latency a caller sees.
    """
    users, duration, think = 100, (3.0 if stage.quick else 30.0), 1.0
    warm, mix = normal_mix(stage.today)
    rng = random.Random(2)
    picks = [mix[rng.randrange(len(mix))] for _ in range(50_000)]
    old_cache = OldCache()
    await baseline_run(stage, warm, 20, old_cache)
    old = await baseline_run(stage, picks, users, old_cache, duration, think)
    await altslot_run(stage, [search_call(e, w) for e, w in warm], 20)
    new = await altslot_run(stage, [search_call(e, w) for e, w in picks], users, duration, think)
    text = f"{users} users (1 s pause) for {duration:g} s, mixed dates over 3 weeks, 70 % warm at the start"
    return compare("normal_load", text, old, new)


SCENARIOS = (best_case, typical_case, worst_case, cold_burst, normal_load)
