"""Booking webhooks: Cal.com's 2021-10-20 payloads, signed and delivered in the background."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import httpx

from altslot.sim.datafile import AttendeeData, EventTypeData, HostData, WebhookData
from altslot.sim.envelopes import encode, iso_utc
from altslot.sim.records import Booking

Trigger = Literal["BOOKING_CREATED", "BOOKING_CANCELLED", "BOOKING_RESCHEDULED"]
WEBHOOK_VERSION = "2021-10-20"
_RETRY_DELAYS = (0.2, 0.5)  # between attempts; Cal.com retries on network errors, 408, 429 and 5xx
_log = logging.getLogger(__name__)


def sign(secret: str | None, raw: bytes) -> str:
    """The ``X-Cal-Signature-256`` value: hex HMAC-SHA256 of the raw body with the subscriber's secret."""
    if not secret:
        return "no-secret-provided"
    return hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def _stamp(moment: datetime) -> str:
    return iso_utc(moment).replace(".000Z", "Z")


def _offset_minutes(zone: str, moment: datetime) -> int:
    offset = moment.astimezone(ZoneInfo(zone)).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def _organizer(host: HostData, host_zone: str, start: datetime) -> dict[str, Any]:
    return {
        "id": host.id,
        "name": host.name,
        "email": host.email,
        "username": host.username,
        "timeZone": host_zone,
        "language": {"locale": "en"},
        "timeFormat": "h:mma",
        "utcOffset": _offset_minutes(host_zone, start),
    }


def _attendee(attendee: AttendeeData, start: datetime) -> dict[str, Any]:
    first, _, last = attendee.name.partition(" ")
    return {
        "email": attendee.email,
        "name": attendee.name,
        "firstName": first,
        "lastName": last,
        "timeZone": attendee.time_zone,
        "phoneNumber": attendee.phone_number,
        "language": {"locale": attendee.language},
        "utcOffset": _offset_minutes(attendee.time_zone, start),
    }


def _cancellation(booking: Booking) -> dict[str, Any]:
    # handleCancelBooking formats with dayjs' default format on a UTC host: "+00:00", no milliseconds.
    fields: dict[str, Any] = {
        "startTime": booking.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "endTime": booking.end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "cancellationReason": booking.cancellation_reason,
    }
    if booking.cancelled_by_email:
        fields["cancelledBy"] = booking.cancelled_by_email
    fields["requestReschedule"] = False
    return fields


def _replaced(previous: Booking) -> dict[str, Any]:
    return {
        "rescheduleId": previous.id,
        "rescheduleUid": previous.uid,
        "rescheduleStartTime": _stamp(previous.start),
        "rescheduleEndTime": _stamp(previous.end),
    }


def booking_payload(
    booking: Booking,
    event_type: EventTypeData,
    host: HostData,
    host_zone: str,
    previous: Booking | None = None,
) -> dict[str, Any]:
    """The ``payload`` of a booking webhook; ``previous`` is the booking a reschedule replaced."""
    attendee = booking.attendee
    payload: dict[str, Any] = {
        "bookerUrl": "http://127.0.0.1",
        "title": f"{event_type.display_title} between {host.name} and {attendee.name}",
        "startTime": _stamp(booking.start),
        "endTime": _stamp(booking.end),
        "additionalNotes": "",
        "type": event_type.display_slug,
        "description": "",
        "eventTypeId": event_type.id,
        "organizer": _organizer(host, host_zone, booking.start),
        "attendees": [_attendee(attendee, booking.start)],
        "customInputs": {},
        "responses": {
            "name": {"label": "your_name", "value": attendee.name, "isHidden": False},
            "email": {"label": "email_address", "value": attendee.email, "isHidden": False},
        },
        "userFieldsResponses": {},
        "location": booking.location,
        "destinationCalendar": None,
        "iCalUID": f"{booking.uid}@cal.com",
        "iCalSequence": 0 if previous is None else 1,
        "requiresConfirmation": False,
        "uid": booking.uid,
        "bookingId": booking.id,
        "eventTitle": event_type.display_title,
        "eventDescription": "",
        "price": 0,
        "currency": "usd",
        "length": booking.duration,
        "metadata": dict(booking.metadata),
        "status": booking.status,
    }
    if booking.status == "CANCELLED" and previous is None:
        payload.update(_cancellation(booking))
    if previous is not None:
        payload.update(_replaced(previous))
    return payload


class WebhookSender:
    """Posts webhooks to subscribers from background tasks; failures are logged and counted, never raised."""

    def __init__(self, subscribers: Sequence[WebhookData], timeout: float = 2.0) -> None:
        self._subscribers = tuple(subscribers)
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.sent = 0
        self.failed = 0

    def emit(self, trigger: Trigger, schedule: str, payload: dict[str, Any], created_at: datetime) -> None:
        """Queue ``trigger`` for every subscriber of ``schedule``; returns at once."""
        raw = encode({"triggerEvent": trigger, "createdAt": iso_utc(created_at), "payload": payload})
        loop = asyncio.get_running_loop()
        for hook in self._subscribers:
            if hook.schedule is None or hook.schedule == schedule:
                task = loop.create_task(self._deliver(hook, raw, trigger))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    def stats(self) -> dict[str, int]:
        """Deliveries so far."""
        return {"sent": self.sent, "failed": self.failed, "pending": len(self._tasks)}

    async def _deliver(self, hook: WebhookData, raw: bytes, trigger: str) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout)
        headers = {
            "Content-Type": "application/json",
            "X-Cal-Signature-256": sign(hook.secret, raw),
            "X-Cal-Webhook-Version": WEBHOOK_VERSION,
        }
        problem = ""
        for delay in (*_RETRY_DELAYS, None):
            try:
                response = await self._client.post(hook.subscriber_url, content=raw, headers=headers)
            except httpx.HTTPError as error:
                problem = f"{type(error).__name__}: {error}"
            else:
                if response.status_code < 300:
                    self.sent += 1
                    return
                problem = f"HTTP {response.status_code}"
                if response.status_code not in (408, 429) and response.status_code < 500:
                    break
            if delay is not None:
                await asyncio.sleep(delay)
        self.failed += 1
        _log.warning("webhook %s to %s failed: %s", trigger, hook.subscriber_url, problem)

    async def aclose(self, grace: float = 2.0) -> None:
        """Give queued deliveries ``grace`` seconds, cancel the rest and close the HTTP client."""
        pending = set(self._tasks)
        if pending:
            _, still = await asyncio.wait(pending, timeout=grace)
            for task in still:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*still, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
