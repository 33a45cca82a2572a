"""Ranking: lexicographic cost, preferred window, deterministic order and variety."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from altslot.finder import ranking
from altslot.finder.models import Strategy, TimeWindow
from altslot.finder.ranking import Candidate
from tests.finder.conftest import BERLIN, at


def cand(
    local: str,
    *,
    gap: int = 0,
    minutes: int = 0,
    wrong: bool = False,
    strategy: Strategy = "same_day_later",
    in_window: bool = False,
) -> Candidate:
    moment = at(local)
    cost = ranking.base_cost(gap, minutes, wrong, strategy)
    return Candidate(moment.astimezone(UTC), moment, strategy, gap, in_window, cost)


def test_a_nearer_day_beats_any_time_of_day() -> None:
    """Same day eight hours away still beats tomorrow at the same time."""
    assert ranking.base_cost(0, 480, True, "next_available") < ranking.base_cost(1, 0, False, "next_workday")


def test_proximity_then_direction_then_strategy() -> None:
    """Closer minutes win; at equal distance the preferred direction wins; then the strategy weight."""
    assert ranking.base_cost(0, 30, True, "same_day_earlier") < ranking.base_cost(0, 60, False, "same_day_later")
    assert ranking.base_cost(0, 30, False, "next_available") < ranking.base_cost(0, 30, True, "same_day_later")
    assert ranking.base_cost(1, 0, False, "next_workday") < ranking.base_cost(1, 0, False, "next_available")


def test_direction_follows_the_seed() -> None:
    """Requests from 12:00 prefer later offers, earlier ones prefer earlier offers."""
    assert ranking.prefers_later(at("2025-09-30 12:00"))
    assert not ranking.prefers_later(at("2025-09-30 11:59"))


def test_rank_breaks_ties_by_start() -> None:
    """Equal cost: the earlier start ranks first, whatever the input order."""
    late, early = cand("2025-09-30 15:00", minutes=60), cand("2025-09-30 13:00", minutes=60)
    assert ranking.rank([late, early], False) == [early, late]


def test_active_window_ranks_inside_first() -> None:
    """With an active window, an in-window slot days away beats an out-of-window slot today."""
    inside = cand("2025-10-02 15:00", gap=2, minutes=60, in_window=True)
    outside = cand("2025-09-30 14:30", minutes=30)
    assert ranking.rank([outside, inside], True) == [inside, outside]
    assert ranking.rank([outside, inside], False) == [outside, inside]
    assert ranking.score(inside, True) > ranking.score(outside, True)


def test_window_is_active_only_with_room_within_seven_days() -> None:
    """An in-window slot 8 days away does not activate the window; one 7 days away does."""
    window = TimeWindow(time(12), time(17), "afternoon")
    assert not ranking.window_active([cand("2025-10-08 14:00", gap=8, in_window=True)], window)
    assert ranking.window_active([cand("2025-10-07 14:00", gap=7, in_window=True)], window)
    assert not ranking.window_active([cand("2025-10-07 14:00", gap=7, in_window=True)], None)


def test_in_window_is_half_open() -> None:
    """12:00 is afternoon, 17:00 is not."""
    window = TimeWindow(time(12), time(17))
    assert ranking.in_window(at("2025-09-30 12:00"), window)
    assert not ranking.in_window(at("2025-09-30 17:00"), window)
    assert not ranking.in_window(at("2025-09-30 12:00"), None)


def test_select_takes_one_from_the_callers_day_then_another_day() -> None:
    """Today 15:30 and 16:30 and tomorrow 14:00: the offers are 15:30 today and 14:00 tomorrow."""
    ranked = [
        cand("2025-09-30 15:30", minutes=90),
        cand("2025-09-30 16:30", minutes=150),
        cand("2025-10-01 14:00", gap=1, strategy="next_workday"),
    ]
    assert ranking.select(ranked, 2, date(2025, 9, 30)) == [ranked[0], ranked[2]]


def test_select_spaces_offers_on_other_days_an_hour_apart() -> None:
    """On another day, a slot 30 minutes from a pick waits behind one an hour away."""
    ranked = [
        cand("2025-10-13 14:00", gap=3),
        cand("2025-10-13 14:30", gap=3, minutes=30),
        cand("2025-10-13 15:00", gap=3, minutes=60),
    ]
    assert ranking.select(ranked, 2, date(2025, 10, 10)) == [ranked[0], ranked[2]]


def test_select_fills_up_when_nothing_varied_is_left() -> None:
    """Only close slots exist: they are still offered, best first."""
    ranked = [cand("2025-09-30 14:30", minutes=30), cand("2025-09-30 14:45", minutes=45)]
    assert ranking.select(ranked, 3, date(2025, 9, 30)) == ranked


def test_select_returns_rank_order() -> None:
    """Picks from later passes slot back into rank order."""
    ranked = [
        cand("2025-09-30 14:30", minutes=30),
        cand("2025-09-30 14:45", minutes=45),
        cand("2025-10-01 14:00", gap=1, strategy="next_workday"),
    ]
    assert ranking.select(ranked, 3, date(2025, 9, 30)) == ranked


def test_candidate_day_is_local() -> None:
    """A slot at 00:30 Berlin belongs to that Berlin date, not the UTC one."""
    moment = datetime(2025, 10, 1, 0, 30, tzinfo=BERLIN)
    candidate = Candidate(moment.astimezone(UTC), moment, "next_available", 1, False, 0)
    assert candidate.day == date(2025, 10, 1)
