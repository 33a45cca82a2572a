"""``altslot bench``: every process, scenario and figure of one benchmark run, cleaned up afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from altslot.bench import extras, report
from altslot.bench.processes import Fleet
from altslot.bench.scenarios import SCENARIOS, Stage
from altslot.bench.world import ServiceConfig, sim_data

Say = Callable[[str], None]


def machine() -> dict[str, Any]:
    """Cores, memory, Python and OS of this machine."""
    memory = None
    with contextlib.suppress(ValueError, OSError):
        memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return {
        "cores": os.cpu_count(),
        "memory_gib": memory,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
    }


async def _measure(stage: Stage, fleet: Fleet, urls: dict[str, Any], cool_down: float) -> dict[str, Any]:
    say = stage.say
    out: dict[str, Any] = {"scenarios": []}
    latencies: dict[str, dict[str, list[float]]] = {}
    for scenario in SCENARIOS:
        say(f"scenario {scenario.__name__} …")
        result = await scenario(stage)
        latencies[result["name"]] = {s: result[s].pop("_latencies") for s in ("baseline", "altslot")}
        out["scenarios"].append(result)
        old, new = result["baseline"], result["altslot"]
        say(
            f"  calls/search {old['calls_per_search']} vs {new['calls_per_search']}, "
            f"p99 {old['p99_ms']} ms vs {new['p99_ms']} ms"
        )
    say("one cold search …")
    out["single_cold"] = await extras.single_cold(stage)
    say("warm latency, Redis vs memory …")
    out["redis_vs_memory"] = await extras.redis_vs_memory(stage, urls["redis"][0])
    say("warm-path ceiling (bare ping) …")
    out["ceiling"] = await extras.ceiling(stage, urls["ping"])
    say("instances on one Redis …")
    out["instances"] = await extras.instances(stage, urls["redis"])
    say("serve --workers 1 vs 2 on Redis …")
    out["workers"] = await extras.workers(stage, urls["redis"][0], urls["two_workers"])
    say("limiter against 120/min …")
    out["limiter"] = await extras.limiter(stage, urls["limiter"], urls["limiter_sim"])
    say(f"resilience (breaker cool-down {cool_down:g} s) …")
    out["resilience"] = await extras.resilience(stage, urls["resilience"], cool_down)
    out["_latencies"] = latencies
    return out


def run_bench(
    *, quick: bool, latency_ms: int, out: Path, say: Say, command: str, micro: bool = True, today: date | None = None
) -> dict[str, Any]:
    """Run everything, write report.json / report.md / plots into ``out`` and return the report.

    ``today`` anchors the generated calendars (default: the real today); the services run on real clocks, so
    it must not lie in the past.
    """
    started = datetime.now(UTC)
    today = today or date.today()
    run = uuid.uuid4().hex[:8]
    api_key = f"cal_bench_{run}"
    cool_down = 2.0 if quick else 30.0
    with tempfile.TemporaryDirectory(prefix="altslot-bench-") as tmp, Fleet(Path(tmp)) as fleet:
        data = sim_data(today, api_key)
        sim = fleet.simulator(data, latency_ms)
        limiter_sim = fleet.simulator(data, latency_ms, rate_limit=120)
        fleet.ready()
        base = ServiceConfig(tenant=f"bench{run}", api_key=api_key, calcom_url=sim.url)
        main = fleet.service(base)
        redis = [fleet.service(_with(base, backend="redis")) for _ in range(4)]
        two_workers = fleet.service(_with(base, backend="redis"), workers=2)
        resilient = fleet.service(_with(base, cool_down_seconds=cool_down))
        limited = fleet.service(
            _with(
                base,
                calcom_url=limiter_sim.url,
                rate_limit_per_minute=120,
                horizon_days=1,
                deadline_seconds=1.0,
            )
        )
        ping = fleet.ping()
        say(f"starting {len(fleet.children)} processes …")
        fleet.ready()
        urls = {
            "redis": [c.url for c in redis],
            "two_workers": two_workers.url,
            "ping": ping.url,
            "resilience": resilient.url,
            "limiter": limited.url,
            "limiter_sim": limiter_sim.url,
        }
        stage = Stage(sim.url, main.url, api_key, latency_ms, quick, today, say)
        measured = asyncio.run(_measure(stage, fleet, urls, cool_down))
    latencies = measured.pop("_latencies")
    result: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "settings": {"quick": quick, "latency_ms": latency_ms, "command": command},
        "machine": machine(),
        **measured,
    }
    if micro:
        say("micro-benchmarks (engine, finder, simulator) …")
        result["micro"] = extras.micro(quick, latency_ms)
    result["seconds"] = round((datetime.now(UTC) - started).total_seconds(), 1)
    report.write(result, out, latencies)
    return result


def _with(config: ServiceConfig, **changes: Any) -> ServiceConfig:
    from dataclasses import replace

    return replace(config, **changes)
