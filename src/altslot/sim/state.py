"""Everything one simulator instance holds: clock, bookings, reservations, counters, faults, limits."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.requests import Request

from altslot.engine import Busy, EventType, Schedule, SlotQuery, compute_slots
from altslot.sim.datafile import AttendeeData, EventTypeData, HostData, SimData
from altslot.sim.faults import Faults
from altslot.sim.ratelimit import RateLimiter
from altslot.sim.records import Booking, Reservation, booking_output, host_of
from altslot.sim.webhooks import Trigger, WebhookSender, booking_payload
from altslot.types import Clock


def _real_clock() -> datetime:
    return datetime.now(UTC)


def state_of(request: Request) -> SimState:
    """The state of the simulator answering ``request`` (its app keeps it in ``app.state.sim``)."""
    state: SimState = request.app.state.sim
    return state


class SimState:
    """The mutable state of one simulated Cal.com; created by ``create_app``, never shared between apps."""

    def __init__(
        self,
        data: SimData,
        *,
        clock: Clock | None = None,
        latency_ms: tuple[int, int] = (0, 0),
        error_rate: float = 0.0,
        rate_limit: int = 120,
        seed: int | None = None,
    ) -> None:
        frozen = data.now
        self._base_clock: Clock = clock or ((lambda: frozen) if frozen is not None else _real_clock)
        self._clock_override: datetime | None = None
        self.event_types: dict[int, EventTypeData] = {item.id: item for item in data.event_types}
        self.engine_event_types: dict[int, EventType] = {item.id: item.to_engine() for item in data.event_types}
        self.schedules: dict[str, Schedule] = {name: s.to_engine() for name, s in data.schedules.items()}
        self.hosts: dict[str, HostData] = {name: host_of(name, s.host) for name, s in data.schedules.items()}
        self.api_keys = frozenset(data.api_keys)
        self.rng = random.Random(seed)
        self.faults = Faults(latency_ms=latency_ms, error_rate=error_rate)
        self.limiter = RateLimiter(rate_limit)
        self.webhooks = WebhookSender(data.webhooks)
        self.requests: Counter[str] = Counter()
        self.rate_limited = 0
        self.bookings: dict[str, Booking] = {}
        self.reservations: dict[str, Reservation] = {}
        self._busy: dict[str, tuple[Busy, ...]] = {}
        self._next_id = 1
        created = self.now()
        for item in data.bookings:
            self._store(item.event_type_id, item.start, item.end, item.attendee, created, item.uid, item.status)

    # -- clock -------------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The simulated current instant (aware UTC)."""
        return self._clock_override or self._base_clock()

    def set_clock(self, moment: datetime | None) -> None:
        """Freeze the clock at ``moment``; None returns to the configured clock."""
        self._clock_override = moment.astimezone(UTC) if moment is not None else None

    # -- availability ------------------------------------------------------------------------------

    def busy(self, schedule: str, *, exclude_uid: str | None = None, reservations: bool = True) -> tuple[Busy, ...]:
        """Busy times of the schedule's host: blocking bookings (with their buffers) and live reservations."""
        if exclude_uid is None:
            blocks = self._busy.get(schedule)
            if blocks is None:
                blocks = self._busy[schedule] = self._booking_blocks(schedule, None)
        else:
            blocks = self._booking_blocks(schedule, exclude_uid)
        return blocks + self._reserved(schedule) if reservations and self.reservations else blocks

    def _booking_blocks(self, schedule: str, exclude_uid: str | None) -> tuple[Busy, ...]:
        blocks = []
        for b in self.bookings.values():
            if b.schedule == schedule and b.blocking and b.uid != exclude_uid:
                own = self.event_types[b.event_type_id]
                blocks.append(Busy(b.start, b.end, own.before_event_buffer, own.after_event_buffer))
        return tuple(blocks)

    def _reserved(self, schedule: str) -> tuple[Busy, ...]:
        now = self.now()
        for uid in [uid for uid, r in self.reservations.items() if r.until <= now]:
            del self.reservations[uid]
        return tuple(Busy(r.start, r.end) for r in self.reservations.values() if r.schedule == schedule)

    def slots(
        self,
        event_type_id: int,
        start: datetime,
        end: datetime,
        time_zone: str,
        duration: int | None = None,
        exclude_uid: str | None = None,
        reservations: bool = True,
    ) -> dict[date, list[datetime]]:
        """What the engine offers for the event type now, given bookings and (by default) reservations."""
        schedule = self.event_types[event_type_id].schedule
        busy = self.busy(schedule, exclude_uid=exclude_uid, reservations=reservations)
        query = SlotQuery(start, end, time_zone, duration, busy)
        return compute_slots(self.schedules[schedule], self.engine_event_types[event_type_id], query, self.now())

    def is_offered(
        self,
        event_type_id: int,
        start: datetime,
        duration: int,
        time_zone: str,
        exclude_uid: str | None = None,
    ) -> bool:
        """Whether ``start`` is a slot the engine offers given bookings only (on the grid of its whole day).

        Reservations are left out: the caller checks them, so that a booker's own hold does not block it.
        """
        margin = timedelta(days=1)
        end = start + timedelta(minutes=duration) + margin
        offered = self.slots(event_type_id, start - margin, end, time_zone, duration, exclude_uid, False)
        return any(slot == start for day in offered.values() for slot in day)

    # -- bookings ----------------------------------------------------------------------------------

    def _store(
        self,
        event_type_id: int,
        start: datetime,
        end: datetime,
        attendee: AttendeeData,
        created: datetime,
        uid: str | None = None,
        status: str = "ACCEPTED",
    ) -> Booking:
        booking = Booking(
            id=self._next_id,
            uid=uid or self.new_uid(),
            event_type_id=event_type_id,
            schedule=self.event_types[event_type_id].schedule,
            start=start.astimezone(UTC),
            end=end.astimezone(UTC),
            attendee=attendee,
            created_at=created,
            status=status,
        )
        self._next_id += 1
        self.bookings[booking.uid] = booking
        self._busy.pop(booking.schedule, None)
        return booking

    def new_uid(self) -> str:
        """A fresh uid (deterministic when the app was given a seed)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def book(
        self,
        event_type_id: int,
        start: datetime,
        duration: int,
        attendee: AttendeeData,
        uid: str | None = None,
        **extra: Any,
    ) -> Booking:
        """Store an accepted booking and announce it; availability checks are the caller's."""
        end = start + timedelta(minutes=duration)
        booking = self._store(event_type_id, start, end, attendee, self.now(), uid)
        for name, value in extra.items():
            setattr(booking, name, value)
        self._announce("BOOKING_CREATED", booking)
        return booking

    def cancel(self, booking: Booking, reason: str | None, by_email: str | None = None) -> None:
        """Cancel ``booking`` and announce it."""
        self._mark_cancelled(booking, reason, by_email)
        self._announce("BOOKING_CANCELLED", booking)

    def reschedule(self, booking: Booking, start: datetime, reason: str | None, by_email: str | None) -> Booking:
        """Replace ``booking`` by a new one at ``start`` (old one cancelled) and announce it."""
        new = self._store(
            booking.event_type_id, start, start + (booking.end - booking.start), booking.attendee, self.now()
        )
        for name in ("guests", "metadata", "location", "booking_fields_responses", "api_key"):
            setattr(new, name, getattr(booking, name))
        new.rescheduled_from_uid = booking.uid
        new.rescheduling_reason = reason
        new.rescheduled_by_email = by_email
        self._mark_cancelled(booking, reason, by_email)
        booking.rescheduled_to_uid = new.uid
        self._announce("BOOKING_RESCHEDULED", new, previous=booking)
        return new

    def _mark_cancelled(self, booking: Booking, reason: str | None, by_email: str | None) -> None:
        booking.status = "CANCELLED"
        booking.cancellation_reason = reason
        booking.cancelled_by_email = by_email
        booking.updated_at = self.now()
        self._busy.pop(booking.schedule, None)

    def _announce(self, trigger: Trigger, booking: Booking, previous: Booking | None = None) -> None:
        schedule = booking.schedule
        payload = booking_payload(
            booking,
            self.event_types[booking.event_type_id],
            self.hosts[schedule],
            self.schedules[schedule].time_zone,
            previous,
        )
        self.webhooks.emit(trigger, schedule, payload, self.now())

    def output(self, booking: Booking) -> dict[str, Any]:
        """The booking as Cal.com's BookingOutput."""
        return booking_output(
            booking,
            self.event_types[booking.event_type_id],
            self.hosts[booking.schedule],
            self.schedules[booking.schedule].time_zone,
        )

    # -- reservations ------------------------------------------------------------------------------

    def conflict(self, event_type_id: int, start: datetime, end: datetime) -> str | None:
        """Why ``[start, end)`` cannot be held: ``"booked"``, ``"reserved"`` or None.

        Like Cal.com's reservation check, only bookings and live reservations of the same event type count.
        """
        for b in self.bookings.values():
            if b.event_type_id == event_type_id and b.blocking and b.start < end and start < b.end:
                return "booked"
        now = self.now()
        for r in self.reservations.values():
            if r.event_type_id == event_type_id and r.until > now and r.start < end and start < r.end:
                return "reserved"
        return None

    def first_in_line(self, event_type_id: int, start: datetime, end: datetime) -> Reservation | None:
        """The live reservation of exactly this slot that expires first (Cal.com's ``findEarliestActiveSlot``)."""
        now = self.now()
        live = [
            r
            for r in self.reservations.values()
            if r.event_type_id == event_type_id and r.start == start and r.end == end and r.until > now
        ]
        return min(live, key=lambda r: r.until, default=None)

    def consume_reservation(self, uid: str, event_type_id: int, start: datetime, end: datetime) -> None:
        """Delete the hold a booking was made through (only when it is for exactly that slot, like Cal.com)."""
        found = self.reservations.get(uid)
        if found is not None and (found.event_type_id, found.start, found.end) == (event_type_id, start, end):
            del self.reservations[uid]

    def reserve(self, event_type_id: int, start: datetime, duration: int, minutes: int) -> Reservation:
        """Hold a slot for ``minutes``."""
        reservation = Reservation(
            uid=self.new_uid(),
            event_type_id=event_type_id,
            schedule=self.event_types[event_type_id].schedule,
            start=start.astimezone(UTC),
            end=(start + timedelta(minutes=duration)).astimezone(UTC),
            duration=duration,
            reservation_duration=minutes,
            until=self.now() + timedelta(minutes=minutes),
        )
        self.reservations[reservation.uid] = reservation
        return reservation

    # -- counters ----------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """``GET /_sim/stats``."""
        return {
            "requests": dict(self.requests),
            "rate_limited": self.rate_limited,
            "bookings": len(self.bookings),
            "bookings_active": sum(1 for b in self.bookings.values() if b.blocking),
            "reservations": len(self.reservations),
            "webhooks": self.webhooks.stats(),
        }

    def reset_counters(self) -> None:
        """``POST /_sim/reset``: request counters, the 429 count and all rate-limit windows."""
        self.requests.clear()
        self.rate_limited = 0
        self.limiter.reset()
