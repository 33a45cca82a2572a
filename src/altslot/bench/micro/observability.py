"""What observability costs: warm search throughput with metrics, log line and search log on vs off.

Both sides are served the same way (real uvicorn on a thread, the simulator behind it) and driven by one
``httpx.AsyncClient`` with a fixed number of concurrent requests. Rounds alternate off/on so drift of the
machine hits both. Run: ``python -m altslot.bench.micro.observability [seconds] [concurrency] [rounds]``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx

from altslot.api.app import create_app
from altslot.api.serving import RunningServer, start_in_thread
from altslot.observability.logs import SEARCH_LOGGER, formatter
from altslot.observability.settings import ObservabilitySettings
from altslot.shell.demo import DEMO_TOKEN, demo_settings
from altslot.shell.runtime import build_runtime
from altslot.sim import create_app as create_sim
from altslot.sim import demo_data


@dataclass(frozen=True)
class Comparison:
    """Searches per second with observability off and on, per round and as medians."""

    off: list[float]
    on: list[float]

    @property
    def difference(self) -> float:
        """How much slower ``on`` is than ``off``, as a fraction of ``off`` (negative: faster)."""
        off, on = _median(self.off), _median(self.on)
        return (off - on) / off if off else 0.0

    def summary(self) -> str:
        """One line for a report."""
        return (
            f"warm searches/s: off {_median(self.off):.0f} (rounds {_rounds(self.off)}), "
            f"on {_median(self.on):.0f} (rounds {_rounds(self.on)}), difference {self.difference * 100:+.1f} %"
        )


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _rounds(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


async def _drive(url: str, body: dict[str, object], seconds: float, concurrency: int) -> int:
    headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as client:
        ok = 0
        stop = time.monotonic() + seconds

        async def worker() -> None:
            nonlocal ok
            while time.monotonic() < stop:
                response = await client.post("/api/appointments/alternatives", json=body)
                ok += response.status_code == 200

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return ok


def throughput(sim: RunningServer, observed: bool, seconds: float, concurrency: int, db: Path) -> float:
    """Warm searches per second against a fresh altslot, with all observability ``observed`` or none."""
    settings = demo_settings(sim.url)
    section = (
        ObservabilitySettings(search_log_url=f"sqlite:///{db}")
        if observed
        else ObservabilitySettings(metrics=False, search_log_url="")
    )
    settings = settings.model_copy(update={"observability": section})
    logger = logging.getLogger(SEARCH_LOGGER)
    handler = logging.FileHandler(os.devnull)
    handler.setFormatter(formatter("json"))
    if observed:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    body = {"event_type_id": 1412903, "desired_start": f"{date.today() + timedelta(days=1)}T14:00"}
    try:
        with start_in_thread(create_app(build_runtime(settings))) as api:
            asyncio.run(_drive(api.url, body, min(1.0, seconds), concurrency))  # warm the cache
            done = asyncio.run(_drive(api.url, body, seconds, concurrency))
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
        handler.close()
    return done / seconds


def compare(seconds: float = 5.0, concurrency: int = 20, rounds: int = 2) -> Comparison:
    """Alternate off and on ``rounds`` times each; the simulator stays up throughout."""
    off: list[float] = []
    on: list[float] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        start_in_thread(create_sim(demo_data(date.today()), rate_limit=10**9)) as sim,
    ):
        for i in range(rounds):
            db = Path(tmp) / f"searches-{i}.db"
            off.append(throughput(sim, False, seconds, concurrency, db))
            on.append(throughput(sim, True, seconds, concurrency, db))
    return Comparison(off, on)


def observer_cost(searches: int = 20_000) -> float:
    """Microseconds the observers add to one warm search (its ``SearchDone``), in process.

    Immune to machine noise that swamps a few-percent difference in HTTP throughput.
    """
    from altslot.events import Events, SearchDone
    from altslot.observability.wiring import install_observers

    done = SearchDone("salon", "r", 1412903, 0, 15, 0, 0, 0.4, 2, "same_day_later", False, False, None, False, None)
    logger = logging.getLogger(SEARCH_LOGGER)
    handler = logging.FileHandler(os.devnull)
    handler.setFormatter(formatter("json"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bare, observed = Events(), Events()
            section = ObservabilitySettings(search_log_url=f"sqlite:///{tmp}/c.db", search_log_queue=10**7)
            found = install_observers(section, observed, ["salon"])
            timings = []
            for events in (bare, observed):
                started = time.perf_counter()
                for _ in range(searches):
                    events.emit(done)
                timings.append(time.perf_counter() - started)
            if found.search_log is not None:
                found.search_log.store.close()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
        handler.close()
    return (timings[1] - timings[0]) / searches * 1e6


def main(argv: list[str]) -> None:
    """Command-line entry: print the comparison."""
    seconds, concurrency, rounds = (float(argv[0]) if argv else 5.0), 20, 2
    if len(argv) > 1:
        concurrency = int(argv[1])
    if len(argv) > 2:
        rounds = int(argv[2])
    print(compare(seconds, concurrency, rounds).summary())
    print(f"observers add {observer_cost():.1f} µs per warm search (in process)")


if __name__ == "__main__":
    main(sys.argv[1:])
