"""Request and response bodies of the HTTP API (the JSON contract of DESIGN §3)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from altslot.booking.answers import Attendee, BookingInput, MoveInput
from altslot.booking.attendee import EMAIL_MAX, EMAIL_PATTERN, NAME_MAX, PHONE_MAX
from altslot.finder.calendar import named_window
from altslot.finder.models import Strategy, TimeWindow, WhyNot
from altslot.search.answers import SearchInput
from altslot.types import FIRST_YEAR, LAST_YEAR, Interval, Language, is_time_zone

# Cal.com booking uids (base58) and reservation uids (UUIDs): nothing that could alter a Cal.com URL.
UID_PATTERN = r"^[A-Za-z0-9_-]{1,128}$"


def _representable(value: datetime) -> datetime:
    """Refuse instants so far out that converting them between zones would leave Python's calendar."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must lie between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value


Instant = Annotated[datetime, AfterValidator(_representable)]
"""A date-time in the years 1900–2999 (with or without an offset)."""


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def check_zone(value: str | None) -> str | None:
    """Reject time zones zoneinfo does not know."""
    if value is not None and not is_time_zone(value):
        raise ValueError(f"unknown time zone {value!r}")
    return value


_Span = TypeVar("_Span", "WindowIn", "ExcludeIn")


def _end_after_start(span: _Span) -> _Span:
    """Refuse a span that does not end after it starts."""
    if span.end <= span.start:
        raise ValueError("end must be after start")
    return span


class WindowIn(_Body):
    """A daily window of wall-clock time, e.g. ``{"start": "09:00", "end": "12:00"}``."""

    start: time
    end: time

    _ordered = model_validator(mode="after")(_end_after_start)

    def value(self) -> TimeWindow:
        """The finder's window."""
        return TimeWindow(self.start, self.end)


class ExcludeIn(_Body):
    """An interval the caller cannot take; without an offset the times are wall time in ``time_zone``."""

    start: Instant
    end: Instant

    @model_validator(mode="after")
    def _ordered(self) -> ExcludeIn:
        if (self.start.tzinfo is None) != (self.end.tzinfo is None):
            raise ValueError("give both start and end with an offset, or neither")
        return _end_after_start(self)


class AlternativesRequest(_Body):
    """``POST /api/appointments/alternatives``."""

    event_type_id: Annotated[int, Field(gt=0, examples=[1412903])]
    desired_start: Annotated[Instant, Field(examples=["2025-10-01T14:00"])]
    time_zone: Annotated[str | None, Field(examples=["Europe/Berlin"])] = None
    duration_minutes: Annotated[int | None, Field(gt=0, le=1440)] = None
    max_alternatives: Annotated[int | None, Field(ge=1, le=10)] = None
    language: Language | None = None
    preferred_window: Literal["morning", "afternoon", "evening"] | WindowIn | None = None
    # A factory, not ``= []``: pydantic deep-copies a mutable default on every validation (≈ 0.7 µs a search).
    exclude: Annotated[list[ExcludeIn], Field(max_length=50, default_factory=list, json_schema_extra={"default": []})]
    deadline_ms: Annotated[int | None, Field(ge=1, le=60_000)] = None
    hold_minutes: Annotated[int | None, Field(ge=1, le=15)] = None

    _zone = field_validator("time_zone")(check_zone)

    def wish(self, request_id: str = "") -> SearchInput:
        """The search's value for this body."""
        window = self.preferred_window
        return SearchInput(
            event_type_id=self.event_type_id,
            desired_start=self.desired_start,
            time_zone=self.time_zone,
            duration_minutes=self.duration_minutes,
            max_alternatives=self.max_alternatives,
            language=self.language,
            preferred_window=named_window(window) if isinstance(window, str) else window.value() if window else None,
            exclude=tuple(Interval(x.start, x.end) for x in self.exclude) if self.exclude else (),
            deadline_ms=self.deadline_ms,
            hold_minutes=self.hold_minutes,
            request_id=request_id,
        )


class RequestedOut(BaseModel):
    start: datetime
    adjusted_start: datetime | None
    why_not: WhyNot | None
    hold_id: str | None = None
    """Set when the desired time is free and the search asked for holds: it is held for the caller."""
    held_until: datetime | None = None


