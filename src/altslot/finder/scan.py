"""The pure alternative finder: normalise the wish, then scan the slot index for the best offers.

Every seed strategy is a region of the index relative to the *target* (the desired start, or the
opening it was moved to):

* ``same_day_earlier`` / ``same_day_later``: the desired day, within ``time_window_hours`` of the target;
* ``next_workday``: the first workday after the target day, target wall time ±30 min;
* ``next_week``: the target day + 7, target wall time ±30 min;
* ``next_available``: everything else in the horizon (first free workday, then nearest-first).

Days are scanned nearest-first and the scan stops as soon as no unscanned day can change the selection,
so the result always equals that of a full scan; ``strategies_tried`` names the regions examined.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from altslot.finder import calendar, ranking
from altslot.finder.models import (
    STRATEGIES,
    Alternative,
    SearchRequest,
    SearchResult,
    SlotIndex,
    Strategy,
    WhyNot,
)
from altslot.finder.ranking import Candidate
from altslot.types import Interval, Policy

_SAME_TIME_SLACK = 30  # minutes either side for "same time" on another day
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class _Target:
    """Where the search centres and which strategy regions apply."""

    instant: datetime  # UTC
    local: datetime
    same_day_allowed: bool  # False when the target is not the caller's day, or in fallback mode
    fallback: bool  # in the past / beyond the horizon: label everything next_available


def _is_free(start: datetime, duration: timedelta, index: SlotIndex, exclude: Sequence[Interval]) -> bool:
    return bool(index.between(start, start + _TICK)) and not _overlaps(start, start + duration, exclude)


def _overlaps(start: datetime, end: datetime, exclude: Sequence[Interval]) -> bool:
    return any(iv.start < end and start < iv.end for iv in exclude)


def _utc(interval: Interval) -> Interval:
    return Interval(_as_utc(interval.start), _as_utc(interval.end))


def _as_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        # Within hours of year 1 or 9999: an excluded interval reaching there reaches the calendar's edge.
        return (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=UTC)


class _Scanner:
    """One search's fixed context, worked out once so the per-slot loop stays cheap."""

    def __init__(
        self, request: SearchRequest, index: SlotIndex, policy: Policy, now: datetime, target: _Target
    ) -> None:
        self.request, self.index, self.policy, self.target = request, index, policy, target
        self.first, self.last = calendar.search_days(request, policy, now)
        self.day = target.local.date()
        self.minutes = ranking.minutes_of_day(target.local)
        self.later = ranking.prefers_later(target.local)
        self.next_wd = self._next_workday()
        self.next_week = self.day + timedelta(days=7)
        self.same_day_span = timedelta(hours=policy.time_window_hours)
        self.desired = request.desired_start.astimezone(UTC)
        self.home_day = calendar.local_date(request.desired_start, policy)
        self.earliest = now.astimezone(UTC) + policy.minimum_notice
        self.exclude = [_utc(iv) for iv in request.exclude]
        self.local = index.local_in(policy.zone)

    def _next_workday(self) -> date | None:
        current = self.day + timedelta(days=1)
        while current <= self.last:
            if calendar.is_workday(current, self.policy):
                return current
            current += timedelta(days=1)
        return None

    def days(self) -> Iterator[date]:
        """Workdays of the horizon, nearest to the target first (the earlier of two equally near days first).

        Lazily: the scan usually stops after two or three days, so the rest of the horizon is never looked at.
        """
        reach = max((self.day - self.first).days, (self.last - self.day).days)
        for gap in range(reach + 1):
            # Never reach back before the target: a moved request starts at the opening it was moved to.
            before = (self.day - timedelta(days=gap),) if gap and self.target.fallback else ()
            for day in (*before, self.day + timedelta(days=gap)):
                if self.first <= day <= self.last and calendar.is_workday(day, self.policy):
                    yield day

    def region(self, day: date) -> tuple[Strategy, ...]:
        """The strategies whose search region covers ``day``."""
        if self.target.fallback:
            return ("next_available",)
        if day == self.day and self.target.same_day_allowed:
            return ("same_day_earlier", "same_day_later")
        if day == self.next_wd:
            return ("next_workday",)
        if day == self.next_week:
            return ("next_week",)
        return ("next_available",)

    def classify(self, start: datetime, day: date, wall_gap: int) -> Strategy:
        """The first strategy (in the seed's order) whose region holds the slot."""
        target = self.target
        if target.fallback:
            return "next_available"
        if day == self.day and target.same_day_allowed:
            if abs(start - target.instant) <= self.same_day_span:
                return "same_day_earlier" if start < target.instant else "same_day_later"
        elif wall_gap <= _SAME_TIME_SLACK and day in (self.next_wd, self.next_week):
            return "next_workday" if day == self.next_wd else "next_week"
        return "next_available"

    def candidates(self, day: date) -> list[Candidate]:
        """Valid free slots of one workday: inside opening hours, after the notice, clear of ``exclude``."""
        hours = calendar.opening_utc(day, self.policy)
        if hours is None:
            return []
        duration = self.request.duration
        opens, last_start = max(hours[0], self.earliest), hours[1] - duration
        target, desired, exclude, minutes_of_target = self.target.instant, self.desired, self.exclude, self.minutes
        day_gap = abs((day - self.day).days)
        window = self.request.preferred_window
        utc, local_starts, zone = self.index.utc, self.local, self.policy.zone
        found: list[Candidate] = []
        for i in range(bisect.bisect_left(utc, opens), bisect.bisect_right(utc, last_start)):
            start = utc[i]
            if start == desired or (exclude and _overlaps(start, start + duration, exclude)):
                continue
            # An index built without the tenant's zone (a library caller's) is converted slot by slot, as scanned.
            local = local_starts[i] if local_starts else start.astimezone(zone)
            wall = local.hour * 60 + local.minute - minutes_of_target
            if day_gap == 0:
                # On the target day itself real elapsed time counts (DST days have 23 or 25 hours).
                minutes = int(abs(start - target).total_seconds()) // 60
                earlier, after = start < target, start > target
            else:
                minutes, earlier, after = abs(wall), wall < 0, wall > 0
            strategy = self.classify(start, day, abs(wall))
            cost = ranking.base_cost(day_gap, minutes, earlier if self.later else after, strategy)
            inside = window is not None and ranking.in_window(local, window)
            found.append(Candidate(start, local, strategy, day_gap, inside, cost))
        return found

    def scan(self) -> tuple[list[Candidate], tuple[Strategy, ...]]:
        """Scan days nearest-first until no unscanned day can change the selection; the candidates best first."""
        if self.request.preferred_window is None:
            return self._scan_ranked()
        found: list[Candidate] = []
        tried: set[Strategy] = set()
        for day in self.days():
            gap = abs((day - self.day).days)
            # Whether the window counts depends on every day within its reach, so only stop past it.
            if gap > ranking.PREFERRED_WINDOW_DAYS and self._settled(found, gap):
                break
            self._collect(day, found, tried)
        active = ranking.window_active(found, self.request.preferred_window)
        return ranking.rank(found, active), self._tried(tried)

    def _scan_ranked(self) -> tuple[list[Candidate], tuple[Strategy, ...]]:
        """The scan without a preferred window, ranking each distance once.

        Without a window a candidate's rank is its base cost, and every slot ``g`` days from the target costs
        more than any slot nearer, so the ranking of all days up to ``g`` is theirs extended by day ``g``'s:
        the first pass of the selection is fed one distance at a time and the scan stops once it is full.
        """
        ranked: list[Candidate] = []
        pending: list[Candidate] = []
        tried: set[Strategy] = set()
        picks = ranking.FirstPass(self.request.max_alternatives, self.home_day)
        distance = 0
        for day in self.days():
            gap = abs((day - self.day).days)
            if gap > distance:
                done = ranking.rank(pending, active_window=False)
                ranked += done
                picks.feed(done)
                pending, distance = [], gap
                if picks.full:
                    return ranked, self._tried(tried)
            self._collect(day, pending, tried)
        return ranked + ranking.rank(pending, active_window=False), self._tried(tried)

    def _collect(self, day: date, found: list[Candidate], tried: set[Strategy]) -> None:
        """Add ``day``'s candidates to ``found`` and the strategies its region and candidates stand for to ``tried``."""
        new = self.candidates(day)
        found.extend(new)
        tried.update(self.region(day))
        tried.update(c.strategy for c in new)

    @staticmethod
    def _tried(tried: set[Strategy]) -> tuple[Strategy, ...]:
        return tuple(s for s in STRATEGIES if s in tried)

    def _settled(self, found: list[Candidate], gap: int) -> bool:
        """True when the picks are fixed whatever days ``gap`` or more away hold.

        Every slot there costs at least ``lower_bound_cost(gap)`` and so ranks after the cheaper scanned
        ones; selection's first pass is greedy in rank order, so if that cheaper prefix already yields
        ``max_alternatives`` picks, nothing later can change them.
        """
        active = ranking.window_active(found, self.request.preferred_window)
        bound = ranking.lower_bound_cost(gap)
        prefix = ranking.rank((c for c in found if ranking.cost(c, active) < bound), active)
        limit = self.request.max_alternatives
        return len(ranking.first_pass(prefix, limit, self.home_day)) >= limit


