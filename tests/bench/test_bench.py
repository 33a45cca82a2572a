"""``altslot bench --quick`` end to end, and the load driver stopping by itself (counts, never timings)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from altslot.bench.loadtest import LoadPlan, run_loadtest
from altslot.bench.processes import Fleet
from altslot.bench.world import TOKEN, TYPICAL, ServiceConfig, sim_data
from tests.support.days import next_weekday


def next_sunday() -> date:
    """The anchor of every bench test: its calendars start on a Monday, whatever day the suite runs."""
    return next_weekday(6)


@pytest.mark.slow
def test_quick_bench_writes_the_report_and_shows_the_worst_case(tmp_path: Path) -> None:
    """The quick run writes report.json + report.md; worst case: altslot ≤ 2 calls vs the baseline's 28."""
    out = tmp_path / "out"
    anchor = next_sunday().isoformat()
    command = [sys.executable, "-m", "altslot", "bench", "--quick", "--no-micro", "--out", str(out), "--today", anchor]
    state = tmp_path / "state"  # where the services' default search log would go
    env = {**os.environ, "XDG_STATE_HOME": str(state)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not list(state.rglob("*.db")), "the bench's services wrote their search logs outside its own directory"
    report = json.loads((out / "report.json").read_text())
    assert {"settings", "machine", "scenarios", "targets", "instances", "ceiling", "resilience"} <= set(report)
    scenarios = {s["name"]: s for s in report["scenarios"]}
    assert set(scenarios) == {"best", "typical", "worst", "cold_burst", "normal_load"}
    for scenario in scenarios.values():
        for side in ("baseline", "altslot"):
            assert {"calls_per_search", "p50_ms", "p95_ms", "p99_ms", "simulator_calls"} <= set(scenario[side])
        assert "ratio" in scenario
    worst = scenarios["worst"]
    assert worst["altslot"]["calls_per_search"] <= 2
    assert worst["baseline"]["calls_per_search"] == 28
    assert scenarios["cold_burst"]["altslot"]["simulator_calls"] <= 2
    assert scenarios["normal_load"]["altslot"]["errors"] == 0
    assert "| scenario |" in (out / "report.md").read_text()


def test_loadtest_driver_stops_by_itself_and_reports(tmp_path: Path) -> None:
    """A sustained run against a real service ends after its duration with a full summary and RSS samples."""
    with Fleet(tmp_path) as fleet:
        anchor = next_sunday()
        sim = fleet.simulator(sim_data(anchor, "cal_test_lt"), 0)
        sim.wait_ready()
        service = fleet.service(ServiceConfig(tenant="lt", api_key="cal_test_lt", calcom_url=sim.url))
        service.wait_ready()
        plan = LoadPlan(
            service.url, TOKEN, "sustained", TYPICAL, users=4, duration=2.0, think_seconds=0.01, today=anchor
        )
        seen: list[int] = []
        summary = asyncio.run(run_loadtest(plan, lambda done, elapsed: seen.append(done)))
    assert summary["requests"] > 0
    assert summary["errors"] == 0
    assert summary["hit_ratio"] is not None
    assert summary["rss"]["pid"] == service.pid
    assert summary["rss"]["samples"]
    assert seen


def test_agent_bench_measures_every_route() -> None:
    """The adapter bench answers through every route and reports p50/p95 for each (shape, not timings)."""
    from altslot.bench.agents import measure

    report = measure(samples=3)
    assert set(report["routes"]) == {"api", "retell", "vapi", "elevenlabs", "mcp"}
    for figures in report["routes"].values():
        assert {"p50_ms", "p95_ms", "p50_over_api_ms"} <= set(figures)


def test_cpu_bench_reports_each_target() -> None:
    """``python -m altslot.bench.cpu``: requests/s, p50 and server CPU per request for ping, search and healthz."""
    from altslot.bench.cpu import measure

    report = asyncio.run(measure(0.3, 1, None, today=next_sunday()))
    for target in ("ping", "warm_search", "healthz"):
        assert report[target]["requests_per_second"] > 0 and report[target]["server_cpu_us"] > 0
    assert report["share_of_ping"] > 0
