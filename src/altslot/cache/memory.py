"""In-process day cache: a bounded LRU with per-entry expiry."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from altslot.cache.base import DayEntry
from altslot.types import Clock, DayKey


class MemoryDayCache:
    """Keeps at most ``max_entries`` days; the least recently used day goes first.

    ``writes`` counts every change (``base.CountsWrites``): a reader can tell that nothing changed since it read.
    """

    def __init__(self, clock: Clock, max_entries: int = 100_000) -> None:
        self._clock = clock
        self._max = max_entries
        self._data: OrderedDict[DayKey, tuple[DayEntry, datetime]] = OrderedDict()
        self.writes = 0

    def __len__(self) -> int:
        return len(self._data)

    async def get_many(self, keys: Sequence[DayKey]) -> dict[DayKey, DayEntry]:
        """The live entries for ``keys``."""
        now = self._clock()
        found: dict[DayKey, DayEntry] = {}
        for key in keys:
            item = self._data.get(key)
            if item is None:
                continue
            entry, expires = item
            if expires <= now:
                del self._data[key]
                self.writes += 1
                continue
            self._data.move_to_end(key)
            found[key] = entry
        return found

    async def set_many(self, entries: Mapping[DayKey, DayEntry], ttl_seconds: float) -> None:
        """Store entries, evicting the least recently used beyond the bound."""
        expires = self._clock() + timedelta(seconds=ttl_seconds)
        self.writes += 1
        for key, entry in entries.items():
            self._data[key] = (entry, expires)
            self._data.move_to_end(key)
        while len(self._data) > self._max:
            self._data.popitem(last=False)

    async def delete(self, keys: Sequence[DayKey]) -> None:
        """Forget these days."""
        self.writes += 1
        for key in keys:
            self._data.pop(key, None)
