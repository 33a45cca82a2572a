"""The slot engine against Cal.com's reference cases (API.md §5.1) and its DST, zone and buffer semantics."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from altslot.engine import AvailabilityRule, Busy, DateOverride, EventType, Schedule, SlotQuery, compute_slots
from altslot.engine.slots import alignment_interval

ALL_DAYS = frozenset(range(7))
WEEKDAYS = frozenset({1, 2, 3, 4, 5})
REF_NOW = datetime(2021, 6, 20, 11, 59, 59, tzinfo=UTC)
NEXT_DAY = datetime(2021, 6, 21, tzinfo=UTC)
FULL_DAY_END = datetime(2021, 6, 21, 23, 59, 59, 999000, tzinfo=UTC)
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def hm(text: str) -> time:
    return time.fromisoformat(text)


def schedule(zone: str, *rules: tuple[frozenset[int], str, str], overrides: tuple[DateOverride, ...] = ()) -> Schedule:
    return Schedule(
        time_zone=zone,
        availability=tuple(AvailabilityRule(days=d, start=hm(s), end=hm(e)) for d, s, e in rules),
        date_overrides=overrides,
    )


def flat(result: dict[date, list[datetime]]) -> list[datetime]:
    return [slot for day in result.values() for slot in day]


def clock(result: dict[date, list[datetime]]) -> list[str]:
    """Slots as local ``HH:MM`` strings, the way a reader of the reference cases thinks of them."""
    return [slot.strftime("%H:%M") for slot in flat(result)]


def run(
    sched: Schedule,
    event: EventType,
    start: datetime,
    end: datetime,
    *,
    zone: str = "UTC",
    busy: tuple[Busy, ...] = (),
    now: datetime = LONG_AGO,
    duration: int | None = None,
) -> dict[date, list[datetime]]:
    query = SlotQuery(start=start, end=end, time_zone=zone, duration=duration, busy=busy)
    return compute_slots(sched, event, query, now)


# --- API.md §5.1 reference cases -------------------------------------------------------------------------

FULL_UTC = schedule("UTC", (ALL_DAYS, "00:00", "23:59"))


def test_ref1_full_day_hourly() -> None:
    """Case 1: a full UTC day at frequency 60 / length 60 gives 24 slots 00:00…23:00Z."""
    result = run(FULL_UTC, EventType(id=1, length=60), NEXT_DAY, FULL_DAY_END, now=REF_NOW)
    assert list(result) == [date(2021, 6, 21)]
    assert clock(result) == [f"{h:02d}:00" for h in range(24)]


def test_ref2_full_day_frequency_60_length_30() -> None:
    """Case 2: frequency 60 with a 30-minute event still gives 24 hourly slots."""
    result = run(FULL_UTC, EventType(id=1, length=30, slot_interval=60), NEXT_DAY, FULL_DAY_END, now=REF_NOW)
    assert len(flat(result)) == 24


def test_ref3_full_day_every_20_minutes() -> None:
    """Case 3: frequency 20 / length 20 over a full day gives 72 slots."""
    result = run(FULL_UTC, EventType(id=1, length=20), NEXT_DAY, FULL_DAY_END, now=REF_NOW)
    assert len(flat(result)) == 72


def test_ref4_two_ranges() -> None:
    """Case 4: ranges 11:00–12:00 and 14:00–15:00Z at frequency/length 20 give 6 slots."""
    sched = schedule("UTC", (frozenset({1}), "11:00", "12:00"), (frozenset({1}), "14:00", "15:00"))
    result = run(sched, EventType(id=1, length=20), NEXT_DAY, FULL_DAY_END, now=REF_NOW)
    assert clock(result) == ["11:00", "11:20", "11:40", "14:00", "14:20", "14:40"]


def test_ref5_first_slot_after_notice() -> None:
    """Case 5: now 12:00Z + 45 min notice, frequency 15, length 30 → first slot 12:45Z."""
    sched = schedule("UTC", (ALL_DAYS, "12:00", "15:00"))
    event = EventType(id=1, length=30, slot_interval=15, minimum_booking_notice=45)
    now = utc(2099, 6, 15, 12)
    result = run(sched, event, utc(2099, 6, 15), utc(2099, 6, 15, 23, 59), now=now)
    assert clock(result)[0] == "12:45"


@pytest.mark.parametrize("notice", [0, 30, 120, 600, 1440])
def test_ref5_no_slot_before_notice(notice: int) -> None:
    """Case 5: whatever the notice, no slot starts before now + notice and the first one is right at it."""
    now = REF_NOW
    event = EventType(id=1, length=60, minimum_booking_notice=notice)
    slots = flat(run(FULL_UTC, event, utc(2021, 6, 20), utc(2021, 6, 23, 23, 59), now=now))
    earliest = now + timedelta(minutes=notice)
    assert slots
    assert all(slot >= earliest for slot in slots)
    assert slots[0] - earliest < timedelta(hours=1)


def test_ref6_new_york_weekdays_after_november_change() -> None:
    """Case 6: Mon–Fri 09–17 New York keeps wall time: 13:00–21:00Z before, 14:00–22:00Z after the change."""
    sched = schedule("America/New_York", (WEEKDAYS, "09:00", "17:00"))
    result = run(sched, EventType(id=1, length=60), utc(2025, 10, 27), utc(2025, 11, 8), zone="UTC")
    for day, slots in result.items():
        first, last = slots[0].strftime("%H:%M"), slots[-1].strftime("%H:%M")
        expected = ("13:00", "20:00") if day < date(2025, 11, 2) else ("14:00", "21:00")
        assert (first, last) == expected, day
        assert len(slots) == 8
    assert len(result) == 10


ROME = schedule("Europe/Rome", (WEEKDAYS, "09:00", "17:00"))
ROME_NOW = utc(2050, 1, 1)
HOUR = EventType(id=1, length=60)


def test_ref7_rome_week() -> None:
    """Case 7: Rome Mon–Fri 09–17, 2050-09-05…09 → 5 date keys × 8 slots 07:00…14:00Z."""
    result = run(ROME, HOUR, utc(2050, 9, 5), datetime(2050, 9, 9, 23, 59, 59, tzinfo=UTC), now=ROME_NOW)
    assert list(result) == [date(2050, 9, d) for d in range(5, 10)]
    for slots in result.values():
        assert [s.strftime("%H:%M") for s in slots] == [f"{h:02d}:00" for h in range(7, 15)]


def test_ref7_start_drops_earlier_slots() -> None:
    """Case 7: start=09:00Z drops the 07:00 and 08:00 slots of the first day."""
    result = run(ROME, HOUR, utc(2050, 9, 5, 9), datetime(2050, 9, 9, 23, 59, 59, tzinfo=UTC), now=ROME_NOW)
    assert clock({date(2050, 9, 5): result[date(2050, 9, 5)]})[0] == "09:00"
    assert len(result[date(2050, 9, 5)]) == 6


def test_ref7_end_needs_slot_to_finish() -> None:
    """Case 7: end=12:00Z leaves 07:00…11:00Z on the last day: a slot must end by `end`."""
    result = run(ROME, HOUR, utc(2050, 9, 5), utc(2050, 9, 9, 12), now=ROME_NOW)
    assert [s.strftime("%H:%M") for s in result[date(2050, 9, 9)]] == [
        "07:00",
        "08:00",
        "09:00",
        "10:00",
        "11:00",
    ]


def test_ref7_booking_removes_exactly_its_slot() -> None:
    """Case 7: a booking 11:00–12:00Z removes exactly that slot."""
    busy = (Busy(start=utc(2050, 9, 5, 11), end=utc(2050, 9, 5, 12)),)
    result = run(ROME, HOUR, utc(2050, 9, 5), utc(2050, 9, 5, 23, 59), busy=busy, now=ROME_NOW)
    assert clock(result) == ["07:00", "08:00", "09:00", "10:00", "12:00", "13:00", "14:00"]


# --- DST, zones and alignment ----------------------------------------------------------------------------

BERLIN = "Europe/Berlin"


@pytest.mark.parametrize(("day", "utc_first"), [(date(2025, 3, 30), "07:00"), (date(2025, 10, 26), "08:00")])
def test_berlin_dst_days_keep_wall_hours(day: date, utc_first: str) -> None:
    """On both 2025 Berlin DST days 09:00–18:00 stays 09:00–18:00 local: 36 quarter-hour slots."""
    sched = schedule(BERLIN, (ALL_DAYS, "09:00", "18:00"))
    start = datetime.combine(day, time(), tzinfo=ZoneInfo(BERLIN))
    result = run(sched, EventType(id=1, length=15), start, start + timedelta(hours=23), zone=BERLIN)
    slots = result[day]
    assert len(slots) == 36
    assert (slots[0].strftime("%H:%M"), slots[-1].strftime("%H:%M")) == ("09:00", "17:45")
    assert slots[0].astimezone(UTC).strftime("%H:%M") == utc_first


@pytest.mark.parametrize(("day", "count"), [(date(2025, 3, 30), 23), (date(2025, 10, 26), 25)])
def test_berlin_dst_days_have_23_and_25_hours(day: date, count: int) -> None:
    """A 00:00–23:59 Berlin day has 23 hourly slots in spring and 25 in autumn."""
    sched = schedule(BERLIN, (ALL_DAYS, "00:00", "23:59"))
    start = datetime.combine(day, time(), tzinfo=ZoneInfo(BERLIN)) - timedelta(days=1)
    result = run(sched, HOUR, start, start + timedelta(days=3), zone=BERLIN)
    assert len(result[day]) == count
    # Same-zone datetimes compare by wall time, so the repeated 02:00 must be told apart by instant.
    instants = [slot.timestamp() for slot in result[day]]
    assert instants == sorted(set(instants))


def test_kolkata_invitee_aligns_to_local_hour() -> None:
    """A UTC 09:00–12:00 range seen from Asia/Kolkata (+05:30) starts hourly slots at 15:00 IST = 09:30Z."""
    sched = schedule("UTC", (ALL_DAYS, "09:00", "12:00"))
    result = run(sched, HOUR, utc(2025, 6, 16), utc(2025, 6, 16, 23, 59), zone="Asia/Kolkata")
    assert clock(result) == ["15:00", "16:00"]
    assert [s.astimezone(UTC).strftime("%H:%M") for s in flat(result)] == ["09:30", "10:30"]


def test_kolkata_schedule_utc_invitee() -> None:
    """A Kolkata 09:00–12:00 schedule seen from UTC aligns to UTC hours: 04:00Z and 05:00Z only."""
    sched = schedule("Asia/Kolkata", (ALL_DAYS, "09:00", "12:00"))
    result = run(sched, HOUR, utc(2025, 6, 16), utc(2025, 6, 16, 23, 59), zone="UTC")
    assert clock(result) == ["04:00", "05:00"]
    same_zone = run(sched, HOUR, utc(2025, 6, 16), utc(2025, 6, 16, 23, 59), zone="Asia/Kolkata")
    assert clock(same_zone) == ["09:00", "10:00", "11:00"]


def test_invitee_zone_changes_date_grouping() -> None:
    """New York 18:00–22:00 falls on two UTC dates but on one New York date."""
    sched = schedule("America/New_York", (frozenset({1}), "18:00", "22:00"))
    window = (utc(2025, 6, 16), utc(2025, 6, 17, 23, 59))
    in_utc = run(sched, HOUR, *window, zone="UTC")
    assert {d: [s.hour for s in v] for d, v in in_utc.items()} == {
        date(2025, 6, 16): [22, 23],
        date(2025, 6, 17): [0, 1],
    }
    in_ny = run(sched, HOUR, *window, zone="America/New_York")
    assert {d: [s.hour for s in v] for d, v in in_ny.items()} == {date(2025, 6, 16): [18, 19, 20, 21]}
    assert all(s.tzinfo == ZoneInfo("America/New_York") for s in flat(in_ny))


# --- ranges: overlap, adjacency, overrides ---------------------------------------------------------------

MONDAY = (utc(2025, 6, 16), utc(2025, 6, 16, 23, 59))


def test_overlapping_rules_merge() -> None:
    """Rules 09–12 and 11–14 on one day act as one 09–14 range."""
    sched = schedule("UTC", (frozenset({1}), "09:00", "12:00"), (frozenset({1}), "11:00", "14:00"))
    assert clock(run(sched, HOUR, *MONDAY)) == ["09:00", "10:00", "11:00", "12:00", "13:00"]


def test_adjacent_rules_merge() -> None:
    """Rules 09:00–10:30 and 10:30–12:00 merge, so the 10:00 slot spanning the seam exists."""
    sched = schedule("UTC", (frozenset({1}), "09:00", "10:30"), (frozenset({1}), "10:30", "12:00"))
    assert clock(run(sched, HOUR, *MONDAY)) == ["09:00", "10:00", "11:00"]


def test_2359_meets_next_midnight() -> None:
    """23:00–23:59 Monday and 00:00–00:30 Tuesday form one 90-minute range."""
    sched = schedule("UTC", (frozenset({1}), "23:00", "23:59"), (frozenset({2}), "00:00", "00:30"))
    result = run(sched, EventType(id=1, length=30), utc(2025, 6, 16), utc(2025, 6, 17, 23, 59))
    assert clock(result) == ["23:00", "23:30", "00:00"]
    long_event = run(sched, EventType(id=1, length=90), utc(2025, 6, 16), utc(2025, 6, 17, 23, 59))
    assert clock(long_event) == ["23:00"]


def test_day_off_override() -> None:
    """A 00:00–00:00 override removes that date and leaves its neighbours alone."""
    off = DateOverride(date=date(2025, 6, 17), start=hm("00:00"), end=hm("00:00"))
    sched = schedule("UTC", (WEEKDAYS, "09:00", "11:00"), overrides=(off,))
    result = run(sched, HOUR, utc(2025, 6, 16), utc(2025, 6, 18, 23, 59))
    assert list(result) == [date(2025, 6, 16), date(2025, 6, 18)]


def test_override_replaces_working_hours() -> None:
    """An override 13:00–15:00 replaces the weekday's 09–17, and may open a weekend day."""
    overrides = (
        DateOverride(date=date(2025, 6, 16), start=hm("13:00"), end=hm("15:00")),
        DateOverride(date=date(2025, 6, 15), start=hm("10:00"), end=hm("23:59")),
    )
    sched = schedule("UTC", (WEEKDAYS, "09:00", "17:00"), overrides=overrides)
    result = run(sched, HOUR, utc(2025, 6, 15), utc(2025, 6, 16, 23, 59))
    assert [s.hour for s in result[date(2025, 6, 16)]] == [13, 14]
    assert [s.hour for s in result[date(2025, 6, 15)]] == list(range(10, 24))


