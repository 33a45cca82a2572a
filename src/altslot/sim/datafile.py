"""The simulator's data file: schedules, event types, bookings, API keys and webhook subscribers."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from altslot.engine import AvailabilityRule, DateOverride, EventType, Schedule
from altslot.types import is_time_zone

BookingStatus = Literal["ACCEPTED", "PENDING", "AWAITING_HOST", "CANCELLED", "REJECTED"]
NON_BLOCKING_STATUSES: frozenset[str] = frozenset({"CANCELLED", "REJECTED"})


class SimDataError(ValueError):
    """The data file cannot be used; the message is one line naming the field and the problem."""


def _check_zone(name: str) -> str:
    if not is_time_zone(name):
        raise ValueError(f"unknown IANA time zone {name!r}")
    return name


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


TimeZoneName = Annotated[str, BeforeValidator(_check_zone)]
PositiveMinutes = Annotated[int, Field(gt=0)]
Minutes = Annotated[int, Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AvailabilityData(_Strict):
    """Weekly hours: ``days`` in Cal.com's numbering (0 = Sunday … 6 = Saturday)."""

    days: list[Annotated[int, Field(ge=0, le=6)]] = Field(min_length=1)
    start_time: time
    end_time: time


class DateOverrideData(_Strict):
    """Hours replacing one date's working hours; ``00:00``–``00:00`` closes the day."""

    date: date
    start_time: time
    end_time: time


class HostData(_Strict):
    """The person whose calendar a schedule is (shown in bookings and webhooks)."""

    id: int = 1
    name: str = "Host"
    email: str = "host@example.com"
    username: str = "host"


class ScheduleData(_Strict):
    """One host's schedule in its own time zone."""

    time_zone: TimeZoneName
    availability: list[AvailabilityData]
    date_overrides: list[DateOverrideData] = []
    host: HostData | None = None

    def to_engine(self) -> Schedule:
        """The engine's view of this schedule."""
        return Schedule(
            time_zone=self.time_zone,
            availability=tuple(
                AvailabilityRule(frozenset(rule.days), rule.start_time, rule.end_time) for rule in self.availability
            ),
            date_overrides=tuple(
                DateOverride(item.date, item.start_time, item.end_time) for item in self.date_overrides
            ),
        )


class EventTypeData(_Strict):
    """A bookable service on a schedule; all durations in minutes."""

    id: Annotated[int, Field(gt=0)]
    length: PositiveMinutes
    slot_interval: PositiveMinutes | None = None
    minimum_booking_notice: Minutes = 0
    before_event_buffer: Minutes = 0
    after_event_buffer: Minutes = 0
    schedule: str
    title: str | None = None
    slug: str | None = None
    lengths: list[PositiveMinutes] | None = None  # Cal.com's ``metadata.multipleDuration``: variable length

    def to_engine(self) -> EventType:
        """The engine's view of this event type: the fields the engine's ``EventType`` has, by name."""
        return EventType(**{f.name: getattr(self, f.name) for f in fields(EventType)})

    @property
    def display_title(self) -> str:
        """The title Cal.com would show (its default is "<length> Min Meeting")."""
        return self.title or f"{self.length} Min Meeting"

    @property
    def display_slug(self) -> str:
        """The event type's URL slug."""
        return self.slug or f"{self.length}min"


class AttendeeData(_Strict):
    """The person who booked."""

    name: str = "Demo Guest"
    email: str = "guest@example.com"
    time_zone: TimeZoneName = "UTC"
    language: str = "en"
    phone_number: str | None = None


class BookingData(_Strict):
    """An existing booking; ``CANCELLED`` and ``REJECTED`` bookings do not block time."""

    uid: str = Field(min_length=1)
    event_type_id: int
    start: AwareDatetime
    end: AwareDatetime
    status: Annotated[BookingStatus, BeforeValidator(_upper)] = "ACCEPTED"
    attendee: AttendeeData = AttendeeData()

    @model_validator(mode="after")
    def _end_after_start(self) -> BookingData:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class WebhookData(_Strict):
    """A webhook subscriber; ``schedule`` limits it to that schedule's bookings (None: all)."""

    subscriber_url: Annotated[str, Field(pattern=r"^https?://")]
    secret: str | None = None
    schedule: str | None = None


class SimData(_Strict):
    """The whole data file."""

    now: AwareDatetime | None = None
    api_keys: list[str] = []
    schedules: dict[str, ScheduleData]
    event_types: list[EventTypeData]
    bookings: list[BookingData] = []
    webhooks: list[WebhookData] = []

    @model_validator(mode="after")
    def _references_resolve(self) -> SimData:
        # Cross-references are checked here so a typo fails at load time, not on the first request.
        seen: set[int] = set()
        for index, event_type in enumerate(self.event_types):
            if event_type.schedule not in self.schedules:
                raise _FieldError(f"event_types[{index}].schedule", f"unknown schedule {event_type.schedule!r}")
            if event_type.id in seen:
                raise _FieldError(f"event_types[{index}].id", f"duplicate event type id {event_type.id}")
            seen.add(event_type.id)
        uids: set[str] = set()
        for index, booking in enumerate(self.bookings):
            if booking.event_type_id not in seen:
                raise _FieldError(f"bookings[{index}].event_type_id", f"unknown event type {booking.event_type_id}")
            if booking.uid in uids:
                raise _FieldError(f"bookings[{index}].uid", f"duplicate uid {booking.uid!r}")
            uids.add(booking.uid)
        for index, hook in enumerate(self.webhooks):
            if hook.schedule is not None and hook.schedule not in self.schedules:
                raise _FieldError(f"webhooks[{index}].schedule", f"unknown schedule {hook.schedule!r}")
        return self


class _FieldError(ValueError):
    """A cross-reference problem that already knows its field path."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(file)"


def _problem(message: str) -> str:
    for prefix, replacement in (
        ("Input should be ", "must be "),
        ("Value error, ", ""),
        ("Assertion failed, ", ""),
    ):
        if message.startswith(prefix):
            return replacement + message[len(prefix) :]
    if message == "Field required":
        return "is required"
    if message == "Extra inputs are not permitted":
        return "is not a known field"
    return message[:1].lower() + message[1:]


def one_line_error(error: ValidationError) -> str:
    """The first validation problem as one line: ``field.path: what is wrong``."""
    first = error.errors()[0]
    context = first.get("ctx", {}).get("error")
    if isinstance(context, _FieldError):
        line = str(context)
    else:
        line = f"{_field_path(tuple(first['loc']))}: {_problem(first['msg'])}"
    more = error.error_count() - 1
    line = " ".join(line.split())
    return f"{line} (and {more} more problem{'s' if more > 1 else ''})" if more else line


def parse_data(raw: Any) -> SimData:
    """Validate an already-decoded data file; raise `SimDataError` with one line on any problem."""
    try:
        return SimData.model_validate(raw)
    except ValidationError as error:
        raise SimDataError(one_line_error(error)) from None


def load_data(path: Path) -> SimData:
    """Read and validate a JSON data file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise SimDataError(f"{path}: cannot read ({error.strerror or error})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise SimDataError(
            f"{path}: not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from None
    return parse_data(raw)
