"""``GET /v2/bookings`` (2024-08-13): the filters of ``GetBookingsInput_2024_08_13`` the simulator models.

Modelled: ``eventTypeId``, ``eventTypeIds`` (comma-separated), ``bookingUid``, ``afterStart`` (start ≥),
``beforeEnd`` (end ≤), ``status`` (comma-separated: upcoming, past, cancelled, unconfirmed, recurring),
``sortStart``, ``take`` (1–250, default 100) and ``skip``. Other known filters (attendee, team, created and
updated times) are accepted and ignored; an unknown parameter is a 400, as Cal.com's pipe answers.
Only bookings the caller's API key may see are listed (see ``visible``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from altslot.sim.params import parse_iso, validation_error
from altslot.sim.records import Booking

_IGNORED = frozenset(
    (
        "attendeeEmail", "attendeeName", "teamsIds", "teamId", "afterCreatedAt", "beforeCreatedAt",
        "afterUpdatedAt", "beforeUpdatedAt", "sortEnd", "sortCreated", "sortUpdatedAt",
    )
)  # fmt: skip
_MODELLED = frozenset(
    ("eventTypeId", "eventTypeIds", "bookingUid", "afterStart", "beforeEnd", "status", "sortStart", "take", "skip")
)
_STATUSES = frozenset(("upcoming", "recurring", "past", "cancelled", "unconfirmed"))
_INT = re.compile(r"^\s*\d+\s*$")


def visible(booking: Booking, api_key: str | None) -> bool:
    """Whether a request with ``api_key`` may see the booking: Cal.com scopes bookings to the account.

    In the simulator every API key is an account of its own. A booking made with a key belongs to it;
    bookings from the data file, the admin routes or an unauthenticated create have no owner and every
    caller may see them.
    """
    return booking.api_key is None or booking.api_key == api_key


@dataclass(frozen=True, slots=True)
class BookingQuery:
    """A validated list query."""

    event_type_ids: frozenset[int] | None = None
    booking_uid: str | None = None
    after_start: datetime | None = None
    before_end: datetime | None = None
    statuses: frozenset[str] = frozenset()
    descending: bool = False
    take: int = 100
    skip: int = 0

    def matches(self, booking: Booking, now: datetime) -> bool:
        """Whether the booking passes every filter."""
        if self.event_type_ids is not None and booking.event_type_id not in self.event_type_ids:
            return False
        if self.booking_uid is not None and booking.uid != self.booking_uid:
            return False
        if self.after_start is not None and booking.start < self.after_start:
            return False
        if self.before_end is not None and booking.end > self.before_end:
            return False
        return not self.statuses or _status_of(booking, now) in self.statuses


def _status_of(booking: Booking, now: datetime) -> str:
    if booking.status in ("CANCELLED", "REJECTED"):
        return "cancelled"
    if booking.status in ("PENDING", "AWAITING_HOST"):
        return "unconfirmed"
    return "past" if booking.end <= now else "upcoming"


def _number(params: Mapping[str, str], name: str, low: int, high: int, problems: dict[str, list[str]]) -> int | None:
    text = params.get(name)
    if text is None:
        return None
    if not _INT.match(text) or not low <= int(text) <= high:
        problems[name] = [f"{name} must not be less than {low}", f"{name} must not be greater than {high}"]
        return None
    return int(text)


def parse_query(params: Mapping[str, str]) -> BookingQuery:
    """Validate the query string; a 400 with Cal.com's class-validator texts on bad input."""
    problems: dict[str, list[str]] = {}
    for name in params:
        if name not in _MODELLED and name not in _IGNORED:
            problems.setdefault(name, []).append(f"property {name} should not exist")
    ids: set[int] = set()
    for name in ("eventTypeId", "eventTypeIds"):
        for part in params[name].split(",") if name in params else ():
            if not _INT.match(part):
                problems[name] = [f"{name} must be a number conforming to the specified constraints"]
            else:
                ids.add(int(part))
    moments: dict[str, datetime | None] = {}
    for name in ("afterStart", "beforeEnd"):
        moments[name] = parse_iso(params.get(name)) if name in params else None
        if name in params and moments[name] is None:
            problems[name] = [f"{name} must be a valid ISO 8601 date string"]
    statuses = frozenset(s.strip() for s in params.get("status", "").split(",") if s.strip())
    if statuses - _STATUSES:
        problems["status"] = [
            f"each value in status must be one of the following values: {', '.join(sorted(_STATUSES))}"
        ]
    sort = params.get("sortStart")
    if sort is not None and sort not in ("asc", "desc"):
        problems["sortStart"] = ["sortStart must be one of the following values: asc, desc"]
    take = _number(params, "take", 1, 250, problems)
    skip = _number(params, "skip", 0, 1_000_000, problems)
    if problems:
        raise validation_error(problems)
    return BookingQuery(
        event_type_ids=frozenset(ids) if ids else None,
        booking_uid=params.get("bookingUid"),
        after_start=moments["afterStart"],
        before_end=moments["beforeEnd"],
        statuses=statuses,
        descending=sort == "desc",
        take=100 if take is None else take,
        skip=skip or 0,
    )


def list_page(
    bookings: list[Booking], query: BookingQuery, now: datetime, output: Callable[[Booking], dict[str, Any]]
) -> dict[str, Any]:
    """Cal.com's ``GetBookingsOutput_2024_08_13``: ``data`` and ``pagination``."""
    found = sorted((b for b in bookings if query.matches(b, now)), key=lambda b: b.start, reverse=query.descending)
    page = found[query.skip : query.skip + query.take]
    total = len(found)
    pages = -(-total // query.take)
    return {
        "status": "success",
        "data": [output(b) for b in page],
        "pagination": {
            "totalItems": total,
            "remainingItems": max(0, total - (query.skip + len(page))),
            "returnedItems": len(page),
            "itemsPerPage": query.take,
            "currentPage": query.skip // query.take + 1,
            "totalPages": pages,
            "hasNextPage": query.skip + len(page) < total,
            "hasPreviousPage": query.skip > 0,
        },
    }
