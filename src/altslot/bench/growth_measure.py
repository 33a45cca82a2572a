"""A warm search's cost for one configuration: in process (``Searcher.search``) and over HTTP (``altslot serve``).

In process, everything but HTTP: the runtime ``altslot serve`` builds (``build_runtime``) in front of the
simulator, on a frozen clock so the memory cache stays fresh; one search fetches and warms, then every
search is timed alone with ``perf_counter_ns``, the configurations taking turns; cProfile's count of
function calls per search gives the work without the noise. Over HTTP, the same wish through ``altslot serve``: one
connection for latency (and the server's own ``search.duration_ms``), then the project's driver at 32
connections for requests per second (``altslot.bench.extras.throughput``).
"""

from __future__ import annotations

import cProfile
import math
import pstats
import statistics
import time
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from altslot.availability.days import DaysQuery
from altslot.bench.driver import Call, percentiles, run_load
from altslot.bench.extras import throughput
from altslot.bench.growth_world import WISH_HOUR, Case
from altslot.bench.world import at, search_body
from altslot.finder.calendar import is_workday
from altslot.search.answers import SearchAnswer, SearchInput
from altslot.shell.config import Settings
from altslot.shell.runtime import Runtime, build_runtime
from altslot.types import Tenant

SEARCH_PATH = "/api/appointments/alternatives"


def quantile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank quantile of sorted values."""
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def _answer(answer: SearchAnswer) -> dict[str, Any]:
    """What a warm answer looked like: the wish taken, offers made, nothing fetched."""
    return {
        "why_not": answer.result.why_not,
        "offers": [o.start.isoformat() for o in answer.offers],
        "strategies_tried": list(answer.result.strategies_tried),
        "cache_hits": answer.figures.cache_hits,
        "upstream_calls": answer.figures.upstream_calls,
    }


async def _slots_per_day(runtime: Runtime, tenant: Tenant, case: Case, wish: date) -> dict[str, Any]:
    """Slots the cache holds per open day of the horizon; a dense case must list exactly its count."""
    query = DaysQuery.of(tenant, case.event_type_id, wish, wish + timedelta(days=case.horizon_days))
    cached = await runtime.availability.cached(query.day_keys())
    open_days = {k.day: len(e.starts) for k, e in cached.items() if is_workday(k.day, tenant.policy)}
    if case.slots_per_day is not None:
        wrong = {d: n for d, n in open_days.items() if d != wish and n != case.slots_per_day}
        if wrong or len(open_days) < 2:
            raise RuntimeError(f"{case.name}: open days list {wrong or open_days} slots, not {case.slots_per_day}")
    counts = list(open_days.values())
    return {
        "days": len(cached),
        "open_days": len(counts),
        "slots_per_open_day": round(statistics.fmean(counts), 1),
        "slots_in_horizon": sum(counts),
        "wish_day_slots": open_days.get(wish),
    }


class _Probe:
    """One configuration's warm search in its runtime, and the durations timed so far."""

    def __init__(self, runtime: Runtime, case: Case, wish: date) -> None:
        tenant = runtime.tenants.get(case.tenant)
        assert tenant is not None
        self.runtime, self.tenant, self.case, self.wish = runtime, tenant, case, wish
        self.input = SearchInput(case.event_type_id, at(wish, WISH_HOUR).replace(tzinfo=None))
        self.samples = array("q")
        self.fresh = array("q")
        self._asked = 0

    def unseen(self) -> SearchInput:
        """The same wish as a new request (microseconds later), so nothing found before is reused."""
        self._asked += 1
        return replace(self.input, desired_start=self.input.desired_start + timedelta(microseconds=self._asked))

    async def warm(self) -> SearchAnswer:
        """Fetch the horizon, then check that a second search takes everything from the cache."""
        await self.runtime.searcher.search(self.tenant, self.input)
        answer = await self.runtime.searcher.search(self.tenant, self.input)
        if not isinstance(answer, SearchAnswer) or answer.result.available or answer.figures.upstream_calls:
            raise RuntimeError(f"{self.case.name}: the warm search did not search the cache ({answer!r:.300})")
        return answer

    async def time(self, searches: int) -> None:
        """Time ``searches`` searches of the same wish (its finding reused) and as many unseen ones, each alone."""
        for _ in range(searches):
            began = time.perf_counter_ns()
            await self.runtime.searcher.search(self.tenant, self.input)
            self.samples.append(time.perf_counter_ns() - began)
            unseen = self.unseen()
            began = time.perf_counter_ns()
            await self.runtime.searcher.search(self.tenant, unseen)
            self.fresh.append(time.perf_counter_ns() - began)

    async def calls(self, searches: int = 20) -> int:
        """Function calls per unseen search as cProfile counts them: the work, free of the machine's noise."""
        wishes = [self.unseen() for _ in range(searches)]
        profile = cProfile.Profile()
        profile.enable()
        for unseen in wishes:
            await self.runtime.searcher.search(self.tenant, unseen)
        profile.disable()
        total = int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]
        return round(total / searches)

    def timing(self) -> dict[str, Any]:
        """Percentiles of every duration timed, in ms: the same wish again, and unseen wishes (``fresh_``)."""
        ordered = sorted(ns / 1e6 for ns in self.samples)
        fresh = sorted(ns / 1e6 for ns in self.fresh)
        return {
            "searches": len(ordered),
            "p50_ms": round(quantile(ordered, 0.5), 4),
            "p99_ms": round(quantile(ordered, 0.99), 4),
            "mean_ms": round(statistics.fmean(ordered), 4),
            "fresh_p50_ms": round(quantile(fresh, 0.5), 4),
            "fresh_p99_ms": round(quantile(fresh, 0.99), 4),
        }


