"""Booking, cancelling and rescheduling through Cal.com, keeping the cache coherent.

* ``Idempotency-Key`` first: a retry with the same key and body gets the booking the first request made,
  before any check of the start (a replay after the slot was booked must not be judged by the day the
  booking emptied); the same key with another body is refused. See ``altslot.booking.idempotency``.
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

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from altslot.api.schemas import AlternativesRequest, BookingOut, BookingRequest, RescheduleRequest, SlotTakenResponse
from altslot.availability.assembler import Availability, DaysQuery
from altslot.booking.attendee import calcom_attendee
from altslot.booking.checks import check_grid, check_start, wall_instant
from altslot.booking.durations import Durations
from altslot.booking.idempotency import METADATA_KEY, Claim, IdempotencyConflict, IdempotencyStore
from altslot.booking.lookup import BookingLookup, UnknownBooking
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
from altslot.search.holds import Holds
from altslot.search.service import InvalidField, NotOwned, Searcher, Unavailable
from altslot.shell.tenants import Tenant
from altslot.types import Clock, DayKey, EventTypeId
from altslot.upstream import DeadlineExceeded
from altslot.upstream.gateway import Upstream

DEFAULT_CANCEL_REASON = {"de": "Vom Anrufer abgesagt", "en": "Cancelled by the caller"}


class BookingConflict(Exception):
    """Cal.com refused the change because of the booking's state (409, with Cal.com's reason)."""


@dataclass(frozen=True)
class Created:
    """201: the booking Cal.com confirmed (``replayed``: by an earlier request with the same key)."""

    booking: BookingOut
    replayed: bool = False


@dataclass(frozen=True)
class SlotTaken:
    """409: the slot is gone, with alternatives from a fresh look at that day."""

    body: SlotTakenResponse


@dataclass(frozen=True)
class _Unsettled:
    """Cal.com may have booked and could not be asked: 503, and the key's next request asks first."""

    answer: Unavailable


Outcome = Created | SlotTaken | Unavailable


def _out(booking: Booking, zone: ZoneInfo, rescheduled_from: str | None = None) -> BookingOut:
    return BookingOut(
        uid=booking.uid,
        start=booking.start.astimezone(zone),
        end=booking.end.astimezone(zone),
        status=booking.status,
        rescheduled_from=rescheduled_from,
    )


def _uncertain(error: CalcomError) -> bool:
    """True when the create may have reached Cal.com and committed although no answer arrived."""
    # Of altslot's own refusals only the deadline can cut a create already sent; the others precede any call.
    return isinstance(error, Timeout | TransportError | ServerError | MalformedResponse | DeadlineExceeded)


def _refusal(error: BadRequest, fields: Mapping[str, str]) -> Exception:
    """Cal.com's 400 on a cancel or reschedule: the booking's state (409) or the field it refused (422)."""
    if state_conflict(error.message):
        return BookingConflict(error.message)
    return InvalidField(refused_field(error.message, fields, "uid"), error.message)


