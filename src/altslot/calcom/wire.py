"""Cal.com's wire formats: timestamps, rate-limit headers and the shapes altslot reads from responses.

Pure functions and values, no HTTP: the client in ``client.py`` is the only module that speaks it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from altslot.calcom.errors import MalformedResponse

DaySlots = dict[date, list[tuple[datetime, datetime]]]
"""Slots as ``(start, end)`` pairs (aware UTC) grouped by date in the requested time zone."""


def utc_iso(moment: datetime) -> str:
    """Format an instant the way Cal.com expects it: UTC with milliseconds and ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def instant(text: Any) -> datetime:
    if not isinstance(text, str):
        raise MalformedResponse(f"expected a timestamp, got {type(text).__name__}")
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MalformedResponse(f"bad timestamp {text!r}") from exc
    if value.tzinfo is None:
        raise MalformedResponse(f"timestamp without offset {text!r}")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class RateLimitInfo:
    """What Cal.com's ``X-RateLimit-*`` headers said about the key (the tightest named limit)."""

    limit: int
    remaining: int
    reset_seconds: float


def rate_limit_info(headers: Mapping[str, str]) -> RateLimitInfo | None:
    """Read the tightest ``X-RateLimit-{Limit,Remaining,Reset}-<Name>`` triple, if any was sent."""
    best: RateLimitInfo | None = None
    lowered = {k.lower(): v for k, v in headers.items()}
    for key, value in lowered.items():
        if not key.startswith("x-ratelimit-remaining-"):
            continue
        name = key.removeprefix("x-ratelimit-remaining-")
        try:
            info = RateLimitInfo(
                limit=int(lowered.get(f"x-ratelimit-limit-{name}", "0")),
                remaining=int(value),
                reset_seconds=float(lowered.get(f"x-ratelimit-reset-{name}", "60")),
            )
        except ValueError:
            continue
        if best is None or info.remaining < best.remaining:
            best = info
    return best


@dataclass(frozen=True, slots=True)
class Booking:
    """A Cal.com booking as altslot needs it."""

    uid: str
    start: datetime
    end: datetime
    status: str
    event_type_id: int | None
    metadata: Mapping[str, str] = field(default_factory=dict, compare=False)


def booking_of(data: Any) -> Booking:
    if not isinstance(data, dict) or not isinstance(data.get("uid"), str):
        raise MalformedResponse("booking response without uid")
    event_type = data.get("eventTypeId") or (data.get("eventType") or {}).get("id")
    metadata = data.get("metadata")
    return Booking(
        uid=data["uid"],
        start=instant(data.get("start")),
        end=instant(data.get("end")),
        status=str(data.get("status", "")),
        event_type_id=int(event_type) if isinstance(event_type, int | str) and str(event_type).isdigit() else None,
        metadata={str(k): str(v) for k, v in metadata.items()} if isinstance(metadata, dict) else {},
    )


_PROPERTY = re.compile(r"(?:^|, )([\w.\[\]]+) property is wrong,")


def refused_properties(message: str) -> list[str]:
    """The properties a Cal.com validation message names (``"start property is wrong,…"``), in order."""
    return _PROPERTY.findall(message)
