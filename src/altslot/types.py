"""The vocabulary the whole package is typed against."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NewType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TenantId = NewType("TenantId", str)
EventTypeId = NewType("EventTypeId", int)

Clock = Callable[[], datetime]
"""Returns the current instant as an aware UTC datetime; injected everywhere time matters."""

Monotonic = Callable[[], float]
"""A monotonic clock in seconds (``time.monotonic`` in production); injected so tests move time without sleeping."""


@lru_cache(maxsize=512)
def is_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone that zoneinfo can load."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of the database, like "Europe"
        return False
    return True


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """A half-open interval ``[start, end)`` of aware datetimes."""

    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        """True when the two half-open intervals share any instant."""
        return self.start < other.end and other.start < self.end

    @property
    def length(self) -> timedelta:
        """The interval's duration."""
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class DayKey:
    """One cache day: availability of one event type and duration on one tenant-local date."""

    tenant: TenantId
    event_type_id: EventTypeId
    duration_minutes: int
    day: date
