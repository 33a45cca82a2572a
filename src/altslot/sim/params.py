"""Query validation of the slots endpoints with Cal.com's (class-validator) messages and input rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time

from altslot.sim.envelopes import ApiError
from altslot.types import is_time_zone

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$")
_INT = re.compile(r"^\s*[+-]?\d+")
_NOT_A_NUMBER = "{} must be a number conforming to the specified constraints"
_V2_BASE = ("start", "end", "timeZone", "duration", "format", "bookingUidToReschedule")
_V2_VARIANTS: dict[str, frozenset[str]] = {
    "byId": frozenset((*_V2_BASE, "eventTypeId", "rrHostSubsetIds")),
    "byUser": frozenset((*_V2_BASE, "eventTypeSlug", "username", "organizationSlug")),
    "byTeam": frozenset((*_V2_BASE, "eventTypeSlug", "teamSlug", "organizationSlug")),
    "byUsernames": frozenset((*_V2_BASE, "usernames", "organizationSlug")),
}


@dataclass(frozen=True, slots=True)
class SlotsParams:
    """A validated slots query: the UTC window after Cal.com's input rules, zone, event type, format."""

    start: datetime
    end: datetime
    time_zone: str | None
    event_type_id: int
    duration: int | None
    range_format: bool
    exclude_uid: str | None


def parse_iso(text: str | None) -> datetime | None:
    """A strict ISO 8601 date or date-time as aware UTC (no offset means UTC); None when invalid."""
    if text is None or not _ISO.match(text):
        return None
    try:
        moment = datetime.fromisoformat(text.replace(",", "."))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def validation_error(problems: Mapping[str, list[str]]) -> ApiError:
    """Cal.com's custom pipes' 400 text: ``"<prop> property is wrong,<messages> "`` per property, joined by ", "."""
    return ApiError(400, ", ".join(f"{prop} property is wrong,{', '.join(msgs)} " for prop, msgs in problems.items()))


Constraints = dict[str, dict[str, str]]
"""Failed class-validator constraints per property: ``{"startTime": {"isDateString": "startTime must be …"}}``."""


def pipe_error(problems: Constraints, values: Mapping[str, object]) -> ApiError:
    """The global ``ValidationPipe``'s 400 (``app.ts`` exceptionFactory): a generic message, the errors in details."""
    errors = [
        {"property": prop, **({"value": values[prop]} if prop in values else {}), "children": [], "constraints": found}
        for prop, found in problems.items()
    ]
    return ApiError(400, "Bad Request Exception", details={"errors": errors})


def _int(text: str | None) -> int | None:
    # The DTOs transform with parseInt, which reads a leading integer and ignores the rest.
    match = _INT.match(text) if text is not None else None
    return int(match.group()) if match else None


def _forbid(params: Mapping[str, str], allowed: frozenset[str], problems: dict[str, list[str]]) -> None:
    for name in params:
        if name not in allowed:
            problems.setdefault(name, []).append(f"property {name} should not exist")


def _variant(params: Mapping[str, str]) -> str:
    if "eventTypeId" in params:
        return "byId"
    if "eventTypeSlug" in params and "username" in params:
        return "byUser"
    if "eventTypeSlug" in params and "teamSlug" in params:
        return "byTeam"
    return "byUsernames"


