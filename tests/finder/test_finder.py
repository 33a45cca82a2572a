"""The finder: availability, why_not codes, each strategy and the old system's scenarios."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from altslot.finder import calendar
from altslot.finder.models import SearchRequest, SearchResult, SlotIndex, TimeWindow
from altslot.finder.scan import find_alternatives
from altslot.types import Interval, Policy
from tests.finder.conftest import BERLIN, HALF_HOUR, NOW, at, grid, salon_policy, span


def search(desired: str, index: SlotIndex, policy: Policy, now: datetime = NOW, **extra: object) -> SearchResult:
    request = SearchRequest(desired_start=at(desired), duration=HALF_HOUR, **extra)  # type: ignore[arg-type]
    return find_alternatives(request, index, policy, now)


def starts(result: SearchResult) -> list[datetime]:
    return [a.start for a in result.alternatives]


def test_free_desired_slot_is_available(policy: Policy) -> None:
    """A listed, unexcluded slot inside hours is available, with nothing else offered."""
    result = search("2025-09-30 15:00", grid(), policy)
    assert result.available
    assert result.why_not is None
    assert result.alternatives == ()
    assert result.strategies_tried == ()
    assert result.requested == at("2025-09-30 15:00")


def test_taken_afternoon_slot_prefers_the_later_neighbour(policy: Policy) -> None:
    """14:00 taken: 14:30 (same day later) first, then the same time on the next workday."""
    result = search("2025-09-30 14:00", grid(taken=[at("2025-09-30 14:00")]), policy)
    assert result.why_not == "busy"
    assert not result.available
    assert starts(result) == [at("2025-09-30 14:30"), at("2025-10-01 14:00")]
    assert [a.strategy for a in result.alternatives] == ["same_day_later", "next_workday"]
    assert result.strategies_tried[:3] == ("same_day_earlier", "same_day_later", "next_workday")


def test_taken_morning_slot_prefers_the_earlier_neighbour(policy: Policy) -> None:
    """11:00 taken: 10:30 (same day earlier) comes first."""
    result = search("2025-09-30 11:00", grid(taken=[at("2025-09-30 11:00")]), policy)
    assert result.alternatives[0].start == at("2025-09-30 10:30")
    assert result.alternatives[0].strategy == "same_day_earlier"


def test_proximity_beats_direction(policy: Policy) -> None:
    """14:00 and 14:30 taken: 13:30 (30 min earlier) beats 15:00 (60 min later) for an afternoon request."""
    result = search("2025-09-30 14:00", grid(taken=span("2025-09-30 14:00", "2025-09-30 14:30")), policy)
    assert result.alternatives[0].start == at("2025-09-30 13:30")


def test_design_example_today_then_tomorrow(policy: Policy) -> None:
    """12:00–15:00 taken: 15:30 today and 14:00 tomorrow, never two offers on the caller's day first."""
    result = search("2025-09-30 14:00", grid(taken=span("2025-09-30 12:00", "2025-09-30 15:00")), policy)
    assert starts(result) == [at("2025-09-30 15:30"), at("2025-10-01 14:00")]
    assert result.alternatives[0].score > result.alternatives[1].score


def test_scores_are_descending_and_ends_follow_duration(policy: Policy) -> None:
    """Offers come best first and each ends one duration after it starts."""
    result = search("2025-09-30 14:00", grid(taken=[at("2025-09-30 14:00")]), policy, max_alternatives=4)
    scores = [a.score for a in result.alternatives]
    assert scores == sorted(scores, reverse=True)
    assert all(a.end - a.start == HALF_HOUR for a in result.alternatives)


def test_request_before_opening_moves_to_opening(policy: Policy) -> None:
    """08:00 → adjusted 09:00 (outside_hours), offered first as a same-day slot."""
    result = search("2025-09-30 08:00", grid(), policy, now=at("2025-09-30 07:00"))
    assert (result.why_not, result.adjusted_start) == ("outside_hours", at("2025-09-30 09:00"))
    assert result.alternatives[0].start == at("2025-09-30 09:00")
    assert result.alternatives[0].strategy == "same_day_later"


def test_request_after_closing_moves_to_next_opening(policy: Policy) -> None:
    """19:00 → next morning 09:00, offered first and labelled next_available; nothing before it."""
    result = search("2025-09-30 19:00", grid(), policy)
    assert (result.why_not, result.adjusted_start) == ("outside_hours", at("2025-10-01 09:00"))
    assert result.alternatives[0].start == at("2025-10-01 09:00")
    assert result.alternatives[0].strategy == "next_available"
    assert all(s >= at("2025-10-01 09:00") for s in starts(result))


def test_saturday_request_moves_to_monday(policy: Policy) -> None:
    """Saturday → Monday 09:00 with why_not non_workday; nothing on the weekend."""
    result = search("2025-10-04 10:00", grid(), policy, max_alternatives=3)
    assert (result.why_not, result.adjusted_start) == ("non_workday", at("2025-10-06 09:00"))
    assert result.alternatives[0].start == at("2025-10-06 09:00")
    assert all(s.weekday() < 5 for s in starts(result))


