"""Working hours → UTC spans, merging and busy subtraction (Cal.com's buildDateRanges and subtract)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from altslot.engine import AvailabilityRule, Busy, DateOverride, Schedule
from altslot.engine.ranges import (
    busy_ranges,
    epoch_ceil,
    epoch_floor,
    merge_ranges,
    subtract_ranges,
    working_ranges,
)


def ts(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return epoch_floor(datetime(year, month, day, hour, minute, tzinfo=UTC))


def test_epoch_rounding() -> None:
    """Sub-second instants round down for floor and up for ceil; whole seconds are unchanged."""
    moment = datetime(2025, 1, 1, 0, 0, 0, 500, tzinfo=UTC)
    assert epoch_ceil(moment) - epoch_floor(moment) == 1
    whole = datetime(2025, 1, 1, tzinfo=UTC)
    assert epoch_ceil(whole) == epoch_floor(whole) == 1735689600


def test_new_york_november_change_keeps_wall_clock() -> None:
    """Case 6 at range level: Mon–Fri 09–17 New York is 13–21Z before and 14–22Z after 2025-11-02."""
    sched = Schedule(
        time_zone="America/New_York",
        availability=(AvailabilityRule(days=frozenset({1, 2, 3, 4, 5}), start=time(9), end=time(17)),),
    )
    spans = working_ranges(sched, ts(2025, 10, 30), ts(2025, 11, 5))
    assert spans == [
        (ts(2025, 10, 30, 13), ts(2025, 10, 30, 21)),
        (ts(2025, 10, 31, 13), ts(2025, 10, 31, 21)),
        (ts(2025, 11, 3, 14), ts(2025, 11, 3, 22)),
        (ts(2025, 11, 4, 14), ts(2025, 11, 4, 22)),
    ]


def test_full_days_merge_across_midnight() -> None:
    """Mon–Tue 00:00–23:59 become one 48-hour span."""
    sched = Schedule(time_zone="UTC", availability=(AvailabilityRule(frozenset({1, 2}), time(0), time(23, 59)),))
    assert working_ranges(sched, ts(2025, 6, 15), ts(2025, 6, 19)) == [(ts(2025, 6, 16), ts(2025, 6, 18))]


def test_spans_clip_to_window() -> None:
    """Working hours are clipped to the query window."""
    sched = Schedule(time_zone="UTC", availability=(AvailabilityRule(frozenset(range(7)), time(9), time(17)),))
    assert working_ranges(sched, ts(2025, 6, 16, 10), ts(2025, 6, 16, 12)) == [
        (ts(2025, 6, 16, 10), ts(2025, 6, 16, 12))
    ]


def test_inverted_rule_is_skipped() -> None:
    """A rule whose end is before its start yields nothing, as in Cal.com."""
    sched = Schedule(time_zone="UTC", availability=(AvailabilityRule(frozenset(range(7)), time(17), time(9)),))
    assert working_ranges(sched, ts(2025, 6, 16), ts(2025, 6, 17)) == []


def test_override_ending_2359_reaches_midnight() -> None:
    """An override 20:00–23:59 ends at the next midnight in the schedule zone."""
    sched = Schedule(
        time_zone="Europe/Berlin",
        availability=(),
        date_overrides=(DateOverride(date(2025, 6, 16), time(20), time(23, 59)),),
    )
    assert working_ranges(sched, ts(2025, 6, 15), ts(2025, 6, 18)) == [(ts(2025, 6, 16, 18), ts(2025, 6, 16, 22))]


def test_merge_overlapping_and_touching() -> None:
    """Overlapping and touching spans merge; empty spans vanish; the result is sorted."""
    assert merge_ranges([(50, 60), (10, 20), (20, 30), (25, 40), (45, 45)]) == [(10, 40), (50, 60)]


def test_subtract_sweep() -> None:
    """Busy spans cut holes, trim edges, swallow whole spans and may cover several free spans."""
    free = [(0, 100), (200, 300), (400, 500), (600, 700)]
    taken = [(-10, 10), (50, 60), (90, 210), (250, 260), (400, 500), (690, 800)]
    assert subtract_ranges(free, taken) == [(10, 50), (60, 90), (210, 250), (260, 300), (600, 690)]


def test_busy_buffers_widen() -> None:
    """Busy start moves back by existing before + our after buffer; end by existing after + our before."""
    start = datetime(2025, 6, 16, 12, tzinfo=UTC)
    end = datetime(2025, 6, 16, 13, tzinfo=UTC)
    spans = busy_ranges(
        [Busy(start, end, before_buffer=5, after_buffer=7)], before_event_buffer=11, after_event_buffer=3
    )
    assert spans == [(epoch_floor(start) - 8 * 60, epoch_floor(end) + 18 * 60)]
