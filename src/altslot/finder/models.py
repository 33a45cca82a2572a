"""Values the finder takes and returns."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from altslot.types import Interval, Language

Strategy = Literal["same_day_earlier", "same_day_later", "next_workday", "next_week", "next_available"]
WhyNot = Literal[
    "busy", "outside_hours", "non_workday", "holiday", "min_notice", "in_past", "beyond_horizon", "unknown"
]
STRATEGIES: tuple[Strategy, ...] = (
    "same_day_earlier",
    "same_day_later",
    "next_workday",
    "next_week",
    "next_available",
)


@dataclass(frozen=True, slots=True)
class SlotIndex:
    """The slots Cal.com listed as free for one event type and duration, over the days it covers.

    ``days`` are tenant-local dates whose availability is known; a date missing from ``days`` is unknown,
    which is different from a known day without free slots. ``starts`` are ascending.

    Each start is also kept in UTC and, with ``zone``, as wall time there: an index is built once and serves
    many searches (see ``altslot.availability``), so the finder's per-slot loop converts nothing.
    """

    duration: timedelta
    starts: tuple[datetime, ...]
    days: frozenset[date]
    as_of: datetime | None = None
    zone: ZoneInfo | None = None
    utc: tuple[datetime, ...] = field(init=False, repr=False, compare=False)
    local: tuple[datetime, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        utc = tuple(s.astimezone(UTC) for s in self.starts)
        object.__setattr__(self, "utc", utc)
        object.__setattr__(self, "local", tuple(s.astimezone(self.zone) for s in utc) if self.zone else ())

    @classmethod
    def from_days(
        cls,
        by_day: Mapping[date, Sequence[datetime]],
        duration: timedelta,
        as_of: datetime | None = None,
        zone: ZoneInfo | None = None,
    ) -> SlotIndex:
        """Build an index from slot starts grouped by tenant-local day (empty lists mean known-empty days)."""
        starts = sorted({s for day in by_day.values() for s in day})
        return cls(duration=duration, starts=tuple(starts), days=frozenset(by_day), as_of=as_of, zone=zone)

    def local_in(self, zone: ZoneInfo) -> tuple[datetime, ...]:
        """The starts as wall times in ``zone`` when the index has worked them out for it, else nothing."""
        return self.local if zone == self.zone else ()

    def between(self, start: datetime, end: datetime) -> Sequence[datetime]:
        """Slot starts ``s`` with ``start <= s < end``, ascending."""
        lo = bisect.bisect_left(self.starts, start)
        hi = bisect.bisect_left(self.starts, end)
        return self.starts[lo:hi]


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A daily wall-clock window ``[start, end)``; ``name`` is morning/afternoon/evening when named."""

    start: time
    end: time
    name: str | None = None


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """The caller's wish: a desired start and what the offers must respect."""

    desired_start: datetime
    duration: timedelta
    max_alternatives: int = 2
    language: Language = "de"
    preferred_window: TimeWindow | None = None
    exclude: tuple[Interval, ...] = ()


@dataclass(frozen=True, slots=True)
class Alternative:
    """One offered slot, the strategy that found it and its rank score (higher is better)."""

    start: datetime
    end: datetime
    strategy: Strategy
    score: int


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What the finder concluded: is the wish free, why not, and what to offer instead."""

    available: bool
    requested: datetime
    adjusted_start: datetime | None
    why_not: WhyNot | None
    alternatives: tuple[Alternative, ...]
    strategies_tried: tuple[Strategy, ...]
    outside_preferred_window: bool = False