def test_holiday_request_moves_past_the_holiday(policy: Policy) -> None:
    """German Unity Day → Monday 09:00 with why_not holiday, though Cal.com lists the holiday as free."""
    result = search("2025-10-03 10:00", grid(), policy, max_alternatives=4)
    assert (result.why_not, result.adjusted_start) == ("holiday", at("2025-10-06 09:00"))
    assert all(s.date() != date(2025, 10, 3) and s.weekday() < 5 for s in starts(result))


def test_full_friday_offers_monday(policy: Policy) -> None:
    """Friday fully booked: three varied offers on Monday, none on the weekend, none twice."""
    result = search("2025-10-10 14:00", grid(full=[date(2025, 10, 10)]), policy, max_alternatives=3)
    assert [s.date() for s in starts(result)] == [date(2025, 10, 13)] * 3
    assert len(set(starts(result))) == 3
    assert result.alternatives[0].start == at("2025-10-13 14:00")
    assert result.alternatives[0].strategy == "next_workday"
    gaps = sorted(abs(a - b) for a in starts(result) for b in starts(result) if a < b)
    assert gaps[0] >= timedelta(minutes=60)


def test_next_workday_only_matches_the_same_time(policy: Policy) -> None:
    """Old bug: with only 09:00 free next day, that slot is next_available, not "same time next workday"."""
    index = grid(taken=[*span("2025-09-30 09:00", "2025-09-30 17:30"), *span("2025-10-01 09:30", "2025-10-01 17:30")])
    result = search("2025-09-30 14:00", index, policy, max_alternatives=1)
    assert result.alternatives[0].start == at("2025-10-01 09:00")
    assert result.alternatives[0].strategy == "next_available"


def test_next_week_same_weekday(policy: Policy) -> None:
    """Everything full until next Tuesday, which has 14:00 free: offered as next_week."""
    full = [date(2025, 9, 30) + timedelta(days=i) for i in range(7)]
    result = search("2025-09-30 14:00", grid(full=full), policy, max_alternatives=1)
    assert result.alternatives[0].start == at("2025-10-07 14:00")
    assert result.alternatives[0].strategy == "next_week"
    assert "next_week" in result.strategies_tried


def test_never_invents_a_round_time(policy: Policy) -> None:
    """Old bug: only 12:10 exists, so 12:10 is offered — never 12:00."""
    day = date(2025, 9, 30)
    index = SlotIndex.from_days({day: [at("2025-09-30 12:10")]}, HALF_HOUR)
    result = search("2025-09-30 12:00", index, policy, max_alternatives=3)
    assert starts(result) == [at("2025-09-30 12:10")]


def test_nothing_free_until_the_last_day(policy: Policy) -> None:
    """Only day 14 of the horizon has room: the offers come from that day."""
    full = [date(2025, 9, 30) + timedelta(days=i) for i in range(14)]
    result = search("2025-09-30 14:00", grid(full=full), policy)
    assert result.alternatives
    assert all(s.date() == date(2025, 10, 14) for s in starts(result))


def test_nothing_free_at_all(policy: Policy) -> None:
    """No free slot anywhere: busy, no alternatives, every strategy tried."""
    result = search("2025-09-30 14:00", grid(full=[date(2025, 9, 30) + timedelta(days=i) for i in range(15)]), policy)
    assert result.why_not == "busy"
    assert result.alternatives == ()
    assert set(result.strategies_tried) >= {"same_day_earlier", "next_workday", "next_week", "next_available"}


def test_excluded_desired_slot_is_busy_and_offers_avoid_exclude(policy: Policy) -> None:
    """A free but excluded 14:00 is busy; no offer overlaps the excluded 13:45–15:15."""
    blocked = Interval(at("2025-09-30 13:45"), at("2025-09-30 15:15"))
    result = search("2025-09-30 14:00", grid(), policy, exclude=(blocked,), max_alternatives=5)
    assert result.why_not == "busy"
    assert all(not Interval(a.start, a.end).overlaps(blocked) for a in result.alternatives)
    assert at("2025-09-30 13:00") in starts(result)


def test_minimum_notice(policy: Policy) -> None:
    """Inside the notice period: min_notice, and every offer starts after now + notice."""
    strict = salon_policy(minimum_notice=timedelta(hours=2))
    now = at("2025-09-30 13:00")
    result = search("2025-09-30 14:00", grid(), strict, now=now, max_alternatives=3)
    assert result.why_not == "min_notice"
    assert result.alternatives
    assert all(s >= now + timedelta(hours=2) for s in starts(result))


def test_in_past_offers_the_next_available_from_now(policy: Policy) -> None:
    """A past time: in_past, offers are the earliest bookable slots from now, labelled next_available."""
    now = at("2025-09-30 10:10")
    result = search("2025-09-29 14:00", grid(first=date(2025, 9, 29), days=16), policy, now=now)
    assert result.why_not == "in_past"
    assert result.adjusted_start is None
    assert result.alternatives[0].start == at("2025-09-30 10:30")
    assert result.strategies_tried == ("next_available",)
    assert all(s > now for s in starts(result))


