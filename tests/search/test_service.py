"""``Searcher.search`` called with values, against the simulator over loopback HTTP: offers, words, figures."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from altslot.availability.days import DaysQuery
from altslot.errors import InvalidField, NotOwned
from altslot.finder.models import TimeWindow
from altslot.finder.phrasing import unavailable_text
from altslot.search.answers import Offer, SearchInput, Unavailable
from altslot.types import OWN_LENGTH, Interval
from altslot.upstream import ResilienceSettings
from tests.support.availability import FIRST, LAST
from tests.support.direct import BERLIN, OTHER_EVENT, Desk, berlin, desk
from tests.support.world import EVENT, NOW

pytestmark = pytest.mark.anyio

NO_BACKOFF = ResilienceSettings(backoff_initial=0.0, backoff_max=0.0)
TUESDAY = date(2025, 9, 30)


def starts(offers: tuple[Offer, ...]) -> list[str]:
    """The offers' starts as Berlin wall-clock text."""
    return [o.start.strftime("%Y-%m-%d %H:%M") for o in offers]


async def test_taken_wish_gives_labelled_spoken_offers_and_figures(salon: Desk) -> None:
    """A taken 14:00 gets 14:30 and tomorrow's 14:00 with labels, spoken times, the sentence and the figures."""
    answer = await salon.search("2025-09-30 14:00")
    assert (answer.result.available, answer.result.why_not) == (False, "busy")
    assert [(o.start, o.end, o.strategy, o.label, o.spoken_time, o.hold) for o in answer.offers] == [
        (
            berlin("2025-09-30 14:30"),
            berlin("2025-09-30 15:00"),
            "same_day_later",
            "morgen um 14:30 Uhr",
            "halb drei nachmittags",
            None,
        ),
        (
            berlin("2025-10-01 14:00"),
            berlin("2025-10-01 14:30"),
            "next_workday",
            "übermorgen um 14 Uhr",
            "zwei Uhr nachmittags",
            None,
        ),
    ]
    assert {o.start.tzinfo for o in answer.offers} == {BERLIN}
    assert answer.text == (
        "Morgen um 14 Uhr ist leider nichts frei. "
        "Ich kann Ihnen morgen um 14:30 Uhr oder übermorgen um 14 Uhr anbieten. Was passt Ihnen besser?"
    )
    cold = answer.figures
    assert (cold.upstream_calls, cold.cache_hits, cold.cache_misses) == (1, 0, 15)
    assert (cold.degraded, cold.stale, cold.timeout_hit, cold.as_of, cold.age_seconds) == (None, False, False, NOW, 0.0)
    warm = (await salon.search("2025-09-30 14:00")).figures
    assert (warm.upstream_calls, warm.cache_hits, warm.cache_misses) == (0, 15, 0)
    assert await salon.calls("GET /v2/slots") == 1


async def test_free_wish_is_available(salon: Desk) -> None:
    """A free 10:00 is answered as available, with no offers and no hold."""
    answer = await salon.search("2025-09-30 10:00")
    assert answer.result.available is True
    assert answer.result.requested == berlin("2025-09-30 10:00")
    assert (answer.offers, answer.requested_hold) == ((), None)
    assert answer.text == "Morgen um 10 Uhr ist noch frei. Soll ich den Termin für Sie buchen?"


async def test_event_type_of_another_tenant_is_not_owned(salon: Desk) -> None:
    """An event type the tenant does not own raises NotOwned before Cal.com is asked."""
    with pytest.raises(NotOwned) as raised:
        await salon.runtime.searcher.search(salon.tenant, SearchInput(OTHER_EVENT, berlin("2025-09-30 14:00")))
    assert raised.value.event_type_id == OTHER_EVENT
    assert await salon.calls("GET /v2/slots") == 0


@pytest.mark.parametrize(
    "desired",
    [NOW - timedelta(days=1, seconds=1), NOW + timedelta(days=366, seconds=1)],
    ids=["more-than-a-day-past", "more-than-a-year-ahead"],
)
async def test_wish_too_far_in_the_past_or_future_is_an_invalid_field(salon: Desk, desired: datetime) -> None:
    """desired_start more than a day past or a year ahead raises InvalidField("desired_start"), no call made."""
    with pytest.raises(InvalidField) as raised:
        await salon.runtime.searcher.search(salon.tenant, SearchInput(EVENT, desired))
    assert (raised.value.field, raised.value.loc) == ("desired_start", ("body", "desired_start"))
    assert await salon.calls("GET /v2/slots") == 0


