"""What a horizon is made of: the days a search needs, how they are grouped into upstream calls, and the
report of how they were assembled."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from altslot.cache.base import DayEntry
from altslot.calcom.errors import CalcomError
from altslot.calcom.wire import DaySlots
from altslot.finder.models import SlotIndex
from altslot.types import DayKey, EventTypeId, TenantId

FetchSlots = Callable[[datetime, datetime], Awaitable[DaySlots]]
"""Fetches Cal.com slots between two UTC instants, grouped by tenant-local date."""


@dataclass(frozen=True, slots=True)
class DaysQuery:
    """Which days of which event type a search needs."""

    tenant: TenantId
    event_type_id: EventTypeId
    duration_minutes: int  # 0: the event type's own length
    zone: ZoneInfo
    first: date
    last: date

    def day_keys(self) -> list[DayKey]:
        """One cache key per day, first to last inclusive."""
        count = (self.last - self.first).days + 1
        return [
            DayKey(self.tenant, self.event_type_id, self.duration_minutes, self.first + timedelta(days=i))
            for i in range(count)
        ]


@dataclass
class FetchReport:
    """How a horizon was assembled: cache use, upstream calls, and what went wrong."""

    upstream_calls: int = 0
    cache_hits: int = 0
    stale_hits: int = 0
    cache_misses: int = 0
    timeout_hit: bool = False
    waited_for_peer: bool = False
    """The deadline passed while days were awaited from another instance's fetch (a lease holder)."""
    errors: list[CalcomError] = field(default_factory=list)
    as_of: datetime | None = None
    entries: dict[DayKey, DayEntry] = field(default_factory=dict)

    def index(self, length: timedelta | None) -> SlotIndex:
        """The slot index of the days that are known, with ``length`` or the length Cal.com reported."""
        learned = next((e.length_minutes for e in self.entries.values() if e.length_minutes), 0)
        duration = length or timedelta(minutes=learned or 30)
        by_day = {key.day: entry.starts for key, entry in self.entries.items()}
        return SlotIndex.from_days(by_day, duration, as_of=self.as_of)


@dataclass
class RunProgress:
    """One fetch task's progress, readable by the search that started it."""

    calls: int = 0


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where a local day starts and the next one starts (DST-safe)."""
    start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


def contiguous_runs(days: Sequence[date], max_days: int) -> list[list[date]]:
    """Group sorted days into runs of consecutive dates, none longer than ``max_days``."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == timedelta(days=1) and len(runs[-1]) < max_days:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs
