"""Properties of the slot engine over random schedules, event types, bookings and zones (hypothesis).

The oracles here are independent of the engine's range code: working hours are checked minute by minute
against the wall clock in the schedule zone, busy times against the buffer formula written out again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from altslot.engine import AvailabilityRule, Busy, DateOverride, EventType, Schedule, SlotQuery, compute_slots

# DST changes in these zones happen between 01:00 and 03:00 local; rule times avoid that window (below) so
# "inside working hours" has one meaning on the wall clock.
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "Asia/Kathmandu"]
BASE = datetime(2025, 3, 20, tzinfo=UTC)

quarter_hours = st.integers(min_value=4 * 4, max_value=23 * 4).map(lambda q: q * 15)
minutes_of_day = st.one_of(st.just(0), quarter_hours, st.integers(min_value=240, max_value=1439))


def _as_time(minute: int) -> time:
    return time(minute // 60, minute % 60) if minute < 1440 else time(23, 59)


@st.composite
def windows(draw: st.DrawFn) -> tuple[time, time]:
    start = draw(minutes_of_day)
    end = draw(st.one_of(st.just(1440), st.integers(min_value=max(start + 1, 240), max_value=1440)))
    return _as_time(start), _as_time(end)


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    rules = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        start, end = draw(windows())
        days = draw(st.frozensets(st.integers(min_value=0, max_value=6), min_size=1))
        rules.append(AvailabilityRule(days=days, start=start, end=end))
    overrides = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        day = (BASE + timedelta(days=draw(st.integers(min_value=0, max_value=250)))).date()
        start, end = draw(st.one_of(st.just((time(0), time(0))), windows()))
        overrides.append(DateOverride(date=day, start=start, end=end))
    return Schedule(time_zone=draw(st.sampled_from(ZONES)), availability=tuple(rules), date_overrides=tuple(overrides))


event_types = st.builds(
    EventType,
    id=st.just(1),
    length=st.integers(min_value=5, max_value=180),
    slot_interval=st.one_of(st.none(), st.integers(min_value=5, max_value=120)),
    minimum_booking_notice=st.integers(min_value=0, max_value=1500),
    before_event_buffer=st.integers(min_value=0, max_value=60),
    after_event_buffer=st.integers(min_value=0, max_value=60),
)


@st.composite
def queries(draw: st.DrawFn) -> tuple[SlotQuery, datetime]:
    start = BASE + timedelta(minutes=draw(st.integers(min_value=0, max_value=250 * 1440)))
    end = start + timedelta(days=draw(st.integers(0, 7)), minutes=draw(st.integers(min_value=60, max_value=1440)))
    busy = []
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        busy_start = start + timedelta(minutes=draw(st.integers(min_value=-600, max_value=8 * 1440)))
        busy_end = busy_start + timedelta(minutes=draw(st.integers(min_value=1, max_value=300)))
        before, after = draw(st.integers(0, 45)), draw(st.integers(0, 45))
        busy.append(Busy(start=busy_start, end=busy_end, before_buffer=before, after_buffer=after))
    now = start + timedelta(seconds=draw(st.integers(min_value=-3 * 86400, max_value=3 * 86400)))
    duration = draw(st.one_of(st.none(), st.integers(min_value=5, max_value=120)))
    zone = draw(st.sampled_from(ZONES))
    return SlotQuery(start=start, end=end, time_zone=zone, duration=duration, busy=tuple(busy)), now


def _open_minutes(schedule: Schedule, day: date) -> list[tuple[int, int]]:
    """The wall-clock windows of ``day`` in minutes since midnight, 23:59 read as 24:00."""
    overrides = [o for o in schedule.date_overrides if o.date == day]
    if overrides:
        pairs = [(o.start, o.end) for o in overrides]
    else:
        weekday = (day.weekday() + 1) % 7
        pairs = [(r.start, r.end) for r in schedule.availability if weekday in r.days]
    return [(s.hour * 60 + s.minute, 1440 if e == time(23, 59) else e.hour * 60 + e.minute) for s, e in pairs]


def _is_working(schedule: Schedule, instant: datetime) -> bool:
    local = instant.astimezone(ZoneInfo(schedule.time_zone))
    minute = local.hour * 60 + local.minute
    return any(s <= minute < e for s, e in _open_minutes(schedule, local.date()))


def _length(event: EventType, query: SlotQuery) -> timedelta:
    return timedelta(minutes=query.duration or event.length)


@settings(max_examples=150, deadline=None)
@given(schedules(), event_types, queries())
def test_slots_are_ordered_grouped_and_in_window(
    schedule: Schedule, event: EventType, query_now: tuple[SlotQuery, datetime]
) -> None:
    """Slots ascend without duplicates, sit under their invitee-local date and inside the query window."""
    query, now = query_now
    result = compute_slots(schedule, event, query, now)
    zone = ZoneInfo(query.time_zone)
    assert list(result) == sorted(result)
    instants = [slot.timestamp() for slots in result.values() for slot in slots]
    assert instants == sorted(set(instants))
    for day, slots in result.items():
        assert slots
        for slot in slots:
            assert slot.tzinfo == zone
            assert slot.date() == day
            assert query.start <= slot
            assert slot + _length(event, query) - timedelta(seconds=1) <= query.end


@settings(max_examples=150, deadline=None)
@given(schedules(), event_types, queries())
def test_slots_respect_notice_busy_and_hours(
    schedule: Schedule, event: EventType, query_now: tuple[SlotQuery, datetime]
) -> None:
    """No slot before now + notice, none touching a buffered busy time, every minute in working hours."""
    query, now = query_now
    length = _length(event, query)
    blocked = [
        (
            b.start - timedelta(minutes=b.before_buffer + event.after_event_buffer),
            b.end + timedelta(minutes=b.after_buffer + event.before_event_buffer),
        )
        for b in query.busy
    ]
    for slots in compute_slots(schedule, event, query, now).values():
        for slot in slots:
            assert slot >= now + timedelta(minutes=event.minimum_booking_notice)
            end = slot + length
            assert all(end <= b_start or slot >= b_end for b_start, b_end in blocked)
            probe = slot.astimezone(UTC)
            while probe < end:
                assert _is_working(schedule, probe), probe
                probe += timedelta(minutes=5)
            assert _is_working(schedule, end.astimezone(UTC) - timedelta(minutes=1))
