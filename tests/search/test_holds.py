"""Holds placed by ``Searcher.search(hold_minutes=...)`` and released by ``Holds``, against the simulator."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from altslot.search.answers import Hold, Offer, SearchAnswer
from altslot.search.holds import Holds
from altslot.shell.config import SearchSettings
from altslot.types import OWN_LENGTH
from tests.support.direct import Desk, berlin, desk
from tests.support.world import NOW

pytestmark = pytest.mark.anyio

TUESDAY, WEDNESDAY = date(2025, 9, 30), date(2025, 10, 1)
HELD_UNTIL = NOW + timedelta(minutes=5)
"""The simulator's clock stands at ``NOW``: a five-minute hold lasts until five past."""


def starts(offers: tuple[Offer, ...]) -> list[str]:
    """The offers' starts as Berlin wall-clock text."""
    return [o.start.strftime("%Y-%m-%d %H:%M") for o in offers]


def holds(answer: SearchAnswer) -> list[Hold]:
    """The holds the answer's offers carry."""
    return [o.hold for o in answer.offers if o.hold is not None]


async def held_at_cal_com(salon: Desk, hold: Hold) -> datetime | None:
    """The start of the simulator's live reservation behind ``hold``, or None when it has none."""
    found = await salon.reservation(hold.hold_id)
    return None if found is None else datetime.fromisoformat(found["slotStart"])


async def afternoon(salon: Desk, day: date, minutes: int = OWN_LENGTH) -> list[str]:
    """The cached starts of ``day`` from 13:00 to 15:00 (Berlin), at one slot length."""
    return [t for t in await salon.times(day, minutes) if "13:00" <= t <= "15:00"]


async def test_hold_minutes_holds_every_offer(salon: Desk) -> None:
    """Each offer carries a hold until five past; the simulator holds exactly those two slots."""
    answer = await salon.search("2025-09-30 14:00", hold_minutes=5)
    assert starts(answer.offers) == ["2025-09-30 14:30", "2025-10-01 14:00"]
    placed = holds(answer)
    assert [(h.start, h.end, h.held_until) for h in placed] == [
        (berlin("2025-09-30 14:30"), berlin("2025-09-30 15:00"), HELD_UNTIL),
        (berlin("2025-10-01 14:00"), berlin("2025-10-01 14:30"), HELD_UNTIL),
    ]
    assert [await held_at_cal_com(salon, h) for h in placed] == [h.start for h in placed]
    assert (await salon.stats())["reservations"] == 2
    assert answer.requested_hold is None


async def test_free_desired_time_is_held_itself(salon: Desk) -> None:
    """A free 10:00 asked with hold_minutes is held as the requested hold, and nothing else is."""
    answer = await salon.search("2025-09-30 10:00", hold_minutes=5)
    assert (answer.result.available, answer.offers) == (True, ())
    assert answer.requested_hold is not None
    assert await held_at_cal_com(salon, answer.requested_hold) == berlin("2025-09-30 10:00")
    assert (await salon.stats())["reservations"] == 1


async def test_held_slots_leave_the_cache_at_once_at_every_length(salon: Desk) -> None:
    """Held starts vanish from the cached days (the hour-long ones too) without a call; others are not offered them."""
    await salon.search("2025-09-30 14:00", duration_minutes=60)
    await salon.search("2025-09-30 14:00", hold_minutes=5)  # holds 14:30 and tomorrow's 14:00
    calls = await salon.calls("GET /v2/slots")
    assert await afternoon(salon, TUESDAY) == ["13:00", "13:30", "15:00"]
    assert await afternoon(salon, WEDNESDAY) == ["13:00", "13:30", "14:30", "15:00"]
    assert await afternoon(salon, WEDNESDAY, 60) == ["13:00", "15:00"]
    other = await salon.search("2025-09-30 14:00")
    assert starts(other.offers) == ["2025-09-30 13:30", "2025-10-01 14:30"]
    assert (other.figures.upstream_calls, await salon.calls("GET /v2/slots")) == (0, calls)


async def test_refused_hold_is_replaced_by_the_next_best(salon: Desk) -> None:
    """14:30 booked behind the cache's back: Cal.com refuses its hold, the next candidate is held and offered."""
    await salon.search("2025-09-30 14:00")
    await salon.book_outside("2025-09-30 14:30")
    answer = await salon.search("2025-09-30 14:00", hold_minutes=5)
    assert starts(answer.offers) == ["2025-10-01 14:00", "2025-10-01 15:00"]
    assert [h.start for h in holds(answer)] == [berlin("2025-10-01 14:00"), berlin("2025-10-01 15:00")]
    assert await salon.calls("POST /v2/slots/reservations") == 3
    assert (await salon.stats())["reservations"] == 2


async def test_holds_are_capped_per_search_and_per_tenant() -> None:
    """Two holds per answer, three live per tenant: 2, then 1, then none; unheld offers are still offered."""
    async with desk(search=SearchSettings(max_holds_per_search=2, max_live_holds=3)) as salon:
        answers = [await salon.search("2025-09-30 14:00", hold_minutes=5, max_alternatives=4) for _ in range(3)]
        assert [len(a.offers) for a in answers] == [4, 4, 4]
        assert [len(holds(a)) for a in answers] == [2, 1, 0]
        assert [o.hold is not None for o in answers[0].offers] == [True, True, False, False]
        assert (await salon.stats())["reservations"] == 3
        assert await salon.calls("POST /v2/slots/reservations") == 3


async def test_release_group_releases_every_hold_of_an_answer() -> None:
    """Releasing one hold of an answer releases its whole group at Cal.com and gives back the tenant's ceiling."""
    async with desk(search=SearchSettings(max_live_holds=2)) as salon:
        runtime = salon.runtime
        # A second Holds on the runtime's store: what a group holds lives in the key-value store, not the object.
        releaser = Holds(runtime.upstream, runtime.availability, runtime.kv)
        first = holds(await salon.search("2025-09-30 14:00", hold_minutes=5))
        assert len(first) == 2
        assert holds(await salon.search("2025-09-30 14:00", hold_minutes=5)) == []
        assert await releaser.release_group(salon.tenant, first[1].hold_id) == 2
        assert [await salon.reservation(h.hold_id) for h in first] == [None, None]
        assert (await salon.stats())["reservations"] == 0
        assert await releaser.release_group(salon.tenant, first[0].hold_id) == 0
        assert len(holds(await salon.search("2025-09-30 14:00", hold_minutes=5))) == 2