async def test_preferred_window_is_honoured(salon: Desk) -> None:
    """With a morning window a taken 14:00 gets the mornings' 11:30 today and tomorrow instead."""
    answer = await salon.search("2025-09-30 14:00", preferred_window=TimeWindow(time(9), time(12), "morning"))
    assert starts(answer.offers) == ["2025-09-30 11:30", "2025-10-01 11:30"]
    assert answer.result.outside_preferred_window is False


async def test_excluded_interval_is_never_offered(salon: Desk) -> None:
    """Excluding 14:30–15:00 replaces that offer with the earlier 13:30."""
    gone = Interval(berlin("2025-09-30 14:30"), berlin("2025-09-30 15:00"))
    answer = await salon.search("2025-09-30 14:00", exclude=(gone,))
    assert starts(answer.offers) == ["2025-09-30 13:30", "2025-10-01 14:00"]


async def test_explicit_duration_caches_under_its_own_length(salon: Desk) -> None:
    """duration_minutes=60 asks Cal.com for hour slots, caches them as 60-minute days and is noted by Durations."""
    answer = await salon.search("2025-09-30 14:00", duration_minutes=60)
    assert starts(answer.offers) == ["2025-09-30 15:00", "2025-10-01 14:00"]
    assert {o.end - o.start for o in answer.offers} == {timedelta(minutes=60)}
    assert await salon.times(TUESDAY, 60) == [f"{h:02d}:00" for h in (9, 10, 11, 12, 13, 15, 16, 17)]
    assert await salon.cached(TUESDAY, OWN_LENGTH) is None
    query = DaysQuery.of(salon.tenant, EVENT, FIRST, LAST, 60)
    hours = await salon.runtime.availability.cached(query.day_keys())
    assert set(hours) == set(query.day_keys())
    assert {k.duration_minutes for k in hours} == {60}
    durations = salon.runtime.availability.durations
    assert durations is not None
    keys = await durations.day_keys(salon.tenant, berlin("2025-09-30 12:00"))
    assert keys == [salon.tenant.day_key(EVENT, TUESDAY, OWN_LENGTH), salon.tenant.day_key(EVENT, TUESDAY, 60)]


async def test_cal_com_down_with_an_empty_cache_is_unavailable() -> None:
    """Cal.com unreachable and nothing cached: Unavailable, cause unreachable, retry in 5 s, after 3 attempts."""
    async with desk(resilience=NO_BACKOFF) as salon:
        await salon.fault("down")
        answer = await salon.runtime.searcher.search(salon.tenant, SearchInput(EVENT, berlin("2025-09-30 14:00")))
        assert answer == Unavailable("unreachable", unavailable_text("unreachable", "de"), 5)
        assert await salon.calls("GET /v2/slots") == 3


async def test_stale_days_while_cal_com_fails_are_degraded_stale() -> None:
    """Past fresh_ttl with Cal.com failing: stale days answer, flagged degraded "stale" once the refresh failed."""
    async with desk(resilience=NO_BACKOFF) as salon:
        await salon.search("2025-09-30 14:00")
        await salon.fault("error_500")
        salon.clock.now = NOW + timedelta(seconds=120)
        served = (await salon.search("2025-09-30 14:00")).figures  # serves stale, starts the refresh
        assert (served.stale, served.degraded, served.upstream_calls, served.cache_hits) == (True, None, 0, 15)
        refresh = (await salon.watch.fetched(2))[-1]
        assert refresh.error is not None and refresh.days == 15
        answer = await salon.search("2025-09-30 14:00")
        figures = answer.figures
        assert (figures.degraded, figures.stale, figures.upstream_calls) == ("stale", True, 0)
        assert (figures.cache_hits, figures.cache_misses, figures.as_of, figures.age_seconds) == (15, 0, NOW, 120.0)
        assert starts(answer.offers) == ["2025-09-30 14:30", "2025-10-01 14:00"]