def parse_v2(params: Mapping[str, str]) -> SlotsParams:
    """Validate ``GET /v2/slots`` (2024-09-04) and apply its input rules; raise ApiError like Cal.com."""
    problems: dict[str, list[str]] = {}
    variant = _variant(params)
    start = parse_iso(params.get("start"))
    end = parse_iso(params.get("end"))
    if start is None:
        problems["start"] = ["start must be a valid ISO 8601 date string"]
    if end is None:
        problems["end"] = ["end must be a valid ISO 8601 date string"]
    zone = params.get("timeZone")
    if zone is not None and not is_time_zone(zone):
        problems["timeZone"] = ["timeZone must be a valid IANA time-zone"]
    event_type_id = _int(params.get("eventTypeId"))
    if variant == "byId" and event_type_id is None:
        problems["eventTypeId"] = [_NOT_A_NUMBER.format("eventTypeId")]
    # ``value && parseInt(value)`` then ``@IsNumber`` without ``@Min``: 0 passes and means the event's length.
    duration = _int(params.get("duration"))
    if params.get("duration") and duration is None:
        problems["duration"] = [_NOT_A_NUMBER.format("duration")]
    if duration is not None and duration < 1:
        duration = None
    fmt = params.get("format")
    if fmt is not None and fmt.lower() not in ("time", "range"):
        problems["format"] = ["slotFormat must be either 'range' or 'time'"]
    if variant == "byUsernames" and len([u for u in params.get("usernames", "").split(",") if u]) < 2:
        problems["usernames"] = ["The array must contain at least 2 elements."]
    _forbid(params, _V2_VARIANTS[variant], problems)
    if problems:
        raise validation_error(problems)
    if variant == "byUser":
        raise ApiError(404, f"User with username {params['username']} not found")
    if variant == "byTeam":
        raise ApiError(404, f"Team with slug {params['teamSlug']} not found")
    if variant == "byUsernames":
        raise ApiError(404, f"User with username {params['usernames'].split(',')[0]} not found")
    assert start is not None
    assert end is not None
    assert event_type_id is not None
    # Cal.com's input rules: a bare date starts at 00:00Z; an end at exactly 00:00:00 means the whole day.
    if end.time() == time(0, 0):
        end = end.replace(hour=23, minute=59, second=59)
    if end <= start:
        raise ApiError(400, "Invalid time range given - check the 'start' and 'end' query parameters.")
    return SlotsParams(
        start=start,
        end=end,
        time_zone=zone,
        event_type_id=event_type_id,
        duration=duration,
        range_format=(fmt or "time").lower() == "range",
        exclude_uid=params.get("bookingUidToReschedule"),
    )


def parse_legacy(params: Mapping[str, str]) -> SlotsParams | None:
    """Validate ``GET /v2/slots/available`` (2024-04-15); None when no event type is named (tRPC 404).

    This controller has no pipe of its own: the global ``ValidationPipe`` strips unknown parameters and
    answers Bad Request Exception with the failed constraints in ``details.errors``.
    """
    problems: Constraints = {}
    start = parse_iso(params.get("startTime"))
    end = parse_iso(params.get("endTime"))
    if start is None:
        problems["startTime"] = {"isDateString": "startTime must be a valid ISO 8601 date string"}
    if end is None:
        problems["endTime"] = {"isDateString": "endTime must be a valid ISO 8601 date string"}
    duration = _int(params.get("duration"))
    if "duration" in params and (duration is None or duration < 1):
        problems["duration"] = {"min": "Duration must be a positive number"}
    fmt = params.get("slotFormat")
    if fmt is not None and fmt.lower() not in ("time", "range"):
        problems["slotFormat"] = {"isEnum": "slotFormat must be either 'range' or 'time'"}
    if problems:
        raise pipe_error(problems, {k: v for k, v in params.items() if k in problems})
    assert start is not None
    assert end is not None
    if end <= start:
        raise ApiError(400, "Invalid time range given - check the 'startTime' and 'endTime' query parameters.")
    event_type_id = _int(params.get("eventTypeId"))
    if event_type_id is None:
        return None
    zone = params.get("timeZone")
    return SlotsParams(
        start=start,
        end=end,
        # Only ``@IsString`` here: an unknown zone passes validation (and is answered in UTC by the simulator).
        time_zone=zone if zone is not None and is_time_zone(zone) else None,
        event_type_id=event_type_id,
        duration=duration,
        range_format=fmt is not None,  # only an absent slotFormat gives {time}; "time" gives ranges too
        exclude_uid=params.get("rescheduleUid"),
    )
