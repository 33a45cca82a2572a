"""What a warm search would otherwise build again for the same horizon: its day keys and its slot index.

Warm searches ask for the same few horizons over and over. The keys of a horizon never change; its slot index
is reused while every one of its days still has the version it was built from (every write gives a day a new
version: a fetch, a booking or hold taken out, a refresh).
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, timedelta

from altslot.availability.days import DaysQuery, FetchReport
from altslot.finder.models import SlotIndex
from altslot.types import DayKey, EventTypeId, TenantId

_Horizon = tuple[TenantId, EventTypeId, int, date, date]


def _horizon(query: DaysQuery) -> _Horizon:
    return (query.tenant, query.event_type_id, query.minutes, query.first, query.last)


class Horizons:
    """The day keys and the slot indexes of the most recently used horizons (at most ``size`` of each)."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._keys: dict[_Horizon, list[DayKey]] = {}
        self._indexes: OrderedDict[tuple[_Horizon, timedelta | None], tuple[int, SlotIndex]] = OrderedDict()

    def keys(self, query: DaysQuery) -> list[DayKey]:
        """The query's day keys, made once per horizon."""
        horizon = _horizon(query)
        keys = self._keys.get(horizon)
        if keys is None:
            if len(self._keys) >= self._size:
                self._keys.clear()
            keys = self._keys[horizon] = query.day_keys()
        return keys

    def index(self, query: DaysQuery, report: FetchReport, length: timedelta | None) -> SlotIndex:
        """The slot index of the report's days, built once and reused while none of its days changed."""
        # One number for the days' versions: kept with the index, compared by the next search.
        versions = hash(frozenset(entry.version for entry in report.entries.values()))
        memo = (_horizon(query), length)
        found = self._indexes.get(memo)
        if found is not None and found[0] == versions:
            self._indexes.move_to_end(memo)
            return found[1]
        index = report.index(length, query.zone)
        self._indexes[memo] = (versions, index)
        if len(self._indexes) > self._size:
            self._indexes.popitem(last=False)
        return index