# --- frequencies and the alignment grid ------------------------------------------------------------------


@pytest.mark.parametrize(("frequency", "interval"), [(60, 60), (45, 15), (40, 20), (8, 1), (90, 30), (25, 5)])
def test_alignment_interval(frequency: int, interval: int) -> None:
    """The alignment grid is the first of 60, 30, 20, 15, 10, 5 dividing the frequency, else 1 minute."""
    assert alignment_interval(frequency) == interval


ODD_START = DateOverride(date=date(2025, 6, 16), start=hm("09:05"), end=hm("12:00"))


def test_frequency_8_aligns_to_whole_minutes() -> None:
    """Frequency 8 (grid 1) starts right at 09:03 and steps 8 minutes while a slot still fits."""
    sched = schedule("UTC", overrides=(DateOverride(date=date(2025, 6, 16), start=hm("09:03"), end=hm("10:00")),))
    result = run(sched, EventType(id=1, length=8), *MONDAY)
    assert clock(result) == ["09:03", "09:11", "09:19", "09:27", "09:35", "09:43", "09:51"]


def test_frequency_8_rounds_now_seconds_up() -> None:
    """With grid 1, a `now` carrying seconds starts the first slot at the next whole minute."""
    sched = schedule("UTC", (frozenset({1}), "09:00", "10:00"))
    now = datetime(2025, 6, 16, 9, 2, 30, tzinfo=UTC)
    assert clock(run(sched, EventType(id=1, length=8), *MONDAY, now=now))[0] == "09:03"