async def in_process(
    settings: Mapping[int, Settings], chosen: Sequence[Case], wish: date, now: datetime, searches: int, rounds: int = 10
) -> list[dict[str, Any]]:
    """p50/p99 of ``searches`` warm searches per case, one runtime per horizon (``settings`` by horizon days).

    The cases take turns, ``searches / rounds`` at a time, so a change in the machine's load (other work
    starting or stopping) falls on every configuration alike instead of on whichever ran then.
    """
    runtimes = {h: build_runtime(s, clock=lambda: now, env={}) for h, s in settings.items()}
    try:
        probes = [_Probe(runtimes[case.horizon_days], case, wish) for case in chosen]
        answers = [await probe.warm() for probe in probes]
        for _ in range(rounds):
            for probe in probes:
                await probe.time(max(1, searches // rounds))
        return [
            {
                "case": probe.case,
                "in_process": {**probe.timing(), "calls_per_search": await probe.calls()},
                "answer": _answer(answer),
                "calendar": await _slots_per_day(probe.runtime, probe.tenant, probe.case, wish),
            }
            for probe, answer in zip(probes, answers, strict=True)
        ]
    finally:
        for runtime in runtimes.values():
            await runtime.aclose()


async def over_http(url: str, case: Case, wish: date, sequential: int, seconds: float) -> dict[str, Any]:
    """Sequential latency (one connection) with the server's own duration, then warm requests/s."""
    headers = (("Authorization", f"Bearer {case.token}"),)
    call = Call("POST", SEARCH_PATH, search_body(case.event_type_id, at(wish, WISH_HOUR)), headers)
    await run_load([url], lambda i: call, concurrency=1, total=5)  # the first fetches the horizon
    tally = await run_load([url], lambda i: call, concurrency=1, total=sequential)
    summary = tally.summary()
    if summary["statuses"] != {"200": sequential} or summary["upstream_calls"]:
        raise RuntimeError(f"{case.name} over HTTP: {summary['statuses']}, {summary['upstream_calls']} upstream calls")
    server = percentiles([ms / 1000 for ms in tally.server_ms])
    one = {
        "requests": sequential,
        "p50_ms": summary["p50_ms"],
        "p99_ms": summary["p99_ms"],
        "server_p50_ms": server["p50_ms"],
        "server_p99_ms": server["p99_ms"],
    }
    return {"sequential": one, "throughput": await throughput([url], call, seconds)}
