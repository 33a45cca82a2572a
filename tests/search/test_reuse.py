"""A warm search does no work twice: the same wish on an unchanged horizon reuses what was found and said."""

from __future__ import annotations

import pytest

from altslot.errors import InvalidField
from altslot.search.answers import SearchInput
from tests.support.direct import Desk, berlin
from tests.support.world import EVENT

pytestmark = pytest.mark.anyio


async def test_the_same_wish_on_an_unchanged_horizon_reuses_the_finding_and_its_words(salon: Desk) -> None:
    """The second search answers with the first one's result and sentence, and figures of its own."""
    first = await salon.search("2025-09-30 14:00")
    second = await salon.search("2025-09-30 14:00")
    assert second.result is first.result and second.offers is first.offers and second.text == first.text
    assert (first.figures.upstream_calls, second.figures.upstream_calls) == (1, 0)
    assert (first.figures.cache_misses, second.figures.cache_hits) == (15, 15)


async def test_a_changed_day_or_another_wish_is_found_afresh(salon: Desk) -> None:
    """Taking an offered slot out of the cache, or asking for another time, runs the finder again."""
    first = await salon.search("2025-09-30 14:00")
    other = await salon.search("2025-09-30 15:00")
    offered = first.offers[0]
    await salon.runtime.availability.take(salon.tenant, offered.start, offered.end)
    after = await salon.search("2025-09-30 14:00")
    assert other.result is not first.result
    assert after.result is not first.result
    assert offered.start not in [o.start for o in after.offers]
    assert berlin("2025-09-30 14:00") == after.result.requested


async def test_a_wish_asked_again_after_midnight_searches_from_the_new_day(salon: Desk) -> None:
    """The horizon starts today: asked again after local midnight, the same wish reads the new day's horizon."""
    salon.clock.now = berlin("2025-09-29 23:58")
    before = await salon.search("2025-09-29 23:59")  # after closing: offers from tomorrow on
    salon.clock.now = berlin("2025-09-30 00:02")  # the cached days are stale, not yet gone
    after = await salon.search("2025-09-29 23:59")  # 3 minutes past: still answered, from today on
    assert before.figures.cache_misses == 15
    # Monday's horizon ends on 13 October; Tuesday's reaches one day further, the only day not cached.
    assert after.figures.cache_misses == 1 and after.figures.cache_hits == 14


async def test_a_wish_answered_before_is_refused_once_it_lies_more_than_a_day_back(salon: Desk) -> None:
    """Working a wish out once never skips the check of how far back it lies."""
    await salon.search("2025-09-30 14:00")
    salon.clock.now = berlin("2025-10-01 14:01")
    with pytest.raises(InvalidField, match="past"):
        await salon.search("2025-09-30 14:00")


async def test_wishes_that_differ_only_in_their_request_id_are_the_same_wish(salon: Desk) -> None:
    """The request id names the request: the second one reuses the first one's finding, and keeps its own id."""
    first = await salon.search("2025-09-30 14:00", request_id="a")
    second = await salon.search("2025-09-30 14:00", request_id="b")
    assert second.result is first.result
    assert SearchInput(EVENT, berlin("2025-09-30 14:00"), request_id="a") == SearchInput(
        EVENT, berlin("2025-09-30 14:00"), request_id="b"
    )
