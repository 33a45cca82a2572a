"""A warm search does no work twice: the same wish on an unchanged horizon reuses what was found and said."""

from __future__ import annotations

import pytest

from tests.support.direct import Desk, berlin

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
