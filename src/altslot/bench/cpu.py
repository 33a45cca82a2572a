"""Server CPU per request: the bare ping app, altslot's ``/healthz`` and a warm search, served side by side.

Throughput on a machine whose cores the load driver shares moves with whatever else runs; the CPU time the
server process spent per answered request (from ``/proc/PID/stat``) is the steadier measure. Each round drives
the bare FastAPI ping, a warm ``POST /api/appointments/alternatives`` and ``GET /healthz`` (altslot's stack
without a search) in turn, with the same driver and 32 connections; the medians over the rounds are reported.

``--tree DIR`` serves altslot from another checkout's ``src`` (the code before a change), everything else
(driver, simulator, ping) from this one.

Run: ``python -m altslot.bench.cpu [--seconds 8] [--rounds 3] [--tree DIR]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from altslot.bench.driver import Call
from altslot.bench.extras import WARM_CONCURRENCY, throughput
from altslot.bench.processes import Child, Fleet
from altslot.bench.scenarios import search_call
from altslot.bench.world import TYPICAL, ServiceConfig, at, first_day, sim_data


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _round(child: Child, url: str, call: Call, seconds: float) -> dict[str, float]:
    before = cpu_seconds(child.pid)
    result = await throughput([url], call, seconds)
    spent = cpu_seconds(child.pid) - before
    warmed = WARM_CONCURRENCY * 4  # ``throughput`` sends these before it starts counting
    return {
        "requests_per_second": result["requests_per_second"],
        "p50_ms": result["p50_ms"],
        "server_cpu_us": round(spent / (result["requests"] + warmed) * 1e6, 1),
    }


async def measure(seconds: float, rounds: int, tree: Path | None, today: date | None = None) -> dict[str, Any]:
    """Medians over ``rounds`` of each target's requests/s, p50 and server CPU per request.

    ``today`` anchors the simulator's calendar (default: the real today; the servers run on real clocks).
    """
    today, api_key = today or date.today(), "cal_bench_cpu"
    with tempfile.TemporaryDirectory(prefix="altslot-cpu-") as tmp, Fleet(Path(tmp)) as fleet:
        sim = fleet.simulator(sim_data(today, api_key), 0)
        fleet.ready()
        env = {**os.environ, "PYTHONPATH": str(tree / "src")} if tree else None
        service = fleet.service(ServiceConfig(tenant="benchcpu", api_key=api_key, calcom_url=sim.url), env=env)
        ping = fleet.ping()
        fleet.ready()
        search = search_call(TYPICAL, at(first_day(today), 14))
        targets = {
            "ping": (ping, Call("POST", "/ping", search.body, search.headers)),
            "warm_search": (service, search),
            "healthz": (service, Call("GET", "/healthz", None, search.headers)),
        }
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
        for _ in range(rounds):
            for name, (child, call) in targets.items():
                runs[name].append(await _round(child, child.url, call, seconds))
    medians = {name: {k: statistics.median(r[k] for r in found) for k in found[0]} for name, found in runs.items()}
    share = medians["warm_search"]["requests_per_second"] / medians["ping"]["requests_per_second"]
    return {"rounds": rounds, "seconds": seconds, "tree": str(tree or ""), **medians, "share_of_ping": round(share, 3)}


def main() -> None:
    """Command-line entry: print the medians as JSON-like lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tree", type=Path, default=None, help="serve altslot from this checkout's src")
    args = parser.parse_args()
    for key, value in asyncio.run(measure(args.seconds, args.rounds, args.tree)).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