def test_frequency_40_grid_20() -> None:
    """Frequency 40 from 09:05 rounds up to 09:20 (grid 20), then steps 40 minutes."""
    result = run(schedule("UTC", overrides=(ODD_START,)), EventType(id=1, length=40), *MONDAY)
    assert clock(result) == ["09:20", "10:00", "10:40", "11:20"]


def test_frequency_45_grid_15() -> None:
    """Frequency 45 from 09:05 rounds up to 09:15 (grid 15), then steps 45 minutes."""
    result = run(schedule("UTC", overrides=(ODD_START,)), EventType(id=1, length=45), *MONDAY)
    assert clock(result) == ["09:15", "10:00", "10:45"]


def test_duration_overrides_length_and_frequency() -> None:
    """A query `duration` sets both the slot length and the step when there is no slot interval."""
    sched = schedule("UTC", (frozenset({1}), "09:00", "11:00"))
    assert clock(run(sched, EventType(id=1, length=60), *MONDAY, duration=30)) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
    ]


def test_snap_keeps_grid_after_a_gap() -> None:
    """Frequency 90: a booking gap does not shift the 90-minute grid (Cal.com's boundary snap)."""
    sched = schedule("UTC", (frozenset({1}), "09:00", "17:00"))
    event = EventType(id=1, length=30, slot_interval=90)
    busy = (Busy(start=utc(2025, 6, 16, 9, 40), end=utc(2025, 6, 16, 10)),)
    assert clock(run(sched, event, *MONDAY, busy=busy)) == [
        "09:00",
        "10:30",
        "12:00",
        "13:30",
        "15:00",
        "16:30",
    ]


