"""Scoring, preferred-window handling and variety-aware selection of candidate slots.

The score is lexicographic, packed into one int (higher is better):

1. inside the preferred window (only when the window is *active*, see ``window_active``);
2. proximity: calendar days away from the target day, then minutes away (instant distance on the
   target day, time-of-day distance on other days) — so "same time tomorrow" beats "tomorrow morning";
3. direction: afternoon targets (local hour >= 12) prefer later times, morning targets earlier ones;
4. strategy weight: same day > next workday > next week > next available.

Remaining ties go to the earlier start.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from altslot.finder.models import Strategy, TimeWindow

_MINUTES_PER_DAY = 1440
# Each lexicographic level gets a factor larger than everything below it.
_DIRECTION_UNIT = 4  # strategy weight is 0..3
_PROXIMITY_UNIT = 2 * _DIRECTION_UNIT
_OUTSIDE_WINDOW = 10**8  # more than any proximity within a year
_BASE = 10**7

PREFERRED_WINDOW_DAYS = 7
VARIETY_GAP = timedelta(minutes=60)

_STRATEGY_WEIGHT: dict[Strategy, int] = {
    "same_day_earlier": 0,
    "same_day_later": 0,
    "next_workday": 1,
    "next_week": 2,
    "next_available": 3,
}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A valid free slot with everything ranking needs; ``start`` is UTC, ``local`` the tenant wall time.

    ``base_cost`` is the rank cost without the preferred-window level (see ``base_cost``).
    """

    start: datetime
    local: datetime
    strategy: Strategy
    day_gap: int
    in_window: bool
    base_cost: int

    @property
    def day(self) -> date:
        """The tenant-local date of the slot."""
        return self.local.date()


def base_cost(day_gap: int, minutes_away: int, wrong_direction: bool, strategy: Strategy) -> int:
    """Proximity (a whole day per calendar day apart, then minutes), direction, then strategy weight."""
    proximity = day_gap * _MINUTES_PER_DAY + min(minutes_away, _MINUTES_PER_DAY - 1)
    return proximity * _PROXIMITY_UNIT + (_DIRECTION_UNIT if wrong_direction else 0) + _STRATEGY_WEIGHT[strategy]


def minutes_of_day(moment: time | datetime) -> int:
    """Wall-clock minutes since midnight."""
    return moment.hour * 60 + moment.minute


def prefers_later(target_local: datetime) -> bool:
    """The seed's direction rule: afternoon requests prefer later offers, morning requests earlier."""
    return target_local.hour >= 12


def in_window(local: datetime, window: TimeWindow | None) -> bool:
    """True when the slot's local start time lies in ``[window.start, window.end)``."""
    if window is None:
        return False
    moment = local.time()
    return window.start <= moment < window.end


def window_active(candidates: Iterable[Candidate], window: TimeWindow | None) -> bool:
    """A preferred window ranks first only if some candidate within 7 days of the target lies inside it."""
    return window is not None and any(c.in_window and c.day_gap <= PREFERRED_WINDOW_DAYS for c in candidates)


def lower_bound_cost(day_gap: int) -> int:
    """The least cost any candidate ``day_gap`` days from the target can have (for early stopping)."""
    return day_gap * _MINUTES_PER_DAY * _PROXIMITY_UNIT


def cost(candidate: Candidate, active_window: bool) -> int:
    """Lower is better; ``score`` is its mirror image."""
    if active_window and not candidate.in_window:
        return candidate.base_cost + _OUTSIDE_WINDOW
    return candidate.base_cost


def score(candidate: Candidate, active_window: bool) -> int:
    """The candidate's rank score, higher is better (may be negative far from the target)."""
    return _BASE - cost(candidate, active_window)


def rank(candidates: Iterable[Candidate], active_window: bool) -> list[Candidate]:
    """Candidates best first; ties go to the earlier start."""
    return sorted(candidates, key=lambda c: (cost(c, active_window), c.start))


def _far_enough(candidate: Candidate, picked: Sequence[Candidate]) -> bool:
    return all(p.day != candidate.day or abs(p.start - candidate.start) >= VARIETY_GAP for p in picked)


class FirstPass:
    """The varied picks: one slot from the caller's own day, others at least an hour from same-day picks.

    A caller whose time is taken hears the best option that day and then the best elsewhere ("today
    15:30 or tomorrow 14:00"), never two offers 15 minutes apart. Greedy in rank order, so candidates can
    be fed a batch at a time as long as every batch ranks after the ones before it (a scan that stops early).
    """

    def __init__(self, limit: int, home_day: date) -> None:
        self.limit = limit
        self.home_day = home_day
        self.picked: list[Candidate] = []
        self._home_taken = False

    @property
    def full(self) -> bool:
        """True once ``limit`` candidates are picked: nothing fed later can change the picks."""
        return len(self.picked) >= self.limit

    def feed(self, ranked: Iterable[Candidate]) -> None:
        """Consider the next candidates, best first."""
        for candidate in ranked:
            if len(self.picked) >= self.limit:
                return
            at_home = candidate.day == self.home_day
            if (at_home and self._home_taken) or not _far_enough(candidate, self.picked):
                continue
            self.picked.append(candidate)
            self._home_taken = self._home_taken or at_home


def first_pass(ranked: Iterable[Candidate], limit: int, home_day: date) -> list[Candidate]:
    """The varied picks of a whole ranking (see ``FirstPass``)."""
    picks = FirstPass(limit, home_day)
    picks.feed(ranked)
    return picks.picked


def select(ranked: Sequence[Candidate], limit: int, home_day: date) -> list[Candidate]:
    """Take ``limit`` offers from a ranked list, preferring variety, and return them best first.

    Pass one is ``first_pass``; pass two relaxes the one-per-home-day rule but keeps the hour apart;
    pass three fills up in rank order when the calendar offers nothing more varied.
    """
    picked = first_pass(ranked, limit, home_day)
    for candidate in ranked:
        if len(picked) >= limit:
            break
        if candidate not in picked and _far_enough(candidate, picked):
            picked.append(candidate)
    for candidate in ranked:
        if len(picked) >= limit:
            break
        if candidate not in picked:
            picked.append(candidate)
    order = {id(c): i for i, c in enumerate(ranked)}
    return sorted(picked, key=lambda c: order[id(c)])
