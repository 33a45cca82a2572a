"""In-process micro-benchmark of ``find_alternatives`` + ``phrase`` over a realistic 14-day index."""

from __future__ import annotations

import random
import statistics
import time as clock
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from altslot.finder.models import SearchRequest, SlotIndex
from altslot.finder.phrasing import phrase
from altslot.finder.scan import find_alternatives
from altslot.types import Policy

_ZONE = ZoneInfo("Europe/Berlin")
_FIRST_DAY = date(2025, 10, 6)  # a Monday
_NOW = datetime(2025, 10, 6, 8, 0, tzinfo=_ZONE)


def bench_policy() -> Policy:
    """Europe/Berlin, Monday to Friday 09:00–18:00, Bavarian public holidays."""
    hours = dict.fromkeys(range(5), (time(9), time(18)))
    return Policy(zone=_ZONE, hours=hours, holidays=holidays.country_holidays("DE", subdiv="BY"))


def bench_index(seed: int = 7, taken: float = 0.4) -> SlotIndex:
    """Fifteen days of 30-minute slots every 15 minutes with ``taken`` of them booked (deterministic)."""
    rng = random.Random(seed)
    by_day: dict[date, list[datetime]] = {}
    for offset in range(15):
        day = _FIRST_DAY + timedelta(days=offset)
        starts: list[datetime] = []
        if day.weekday() < 5:
            first = datetime.combine(day, time(9), tzinfo=_ZONE)
            starts = [first + timedelta(minutes=15 * i) for i in range(35) if rng.random() >= taken]
        by_day[day] = starts
    return SlotIndex.from_days(by_day, duration=timedelta(minutes=30), as_of=_NOW)


def _requests() -> list[SearchRequest]:
    wishes = [
        datetime(2025, 10, 6, 14, 0),
        datetime(2025, 10, 6, 11, 0),
        datetime(2025, 10, 7, 8, 0),
        datetime(2025, 10, 7, 19, 0),
        datetime(2025, 10, 8, 10, 30),
        datetime(2025, 10, 9, 16, 45),
        datetime(2025, 10, 11, 10, 0),  # Saturday
        datetime(2025, 10, 14, 9, 15),
    ]
    return [
        SearchRequest(desired_start=w.replace(tzinfo=_ZONE), duration=timedelta(minutes=30), max_alternatives=3)
        for w in wishes
    ]


def bench_finder(iterations: int = 2000) -> dict[str, float]:
    """Time ``find_alternatives`` + ``phrase``; returns p50/p99/mean in milliseconds."""
    policy = bench_policy()
    index = bench_index()
    requests = _requests()
    samples: list[float] = []
    for i in range(iterations):
        request = requests[i % len(requests)]
        began = clock.perf_counter_ns()
        phrase(find_alternatives(request, index, policy, _NOW), request, policy, _NOW)
        samples.append((clock.perf_counter_ns() - began) / 1e6)
    samples.sort()
    return {
        "iterations": float(iterations),
        "p50_ms": statistics.median(samples),
        "p99_ms": samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        "mean_ms": statistics.fmean(samples),
    }


if __name__ == "__main__":
    print(bench_finder())