class Booker:
    """The booking path for every tenant."""

    def __init__(
        self,
        availability: Availability,
        upstream: Upstream,
        searcher: Searcher,
        holds: Holds,
        idempotency: IdempotencyStore,
        durations: Durations,
        clock: Clock,
        deadline_seconds: float,
    ) -> None:
        self._availability = availability
        self._upstream = upstream
        self._searcher = searcher
        self._holds = holds
        self._idempotency = idempotency
        self._durations = durations
        self._lookup = BookingLookup(upstream, deadline_seconds)
        self._clock = clock
        self._deadline = deadline_seconds

    async def book(self, tenant: Tenant, body: BookingRequest, idempotency_key: str) -> Outcome:
        """Book once per idempotency key; 409 alternatives when Cal.com says the slot is gone."""
        if not tenant.owns(body.event_type_id):
            raise NotOwned(body.event_type_id)
        attendee = calcom_attendee(body.attendee, tenant.country)
        digest = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
        claim = await self._idempotency.claim(tenant.id, idempotency_key, digest)
        if claim.booking is not None:
            return Created(BookingOut.model_validate(claim.booking), replayed=True)
        try:
            outcome = await self._book_claimed(tenant, body, claim, attendee)
        except BaseException:
            await self._idempotency.release(claim)
            raise
        if isinstance(outcome, Created):
            await self._idempotency.finish(claim, outcome.booking.model_dump(mode="json"))
            return outcome
        if isinstance(outcome, _Unsettled):
            await self._idempotency.unsettled(claim)
            return outcome.answer
        await self._idempotency.release(claim)  # nothing was booked: a retry may try again
        return outcome

    async def _book_claimed(
        self, tenant: Tenant, body: BookingRequest, claim: Claim, attendee: dict[str, Any]
    ) -> Outcome | _Unsettled:
        moment = wall_instant(tenant, body.start, body.time_zone)
        if claim.uncertain or not self._idempotency.shared:
            # The record cannot tell whether this key booked already (a lost answer, or Redis is down and
            # another instance may be booking it right now): Cal.com can.
            found = await self._made_with(tenant, body.event_type_id, moment, claim.token)
            if found is not None:
                return await self._created(tenant, found)
        start = check_start(tenant, body.start, body.time_zone, tenant.event_types[body.event_type_id], self._clock())
        await check_grid(self._availability, tenant, body.event_type_id, start)
        return await self._create(tenant, body, start, claim.token, attendee)

    async def _made_with(self, tenant: Tenant, event_type_id: int, start: datetime, token: str) -> Booking | None:
        """The lookup where failing to ask is no answer: Cal.com's own slot check still guards the create."""
        try:
            return await self._lookup.made_with(tenant, event_type_id, start, token)
        except CalcomError:
            return None

    async def _created(self, tenant: Tenant, booking: Booking) -> Created:
        keys = await self._durations.day_keys(tenant, booking.start)
        await self._availability.occupy(keys, booking.start, booking.end)
        return Created(_out(booking, tenant.policy.zone))

    async def _create(
        self, tenant: Tenant, body: BookingRequest, start: datetime, token: str, attendee: dict[str, Any]
    ) -> Outcome | _Unsettled:
        through = body.hold_id if body.hold_id and await self._holds.release_others(tenant, body.hold_id) else None
        length = tenant.event_types.get(body.event_type_id)
        metadata = {**body.metadata, METADATA_KEY: token}

        def create(client: CalcomClient) -> Awaitable[Booking]:
            return client.create_booking(
                body.event_type_id, start, attendee, metadata=metadata, reserved_slot_uid=through
            )

        try:
            booking = await self._upstream.call(tenant, "POST /v2/bookings", create, retry=False)
        except BadRequest as exc:
            if not isinstance(exc, SlotUnavailable):
                raise InvalidField(refused_field(exc.message, CREATE_FIELDS, "start"), exc.message) from exc
            if through:
                await self._holds.release_group(tenant, through)
            # Taken — perhaps by this key's own earlier attempt whose answer was lost.
            mine = await self._made_with(tenant, body.event_type_id, start, token)
            if mine is not None:
                return await self._created(tenant, mine)
            return await self._slot_taken(tenant, body.event_type_id, start, body.attendee.language, length)
        except CalcomError as exc:
            if not _uncertain(exc):
                return self._unavailable(tenant, exc, body.attendee.language)
            try:
                mine = await self._lookup.made_with(tenant, body.event_type_id, start, token)
            except CalcomError as again:
                return _Unsettled(self._unavailable(tenant, again, body.attendee.language))
            if mine is not None:
                return await self._created(tenant, mine)
            return self._unavailable(tenant, exc, body.attendee.language)  # asked: nothing was booked
        if through:
            await self._holds.forget(tenant, through)  # Cal.com deleted the reservation with the booking
        return await self._created(tenant, booking)

    async def _slot_taken(
        self, tenant: Tenant, event_type_id: int, start: datetime, language: str, length: int | None
    ) -> SlotTaken | Unavailable:
        """Re-fetch the day from Cal.com, then answer with alternatives around the wanted start."""
        day = start.astimezone(tenant.policy.zone).date()
        query = DaysQuery(tenant.id, EventTypeId(event_type_id), length or 0, tenant.policy.zone, day, day)
        fetch = self._upstream.slots(tenant, event_type_id, None)
        await self._availability.refresh(query, fetch, wait_seconds=self._deadline)
        request = AlternativesRequest(
            event_type_id=event_type_id,
            desired_start=start,
            language="en" if language == "en" else "de",
        )
        answer = await self._searcher.search(tenant, request)
        if isinstance(answer, Unavailable):
            return answer
        return SlotTaken(SlotTakenResponse(alternatives=answer.alternatives, response_text=answer.response_text))

    def _unavailable(self, tenant: Tenant, error: CalcomError, language: str) -> Unavailable:
        return self._searcher.unavailable(tenant, [error], "en" if language == "en" else "de")

    async def _owned(self, tenant: Tenant, uid: str) -> Booking | Unavailable:
        """The tenant's own booking ``uid`` (``UnknownBooking`` otherwise), or 503 when Cal.com cannot say."""
        try:
            return await self._lookup.owned(tenant, uid)
        except CalcomError as exc:
            return self._unavailable(tenant, exc, tenant.language)

    async def cancel(self, tenant: Tenant, uid: str, reason: str | None) -> BookingOut | Unavailable:
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
        freed = await self._durations.day_keys(tenant, booking.start)
        await refresh_day(self._availability, self._upstream, tenant, freed)
        return _out(booking, tenant.policy.zone)

    async def reschedule(
        self, tenant: Tenant, uid: str, body: RescheduleRequest
    ) -> BookingOut | SlotTaken | Unavailable:
        """Move one of the tenant's bookings: the new day is updated at once, the old one refreshed.

        409 with alternatives of the booking's own event type when the new slot is gone.
        """
        start = check_start(tenant, body.start, body.time_zone, None, self._clock())
        owned = await self._owned(tenant, uid)
        if isinstance(owned, Unavailable):
            return owned
        event_type_id = owned.event_type_id or next(iter(tenant.event_types))

        def move(client: CalcomClient) -> Awaitable[Booking]:
            return client.reschedule_booking(uid, start, body.reason)

        try:
            booking = await self._change(tenant, "POST /v2/bookings/{uid}/reschedule", move)
        except BadRequest as exc:
            if not isinstance(exc, SlotUnavailable):
                raise _refusal(exc, RESCHEDULE_FIELDS) from exc
            length = tenant.event_types.get(event_type_id)
            return await self._slot_taken(tenant, event_type_id, start, tenant.language, length)
        except CalcomError as exc:
            return self._unavailable(tenant, exc, tenant.language)
        await self._created(tenant, booking)
        freed = await self._durations.day_keys(tenant, owned.start)
        await refresh_day(self._availability, self._upstream, tenant, freed)
        return _out(booking, tenant.policy.zone, rescheduled_from=uid)

    async def _change(self, tenant: Tenant, endpoint: str, op: Callable[[CalcomClient], Awaitable[Booking]]) -> Booking:
        try:
            return await self._upstream.call(tenant, endpoint, op, retry=False)
        except NotFound as exc:
            raise UnknownBooking from exc
        except Unauthorized as exc:
            if exc.status == 403:
                raise UnknownBooking from exc
            raise


async def refresh_day(availability: Availability, upstream: Upstream, tenant: Tenant, keys: list[DayKey]) -> int:
    """Re-fetch these days (one local date's keys), in the background, where they are cached.

    Days nobody has cached need nothing: the next search fetches them fresh anyway. Returns how many.
    """
    cached = await availability.cached(keys)
    for key in cached:
        query = DaysQuery(tenant.id, key.event_type_id, key.duration_minutes, tenant.policy.zone, key.day, key.day)
        fetch = upstream.slots(tenant, key.event_type_id, key.duration_minutes or None)
        availability.refresh_soon(query, fetch)
    return len(cached)


__all__ = ["Booker", "BookingConflict", "Created", "IdempotencyConflict", "SlotTaken", "UnknownBooking", "refresh_day"]
