"""Hypothesis properties of the finder over random indexes, bookings, excludes and wishes (DST weeks too)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from altslot.finder import calendar, ranking
from altslot.finder.models import SearchRequest, SearchResult, SlotIndex, TimeWindow
from altslot.finder.phrasing import label, phrase
from altslot.finder.scan import _normalise, _Scanner, find_alternatives
from altslot.finder.validity import valid_until
from altslot.types import Interval, Policy
from tests.finder.conftest import BERLIN, salon_policy

# Monday-started weeks that contain the spring-forward and fall-back Sundays, and an ordinary one.
WEEKS = [date(2025, 3, 24), date(2025, 10, 20), date(2025, 9, 29)]
HOURS = [
    dict.fromkeys(range(5), (time(9), time(18))),
    dict.fromkeys(range(7), (time(8), time(20))),
    dict.fromkeys(range(7), (time(0), time(0))),  # around the clock: DST gaps and repeats inside hours
]
GRID = timedelta(minutes=15)


@dataclass(frozen=True)
class Case:
    request: SearchRequest
    index: SlotIndex
    policy: Policy
    now: datetime


@st.composite
def cases(draw: st.DrawFn) -> Case:
    week = draw(st.sampled_from(WEEKS))
    policy = salon_policy(
        hours=draw(st.sampled_from(HOURS)),
        minimum_notice=timedelta(minutes=draw(st.sampled_from([0, 60, 240]))),
        time_window_hours=draw(st.integers(1, 3)),
    )
    now = datetime.combine(week, time(0), tzinfo=BERLIN) + timedelta(minutes=15 * draw(st.integers(0, 4 * 24 * 4)))
    origin = datetime.combine(week, time(0), tzinfo=BERLIN).astimezone(UTC)
    # Slots on a UTC 15-minute grid over three weeks, so DST nights are covered without wall-time gaps.
    ticks = draw(st.sets(st.integers(0, 21 * 96 - 1), max_size=400))
    in_utc = draw(st.booleans())
    unknown = {week + timedelta(days=i) for i in draw(st.sets(st.integers(0, 20), max_size=3))}
    known = {week + timedelta(days=i) for i in range(21)} - unknown
    starts = sorted(origin + GRID * t for t in ticks)
    # An unknown day has no slots: Cal.com never answered for it.
    starts = [s if in_utc else s.astimezone(BERLIN) for s in starts if s.astimezone(BERLIN).date() in known]
    index = SlotIndex(timedelta(minutes=30), tuple(starts), frozenset(known))
    duration = timedelta(minutes=draw(st.sampled_from([15, 30, 45, 90])))
    desired = origin + GRID * draw(st.integers(-96, 30 * 96))
    if draw(st.booleans()) and starts:
        desired = draw(st.sampled_from(starts)).astimezone(UTC)
    excludes = tuple(
        Interval(origin + GRID * a, origin + GRID * (a + length))
        for a, length in draw(st.lists(st.tuples(st.integers(0, 21 * 96), st.integers(1, 16)), max_size=4))
    )
    window = draw(
        st.one_of(
            st.none(),
            st.sampled_from(["morning", "afternoon", "evening"]).map(calendar.named_window),
            st.just(TimeWindow(time(10), time(11, 30))),
        )
    )
    request = SearchRequest(
        desired_start=desired.astimezone(draw(st.sampled_from([UTC, BERLIN]))),
        duration=duration,
        max_alternatives=draw(st.integers(1, 5)),
        language=draw(st.sampled_from(["de", "en"])),
        preferred_window=window,
        exclude=excludes,
    )
    return Case(request, index, policy, now)


def run(case: Case) -> SearchResult:
    return find_alternatives(case.request, case.index, case.policy, case.now)


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(cases())
def test_offers_are_real_bookable_slots(case: Case) -> None:
    """Every offer is an index slot inside business hours, the horizon and the notice, clear of exclude."""
    result = run(case)
    first, last = calendar.search_days(case.request, case.policy, case.now)
    earliest = case.now + case.policy.minimum_notice
    for offer in result.alternatives:
        assert offer.start.astimezone(UTC) in {s.astimezone(UTC) for s in case.index.starts}
        assert offer.end.astimezone(UTC) - offer.start.astimezone(UTC) == case.request.duration
        assert calendar.within_hours(offer.start, case.request.duration, case.policy)
        assert calendar.is_workday(calendar.local_date(offer.start, case.policy), case.policy)
        assert first <= calendar.local_date(offer.start, case.policy) <= last
        assert offer.start.astimezone(UTC) >= earliest.astimezone(UTC)
        assert not any(Interval(offer.start, offer.end).overlaps(iv) for iv in case.request.exclude)
        assert offer.start.astimezone(UTC) != case.request.desired_start.astimezone(UTC)


@PROPERTY
@given(cases())
def test_offers_are_few_distinct_and_ranked(case: Case) -> None:
    """At most max_alternatives offers, no instant twice, scores never increasing."""
    result = run(case)
    instants = [a.start.astimezone(UTC) for a in result.alternatives]
    assert len(instants) <= case.request.max_alternatives
    assert len(set(instants)) == len(instants)
    scores = [a.score for a in result.alternatives]
    assert scores == sorted(scores, reverse=True)
    if result.available:
        assert result.why_not is None
        assert result.alternatives == ()


@PROPERTY
@given(cases())
def test_deterministic(case: Case) -> None:
    """The same input gives the same result and the same sentence, which is one line."""
    first, second = run(case), run(case)
    assert first == second
    text = phrase(first, case.request, case.policy, case.now)
    assert text == phrase(second, case.request, case.policy, case.now)
    assert text
    assert "\n" not in text


@PROPERTY
@given(cases())
def test_early_stop_equals_full_scan(case: Case) -> None:
    """Stopping the day scan early never changes the offers: compare with ranking every valid slot."""
    result = run(case)
    _, _, target = _normalise(case.request, case.index, case.policy, case.now)
    if target is None:
        assert result.alternatives == ()
        return
    scanner = _Scanner(case.request, case.index, case.policy, case.now, target)
    everything = [c for day in scanner.days() for c in scanner.candidates(day)]
    active = ranking.window_active(everything, case.request.preferred_window)
    home = calendar.local_date(case.request.desired_start, case.policy)
    chosen = ranking.select(ranking.rank(everything, active), case.request.max_alternatives, home)
    assert [a.start.astimezone(UTC) for a in result.alternatives] == [c.start for c in chosen]


@PROPERTY
@given(cases(), st.integers(0, 36 * 3600))
def test_a_result_holds_until_it_may_change(case: Case, seconds: int) -> None:
    """Before ``valid_until`` a later clock gives the same result and the same sentence (so results may be reused)."""
    until = valid_until(case.request, case.index, case.policy, case.now)
    later = case.now + timedelta(seconds=seconds)
    assume(until is not None and later < until)
    first, again = run(case), find_alternatives(case.request, case.index, case.policy, later)
    assert again == first
    assert phrase(again, case.request, case.policy, later) == phrase(first, case.request, case.policy, case.now)
    assert [label(a.start, case.policy, later, "de") for a in again.alternatives] == [
        label(a.start, case.policy, case.now, "de") for a in first.alternatives
    ]
