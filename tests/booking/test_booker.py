"""``Booker.book``, ``cancel`` and ``reschedule`` called with values, against the simulator over loopback HTTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from altslot.booking.answers import Attendee, Booked, BookingInput, MoveInput, SlotTaken
from altslot.booking.booker import Outcome
from altslot.errors import InvalidField, KeyReused, UnknownBooking
from tests.support.direct import OTHER_EVENT, Desk, berlin
from tests.support.world import EVENT

pytestmark = pytest.mark.anyio

ERIKA = Attendee("Erika Mustermann", "Europe/Berlin", email="erika@example.com")
TUESDAY = date(2025, 9, 30)


async def book(salon: Desk, start: str, key: str, attendee: Attendee = ERIKA) -> Outcome:
    """Book a Berlin wall-clock start of ``EVENT`` for ``attendee`` with an idempotency key."""
    return await salon.runtime.booker.book(salon.tenant, BookingInput(EVENT, berlin(start), attendee), key)


async def booked(salon: Desk, start: str, key: str) -> Booked:
    """Book a start that must be free."""
    outcome = await book(salon, start, key)
    assert isinstance(outcome, Booked), outcome
    return outcome


async def test_book_returns_booked_and_takes_the_slot_from_the_cache(salon: Desk) -> None:
    """A booking is Booked in the tenant's zone, and its slot leaves the cached day without a call to Cal.com."""
    await salon.search("2025-09-30 14:00")
    outcome = await booked(salon, "2025-09-30 14:30", "k1")
    assert outcome == Booked(outcome.uid, berlin("2025-09-30 14:30"), berlin("2025-09-30 15:00"), "accepted")
    assert outcome.start.tzinfo == salon.tenant.policy.zone
    assert [b["uid"] for b in await salon.bookings() if b["status"] == "accepted"] == ["b0", outcome.uid]
    assert "14:30" not in await salon.times(TUESDAY)
    again = await salon.search("2025-09-30 14:00")
    assert [o.start for o in again.offers] == [berlin("2025-09-30 13:30"), berlin("2025-10-01 14:00")]
    assert again.figures.upstream_calls == 0
    assert await salon.calls("GET /v2/slots") == 1


async def test_same_key_replays_the_booking_with_one_create(salon: Desk) -> None:
    """The same request with the same key returns the first booking marked replayed; Cal.com saw one create."""
    first = await booked(salon, "2025-09-30 10:00", "retry")
    again = await book(salon, "2025-09-30 10:00", "retry")
    assert again == replace(first, replayed=True)
    assert await salon.calls("POST /v2/bookings") == 1


async def test_same_key_with_another_request_is_key_reused(salon: Desk) -> None:
    """Another start under a used key raises KeyReused (the header is at fault) and books nothing."""
    await booked(salon, "2025-09-30 10:00", "once")
    with pytest.raises(KeyReused) as raised:
        await book(salon, "2025-09-30 11:00", "once")
    assert raised.value.loc == ("header", "idempotency-key")
    assert await salon.calls("POST /v2/bookings") == 1


async def test_taken_start_gives_slot_taken_with_fresh_offers(salon: Desk) -> None:
    """15:00 booked behind the cache's back: SlotTaken with offers from the day fetched again, nothing booked."""
    await salon.search("2025-09-30 14:00")
    await salon.book_outside("2025-09-30 15:00")
    outcome = await book(salon, "2025-09-30 15:00", "late")
    assert isinstance(outcome, SlotTaken)
    assert [o.start for o in outcome.offers] == [berlin("2025-09-30 15:30"), berlin("2025-10-01 15:00")]
    assert outcome.text == (
        "Morgen um 15 Uhr ist leider nichts frei. "
        "Ich kann Ihnen morgen um 15:30 Uhr oder übermorgen um 15 Uhr anbieten. Was passt Ihnen besser?"
    )
    assert await salon.calls("GET /v2/slots") == 2, "the day of the conflict is fetched fresh"
    assert len(await salon.bookings()) == 2
    assert "15:00" not in await salon.times(TUESDAY)


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("2025-09-28 10:00", "lies in the past"),
        ("2025-09-30 19:00", "is outside the business's opening hours"),
        ("2025-10-04 10:00", "is outside the business's opening hours"),  # a Saturday
        ("2025-09-30 10:07", "is not a slot start of this event type"),
    ],
    ids=["past", "after-hours", "saturday", "off-grid"],
)
async def test_unusable_start_is_invalid_before_any_upstream_call(salon: Desk, start: str, message: str) -> None:
    """A start in the past, outside hours or off the cached slot grid raises InvalidField("start"), no booking call."""
    await salon.search("2025-09-30 14:00")  # the day is cached, so its slot grid is known
    with pytest.raises(InvalidField) as raised:
        await book(salon, start, "bad-start")
    assert (raised.value.field, raised.value.message) == ("start", message)
    stats = await salon.stats()
    assert set(stats["requests"]) == {"GET /v2/slots"}


