"""Tenant-calendar arithmetic: workdays, opening hours, adjustment, horizon and named windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from altslot.finder import calendar
from altslot.finder.models import SearchRequest
from altslot.types import Policy
from tests.finder.conftest import HALF_HOUR, NOW, at, salon_policy

EVERY_DAY = dict.fromkeys(range(7), (time(9), time(18)))
AROUND_THE_CLOCK = dict.fromkeys(range(7), (time(0), time(0)))


def test_weekdays_are_workdays_and_weekends_are_not(policy: Policy) -> None:
    """Monday is a workday, Saturday and Sunday are not."""
    assert calendar.is_workday(date(2025, 9, 29), policy)
    assert not calendar.is_workday(date(2025, 10, 4), policy)
    assert not calendar.is_workday(date(2025, 10, 5), policy)


def test_public_holiday_is_not_a_workday(policy: Policy) -> None:
    """German Unity Day (a Friday in 2025) is closed and reported as a holiday."""
    assert not calendar.is_workday(date(2025, 10, 3), policy)
    assert calendar.closed_reason(date(2025, 10, 3), policy) == "holiday"


def test_closed_weekday_wins_over_holiday() -> None:
    """A holiday on a Saturday is reported as the closed weekday it is."""
    policy = salon_policy(holidays=frozenset({date(2025, 10, 4)}))
    assert calendar.closed_reason(date(2025, 10, 4), policy) == "non_workday"


def test_opening_interval_is_wall_clock_on_dst_days() -> None:
    """On the spring-forward and fall-back Sundays opening hours stay 09:00–18:00 local time."""
    policy = salon_policy(hours=EVERY_DAY)
    for day in (date(2025, 3, 30), date(2025, 10, 26)):
        hours = calendar.opening_interval(day, policy)
        assert hours is not None
        assert (hours.start.hour, hours.end.hour) == (9, 18)
        assert hours.end - hours.start == timedelta(hours=9)


def test_midnight_closing_spans_the_whole_day_including_dst_hour() -> None:
    """00:00–00:00 means the whole day: 23 hours in March, 25 in October (real elapsed time)."""
    policy = salon_policy(hours=AROUND_THE_CLOCK)
    march = calendar.opening_interval(date(2025, 3, 30), policy)
    october = calendar.opening_interval(date(2025, 10, 26), policy)
    assert march is not None
    assert october is not None
    assert march.end.timestamp() - march.start.timestamp() == 23 * 3600
    assert october.end.timestamp() - october.start.timestamp() == 25 * 3600


def test_closed_day_has_no_opening_interval(policy: Policy) -> None:
    """Saturday has no opening interval."""
    assert calendar.opening_interval(date(2025, 10, 4), policy) is None


def test_next_opening_skips_weekend_and_holiday(policy: Policy) -> None:
    """Thursday evening before German Unity Day opens next on Monday morning."""
    assert calendar.next_opening(at("2025-10-02 19:00"), policy) == at("2025-10-06 09:00")


def test_next_opening_at_opening_time_is_that_time(policy: Policy) -> None:
    """An instant exactly at opening is its own next opening."""
    assert calendar.next_opening(at("2025-09-30 09:00"), policy) == at("2025-09-30 09:00")


def test_next_opening_of_a_policy_without_hours_is_none() -> None:
    """A tenant that never opens has no next opening."""
    assert calendar.next_opening(NOW, salon_policy(hours={})) is None


@pytest.mark.parametrize(
    ("desired", "adjusted", "reason"),
    [
        ("2025-09-30 08:00", "2025-09-30 09:00", "outside_hours"),
        ("2025-09-30 19:00", "2025-10-01 09:00", "outside_hours"),
        ("2025-09-30 18:00", "2025-10-01 09:00", "outside_hours"),
        ("2025-10-04 10:00", "2025-10-06 09:00", "non_workday"),
        ("2025-10-03 10:00", "2025-10-06 09:00", "holiday"),
    ],
)
def test_adjust_to_opening_moves_like_the_seed(policy: Policy, desired: str, adjusted: str, reason: str) -> None:
    """Before opening → that day's opening; after closing, weekend or holiday → the next opening."""
    assert calendar.adjust_to_opening(at(desired), policy) == (at(adjusted), reason)


def test_adjust_to_opening_leaves_times_inside_hours_alone(policy: Policy) -> None:
    """A start that fits inside opening hours is not adjusted."""
    assert calendar.adjust_to_opening(at("2025-09-30 17:30"), policy, HALF_HOUR) == (None, None)


def test_adjust_to_opening_moves_a_slot_running_past_closing(policy: Policy) -> None:
    """17:45 for 30 minutes would end after 18:00, so it moves to the next opening."""
    moved = calendar.adjust_to_opening(at("2025-09-30 17:45"), policy, HALF_HOUR)
    assert moved == (at("2025-10-01 09:00"), "outside_hours")


