"""Booking, cancelling and rescheduling through Cal.com, keeping the cache coherent.

* ``Idempotency-Key`` first: a retry with the same key and request gets the booking the first request made,
  before any check of the start (a replay after the slot was booked must not be judged by the day the
  booking emptied); the same key with another request is refused. See ``altslot.booking.idempotency``.
* The key goes to Cal.com in the booking's metadata. When Cal.com's answer to a create is lost (timeout,
  reset, 5xx), altslot asks Cal.com whether the booking exists and answers the truth; the same lookup
  decides when the shared record cannot be trusted (Redis down) or when Cal.com says the slot is taken
  (it may be taken by this very key's first attempt).
* A booking is checked against the tenant's calendar before any upstream call (past, closed, outside
  hours are the caller's error, 422).
* Cancel and reschedule act only on bookings of the tenant's own account and event types, read back from
  Cal.com; anything else is answered exactly like an unknown uid (404). Cal.com's refusals become 404,
  409 (the booking's state) or 422 with Cal.com's reason, never an outage.
* When Cal.com says the slot is gone, the day is re-fetched at once (bypassing the cache) and the caller
  gets alternatives from it plus the cached rest of the horizon (409). Any other refusal is a 422 naming
  the field Cal.com named (``refusals``), never a 503.
* The attendee needs an email or a phone number; phones go out in E.164 (``attendee``). Booking a held
  offer books through the hold (``reservedSlotUid``) after releasing the other holds of its answer.
* A cancel always carries a reason (Cal.com requires one from the host's key): the caller's, else a
  default in the tenant's language.
* A successful change updates only the day(s) it touches, at every cached slot length: a new booking is
  taken out of the cached days at once (no upstream call), a freed slot is refreshed in the background.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from altslot.availability.assembler import Availability
from altslot.availability.days import DaysQuery
from altslot.booking.answers import Booked, BookingInput, MoveInput, SlotTaken
from altslot.booking.attendee import calcom_attendee
from altslot.booking.checks import check_grid, check_start, wall_instant
from altslot.booking.idempotency import METADATA_KEY, Claim, IdempotencyStore
from altslot.booking.lookup import BookingLookup
from altslot.booking.refusals import CANCEL_FIELDS, CREATE_FIELDS, RESCHEDULE_FIELDS, refused_field, state_conflict
from altslot.calcom.client import Booking, CalcomClient
from altslot.calcom.errors import (
    BadRequest,
    CalcomError,
    MalformedResponse,
    NotFound,
    ServerError,
    SlotUnavailable,
    Timeout,
    TransportError,
    Unauthorized,
)
from altslot.errors import BookingConflict, InvalidField, NotOwned, UnknownBooking
from altslot.search.answers import SearchInput, Unavailable
from altslot.search.holds import Holds
from altslot.search.service import Searcher
from altslot.types import Clock, Language, Tenant
from altslot.upstream import DeadlineExceeded
from altslot.upstream.gateway import Upstream

DEFAULT_CANCEL_REASON = {"de": "Vom Anrufer abgesagt", "en": "Cancelled by the caller"}


@dataclass(frozen=True)
class _Unsettled:
    """Cal.com may have booked and could not be asked: 503, and the key's next request asks first."""

    answer: Unavailable


Outcome = Booked | SlotTaken | Unavailable


def _booked(booking: Booking, tenant: Tenant, rescheduled_from: str | None = None) -> Booked:
    zone = tenant.policy.zone
    start, end = booking.start.astimezone(zone), booking.end.astimezone(zone)
    return Booked(booking.uid, start, end, booking.status, rescheduled_from)


def _uncertain(error: CalcomError) -> bool:
    """True when the create may have reached Cal.com and committed although no answer arrived."""
    # Of altslot's own refusals only the deadline can cut a create already sent; the others precede any call.
    return isinstance(error, Timeout | TransportError | ServerError | MalformedResponse | DeadlineExceeded)


def _refusal(error: BadRequest, fields: Mapping[str, str]) -> Exception:
    """Cal.com's 400 on a cancel or reschedule: the booking's state (409) or the field it refused (422)."""
    if state_conflict(error.message):
        return BookingConflict(error.message)
    return InvalidField(refused_field(error.message, fields, "uid"), error.message)


