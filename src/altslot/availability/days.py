"""What a horizon is made of: the days a search needs, where their slots come from, how they are grouped into
upstream calls, and the report of how they were assembled."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from altslot.cache.base import DayEntry
from altslot.calcom.errors import CalcomError
from altslot.calcom.wire import DaySlots
from altslot.finder.models import SlotIndex
from altslot.types import OWN_LENGTH, Account, DayKey, EventTypeId, Tenant, TenantId

SlotSource = Callable[[Account, int, datetime, datetime, str, int | None], Awaitable[DaySlots]]
"""Where free slots come from: ``Upstream.get_slots`` of the guarded gateway (``altslot.upstream.gateway``).

It takes the account, the event type, two UTC instants, a zone and a slot length (None: the event type's
own), and returns the free slots between the instants, grouped by local date in the zone.
"""


@dataclass(frozen=True, slots=True)
class DaysQuery:
    """Which days of which event type, at which slot length, a search needs; the fetch follows from it."""

    account: Account
    event_type_id: EventTypeId
    minutes: int
    """The slot length asked of Cal.com; ``OWN_LENGTH``: the event type's own."""
    zone: ZoneInfo
    first: date
    last: date

    @classmethod
    def of(cls, tenant: Tenant, event_type_id: int, first: date, last: date, minutes: int = OWN_LENGTH) -> DaysQuery:
        """The days ``first`` … ``last`` of one of the tenant's event types, in the tenant's zone."""
        return cls(tenant.account, EventTypeId(event_type_id), minutes, tenant.policy.zone, first, last)

    @property
    def tenant(self) -> TenantId:
        """The tenant the days belong to."""
        return self.account.tenant

    def day_keys(self) -> list[DayKey]:
        """One cache key per day, first to last inclusive."""
        count = (self.last - self.first).days + 1
        return [
            DayKey(self.tenant, self.event_type_id, self.minutes, self.first + timedelta(days=i)) for i in range(count)
        ]

    def on(self, day: date) -> DaysQuery:
        """The same query for one day."""
        return DaysQuery(self.account, self.event_type_id, self.minutes, self.zone, day, day)

    async def fetch(self, source: SlotSource, start: datetime, end: datetime) -> DaySlots:
        """Ask ``source`` for this query's slots between two UTC instants."""
        duration = None if self.minutes == OWN_LENGTH else self.minutes
        return await source(self.account, self.event_type_id, start, end, self.zone.key, duration)


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
    upstream_failing: bool = False
    """The tenant's latest fetch failed (so stale days are all there is until one succeeds again)."""
    errors: list[CalcomError] = field(default_factory=list)
    as_of: datetime | None = None
    entries: dict[DayKey, DayEntry] = field(default_factory=dict)

    @property
    def served_from_cache(self) -> int:
        """Days that needed no upstream call: fresh and stale hits together."""
        return self.cache_hits + self.stale_hits

    def index(self, length: timedelta | None, zone: ZoneInfo | None = None) -> SlotIndex:
        """The slot index of the days that are known, with ``length`` or the length Cal.com reported."""
        learned = next((e.length_minutes for e in self.entries.values() if e.length_minutes), 0)
        duration = length or timedelta(minutes=learned or 30)
        by_day = {key.day: entry.starts for key, entry in self.entries.items()}
        return SlotIndex.from_days(by_day, duration, as_of=self.as_of, zone=zone)


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
