"""A micro-benchmark of the slot engine: 14 days of 15-minute slots around 50 bookings."""

from __future__ import annotations

import statistics
import time as clock
from datetime import UTC, datetime, time, timedelta

from altslot.engine.model import AvailabilityRule, Busy, EventType, Schedule, SlotQuery
from altslot.engine.slots import compute_slots


def _bench_case() -> tuple[Schedule, EventType, SlotQuery, datetime]:
    """Europe/Berlin Mon–Fri 09:00–18:00 from 2025-10-06, five 30-minute bookings per weekday."""
    schedule = Schedule(
        time_zone="Europe/Berlin",
        availability=(AvailabilityRule(days=frozenset({1, 2, 3, 4, 5}), start=time(9), end=time(18)),),
    )
    event_type = EventType(id=1, length=15, before_event_buffer=5, after_event_buffer=5)
    first = datetime(2025, 10, 6, tzinfo=UTC)
    busy: list[Busy] = []
    for day in range(14):
        if (first + timedelta(days=day)).weekday() >= 5:
            continue
        for hour in (8, 10, 11, 13, 15):
            start = first + timedelta(days=day, hours=hour, minutes=30)
            busy.append(Busy(start=start, end=start + timedelta(minutes=30)))
    query = SlotQuery(
        start=first,
        end=first + timedelta(days=14) - timedelta(seconds=1),
        time_zone="Europe/Berlin",
        busy=tuple(busy),
    )
    return schedule, event_type, query, datetime(2025, 10, 1, 8, tzinfo=UTC)


def bench_engine(iterations: int = 200) -> dict[str, float]:
    """Time ``compute_slots`` on the 14-day/15-minute/50-booking case; p50/p99/mean in milliseconds."""
    schedule, event_type, query, now = _bench_case()
    compute_slots(schedule, event_type, query, now)  # warm zoneinfo's caches outside the measurement
    samples: list[float] = []
    for _ in range(iterations):
        began = clock.perf_counter()
        compute_slots(schedule, event_type, query, now)
        samples.append((clock.perf_counter() - began) * 1000.0)
    samples.sort()
    return {
        "p50_ms": statistics.median(samples),
        "p99_ms": samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        "mean_ms": statistics.fmean(samples),
        "slots": float(sum(len(v) for v in compute_slots(schedule, event_type, query, now).values())),
    }


if __name__ == "__main__":
    print(bench_engine())
