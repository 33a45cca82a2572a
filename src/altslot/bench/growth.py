"""How a warm search's cost grows with the work: horizon days, slots per day, tenants in the memory cache.

Run: ``python -m altslot.bench.growth [--quick] [--json FILE] [--markdown FILE]``; it prints Markdown tables
and writes the raw figures as JSON. In one run:

1. a warm search against ``[search] horizon_days`` = 7, 14, 30, 60 at the demo salon's density;
2. a warm search against 10, 50 and 200 free slots per open day (14-day horizon);
   both in process (``Searcher.search``, p50/p99) and over HTTP (``altslot serve``: one connection's p50,
   the server's own ``search.duration_ms`` p50, requests/s at 32 connections), with the cost ratios
   60 ÷ 14 days and 200 ÷ 10 slots;
3. cached memory for 1, 100 and 1 000 tenants (``--quick``: 1, 10, 100) of three event types, each size in
   a fresh interpreter (``altslot.bench.growth_memory``);
4. under each table a "complexity seen" line worked out from its figures (``altslot.bench.growth_report``).

The world (simulator data, tenants, configs) is ``altslot.bench.growth_world``; the timing is
``altslot.bench.growth_measure``. Every server runs in a process of its own (``altslot.bench.processes``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from altslot.bench.growth_measure import in_process, over_http
from altslot.bench.growth_memory import in_subprocess
from altslot.bench.growth_report import complexity, markdown, memory_complexity
from altslot.bench.growth_world import HORIZONS, Axis, ServiceFile, cases, settings_tree, sim_data, wish_day
from altslot.bench.processes import Fleet
from altslot.bench.run import machine
from altslot.shell.config import Settings

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Sizes:
    """How much of each measurement a run takes."""

    searches: int
    """Timed in-process searches per configuration."""
    sequential: int
    """Requests over one HTTP connection per configuration."""
    seconds: float
    """Seconds of the 32-connection throughput run per configuration."""
    tenants: tuple[int, ...]


FULL = Sizes(searches=3000, sequential=1000, seconds=5.0, tenants=(1, 100, 1000))
QUICK = Sizes(searches=300, sequential=30, seconds=0.5, tenants=(1, 10, 100))


def _measure(sizes: Sizes, today: date, now: datetime, say: Say) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every configuration in process, the memory sizes, then every configuration over HTTP.

    One simulator serves them all, one ``altslot serve`` per horizon. The servers start only after the
    in-process timing and while the memory is measured (which times nothing), so their start-up disturbs
    no figure and costs no extra wall time.
    """
    wish = wish_day(today)
    chosen = cases()
    with tempfile.TemporaryDirectory(prefix="altslot-growth-") as tmp, Fleet(Path(tmp)) as fleet:
        sim = fleet.simulator(sim_data(today, now), latency_ms=0)
        sim.wait_ready()
        say(f"in process: {len(chosen)} configurations, {sizes.searches} searches each, taking turns …")
        settings = {h: Settings(**settings_tree(sim.url, h)) for h in HORIZONS}
        rows = asyncio.run(in_process(settings, chosen, wish, now, sizes.searches))
        services = {h: fleet.service(ServiceFile(settings_tree(sim.url, h))) for h in HORIZONS}
        say(f"starting {len(services)} altslot processes in the background …")
        memory = _memory(sizes, wish, now, say)
        fleet.ready()
        for row in rows:
            case = row["case"]
            say(f"over HTTP: {case.name} …")
            url = services[case.horizon_days].url
            row["http"] = asyncio.run(over_http(url, case, wish, sizes.sequential, sizes.seconds))
        for child in fleet.children:
            child.process.terminate()  # all at once: the fleet then only waits for each to exit
    return rows, memory