# --- busy times and buffers ------------------------------------------------------------------------------

NOON_BOOKING = (utc(2025, 6, 16, 12), utc(2025, 6, 16, 13))
NINE_TO_FIVE = schedule("UTC", (frozenset({1}), "09:00", "17:00"))
HALF_HOUR_SLOTS = [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30)]


def test_booking_without_buffers() -> None:
    """A 12–13 booking removes exactly the 12:00 and 12:30 half-hour slots."""
    busy = (Busy(start=NOON_BOOKING[0], end=NOON_BOOKING[1]),)
    result = clock(run(NINE_TO_FIVE, EventType(id=1, length=30), *MONDAY, busy=busy))
    assert result == [s for s in HALF_HOUR_SLOTS if s not in ("12:00", "12:30")]


def test_existing_event_buffers() -> None:
    """The booked event's own buffers (10 before, 20 after) widen it to 11:50–13:20."""
    busy = (Busy(start=NOON_BOOKING[0], end=NOON_BOOKING[1], before_buffer=10, after_buffer=20),)
    result = clock(run(NINE_TO_FIVE, EventType(id=1, length=30), *MONDAY, busy=busy))
    assert "11:00" in result
    assert not {"11:30", "12:00", "12:30", "13:00"} & set(result)
    assert result[result.index("11:00") + 1] == "13:30"


