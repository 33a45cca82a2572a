"""``altslot loadtest``: the seed's load scenarios (§7) against a running altslot, bounded in time.

* ``normal``: users over mixed dates (3 weeks, hourly wishes), 70 % of them requested once beforehand;
* ``cold``: one burst of ``users`` concurrent searches for the same wish (run it on an empty cache);
* ``sustained``: like ``normal`` without the warm-up share, sampling the service's RSS over time.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as wall
from typing import Any, Literal
from urllib.parse import urlsplit

from altslot.bench.driver import Call, Progress, run_load
from altslot.bench.processes import pid_listening_on, rss_kib

Scenario = Literal["normal", "cold", "sustained"]
DEFAULT_USERS: dict[str, int] = {"normal": 100, "cold": 100, "sustained": 25}
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class LoadPlan:
    """What to send, to whom, for how long."""

    url: str
    token: str
    scenario: Scenario
    event_type_id: int = 1412903
    users: int | None = None
    duration: float = 60.0
    think_seconds: float = 1.0
    pid: int | None = None
    today: date | None = None


def _wishes(plan: LoadPlan) -> list[dict[str, Any]]:
    today = plan.today or date.today()
    wishes = [
        {
            "event_type_id": plan.event_type_id,
            "desired_start": datetime.combine(today + timedelta(days=d), wall(hour)).isoformat(),
        }
        for d in range(1, 22)
        for hour in range(9, 18)
    ]
    random.Random(1).shuffle(wishes)
    return wishes


def _call(plan: LoadPlan, body: dict[str, Any]) -> Call:
    return Call("POST", "/api/appointments/alternatives", body, (("Authorization", f"Bearer {plan.token}"),))


def service_pid(plan: LoadPlan) -> int | None:
    """The service's process: ``plan.pid``, or whoever listens on the URL's loopback port."""
    if plan.pid is not None:
        return plan.pid
    parts = urlsplit(plan.url)
    if parts.hostname in LOOPBACK and parts.port:
        return pid_listening_on(parts.port)
    return None


async def _sample_rss(pid: int, every: float, out: list[tuple[float, int]], started: float) -> None:
    while True:
        value = rss_kib(pid)
        if value is not None:
            out.append((round(time.perf_counter() - started, 1), value))
        await asyncio.sleep(every)


def rss_growth(samples: list[tuple[float, int]], warm_up: float) -> dict[str, Any]:
    """RSS at the end of the warm-up, at the end, and the growth in between (percent)."""
    after = [kib for at, kib in samples if at >= warm_up]
    if len(after) < 2:
        return {"warm_up_seconds": warm_up, "growth_percent": None}
    growth = (after[-1] - after[0]) / after[0] * 100
    return {
        "warm_up_seconds": warm_up,
        "rss_after_warm_up_kib": after[0],
        "rss_end_kib": after[-1],
        "rss_max_kib": max(after),
        "growth_percent": round(growth, 2),
    }


async def run_loadtest(plan: LoadPlan, progress: Progress | None = None) -> dict[str, Any]:
    """Run one scenario and summarise it (p50/p95/p99, error rate, hit ratio, upstream calls, RSS)."""
    users = plan.users or DEFAULT_USERS[plan.scenario]
    wishes = _wishes(plan)
    result: dict[str, Any] = {"scenario": plan.scenario, "url": plan.url, "users": users}
    if plan.scenario == "cold":
        same = _call(plan, wishes[0])
        tally = await run_load([plan.url], lambda i: same, concurrency=users, total=users, progress=progress)
        return {**result, **tally.summary()}
    if plan.scenario == "normal":
        warm = wishes[: int(len(wishes) * 0.7)]
        await run_load([plan.url], lambda i: _call(plan, warm[i]), concurrency=20, total=len(warm))
    rng = random.Random(2)
    pick: Callable[[int], Call] = lambda i: _call(plan, wishes[rng.randrange(len(wishes))])  # noqa: E731
    samples: list[tuple[float, int]] = []
    pid = service_pid(plan) if plan.scenario == "sustained" else None
    sampler = None
    if pid is not None:
        every = max(1.0, plan.duration / 120)
        sampler = asyncio.create_task(_sample_rss(pid, every, samples, time.perf_counter()))
    try:
        tally = await run_load(
            [plan.url],
            pick,
            concurrency=users,
            duration=plan.duration,
            think_seconds=plan.think_seconds,
            progress=progress,
        )
    finally:
        if sampler is not None:
            sampler.cancel()
    result.update(tally.summary(), duration=plan.duration, think_ms=round(plan.think_seconds * 1000))
    if plan.scenario == "sustained":
        warm_up = min(60.0, plan.duration / 5)
        result["rss"] = {"pid": pid, **rss_growth(samples, warm_up), "samples": samples}
    return result
