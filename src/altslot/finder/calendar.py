"""Pure tenant-calendar arithmetic: workdays, opening hours, the search horizon and named day windows.

Wall-clock datetimes are built with ``tzinfo=policy.zone`` and compared only after conversion to UTC:
Python compares two datetimes sharing one tzinfo by wall time and ignores ``fold``, which is wrong on the
night clocks go back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, cast

from altslot.finder.models import SearchRequest, TimeWindow
from altslot.types import Interval, Policy

AdjustReason = Literal["outside_hours", "non_workday", "holiday"]
ClosedReason = Literal["non_workday", "holiday"]

_NAMED_WINDOWS: dict[str, tuple[time, time]] = {
    "morning": (time.min, time(12)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time.max),
}

# A year of closed days in a row means the policy has no opening at all; stop looking.
_MAX_SCAN_DAYS = 366

MAX_AHEAD_DAYS = 366
"""How far ahead a wish may lie at all (the input limit); also the booking window of a tenant without one."""


def local_date(instant: datetime, policy: Policy) -> date:
    """The tenant-local calendar date of an aware instant (the calendar's first or last day at its edges)."""
    try:
        return instant.astimezone(policy.zone).date()
    except OverflowError:
        return date.min if instant.year == 1 else date.max


def closed_reason(day: date, policy: Policy) -> ClosedReason | None:
    """Why the business is closed on ``day`` (a closed weekday wins over a holiday), or None when open."""
    key = ("closed", day)
    if key in policy.memo:
        return cast("ClosedReason | None", policy.memo[key])
    reason: ClosedReason | None = None
    if day.weekday() not in policy.hours:
        reason = "non_workday"
    elif day in policy.holidays:
        reason = "holiday"
    policy.memo[key] = reason
    return reason


def is_workday(day: date, policy: Policy) -> bool:
    """True when ``day``'s weekday has opening hours and it is not a holiday."""
    return closed_reason(day, policy) is None


def opening_interval(day: date, policy: Policy) -> Interval | None:
    """The opening hours of ``day`` as aware datetimes in the tenant zone, or None on closed days."""
    key = ("hours", day)
    if key in policy.memo:
        return cast("Interval | None", policy.memo[key])
    hours: Interval | None = None
    if is_workday(day, policy):
        opens, closes = policy.hours[day.weekday()]
        start = datetime.combine(day, opens, tzinfo=policy.zone)
        # A closing time at or before opening (typically 00:00) means "until midnight".
        end_day = day if closes > opens else day + timedelta(days=1)
        hours = Interval(start, datetime.combine(end_day, closes, tzinfo=policy.zone))
    policy.memo[key] = hours
    return hours


def opening_utc(day: date, policy: Policy) -> tuple[datetime, datetime] | None:
    """``opening_interval`` in UTC (start, end), or None on closed days."""
    key = ("utc hours", day)
    if key not in policy.memo:
        hours = opening_interval(day, policy)
        policy.memo[key] = None if hours is None else (hours.start.astimezone(UTC), hours.end.astimezone(UTC))
    return cast("tuple[datetime, datetime] | None", policy.memo[key])


def next_opening(after: datetime, policy: Policy) -> datetime | None:
    """The first opening time at or after the instant ``after`` (tenant zone), or None if there is none."""
    after_utc = after.astimezone(UTC)
    day = local_date(after, policy)
    for offset in range(_MAX_SCAN_DAYS):
        hours = opening_interval(day + timedelta(days=offset), policy)
        if hours is not None and hours.start.astimezone(UTC) >= after_utc:
            return hours.start
    return None


def adjust_to_opening(
    desired: datetime, policy: Policy, duration: timedelta = timedelta(0)
) -> tuple[datetime | None, AdjustReason | None]:
    """Move a start outside opening hours to the next opening, as the seed did, and say why.

    Before opening → that day's opening; after closing (or running past it) → the next opening; closed
    weekday or holiday → the next opening. ``(None, None)`` when ``[desired, desired + duration)`` fits.
    """
    reason = closed_reason(local_date(desired, policy), policy)
    if reason is not None:
        return next_opening(desired, policy), reason
    hours = opening_interval(local_date(desired, policy), policy)
    assert hours is not None  # an open day always has hours
    start = desired.astimezone(UTC)
    if start < hours.start.astimezone(UTC):
        return hours.start, "outside_hours"
    if start + duration > hours.end.astimezone(UTC) or start >= hours.end.astimezone(UTC):
        return next_opening(desired, policy), "outside_hours"
    return None, None


def within_hours(start: datetime, duration: timedelta, policy: Policy) -> bool:
    """True when ``[start, start + duration)`` lies inside the opening hours of its local date."""
    hours = opening_interval(local_date(start, policy), policy)
    if hours is None:
        return False
    begin = start.astimezone(UTC)
    return hours.start.astimezone(UTC) <= begin and begin + duration <= hours.end.astimezone(UTC)


def next_midnight(now: datetime, policy: Policy) -> datetime:
    """The next local midnight after ``now``, in UTC: when today's date (and all that hangs on it) changes."""
    tomorrow = local_date(now, policy) + timedelta(days=1)
    return datetime.combine(tomorrow, time.min, tzinfo=policy.zone).astimezone(UTC)


def booking_limit(policy: Policy, now: datetime) -> date:
    """The last local date a caller may book: today + the tenant's booking window (a year when it has none)."""
    window = MAX_AHEAD_DAYS if policy.booking_window_days is None else policy.booking_window_days
    return local_date(now, policy) + timedelta(days=window)


def search_days(request: SearchRequest, policy: Policy, now: datetime) -> tuple[date, date]:
    """The inclusive range of local dates a search may look at.

    The desired day … +``horizon_days``, never before today nor past the booking limit. A desired day past
    the limit searches the last ``horizon_days`` up to the limit instead, the bookable days nearest the wish.
    """
    today = local_date(now, policy)
    desired_day = local_date(request.desired_start, policy)
    limit = booking_limit(policy, now)
    span = timedelta(days=policy.horizon_days)
    if desired_day > limit:
        return max(today, limit - span), limit
    first = max(desired_day, today)
    return first, min(first + span, limit)


def named_window(name: str) -> TimeWindow:
    """The wall-clock window for ``morning`` (until 12:00), ``afternoon`` (12–17) or ``evening`` (from 17)."""
    try:
        start, end = _NAMED_WINDOWS[name]
    except KeyError:
        raise ValueError(f"unknown window {name!r}; expected one of {sorted(_NAMED_WINDOWS)}") from None
    return TimeWindow(start=start, end=end, name=name)
