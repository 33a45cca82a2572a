"""The values of the booking path: what a caller asks to book or move, and what came of it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from altslot.search.answers import Offer
from altslot.types import Language


@dataclass(frozen=True, slots=True)
class Attendee:
    """Who the appointment is for: a name and an email and/or a phone (read in the tenant's country)."""

    name: str
    time_zone: str
    email: str | None = None
    phone: str | None = None
    language: Language = "de"


@dataclass(frozen=True, slots=True)
class BookingInput:
    """A start to book for an event type. A naive ``start`` is wall time in ``time_zone`` (else the tenant's)."""

    event_type_id: int
    start: datetime
    attendee: Attendee
    time_zone: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    hold_id: str | None = None
    """The hold of an offer being booked: booked through it, the other holds of its answer released."""

    def digest(self) -> str:
        """A fingerprint of the whole request: one ``Idempotency-Key`` may only ever book this."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class MoveInput:
    """A new start for an existing booking (naive: wall time in ``time_zone``, else the tenant's)."""

    start: datetime
    time_zone: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Booked:
    """A booking as Cal.com confirmed it, in the tenant's zone (``replayed``: made by an earlier request)."""

    uid: str
    start: datetime
    end: datetime
    status: str
    rescheduled_from: str | None = None
    replayed: bool = False

    def record(self) -> dict[str, Any]:
        """What the idempotency record keeps for retries (the API's booking JSON)."""
        return {
            "uid": self.uid,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "status": self.status,
            "rescheduled_from": self.rescheduled_from,
        }

    @classmethod
    def replay(cls, record: Mapping[str, Any]) -> Booked:
        """The booking kept in an idempotency record, marked as replayed."""
        return cls(
            uid=record["uid"],
            start=datetime.fromisoformat(record["start"]),
            end=datetime.fromisoformat(record["end"]),
            status=record["status"],
            rescheduled_from=record.get("rescheduled_from"),
            replayed=True,
        )


@dataclass(frozen=True, slots=True)
class SlotTaken:
    """The start is gone: alternatives from a fresh look at that day, and the sentence that offers them."""

    offers: tuple[Offer, ...]
    text: str