def test_beyond_horizon_offers_the_latest_bookable_days() -> None:
    """Past a 14-day booking window: beyond_horizon, offers no later than the window's last day."""
    result = search("2025-11-20 10:00", grid(), salon_policy(booking_window_days=14))
    assert result.why_not == "beyond_horizon"
    assert result.alternatives
    assert all(s.date() <= date(2025, 10, 14) for s in starts(result))
    assert max(starts(result)).date() == date(2025, 10, 14), "the nearest bookable days to the wish"


def test_a_wish_three_weeks_ahead_is_answered_around_that_day(policy: Policy) -> None:
    """Without a booking window, a taken slot three weeks ahead gets offers on that day, not beyond_horizon."""
    index = grid(first=date(2025, 10, 21), taken=[at("2025-10-21 14:00")])
    result = search("2025-10-21 14:00", index, policy)
    assert result.why_not == "busy"
    assert starts(result)[0] == at("2025-10-21 14:30")
    assert all(date(2025, 10, 21) <= s.date() <= date(2025, 10, 22) for s in starts(result))


def test_unknown_day(policy: Policy) -> None:
    """The desired day is missing from the index: unknown, yet other known days are offered."""
    index = grid(first=date(2025, 10, 1), days=14)
    result = search("2025-09-30 14:00", index, policy)
    assert result.why_not == "unknown"
    assert result.alternatives[0].start == at("2025-10-01 14:00")


def test_known_empty_day_is_busy_not_unknown(policy: Policy) -> None:
    """A day Cal.com answered with no slots is busy, not unknown."""
    result = search("2025-09-30 14:00", grid(full=[date(2025, 9, 30)]), policy)
    assert result.why_not == "busy"


def test_preferred_window_beats_same_day_other_window(policy: Policy) -> None:
    """Morning wish taken all morning: tomorrow morning ranks above this afternoon."""
    index = grid(taken=span("2025-09-30 09:00", "2025-09-30 11:30"))
    result = search("2025-09-30 10:00", index, policy, preferred_window=calendar.named_window("morning"))
    assert result.alternatives[0].start == at("2025-10-01 10:00")
    assert not result.outside_preferred_window


def test_preferred_window_without_room_is_flagged(policy: Policy) -> None:
    """No evening slot exists within 7 days: offers are the nearest ones, flagged outside the window."""
    late = TimeWindow(time(19), time(21))
    result = search("2025-09-30 14:00", grid(taken=[at("2025-09-30 14:00")]), policy, preferred_window=late)
    assert result.outside_preferred_window
    assert result.alternatives[0].start == at("2025-09-30 14:30")


def test_max_alternatives_and_no_duplicates(policy: Policy) -> None:
    """Up to max_alternatives distinct offers, never the desired time."""
    result = search("2025-09-30 14:00", grid(taken=[at("2025-09-30 14:00")]), policy, max_alternatives=10)
    assert len(starts(result)) == 10 == len(set(starts(result)))
    assert at("2025-09-30 14:00") not in starts(result)


@pytest.mark.parametrize("day", [date(2025, 3, 29), date(2025, 10, 25)])
def test_next_workday_across_dst_keeps_wall_time(day: date) -> None:
    """Saturday 14:00 taken before a DST Sunday: Sunday 14:00 local is next_workday (23 or 25 h later)."""
    policy = salon_policy(hours=dict.fromkeys(range(7), (time(9), time(18))))
    desired = datetime.combine(day, time(14), tzinfo=BERLIN)
    index = grid(first=day, days=15, full=[day], weekdays=frozenset(range(7)))
    request = SearchRequest(desired_start=desired, duration=HALF_HOUR, max_alternatives=1)
    now = datetime.combine(day, time(8), tzinfo=BERLIN)
    result = find_alternatives(request, index, policy, now)
    offer = result.alternatives[0]
    assert (offer.start.date(), offer.start.hour, offer.start.minute) == (day + timedelta(days=1), 14, 0)
    assert offer.strategy == "next_workday"
    assert offer.end - offer.start == HALF_HOUR


def test_slots_stored_in_utc_are_matched(policy: Policy) -> None:
    """An index holding UTC instants works the same as one holding Berlin times."""
    berlin = grid(taken=[at("2025-09-30 14:00")])
    utc = SlotIndex(berlin.duration, tuple(s.astimezone(UTC) for s in berlin.starts), berlin.days)
    assert search("2025-09-30 14:00", utc, policy) == search("2025-09-30 14:00", berlin, policy)


def test_exclusions_reaching_the_calendars_edges_do_not_break_the_search(policy: Policy) -> None:
    """An excluded interval from year 1 at +14:00 to year 9999 at −14:00 excludes everything, without overflow."""
    start = datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=14)))
    end = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-14)))
    result = search("2025-09-30 15:00", grid(), policy, exclude=[Interval(start, end)])
    assert not result.available and not result.alternatives