def test_requested_event_buffers() -> None:
    """Our after buffer (25) must fit before the booking and our before buffer (15) after it."""
    busy = (Busy(start=NOON_BOOKING[0], end=NOON_BOOKING[1]),)
    event = EventType(id=1, length=30, before_event_buffer=15, after_event_buffer=25)
    result = clock(run(NINE_TO_FIVE, event, *MONDAY, busy=busy))
    # Busy becomes 11:35–13:15: 11:00 still ends (11:30) before it, the next free start rounds to 13:30.
    assert result[result.index("11:00") + 1] == "13:30"


def test_both_buffers_add_up() -> None:
    """Existing and requested buffers add: 5+10 before and 5+15 after widen 12–13 to 11:45–13:20."""
    busy = (Busy(start=NOON_BOOKING[0], end=NOON_BOOKING[1], before_buffer=5, after_buffer=5),)
    event = EventType(id=1, length=15, before_event_buffer=15, after_event_buffer=10)
    result = clock(run(NINE_TO_FIVE, event, *MONDAY, busy=busy))
    assert "11:30" in result
    assert "11:45" not in result
    assert result[result.index("11:30") + 1] == "13:30"


def test_overlapping_bookings_merge() -> None:
    """Overlapping and touching bookings block their union and nothing more."""
    busy = (
        Busy(start=utc(2025, 6, 16, 10), end=utc(2025, 6, 16, 11)),
        Busy(start=utc(2025, 6, 16, 10, 30), end=utc(2025, 6, 16, 11, 30)),
        Busy(start=utc(2025, 6, 16, 11, 30), end=utc(2025, 6, 16, 12)),
    )
    result = clock(run(NINE_TO_FIVE, EventType(id=1, length=30), *MONDAY, busy=busy))
    assert result[:3] == ["09:00", "09:30", "12:00"]


def test_notice_crossing_midnight() -> None:
    """18 h notice at 17:00 Berlin pushes the first slot to 11:00 Berlin the next morning."""
    sched = schedule(BERLIN, (WEEKDAYS, "09:00", "18:00"))
    now = utc(2025, 10, 7, 15)  # 17:00 in Berlin
    event = EventType(id=1, length=60, minimum_booking_notice=18 * 60)
    result = run(sched, event, utc(2025, 10, 7), utc(2025, 10, 9, 23, 59), zone=BERLIN, now=now)
    assert list(result) == [date(2025, 10, 8), date(2025, 10, 9)]
    assert result[date(2025, 10, 8)][0].strftime("%H:%M") == "11:00"
    assert len(result[date(2025, 10, 9)]) == 9


def test_empty_window() -> None:
    """An end not after the start yields no slots at all."""
    assert run(FULL_UTC, HOUR, utc(2025, 6, 16, 12), utc(2025, 6, 16, 12)) == {}
