"""Request and response bodies of the HTTP API (the JSON contract of DESIGN §3)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from altslot.finder.models import Language, Strategy, WhyNot
from altslot.types import is_time_zone

# Cal.com booking uids (base58) and reservation uids (UUIDs): nothing that could alter a Cal.com URL.
UID_PATTERN = r"^[A-Za-z0-9_-]{1,128}$"
FIRST_YEAR, LAST_YEAR = 1900, 2999


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
    exclude: Annotated[list[ExcludeIn], Field(max_length=50)] = []
    deadline_ms: Annotated[int | None, Field(ge=1, le=60_000)] = None
    hold_minutes: Annotated[int | None, Field(ge=1, le=15)] = None

    _zone = field_validator("time_zone")(check_zone)


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

    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Annotated[str | None, Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] = None
    phone: Annotated[str | None, Field(min_length=1, max_length=40)] = None
    time_zone: str
    language: Language = "de"

    _zone = field_validator("time_zone")(check_zone)

    @model_validator(mode="after")
    def _contact(self) -> AttendeeIn:
        # Cal.com's @RequireEmailOrPhone: a booking needs one way to reach the attendee.
        if not self.email and not (self.phone and self.phone.strip()):
            raise ValueError("give an email or a phone number")
        return self


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


class CancelRequest(_Body):
    """``POST /api/appointments/{uid}/cancel``."""

    reason: Annotated[str | None, Field(max_length=500)] = None


class RescheduleRequest(_Body):
    """``POST /api/appointments/{uid}/reschedule``."""

    start: Instant
    time_zone: str | None = None
    reason: Annotated[str | None, Field(max_length=500)] = None

    _zone = field_validator("time_zone")(check_zone)


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
