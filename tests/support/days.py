"""Days for tests whose services run as real processes on the system clock."""

from __future__ import annotations

from datetime import date, timedelta


def next_weekday(weekday: int) -> date:
    """The next ``weekday`` (Monday 0) strictly after the real today.

    Only for a service in a process of its own (``altslot serve``, the bench fleet), which reads the system
    clock, so a wish must lie ahead of the real today. What the tests assert depends only on the weekday:
    their simulator data repeat weekly and have no holidays.
    """
    today = date.today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
