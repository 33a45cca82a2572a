"""The vocabulary the whole package is typed against: ids, clocks, intervals, cache days and the tenant.

A ``Tenant`` is one business as every layer sees it: its Cal.com ``Account``, its calendar ``Policy`` and the
event types it owns. The shell builds tenants from settings; everything below only reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import Literal, NamedTuple, NewType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TenantId = NewType("TenantId", str)
EventTypeId = NewType("EventTypeId", int)
Language = Literal["de", "en"]

Clock = Callable[[], datetime]
"""Returns the current instant as an aware UTC datetime; injected everywhere time matters."""

Monotonic = Callable[[], float]
"""A monotonic clock in seconds (``time.monotonic`` in production); injected so tests move time without sleeping."""

FIRST_YEAR, LAST_YEAR = 1900, 2999
"""The years of the instants altslot accepts at all: converting farther ones between zones leaves Python's calendar."""

OWN_LENGTH = 0
"""The slot length of a cache day that asks Cal.com for the event type's own length (no ``duration``)."""


@lru_cache(maxsize=512)
def is_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone that zoneinfo can load."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of the database, like "Europe"
        return False
    return True


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """A half-open interval ``[start, end)`` of aware datetimes."""

    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        """True when the two half-open intervals share any instant."""
        return self.start < other.end and other.start < self.end

    @property
    def length(self) -> timedelta:
        """The interval's duration."""
        return self.end - self.start


class DayKey(NamedTuple):
    """One cache day: availability of one event type at one slot length on one tenant-local date.

    ``duration_minutes`` is the length asked of Cal.com; ``OWN_LENGTH`` asks for the event type's own.
    A named tuple rather than a dataclass: a warm search hashes its days' keys dozens of times, and a
    tuple hashes in C.
    """

    tenant: TenantId
    event_type_id: EventTypeId
    duration_minutes: int
    day: date


@dataclass(frozen=True, slots=True)
class Policy:
    """A tenant's rules for a search: zone, opening hours, workdays, holidays and search settings."""

    zone: ZoneInfo
    hours: Mapping[int, tuple[time, time]]
    """Opening hours per Python weekday (Monday = 0); a weekday missing here is closed."""
    holidays: Container[date] = field(default_factory=frozenset)
    horizon_days: int = 14
    booking_window_days: int | None = None
    """How many days after today may be booked; None: as far as a wish may lie (a year)."""
    time_window_hours: int = 2
    minimum_notice: timedelta = timedelta(0)
    memo: dict[tuple[str, date], object] = field(default_factory=dict, init=False, repr=False, compare=False)
    """What ``altslot.finder.calendar`` worked out per day (closed or open, the opening hours): the holiday
    calendar is slow to ask, and every search asks it about the same few days again."""

    @property
    def workdays(self) -> frozenset[int]:
        """Python weekdays (Monday = 0) on which the business opens."""
        return frozenset(self.hours)


@dataclass(frozen=True, slots=True)
class Account:
    """A tenant's Cal.com account: where its API lives and the key altslot calls it with."""

    tenant: TenantId
    base_url: str
    api_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class VoiceProfile:
    """What voice and chat agents need of a tenant: named services, clock-time register, platform secrets."""

    services: Mapping[str, int] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias → service name
    spoken_time: Literal["formal", "informal"] = "informal"
    retell_api_key: str | None = field(default=None, repr=False)
    vapi_secret: str | None = field(default=None, repr=False)
    elevenlabs_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Tenant:
    """One business: its Cal.com access, its calendar policy and the event types it owns."""

    id: TenantId
    calcom_base_url: str
    calcom_api_key: str | None
    language: Language
    policy: Policy
    event_types: Mapping[int, int | None]
    """The event types it owns, each with its configured length in minutes (None: Cal.com's, unknown here)."""
    webhook_secret: str | None = field(repr=False)
    country: str | None = None
    variable_length: frozenset[int] = frozenset()
    voice: VoiceProfile = field(default_factory=VoiceProfile)

    @cached_property
    def account(self) -> Account:
        """The Cal.com account every upstream call of this tenant uses."""
        return Account(self.id, self.calcom_base_url, self.calcom_api_key)

    def owns(self, event_type_id: int) -> bool:
        """True when the event type is configured for this tenant."""
        return event_type_id in self.event_types

    def slot_minutes(self, event_type_id: int, asked: int | None = None) -> int:
        """The cache length of a search for ``asked`` minutes: ``OWN_LENGTH`` unless it differs from the own length."""
        return OWN_LENGTH if not asked or asked == self.event_types.get(event_type_id) else asked

    def day_key(self, event_type_id: int, day: date, minutes: int = OWN_LENGTH) -> DayKey:
        """The cache key of one day of one event type at one slot length."""
        return DayKey(self.id, EventTypeId(event_type_id), minutes, day)

    def day_keys(self, moment: datetime, lengths: Mapping[int, Iterable[int]] | None = None) -> list[DayKey]:
        """The cache keys of every configured event type on ``moment``'s local date.

        One business shares one calendar, so a booking of any event type changes all of them. Searches
        with an explicit ``duration_minutes`` cache under that length too: ``lengths`` names those
        lengths per event type (see ``altslot.availability.durations``), so every cached length is included.
        """
        day = moment.astimezone(self.policy.zone).date()
        return [
            self.day_key(et, day, minutes)
            for et in self.event_types
            for minutes in dict.fromkeys([OWN_LENGTH, *((lengths or {}).get(et, ()))])
        ]
