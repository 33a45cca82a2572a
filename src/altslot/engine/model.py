"""Inputs of the slot engine: schedules, event types and busy times, in Cal.com's terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time


@dataclass(frozen=True, slots=True)
class AvailabilityRule:
    """Weekly working hours: on ``days`` (0 = Sunday … 6 = Saturday) from ``start`` to ``end`` wall time."""

    days: frozenset[int]
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class DateOverride:
    """Replaces all working hours of ``date``; ``00:00``–``00:00`` makes the day unavailable."""

    date: date
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class Schedule:
    """Working hours and date overrides, read in the schedule's own IANA ``time_zone``."""

    time_zone: str
    availability: tuple[AvailabilityRule, ...]
    date_overrides: tuple[DateOverride, ...] = ()


@dataclass(frozen=True, slots=True)
class EventType:
    """The parts of a Cal.com event type that shape its slots (all durations in minutes)."""

    id: int
    length: int
    slot_interval: int | None = None
    minimum_booking_notice: int = 0
    before_event_buffer: int = 0
    after_event_buffer: int = 0


@dataclass(frozen=True, slots=True)
class Busy:
    """Time the host is taken: a booking or an unexpired reservation.

    ``before_buffer``/``after_buffer`` are the buffers of the *existing* event's type; the engine adds the
    requested event type's own buffers as Cal.com does.
    """

    start: datetime
    end: datetime
    before_buffer: int = 0
    after_buffer: int = 0


@dataclass(frozen=True, slots=True)
class SlotQuery:
    """One ``GET /v2/slots`` worth of question: a UTC window, the invitee zone and an optional duration."""

    start: datetime
    end: datetime
    time_zone: str = "UTC"
    duration: int | None = None
    busy: tuple[Busy, ...] = field(default=())