def _normalise(
    request: SearchRequest, index: SlotIndex, policy: Policy, now: datetime
) -> tuple[WhyNot | None, datetime | None, _Target | None]:
    """Decide ``why_not``, the adjusted start and where the search centres (None target: no search)."""
    desired = request.desired_start.astimezone(UTC)
    desired_day = calendar.local_date(desired, policy)
    earliest = now.astimezone(UTC) + policy.minimum_notice

    def centred(instant: datetime, *, fallback: bool = False) -> _Target:
        local = instant.astimezone(policy.zone)
        same_day = not fallback and local.date() == desired_day
        return _Target(instant.astimezone(UTC), local, same_day, fallback)

    if desired < now.astimezone(UTC):
        # Voice callers still want something: centre on the first bookable moment from now.
        moved, _ = calendar.adjust_to_opening(earliest, policy, request.duration)
        return "in_past", None, centred(moved or earliest, fallback=True)
    if desired_day > calendar.booking_limit(policy, now):
        return "beyond_horizon", None, centred(desired, fallback=True)
    adjusted, reason = calendar.adjust_to_opening(desired, policy, request.duration)
    if reason is not None:
        return reason, adjusted, (centred(adjusted) if adjusted is not None else None)
    if desired < earliest:
        return "min_notice", None, centred(desired)
    exclude = [_utc(iv) for iv in request.exclude]
    if _is_free(desired, request.duration, index, exclude):
        return None, None, None
    if desired_day not in index.days:
        return "unknown", None, centred(desired)
    return "busy", None, centred(desired)


