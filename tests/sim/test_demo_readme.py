"""The README's example holds on every day of a year: the demo data, the engine and the finder, in process."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from altslot.availability.days import day_bounds
from altslot.finder.calendar import closed_reason, search_days
from altslot.finder.models import SearchRequest, SearchResult, SlotIndex
from altslot.finder.phrasing import phrase
from altslot.finder.scan import find_alternatives
from altslot.shell.demo import demo_settings
from altslot.shell.tenants import build_tenant
from altslot.sim import demo_data
from altslot.sim.demo import README_TIME
from altslot.sim.state import SimState
from altslot.types import Policy

BERLIN = ZoneInfo("Europe/Berlin")
HAARSCHNITT = 1412903
SWEEP_START = date(2026, 1, 1)


def salon_policy() -> Policy:
    """The demo salon's policy exactly as ``altslot demo`` builds it."""
    settings = demo_settings("http://127.0.0.1:1")
    return build_tenant("salon", settings.tenants["salon"], settings, {}).policy


def readme_answer(today: date, now: datetime, policy: Policy) -> tuple[SearchRequest, SearchResult]:
    """The README's request (tomorrow 14:00, a Haarschnitt) against the demo data of ``today`` at ``now``."""
    state = SimState(demo_data(today), clock=lambda: now)
    desired = datetime.combine(today + timedelta(days=1), README_TIME, BERLIN)
    request = SearchRequest(desired_start=desired, duration=timedelta(minutes=30))
    first, last = search_days(request, policy, now)
    start, _ = day_bounds(first, BERLIN)
    _, end = day_bounds(last, BERLIN)
    listed = state.slots(HAARSCHNITT, start, end, "Europe/Berlin")
    # As altslot caches them: every day of the horizon is known, a day Cal.com omits is known to be empty.
    days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
    by_day = {day: listed.get(day, []) for day in days}
    index = SlotIndex.from_days(by_day, timedelta(minutes=30), as_of=now)
    return request, find_alternatives(request, index, policy, now)


@pytest.mark.parametrize("clock_time", [time(0, 5), time(9, 0), time(23, 30)], ids=["00:05", "09:00", "23:30"])
def test_readme_example_holds_on_every_day_of_a_year(clock_time: time) -> None:
    """Every day of 2026 (at three times of day, UTC), tomorrow 14:00 is taken or closed, with offers beside it."""
    policy = salon_policy()
    for offset in range(365):
        today = SWEEP_START + timedelta(days=offset)
        now = datetime.combine(today, clock_time, UTC)
        request, result = readme_answer(today, now, policy)
        tomorrow = request.desired_start.date()
        where = f"demo of {today} at {clock_time}"
        assert not result.available, where
        assert result.alternatives, where
        assert phrase(result, request, policy, now), where
        closed = closed_reason(tomorrow, policy)
        if closed is None:
            assert result.why_not == "busy", where
            same_day = [a for a in result.alternatives if a.start.date() == tomorrow]
            assert same_day, f"{where}: no offer on the same day"
            assert all(a.start.date() >= tomorrow for a in result.alternatives), where
        else:
            # A Sunday or a holiday: the salon is closed, the answer moves to the next opening.
            assert result.why_not == closed, where
            assert result.adjusted_start is not None, where
            assert result.alternatives[0].start.date() > tomorrow, where


def test_readme_example_has_free_days_after_tomorrow() -> None:
    """The demo salon has free times on the days after tomorrow too, not only beside the taken slot."""
    policy = salon_policy()
    for offset in range(0, 365, 7):
        today = SWEEP_START + timedelta(days=offset)
        now = datetime.combine(today, time(9), UTC)
        state = SimState(demo_data(today), clock=lambda now=now: now)
        start, _ = day_bounds(today + timedelta(days=2), BERLIN)
        _, end = day_bounds(today + timedelta(days=8), BERLIN)
        slots = state.slots(HAARSCHNITT, start, end, "Europe/Berlin")
        open_days = [d for d in slots if closed_reason(d, policy) is None and slots[d]]
        assert len(open_days) >= 3, f"demo of {today}: free days {sorted(slots)}"