@pytest.mark.parametrize(
    ("attendee", "field"),
    [
        (Attendee("Erika", "Europe/Berlin", phone="12"), "attendee.phone"),
        (Attendee("Erika", "Europe/Berlin", email="erika@"), "attendee.email"),
    ],
    ids=["phone", "email"],
)
async def test_unusable_contact_is_invalid_before_any_upstream_call(
    salon: Desk, attendee: Attendee, field: str
) -> None:
    """A phone number no country reads or a malformed email raises InvalidField naming it; Cal.com hears nothing."""
    with pytest.raises(InvalidField) as raised:
        await book(salon, "2025-09-30 10:00", "bad-contact", attendee)
    assert raised.value.field == field
    assert (await salon.stats())["requests"] == {}


async def test_cancel_is_booked_cancelled_and_refreshes_the_day_in_the_background(salon: Desk) -> None:
    """Cancel answers at once, status cancelled, default reason sent; the freed slot returns after a refresh."""
    await salon.search("2025-09-30 14:00")
    made = await booked(salon, "2025-09-30 10:00", "c")
    assert "10:00" not in await salon.times(TUESDAY)
    cancelled = await salon.runtime.booker.cancel(salon.tenant, made.uid, None)
    assert cancelled == replace(made, status="cancelled")
    assert len(salon.watch.fetches) == 1, "cancel does not wait for the refresh"
    refresh = (await salon.watch.fetched(2))[-1]
    assert (refresh.days, refresh.error) == (1, None)
    assert "10:00" in await salon.times(TUESDAY)
    mine = next(b for b in await salon.bookings() if b["uid"] == made.uid)
    assert (mine["status"], mine["cancellationReason"]) == ("cancelled", "Vom Anrufer abgesagt")


async def test_booking_the_tenant_does_not_own_is_an_unknown_booking(salon: Desk) -> None:
    """A uid of an event type the tenant does not own (or no uid at all) raises UnknownBooking and changes nothing."""
    foreign = await salon.book_outside("2025-10-01 10:00", OTHER_EVENT)
    booker, tenant = salon.runtime.booker, salon.tenant
    for uid in (foreign, "no-such-uid"):
        with pytest.raises(UnknownBooking):
            await booker.cancel(tenant, uid, "mine now")
        with pytest.raises(UnknownBooking):
            await booker.reschedule(tenant, uid, MoveInput(berlin("2025-10-01 11:00")))
    requests = (await salon.stats())["requests"]
    assert "POST /v2/bookings/{uid}/cancel" not in requests
    assert "POST /v2/bookings/{uid}/reschedule" not in requests
    assert [b["status"] for b in await salon.bookings() if b["uid"] == foreign] == ["accepted"]


async def test_reschedule_is_booked_with_rescheduled_from(salon: Desk) -> None:
    """Moving 11:00 to 12:00 gives a new booking naming the old one; 12:00 leaves the cache at once, 11:00 returns."""
    await salon.search("2025-09-30 14:00")
    made = await booked(salon, "2025-09-30 11:00", "r")
    moved = await salon.runtime.booker.reschedule(salon.tenant, made.uid, MoveInput(berlin("2025-09-30 12:00")))
    assert isinstance(moved, Booked)
    assert moved == Booked(moved.uid, berlin("2025-09-30 12:00"), berlin("2025-09-30 12:30"), "accepted", made.uid)
    assert moved.uid != made.uid
    assert [t for t in await salon.times(TUESDAY) if "11:00" <= t <= "12:30"] == ["11:30", "12:30"]
    await salon.watch.fetched(2)
    assert [t for t in await salon.times(TUESDAY) if "11:00" <= t <= "12:30"] == ["11:00", "11:30", "12:30"]
