"""Shared builders for the pure-core tests: a Berlin salon policy and grid-shaped slot indexes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from altslot.finder.models import SlotIndex
from altslot.types import Policy

BERLIN = ZoneInfo("Europe/Berlin")
HALF_HOUR = timedelta(minutes=30)
NOW = datetime(2025, 9, 30, 8, 0, tzinfo=BERLIN)  # a Tuesday morning
FIRST_DAY = date(2025, 9, 30)


def at(text: str) -> datetime:
    """A Berlin wall time from ``YYYY-MM-DD HH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def salon_policy(**changes: object) -> Policy:
    """Monday to Friday 09:00–18:00 in Berlin with Bavarian public holidays."""
    base: dict[str, object] = {
        "zone": BERLIN,
        "hours": dict.fromkeys(range(5), (time(9), time(18))),
        "holidays": holidays.country_holidays("DE", subdiv="BY", years=range(2024, 2028)),
    }
    base.update(changes)
    return Policy(**base)  # type: ignore[arg-type]


def grid(
    first: date = FIRST_DAY,
    days: int = 15,
    *,
    taken: Iterable[datetime] = (),
    full: Iterable[date] = (),
    step: int = 30,
    weekdays: frozenset[int] = frozenset(range(5)),
) -> SlotIndex:
    """Every ``step`` minutes 09:00–17:30 on ``weekdays`` (holidays too: Cal.com does not know them)."""
    gone = set(taken)
    closed = set(full)
    by_day: dict[date, list[datetime]] = {}
    for offset in range(days):
        day = first + timedelta(days=offset)
        slots: list[datetime] = []
        if day.weekday() in weekdays and day not in closed:
            start = datetime.combine(day, time(9), tzinfo=BERLIN)
            slots = [start + timedelta(minutes=m) for m in range(0, 511, step)]
        by_day[day] = [s for s in slots if s not in gone]
    return SlotIndex.from_days(by_day, HALF_HOUR)


def span(start: str, end: str, step: int = 30) -> list[datetime]:
    """Slot starts from ``start`` up to and including ``end`` (Berlin wall times)."""
    first, last = at(start), at(end)
    out = []
    while first <= last:
        out.append(first)
        first += timedelta(minutes=step)
    return out


@pytest.fixture
def policy() -> Policy:
    """The salon policy."""
    return salon_policy()