class AlternativeOut(BaseModel):
    start: datetime
    end: datetime
    strategy: Strategy
    label: str
    spoken_time: str = ""  # the clock time in words in the tenant's register: "halb drei nachmittags"
    score: int
    hold_id: str | None = None
    held_until: datetime | None = None


class FreshnessOut(BaseModel):
    as_of: datetime | None
    age_seconds: float | None
    stale: bool


class SearchStatsOut(BaseModel):
    upstream_calls: int
    cache_hits: int
    cache_misses: int
    duration_ms: float
    timeout_hit: bool
    degraded: Literal["stale", "partial"] | None
    strategies_tried: list[Strategy]


class AlternativesResponse(BaseModel):
    """The answer: is the wish free, what to offer instead, and a sentence to speak."""

    available: bool
    requested: RequestedOut
    alternatives: list[AlternativeOut]
    response_text: str
    freshness: FreshnessOut
    search: SearchStatsOut


class UnavailableResponse(BaseModel):
    """503: Cal.com cannot be reached and no usable cache exists (or, ``internal_error``, an unexpected fault)."""

    error: Literal["upstream_unavailable", "internal_error"] = "upstream_unavailable"
    cause: Literal["unreachable", "rate_limited", "auth", "internal"]
    response_text: str
    retry_after_seconds: int


class ErrorResponse(BaseModel):
    """401 / 404 / 413-as-422 and other plain errors."""

    error: str
    message: str


class AttendeeIn(_Body):
    """Who the appointment is for (sent to Cal.com; never logged): a name and an email and/or a phone.

    ``phone`` may be national (``030 1234567``): it is read in the tenant's ``country`` and sent in E.164.
    """

    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
    email: Annotated[str | None, Field(max_length=EMAIL_MAX, pattern=EMAIL_PATTERN)] = None
    phone: Annotated[str | None, Field(min_length=1, max_length=PHONE_MAX)] = None
    time_zone: str
    language: Language = "de"

    _zone = field_validator("time_zone")(check_zone)

    @model_validator(mode="after")
    def _contact(self) -> AttendeeIn:
        # Cal.com's @RequireEmailOrPhone: a booking needs one way to reach the attendee.
        if not self.email and not (self.phone and self.phone.strip()):
            raise ValueError("give an email or a phone number")
        return self

    def value(self) -> Attendee:
        """The booking path's value for this attendee."""
        return Attendee(self.name, self.time_zone, self.email, self.phone, self.language)


class BookingRequest(_Body):
    """``POST /api/appointments``."""

    event_type_id: Annotated[int, Field(gt=0)]
    start: Instant
    time_zone: str | None = None
    attendee: AttendeeIn
    # Cal.com's ValidateMetadata: at most 50 keys of up to 40 characters, string values up to 500;
    # altslot adds (and owns) `altslot_idempotency`, so the caller keeps 49.
    metadata: Annotated[
        dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=500)]],
        Field(max_length=49),
    ] = {}
    hold_id: Annotated[str | None, Field(pattern=UID_PATTERN)] = None

    _zone = field_validator("time_zone")(check_zone)

    def value(self) -> BookingInput:
        """The booking path's value for this body."""
        return BookingInput(
            self.event_type_id, self.start, self.attendee.value(), self.time_zone, self.metadata, self.hold_id
        )


class CancelRequest(_Body):
    """``POST /api/appointments/{uid}/cancel``."""

    reason: Annotated[str | None, Field(max_length=500)] = None


class RescheduleRequest(_Body):
    """``POST /api/appointments/{uid}/reschedule``."""

    start: Instant
    time_zone: str | None = None
    reason: Annotated[str | None, Field(max_length=500)] = None

    _zone = field_validator("time_zone")(check_zone)

    def value(self) -> MoveInput:
        """The booking path's value for this body."""
        return MoveInput(self.start, self.time_zone, self.reason)


class BookingOut(BaseModel):
    """A booking as Cal.com confirmed it."""

    uid: str
    start: datetime
    end: datetime
    status: str
    rescheduled_from: str | None = None


class SlotTakenResponse(BaseModel):
    """409: the slot is gone; alternatives come from that day freshly re-fetched."""

    error: Literal["slot_taken"] = "slot_taken"
    alternatives: list[AlternativeOut]
    response_text: str
