"""Bookings and slot reservations held by the simulator, and their Cal.com output shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from altslot.sim.datafile import NON_BLOCKING_STATUSES, AttendeeData, EventTypeData, HostData
from altslot.sim.envelopes import iso_utc


@dataclass(slots=True)
class Booking:
    """One booking; ``status`` uses Cal.com's internal upper-case names (``ACCEPTED``, ``CANCELLED`` …)."""

    id: int
    uid: str
    event_type_id: int
    schedule: str
    start: datetime
    end: datetime
    attendee: AttendeeData
    created_at: datetime
    status: str = "ACCEPTED"
    guests: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    location: str | None = None
    booking_fields_responses: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None
    cancellation_reason: str | None = None
    cancelled_by_email: str | None = None
    rescheduling_reason: str | None = None
    rescheduled_by_email: str | None = None
    rescheduled_from_uid: str | None = None
    rescheduled_to_uid: str | None = None
    api_key: str | None = field(default=None, repr=False)
    """The API key whose account made the booking (None: the data file, the admin routes, no key)."""

    @property
    def blocking(self) -> bool:
        """Whether this booking makes its host busy."""
        return self.status not in NON_BLOCKING_STATUSES

    @property
    def duration(self) -> int:
        """Length in minutes."""
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class Reservation:
    """A slot held for a booker until ``until``."""

    uid: str
    event_type_id: int
    schedule: str
    start: datetime
    end: datetime
    duration: int
    reservation_duration: int
    until: datetime

    def output(self, with_duration: bool = True) -> dict[str, Any]:
        """The ``data`` of the reservation endpoints (GET omits ``reservationDuration``)."""
        data: dict[str, Any] = {
            "eventTypeId": self.event_type_id,
            "slotStart": iso_utc(self.start),
            "slotEnd": iso_utc(self.end),
            "slotDuration": self.duration,
            "reservationUid": self.uid,
        }
        if with_duration:
            data["reservationDuration"] = self.reservation_duration
        data["reservationUntil"] = iso_utc(self.until)
        return data


def host_of(schedule: str, host: HostData | None) -> HostData:
    """The schedule's host, or one named after the schedule when the data file gives none."""
    if host is not None:
        return host
    return HostData(name=schedule.capitalize(), email=f"{schedule}@example.com", username=schedule)


# Fields Cal.com's output service sets as ``value || undefined``: absent from the JSON when unset, never null.
_OMITTED_WHEN_UNSET = (
    "cancellationReason", "cancelledByEmail", "reschedulingReason", "rescheduledByEmail", "rescheduledFromUid",
    "rescheduledToUid", "meetingUrl", "location", "rating",
)  # fmt: skip


def booking_output(booking: Booking, event_type: EventTypeData, host: HostData, time_zone: str) -> dict[str, Any]:
    """Cal.com's ``BookingOutput_2024_08_13`` of one booking."""
    attendee = booking.attendee
    person: dict[str, Any] = {
        "name": attendee.name,
        "email": attendee.email,
        "displayEmail": attendee.email,
        "timeZone": attendee.time_zone,
        "language": attendee.language,
        "absent": False,
    }
    if attendee.phone_number:
        person["phoneNumber"] = attendee.phone_number
    output = {
        "id": booking.id,
        "uid": booking.uid,
        "title": f"{event_type.display_title} between {host.name} and {attendee.name}",
        "description": "",
        "hosts": [
            {
                "id": host.id,
                "name": host.name,
                "email": host.email,
                "displayEmail": host.email,
                "username": host.username,
                "timeZone": time_zone,
            }
        ],
        "status": booking.status.lower(),
        "cancellationReason": booking.cancellation_reason,
        "cancelledByEmail": booking.cancelled_by_email,
        "reschedulingReason": booking.rescheduling_reason,
        "rescheduledByEmail": booking.rescheduled_by_email,
        "rescheduledFromUid": booking.rescheduled_from_uid,
        "rescheduledToUid": booking.rescheduled_to_uid,
        "start": iso_utc(booking.start),
        "end": iso_utc(booking.end),
        "duration": booking.duration,
        "eventTypeId": booking.event_type_id,
        "eventType": {"id": event_type.id, "slug": event_type.display_slug},
        "meetingUrl": booking.location,
        "location": booking.location,
        "absentHost": False,
        "createdAt": iso_utc(booking.created_at),
        "updatedAt": iso_utc(booking.updated_at or booking.created_at),
        "metadata": booking.metadata,
        "rating": None,
        "icsUid": f"{booking.uid}@cal.com",
        "attendees": [person],
        "guests": booking.guests,
        "bookingFieldsResponses": {"name": attendee.name, "email": attendee.email} | booking.booking_fields_responses,
    }
    return {k: v for k, v in output.items() if v is not None or k not in _OMITTED_WHEN_UNSET}