def test_adjust_to_opening_compares_instants_not_zones(policy: Policy) -> None:
    """A UTC desired start is judged by its Berlin wall time (06:30 UTC is 08:30 CEST)."""
    utc_start = at("2025-09-30 08:30").astimezone(UTC)
    assert calendar.adjust_to_opening(utc_start, policy) == (at("2025-09-30 09:00"), "outside_hours")


def test_within_hours_checks_the_full_duration(policy: Policy) -> None:
    """17:30 + 30 min fits, 17:45 + 30 min does not, Saturday never does."""
    assert calendar.within_hours(at("2025-09-30 17:30"), HALF_HOUR, policy)
    assert not calendar.within_hours(at("2025-09-30 17:45"), HALF_HOUR, policy)
    assert not calendar.within_hours(at("2025-10-04 10:00"), HALF_HOUR, policy)


def _request(desired: str) -> SearchRequest:
    return SearchRequest(desired_start=at(desired), duration=HALF_HOUR)


def test_search_days_run_from_the_desired_day(policy: Policy) -> None:
    """A future desired day searches that day … +14 days."""
    assert calendar.search_days(_request("2025-10-02 10:00"), policy, NOW) == (
        date(2025, 10, 2),
        date(2025, 10, 16),
    )


def test_search_days_never_start_before_today(policy: Policy) -> None:
    """A desired day in the past searches from today."""
    assert calendar.search_days(_request("2025-09-20 10:00"), policy, NOW) == (
        date(2025, 9, 30),
        date(2025, 10, 14),
    )


def test_search_days_beyond_the_limit_cover_what_may_be_booked() -> None:
    """A desired day past a 14-day booking window searches today … today + 14."""
    policy = salon_policy(booking_window_days=14)
    assert calendar.search_days(_request("2025-11-20 10:00"), policy, NOW) == (
        date(2025, 9, 30),
        date(2025, 10, 14),
    )


def test_search_days_three_weeks_ahead_run_from_that_day(policy: Policy) -> None:
    """Without a booking window, a wish three weeks ahead searches that day … +14 days (DESIGN §2)."""
    assert calendar.search_days(_request("2025-10-21 10:00"), policy, NOW) == (
        date(2025, 10, 21),
        date(2025, 11, 4),
    )


def test_search_days_stop_at_the_booking_window() -> None:
    """Inside a 20-day booking window, the horizon is cut at its last day."""
    policy = salon_policy(booking_window_days=20)
    assert calendar.search_days(_request("2025-10-10 10:00"), policy, NOW) == (
        date(2025, 10, 10),
        date(2025, 10, 20),
    )


def test_search_days_beyond_a_long_window_are_the_last_bookable_ones() -> None:
    """Past a 60-day window, the search covers the window's last 14 days, the ones nearest the wish."""
    policy = salon_policy(booking_window_days=60)
    assert calendar.search_days(_request("2026-01-15 10:00"), policy, NOW) == (
        date(2025, 11, 15),
        date(2025, 11, 29),
    )


def test_booking_limit_is_the_window_or_a_year(policy: Policy) -> None:
    """The last bookable day is today + the booking window, or today + 366 days without one."""
    assert calendar.booking_limit(policy, NOW) == date(2026, 10, 1)
    assert calendar.booking_limit(salon_policy(booking_window_days=0), NOW) == date(2025, 9, 30)
    assert calendar.booking_limit(salon_policy(booking_window_days=30), NOW) == date(2025, 10, 30)


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [("morning", time(0), time(12)), ("afternoon", time(12), time(17)), ("evening", time(17), time.max)],
)
def test_named_windows(name: str, start: time, end: time) -> None:
    """Morning until 12:00, afternoon 12:00–17:00, evening from 17:00."""
    window = calendar.named_window(name)
    assert (window.start, window.end, window.name) == (start, end, name)


def test_unknown_window_name_is_rejected() -> None:
    """An unknown window name raises ValueError."""
    with pytest.raises(ValueError, match="night"):
        calendar.named_window("night")


def test_local_date_at_the_calendars_edges_is_its_first_or_last_day() -> None:
    """Instants whose local time would leave Python's calendar map to date.min / date.max, never OverflowError."""
    plus14, minus14 = timezone(timedelta(hours=14)), timezone(timedelta(hours=-14))
    assert calendar.local_date(datetime(9999, 12, 31, 23, tzinfo=UTC), salon_policy(zone=plus14)) == date.max
    assert calendar.local_date(datetime(1, 1, 1, 1, tzinfo=UTC), salon_policy(zone=minus14)) == date.min