def _part(rows: list[dict[str, Any]], axis: Axis, unit: str, work: str) -> dict[str, Any]:
    """One table: its rows, the top ÷ bottom cost ratio against the work ratio, the complexity line."""
    chosen = [
        {"name": r["case"].name, **asdict(r["case"]), **{k: v for k, v in r.items() if k != "case"}}
        for r in rows
        if r["case"].axis == axis
    ]
    low, high = chosen[0], chosen[-1]
    if axis == "horizon_days":  # 60 ÷ 14, the default horizon, as the issue asks
        low = next(r for r in chosen if r["value"] == 14)
    # Unseen wishes: the finder runs every time, so their cost is the one that can grow with the work.
    ratio = {
        "of": f"{high['value']} ÷ {low['value']} {unit}",
        "p50": round(high["in_process"]["fresh_p50_ms"] / low["in_process"]["fresh_p50_ms"], 2),
        "p99": round(high["in_process"]["fresh_p99_ms"] / low["in_process"]["fresh_p99_ms"], 2),
        "reused_p50": round(high["in_process"]["p50_ms"] / low["in_process"]["p50_ms"], 2),
        "work": round(high["calendar"][work] / low["calendar"][work], 2),
    }
    points = [(float(r["value"]), float(r["in_process"]["fresh_p50_ms"])) for r in chosen]
    calls = [(float(r["value"]), float(r["in_process"]["calls_per_search"])) for r in chosen]
    per = "extra horizon day" if axis == "horizon_days" else "extra slot per open day"
    return {"rows": chosen, "ratio": ratio, "complexity": complexity(points, calls, per)}


def _memory(sizes: Sizes, wish: date, now: datetime, say: Say) -> dict[str, Any]:
    rows = []
    for count in sizes.tenants:
        say(f"memory, {count} tenant(s) in a fresh interpreter …")
        rows.append(in_subprocess(count, wish, now))
    method = (
        "Days filled straight from the simulator's slot engine (`SimState.slots` → `compute_slots`, no HTTP) as "
        "`DayEntry` values the way a fetch stores them, into `MemoryDayCache`; one index per event type built with "
        "`Availability.collect` + `Availability.index`. RSS from VmRSS; bytes from tracemalloc's traced size "
        "around a second, traced fill. Each size in a fresh interpreter; 3 event types × 15 days per tenant."
    )
    return {"method": method, "rows": rows, "complexity": memory_complexity(rows)}


def run(*, quick: bool, say: Say, command: str) -> dict[str, Any]:
    """Measure everything and return the report (raw figures, ratios, complexity lines)."""
    started = datetime.now(UTC)
    sizes = QUICK if quick else FULL
    today, now = date.today(), started.replace(microsecond=0)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    rows, memory = _measure(sizes, today, now, say)
    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "settings": {"quick": quick, "command": command, **asdict(sizes)},
        "machine": {**machine(), "load_average_at_start": load},
        "wish": wish_day(today).isoformat(),
        "horizon": _part(rows, "horizon_days", "days", "days"),
        "slots_per_day": _part(rows, "slots_per_day", "slots per day", "slots_per_open_day"),
        "memory": memory,
    }
    report["seconds"] = round((datetime.now(UTC) - started).total_seconds(), 1)
    return report


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry: run, write the JSON (and Markdown), print the Markdown."""
    parser = argparse.ArgumentParser(prog="python -m altslot.bench.growth", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts: checks the harness in well under a minute")
    parser.add_argument("--json", type=Path, default=Path("growth.json"), help="raw figures (default: growth.json)")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = parser.parse_args(argv)
    command = "python -m altslot.bench.growth" + (" --quick" if args.quick else "")
    began = time.monotonic()

    def say(line: str) -> None:
        print(f"[{time.monotonic() - began:5.1f} s] {line}", file=sys.stderr, flush=True)

    report = run(quick=args.quick, say=say, command=command)
    text = markdown(report)
    args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    if args.markdown is not None:
        args.markdown.write_text(text, encoding="utf-8")
    print(text, end="")


if __name__ == "__main__":
    main()
