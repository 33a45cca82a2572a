"""Day caches: one entry per (tenant, event type, duration, day)."""

from __future__ import annotations

from altslot.cache.base import DayCache, DayEntry
from altslot.cache.memory import MemoryDayCache

__all__ = ["DayCache", "DayEntry", "MemoryDayCache"]
