"""What a warm search would otherwise do again for the same horizon: its day keys, its reading, its slot index.

Warm searches ask for the same few horizons over and over. The keys of a horizon never change. Read from a
cache that counts its writes (the in-process one), a horizon whose days were all fresh is read again only once
the cache has changed or the first of its days turns stale. Its slot index is reused while every one of its
days still has the version it was built from (every write gives a day a new version: a fetch, a booking or
hold taken out, a refresh).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from altslot.availability.days import DaysQuery, FetchReport
from altslot.finder.models import SlotIndex
from altslot.types import DayKey, EventTypeId, TenantId

_Horizon = tuple[TenantId, EventTypeId, int, date, date]
REREAD_EVERY = 256
"""Reuses of a reading before the cache is read again anyway, which keeps hot days recently used in its LRU."""


def _horizon(query: DaysQuery) -> _Horizon:
    return (query.tenant, query.event_type_id, query.minutes, query.first, query.last)


@dataclass(slots=True)
class _Reading:
    """A horizon read whole and fresh: valid while the cache keeps ``writes`` and the clock is before ``until``."""

    writes: int
    until: datetime
    report: FetchReport
    uses: int = 0


class Horizons:
    """The day keys, readings and slot indexes of the most recently used horizons (at most ``size`` of each)."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._keys: dict[_Horizon, list[DayKey]] = {}
        self._readings: dict[_Horizon, _Reading] = {}
        self._indexes: OrderedDict[tuple[_Horizon, timedelta | None], tuple[int, SlotIndex, object]] = OrderedDict()

    def keys(self, query: DaysQuery) -> list[DayKey]:
        """The query's day keys, made once per horizon."""
        horizon = _horizon(query)
        keys = self._keys.get(horizon)
        if keys is None:
            if len(self._keys) >= self._size:
                self._keys.clear()
            keys = self._keys[horizon] = query.day_keys()
        return keys

    def reading(self, query: DaysQuery, writes: int, now: datetime) -> FetchReport | None:
        """The horizon's last reading, if the cache has not changed since and none of its days turned stale."""
        found = self._readings.get(_horizon(query))
        if found is None or found.writes != writes or now >= found.until or found.uses >= REREAD_EVERY:
            return None
        found.uses += 1
        return found.report

    def read(self, query: DaysQuery, report: FetchReport, writes: int, until: datetime) -> None:
        """Keep a reading whose days were all fresh, taken when the cache stood at ``writes``."""
        if len(self._readings) >= self._size:
            self._readings.clear()
        self._readings[_horizon(query)] = _Reading(writes, until, report)

    def index(self, query: DaysQuery, report: FetchReport, length: timedelta | None) -> SlotIndex:
        """The slot index of the report's days, built once and reused while none of its days changed."""
        memo = (_horizon(query), length)
        found = self._indexes.get(memo)
        if found is not None and found[2] is report.entries:  # the same reading: not one day can differ
            self._indexes.move_to_end(memo)
            return found[1]
        # One number for the days' versions: kept with the index, compared by the next search.
        versions = hash(frozenset(entry.version for entry in report.entries.values()))
        if found is not None and found[0] == versions:
            self._indexes[memo] = (versions, found[1], report.entries)
            self._indexes.move_to_end(memo)
            return found[1]
        index = report.index(length, query.zone)
        self._indexes[memo] = (versions, index, report.entries)
        if len(self._indexes) > self._size:
            self._indexes.popitem(last=False)
        return index