def find_alternatives(request: SearchRequest, index: SlotIndex, policy: Policy, now: datetime) -> SearchResult:
    """Is the desired slot free, and if not why not and what are the best alternatives (pure)."""
    why_not, adjusted, target = _normalise(request, index, policy, now)
    requested = request.desired_start.astimezone(policy.zone)
    if why_not is None:
        return SearchResult(True, requested, None, None, (), ())
    if target is None:
        return SearchResult(False, requested, adjusted, why_not, (), ())
    ranked, tried = _Scanner(request, index, policy, now, target).scan()
    active = ranking.window_active(ranked, request.preferred_window)
    home_day = calendar.local_date(request.desired_start, policy)
    chosen = ranking.select(ranked, request.max_alternatives, home_day)
    alternatives = tuple(
        Alternative(
            start=c.local,
            end=(c.start + request.duration).astimezone(policy.zone),
            strategy=c.strategy,
            score=ranking.score(c, active),
        )
        for c in chosen
    )
    outside = request.preferred_window is not None and not active and bool(alternatives)
    return SearchResult(
        available=False,
        requested=requested,
        adjusted_start=adjusted.astimezone(policy.zone) if adjusted is not None else None,
        why_not=why_not,
        alternatives=alternatives,
        strategies_tried=tried,
        outside_preferred_window=outside,
    )
