"""In-process warm search of the demo salon: everything ``POST /api/appointments/alternatives`` does but HTTP.

The runtime ``altslot demo`` builds (memory cache, metrics and the JSON log line on, the search log off) in front
of the simulator with the demo's data, the README's wish (tomorrow 14:00, always taken), the 14-day horizon. One
search fills the cache; then ``Searcher.search`` is timed alone, for the same wish again (its finding reused while
the horizon is unchanged) and for unseen wishes (microseconds after the same time: the same question as a request
never seen before, so the finder runs every time). The clock is frozen, so the cache stays fresh.

Run: ``python -m altslot.bench.micro.search [searches]``.
"""

from __future__ import annotations

import asyncio
import io
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from altslot.api.serving import start_in_thread
from altslot.observability.logs import configure_logging
from altslot.observability.settings import ObservabilitySettings
from altslot.search.answers import SearchAnswer, SearchInput
from altslot.shell.config import CacheSettings
from altslot.shell.demo import DEMO_TOKEN, demo_settings
from altslot.shell.runtime import build_runtime
from altslot.sim import create_app, demo_data

HAARSCHNITT = 1412903
_TODAY = date(2026, 12, 8)  # a Tuesday: tomorrow is a workday
_NOW = datetime(2026, 12, 8, 7, 0, tzinfo=UTC)
_WISH = SearchInput(HAARSCHNITT, datetime(2026, 12, 9, 14, 0))


def _unseen(number: int) -> SearchInput:
    # A wish ``number`` microseconds after 14:00: a request never seen before, asking the finder the same question.
    return replace(_WISH, desired_start=_WISH.desired_start + timedelta(microseconds=number + 1))


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 4),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 4),
        "mean_ms": round(statistics.fmean(ordered), 4),
    }


async def _bench(searches: int) -> dict[str, object]:
    with start_in_thread(create_app(demo_data(_TODAY))) as sim:
        settings = demo_settings(sim.url).model_copy(
            update={
                "cache": CacheSettings(fresh_ttl_seconds=3600),
                "observability": ObservabilitySettings(search_log_url=""),
            }
        )
        handler = configure_logging("json", stream=io.StringIO())  # the line is rendered and written, as served
        runtime = build_runtime(settings, clock=lambda: _NOW, env={})
        try:
            tenant = runtime.tenants.by_token(DEMO_TOKEN)
            assert tenant is not None
            await runtime.searcher.search(tenant, _WISH)
            answer = await runtime.searcher.search(tenant, _WISH)
            assert isinstance(answer, SearchAnswer) and answer.figures.upstream_calls == 0, answer
            same: list[float] = []
            unseen: list[float] = []
            for number in range(searches):
                began = time.perf_counter_ns()
                await runtime.searcher.search(tenant, _WISH)
                same.append((time.perf_counter_ns() - began) / 1e6)
                wish = _unseen(number)
                began = time.perf_counter_ns()
                await runtime.searcher.search(tenant, wish)
                unseen.append((time.perf_counter_ns() - began) / 1e6)
                if number % 500 == 0:
                    handler.flush()
                    await asyncio.sleep(0)  # the deferred log lines are written, as between requests
        finally:
            await runtime.aclose()
    return {
        "searches": searches,
        "offers": [o.start.isoformat() for o in answer.offers],
        "same_wish": _summary(same),
        "unseen_wish": _summary(unseen),
    }


def bench_search(searches: int = 3000) -> dict[str, object]:
    """p50/p99/mean in ms of a warm in-process search, the same wish again and unseen wishes."""
    return asyncio.run(_bench(searches))


if __name__ == "__main__":
    print(bench_search(int(sys.argv[1]) if len(sys.argv) > 1 else 3000))
