"""Cal.com's slot generation (``getSlots``) over the free ranges of one host.

The pipeline mirrors Cal.com: working hours → date ranges in the schedule zone, minus busy times widened by
buffers, then slots walked through each free range with the first slot aligned in the *invitee* zone.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from altslot.engine.model import EventType, Schedule, SlotQuery
from altslot.engine.ranges import Span, busy_ranges, epoch_ceil, epoch_floor, subtract_ranges, working_ranges

# Cal.com aligns a range's first slot to the first of these that divides the frequency (else to the minute).
_ALIGNMENTS = (60, 30, 20, 15, 10, 5)


def alignment_interval(frequency: int) -> int:
    """The minute grid Cal.com aligns first slots to: 45 → 15, 40 → 20, 8 → 1."""
    for candidate in _ALIGNMENTS:
        if frequency % candidate == 0:
            return candidate
    return 1


def _ceil_minute(epoch: int) -> int:
    return -(-epoch // 60) * 60


def slot_starts(free: list[Span], frequency: int, length: int, earliest: int, zone: ZoneInfo) -> list[int]:
    """Slot starts (epoch seconds) in sorted, disjoint ``free`` spans, Cal.com's default alignment."""
    interval = alignment_interval(frequency)
    step = frequency * 60
    # Cal.com's one-second tolerance: a slot fits if it ends by ``range.end`` + 1 s (ranges ending 23:59:59).
    reach = length * 60 - 1
    starts: list[int] = []
    last: int | None = None
    for span_start, span_end in free:
        # Cal.com zeroes seconds by truncating; rounding up instead keeps every slot at or after
        # now + notice, the query start and the end of a busy time that carries seconds.
        start = _ceil_minute(max(span_start, earliest))
        if start + reach > span_end:
            continue
        minute = datetime.fromtimestamp(start, zone).minute
        if minute % interval:
            # Round up within the local hour: in Asia/Kolkata 09:00Z is 14:30, so hourly slots start 09:30Z.
            start += (-(-minute // interval) * interval - minute) * 60
        if last is not None and last + step > start:
            # Cal.com's boundary snap: a start inside the previous slot's period moves to that period's end,
            # so a busy gap does not shift the grid. Spans are disjoint, so the latest boundary is the only
            # candidate and it always lies before this span (Cal.com's "snap back to it" branch cannot occur).
            start = last + step
        while start + reach <= span_end:
            starts.append(start)
            last = start
            start += step
    return starts


def compute_slots(
    schedule: Schedule, event_type: EventType, query: SlotQuery, now: datetime
) -> dict[date, list[datetime]]:
    """Cal.com's available slots for `query`, grouped by invitee-zone date (days without slots omitted)."""
    window_start = epoch_ceil(query.start)
    window_end = epoch_floor(query.end)
    if window_end <= window_start:
        return {}
    length = max(1, query.duration or event_type.length)
    frequency = max(1, event_type.slot_interval or query.duration or event_type.length)
    earliest = epoch_ceil(now) + event_type.minimum_booking_notice * 60
    free = subtract_ranges(
        working_ranges(schedule, window_start, window_end),
        busy_ranges(query.busy, event_type.before_event_buffer, event_type.after_event_buffer),
    )
    zone = ZoneInfo(query.time_zone)
    grouped: dict[date, list[datetime]] = {}
    for start in slot_starts(free, frequency, length, earliest, zone):
        local = datetime.fromtimestamp(start, zone)
        grouped.setdefault(local.date(), []).append(local)
    return grouped
