"""Working hours, overrides and busy times as sorted UTC spans (Cal.com's ``buildDateRanges``, ``subtract``).

Spans are ``(start, end)`` pairs of integer epoch seconds: the engine only compares and steps instants, and
plain integers keep that cheap compared with aware datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from altslot.engine.model import Busy, Schedule

Span = tuple[int, int]
"""A half-open ``[start, end)`` instant range in epoch seconds."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_ONE_DAY = timedelta(days=1)
_LAST_MINUTE = time(23, 59)


def epoch_floor(moment: datetime) -> int:
    """Epoch seconds of an aware datetime, rounded down (exact: no float round trip)."""
    return (moment - _EPOCH) // _SECOND


def epoch_ceil(moment: datetime) -> int:
    """Epoch seconds of an aware datetime, rounded up."""
    return -((_EPOCH - moment) // _SECOND)


def _wall_span(day: date, start: time, end: time, zone: ZoneInfo) -> Span:
    """One day's wall-clock window in ``zone``; zoneinfo uses each instant's own offset, keeping wall time."""
    begin = datetime(day.year, day.month, day.day, start.hour, start.minute, tzinfo=zone)
    if end == _LAST_MINUTE:
        # Cal.com stores at most 23:59 and reads it as midnight, so Mon 23:59 meets Tue 00:00 and merges.
        nxt = day + _ONE_DAY
        finish = datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone)
    else:
        finish = datetime(day.year, day.month, day.day, end.hour, end.minute, tzinfo=zone)
    return epoch_floor(begin), epoch_floor(finish)


def working_ranges(schedule: Schedule, start: int, end: int) -> list[Span]:
    """Working hours and date overrides of ``schedule`` clipped to ``[start, end]``, merged and sorted."""
    zone = ZoneInfo(schedule.time_zone)
    by_weekday: dict[int, list[tuple[time, time]]] = {}
    for rule in schedule.availability:
        for day_number in rule.days:
            by_weekday.setdefault(day_number, []).append((rule.start, rule.end))
    by_date: dict[date, list[tuple[time, time]]] = {}
    for override in schedule.date_overrides:
        by_date.setdefault(override.date, []).append((override.start, override.end))

    first = datetime.fromtimestamp(start, zone).date()
    last = datetime.fromtimestamp(end, zone).date()
    spans: list[Span] = []
    day = first
    while day <= last:
        # An override replaces the whole date, including with nothing (00:00–00:00 is a day off).
        windows = by_date.get(day)
        if windows is None:
            windows = by_weekday.get((day.weekday() + 1) % 7, [])  # Cal.com counts from Sunday = 0
        for window_start, window_end in windows:
            span_start, span_end = _wall_span(day, window_start, window_end, zone)
            span_start = max(span_start, start)
            span_end = min(span_end, end)
            if span_end > span_start:
                spans.append((span_start, span_end))
        day += _ONE_DAY
    return merge_ranges(spans)


def busy_ranges(busy: Iterable[Busy], before_event_buffer: int, after_event_buffer: int) -> list[Span]:
    """Busy times widened by Cal.com's buffer rule, merged and sorted.

    Our event's *after* buffer pushes the busy start earlier (a new booking must finish its after buffer
    before the existing one starts) and its *before* buffer pushes the busy end later.
    """
    spans = [
        (
            epoch_floor(item.start) - (item.before_buffer + after_event_buffer) * 60,
            epoch_ceil(item.end) + (item.after_buffer + before_event_buffer) * 60,
        )
        for item in busy
    ]
    return merge_ranges(spans)


def merge_ranges(spans: Iterable[Span]) -> list[Span]:
    """Sorted union of ``spans``; overlapping and touching spans become one."""
    merged: list[Span] = []
    for span_start, span_end in sorted(spans):
        if span_end <= span_start:
            continue
        if merged and span_start <= merged[-1][1]:
            if span_end > merged[-1][1]:
                merged[-1] = (merged[-1][0], span_end)
        else:
            merged.append((span_start, span_end))
    return merged


def subtract_ranges(free: list[Span], taken: list[Span]) -> list[Span]:
    """``free`` minus ``taken``, both sorted and disjoint, in one sweep over the two lists."""
    result: list[Span] = []
    index = 0
    count = len(taken)
    for span_start, span_end in free:
        # Busy spans ending before this free span cannot touch any later free span either.
        while index < count and taken[index][1] <= span_start:
            index += 1
        cursor = span_start
        probe = index
        while probe < count and taken[probe][0] < span_end:
            busy_start, busy_end = taken[probe]
            if busy_start > cursor:
                result.append((cursor, busy_start))
            cursor = max(cursor, busy_end)
            probe += 1
        if span_end > cursor:
            result.append((cursor, span_end))
    return result