@dataclass(eq=False)
class Booker:
    """The booking path for every tenant."""

    availability: Availability
    upstream: Upstream
    searcher: Searcher
    holds: Holds
    idempotency: IdempotencyStore
    clock: Clock
    deadline_seconds: float
    _lookup: BookingLookup = field(init=False)

    def __post_init__(self) -> None:
        self._lookup = BookingLookup(self.upstream, self.deadline_seconds)

    async def book(self, tenant: Tenant, ask: BookingInput, idempotency_key: str) -> Outcome:
        """Book once per idempotency key; alternatives when Cal.com says the slot is gone."""
        if not tenant.owns(ask.event_type_id):
            raise NotOwned(ask.event_type_id)
        attendee = calcom_attendee(ask.attendee, tenant.country)
        claim = await self.idempotency.claim(tenant.id, idempotency_key, ask.digest())
        if claim.booking is not None:
            return Booked.replay(claim.booking)
        try:
            outcome = await self._book_claimed(tenant, ask, claim, attendee)
        except BaseException:
            await self.idempotency.release(claim)
            raise
        if isinstance(outcome, Booked):
            await self.idempotency.finish(claim, outcome.record())
            return outcome
        if isinstance(outcome, _Unsettled):
            await self.idempotency.unsettled(claim)
            return outcome.answer
        await self.idempotency.release(claim)  # nothing was booked: a retry may try again
        return outcome

    async def _book_claimed(
        self, tenant: Tenant, ask: BookingInput, claim: Claim, attendee: dict[str, Any]
    ) -> Outcome | _Unsettled:
        moment = wall_instant(tenant, ask.start, ask.time_zone)
        if claim.uncertain or not self.idempotency.shared:
            # The record cannot tell whether this key booked already (a lost answer, or Redis is down and
            # another instance may be booking it right now): Cal.com can.
            found = await self._made_with(tenant, ask.event_type_id, moment, claim.token)
            if found is not None:
                return await self._created(tenant, found)
        length = tenant.event_types[ask.event_type_id]
        start = check_start(tenant, ask.start, ask.time_zone, length, self.clock())
        await check_grid(self.availability, tenant, ask.event_type_id, start)
        return await self._create(tenant, ask, start, claim.token, attendee)

    async def _made_with(self, tenant: Tenant, event_type_id: int, start: datetime, token: str) -> Booking | None:
        """The lookup where failing to ask is no answer: Cal.com's own slot check still guards the create."""
        try:
            return await self._lookup.made_with(tenant, event_type_id, start, token)
        except CalcomError:
            return None

    async def _created(self, tenant: Tenant, booking: Booking) -> Booked:
        await self.availability.take(tenant, booking.start, booking.end)
        return _booked(booking, tenant)

    async def _create(
        self, tenant: Tenant, ask: BookingInput, start: datetime, token: str, attendee: dict[str, Any]
    ) -> Outcome | _Unsettled:
        through = ask.hold_id if ask.hold_id and await self.holds.release_others(tenant, ask.hold_id) else None
        metadata = {**ask.metadata, METADATA_KEY: token}

        def create(client: CalcomClient) -> Awaitable[Booking]:
            return client.create_booking(
                ask.event_type_id, start, attendee, metadata=metadata, reserved_slot_uid=through
            )

        language = ask.attendee.language
        try:
            booking = await self.upstream.call(tenant.account, "POST /v2/bookings", create, retry=False)
        except BadRequest as exc:
            if not isinstance(exc, SlotUnavailable):
                raise InvalidField(refused_field(exc.message, CREATE_FIELDS, "start"), exc.message) from exc
            if through:
                await self.holds.release_group(tenant, through)
            # Taken — perhaps by this key's own earlier attempt whose answer was lost.
            mine = await self._made_with(tenant, ask.event_type_id, start, token)
            if mine is not None:
                return await self._created(tenant, mine)
            return await self._slot_taken(tenant, ask.event_type_id, start, language)
        except CalcomError as exc:
            if not _uncertain(exc):
                return self._unavailable(tenant, exc, language)
            try:
                mine = await self._lookup.made_with(tenant, ask.event_type_id, start, token)
            except CalcomError as again:
                return _Unsettled(self._unavailable(tenant, again, language))
            if mine is not None:
                return await self._created(tenant, mine)
            return self._unavailable(tenant, exc, language)  # asked: nothing was booked
        if through:
            await self.holds.forget(tenant, through)  # Cal.com deleted the reservation with the booking
        return await self._created(tenant, booking)

    async def _slot_taken(
        self, tenant: Tenant, event_type_id: int, start: datetime, language: Language
    ) -> SlotTaken | Unavailable:
        """Re-fetch the day from Cal.com, then answer with alternatives around the wanted start."""
        day = start.astimezone(tenant.policy.zone).date()
        query = DaysQuery.of(tenant, event_type_id, day, day)
        await self.availability.refresh(query, wait_seconds=self.deadline_seconds)
        answer = await self.searcher.search(tenant, SearchInput(event_type_id, start, language=language))
        if isinstance(answer, Unavailable):
            return answer
        return SlotTaken(answer.offers, answer.text)

    def _unavailable(self, tenant: Tenant, error: CalcomError, language: Language) -> Unavailable:
        return self.searcher.reporter.unavailable(tenant, [error], language)

    async def _owned(self, tenant: Tenant, uid: str) -> Booking | Unavailable:
        """The tenant's own booking ``uid`` (``UnknownBooking`` otherwise), or 503 when Cal.com cannot say."""
        try:
            return await self._lookup.owned(tenant, uid)
        except CalcomError as exc:
            return self._unavailable(tenant, exc, tenant.language)

    async def cancel(self, tenant: Tenant, uid: str, reason: str | None) -> Booked | Unavailable:
        """Cancel one of the tenant's bookings (with the caller's reason or the tenant's default); refresh the day."""
        owned = await self._owned(tenant, uid)
        if isinstance(owned, Unavailable):
            return owned

        def cancel(client: CalcomClient) -> Awaitable[Booking]:
            return client.cancel_booking(uid, reason or DEFAULT_CANCEL_REASON[tenant.language])

        try:
            booking = await self._change(tenant, "POST /v2/bookings/{uid}/cancel", cancel)
        except BadRequest as exc:
            raise _refusal(exc, CANCEL_FIELDS) from exc
        except CalcomError as exc:
            return self._unavailable(tenant, exc, tenant.language)
        await self.availability.refresh_cached(tenant, booking.start)
        return _booked(booking, tenant)

    async def reschedule(self, tenant: Tenant, uid: str, move: MoveInput) -> Outcome:
        """Move one of the tenant's bookings: the new day is updated at once, the old one refreshed.

        Alternatives of the booking's own event type when the new slot is gone.
        """
        start = check_start(tenant, move.start, move.time_zone, None, self.clock())
        owned = await self._owned(tenant, uid)
        if isinstance(owned, Unavailable):
            return owned
        event_type_id = owned.event_type_id or next(iter(tenant.event_types))

        def reschedule(client: CalcomClient) -> Awaitable[Booking]:
            return client.reschedule_booking(uid, start, move.reason)

        try:
            booking = await self._change(tenant, "POST /v2/bookings/{uid}/reschedule", reschedule)
        except BadRequest as exc:
            if not isinstance(exc, SlotUnavailable):
                raise _refusal(exc, RESCHEDULE_FIELDS) from exc
            return await self._slot_taken(tenant, event_type_id, start, tenant.language)
        except CalcomError as exc:
            return self._unavailable(tenant, exc, tenant.language)
        await self.availability.take(tenant, booking.start, booking.end)
        await self.availability.refresh_cached(tenant, owned.start)
        return _booked(booking, tenant, rescheduled_from=uid)

    async def _change(self, tenant: Tenant, endpoint: str, op: Callable[[CalcomClient], Awaitable[Booking]]) -> Booking:
        try:
            return await self.upstream.call(tenant.account, endpoint, op, retry=False)
        except NotFound as exc:
            raise UnknownBooking from exc
        except Unauthorized as exc:
            if exc.status == 403:
                raise UnknownBooking from exc
            raise
