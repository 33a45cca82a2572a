"""Cal.com API v2 over httpx. Only this module imports the HTTP library.

The client takes an ``httpx.AsyncClient`` so one connection pool per Cal.com base URL is shared by all
tenants on it, and tests or benchmarks can hand in any transport.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import httpx

from altslot.calcom.errors import (
    BadRequest,
    CalcomError,
    MalformedResponse,
    NotFound,
    RateLimited,
    ServerError,
    Timeout,
    TransportError,
    Unauthorized,
    bad_request,
)
from altslot.calcom.wire import Booking, DaySlots, RateLimitInfo, booking_of, instant, rate_limit_info, utc_iso

Transport = httpx.AsyncBaseTransport
"""Where requests go: the network by default, or any transport (a handler, the simulator app) in tests."""


# Cal.com's booking uids and reservation uids are short alphanumeric ids (base58, UUIDs).
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def path_segment(value: str) -> str:
    """``value`` as one URL path segment; anything that could start a query, cut or climb the path is refused."""
    if not _SEGMENT.match(value):
        raise BadRequest(f"{value[:40]!r} is not a Cal.com uid", status=400)
    return value


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(body.get("message"), str):
            return str(body["message"])
    return response.reason_phrase


def _raise_for(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    message = _error_message(response)
    if status == 429:
        info = rate_limit_info(response.headers)
        raise RateLimited(message, reset_seconds=info.reset_seconds if info else 60.0)
    if status >= 500:
        raise ServerError(message, status=status)
    if status in (401, 403):
        raise Unauthorized(message, status=status)
    if status == 404:
        raise NotFound(message, status=status)
    raise bad_request(message, status)


class CalcomClient:
    """One tenant's view of Cal.com: its API key, the API versions, and a shared connection pool."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        api_key: str | None,
        *,
        slots_version: str = "2024-09-04",
        bookings_version: str = "2024-08-13",
    ) -> None:
        self._http = http
        self._auth = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._slots_version = slots_version
        self._bookings_version = bookings_version
        self.last_rate_limit: RateLimitInfo | None = None

    async def _call(
        self,
        method: str,
        path: str,
        version: str | None,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        data_required: bool = True,
    ) -> Any:
        headers = {**self._auth, "cal-api-version": version} if version else dict(self._auth)
        try:
            response = await self._http.request(method, path, params=params, json=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise Timeout(f"{method} {path}: no answer in time") from exc
        except httpx.HTTPError as exc:
            raise TransportError(f"{method} {path}: {type(exc).__name__}") from exc
        except (httpx.InvalidURL, httpx.CookieConflict, UnicodeError) as exc:
            # Not network failures (httpx raises them before sending): the request itself is unusable.
            raise BadRequest(f"{method} {path[:60]}: {type(exc).__name__}", status=400) from exc
        self.last_rate_limit = rate_limit_info(response.headers) or self.last_rate_limit
        _raise_for(response)
        try:
            envelope = response.json()
        except (ValueError, json.JSONDecodeError) as exc:
            raise MalformedResponse(f"{method} {path}: body is not JSON") from exc
        if not isinstance(envelope, dict) or envelope.get("status") != "success":
            raise MalformedResponse(f"{method} {path}: not a success envelope")
        if data_required and "data" not in envelope:
            raise MalformedResponse(f"{method} {path}: success envelope without data")
        return envelope.get("data")

    async def get_slots(
        self,
        event_type_id: int,
        start: datetime,
        end: datetime,
        time_zone: str,
        duration: int | None = None,
    ) -> DaySlots:
        """``GET /v2/slots`` in range format: free slots between two instants, grouped by local date."""
        params = {
            "eventTypeId": str(event_type_id),
            "start": utc_iso(start),
            "end": utc_iso(end),
            "timeZone": time_zone,
            "format": "range",
        }
        if duration is not None:
            params["duration"] = str(duration)
        data = await self._call("GET", "/v2/slots", self._slots_version, params=params)
        if not isinstance(data, dict):
            raise MalformedResponse("GET /v2/slots: data is not an object")
        days: DaySlots = {}
        for key, items in data.items():
            try:
                day = date.fromisoformat(key)
            except ValueError as exc:
                raise MalformedResponse(f"GET /v2/slots: bad date key {key!r}") from exc
            if not isinstance(items, list):
                raise MalformedResponse(f"GET /v2/slots: {key} is not a list")
            days[day] = [(instant(i.get("start")), instant(i.get("end"))) for i in items]
        return days

    async def create_booking(
        self,
        event_type_id: int,
        start: datetime,
        attendee: Mapping[str, Any],
        *,
        length_minutes: int | None = None,
        metadata: Mapping[str, str] | None = None,
        reserved_slot_uid: str | None = None,
    ) -> Booking:
        """``POST /v2/bookings``: book ``start`` for the attendee, through a reservation when one is named."""
        body: dict[str, Any] = {"eventTypeId": event_type_id, "start": utc_iso(start), "attendee": attendee}
        if length_minutes is not None:
            body["lengthInMinutes"] = length_minutes
        if metadata:
            body["metadata"] = dict(metadata)
        if reserved_slot_uid:
            body["reservedSlotUid"] = reserved_slot_uid
        return booking_of(await self._call("POST", "/v2/bookings", self._bookings_version, body=body))

    async def list_bookings(
        self,
        *,
        event_type_id: int | None = None,
        booking_uid: str | None = None,
        after_start: datetime | None = None,
        before_end: datetime | None = None,
        take: int = 100,
    ) -> list[Booking]:
        """``GET /v2/bookings``: the bookings this key's account may see, filtered (one page of ``take``)."""
        params = {"take": str(take)}
        if event_type_id is not None:
            params["eventTypeId"] = str(event_type_id)
        if booking_uid is not None:
            params["bookingUid"] = booking_uid
        if after_start is not None:
            params["afterStart"] = utc_iso(after_start)
        if before_end is not None:
            params["beforeEnd"] = utc_iso(before_end)
        data = await self._call("GET", "/v2/bookings", self._bookings_version, params=params)
        if not isinstance(data, list):
            raise MalformedResponse("GET /v2/bookings: data is not a list")
        # Recurring bookings come as nested lists; altslot never makes them, so they are skipped.
        return [booking_of(item) for item in data if isinstance(item, dict)]

    async def cancel_booking(self, uid: str, reason: str) -> Booking:
        """``POST /v2/bookings/{uid}/cancel``; Cal.com requires a reason when the key is the host's."""
        body = {"cancellationReason": reason}
        data = await self._call("POST", f"/v2/bookings/{path_segment(uid)}/cancel", self._bookings_version, body=body)
        return booking_of(data)

    async def reschedule_booking(self, uid: str, start: datetime, reason: str | None = None) -> Booking:
        """``POST /v2/bookings/{uid}/reschedule``: Cal.com answers with the new booking (a new uid)."""
        body: dict[str, Any] = {"start": utc_iso(start)}
        if reason:
            body["reschedulingReason"] = reason
        data = await self._call(
            "POST", f"/v2/bookings/{path_segment(uid)}/reschedule", self._bookings_version, body=body
        )
        return booking_of(data)

    async def reserve_slot(
        self, event_type_id: int, start: datetime, minutes: int, duration: int | None = None
    ) -> tuple[str, datetime]:
        """``POST /v2/slots/reservations``: hold a slot; returns the reservation uid and its expiry."""
        body: dict[str, Any] = {
            "eventTypeId": event_type_id,
            "slotStart": utc_iso(start),
            "reservationDuration": minutes,
        }
        if duration is not None:
            body["slotDuration"] = duration
        data = await self._call("POST", "/v2/slots/reservations", self._slots_version, body=body)
        if not isinstance(data, dict) or not isinstance(data.get("reservationUid"), str):
            raise MalformedResponse("POST /v2/slots/reservations: no reservationUid")
        return data["reservationUid"], instant(data.get("reservationUntil"))

    async def release_slot(self, reservation_uid: str) -> None:
        """``DELETE /v2/slots/reservations/{uid}``: Cal.com answers ``{"status": "success"}`` without data."""
        path = f"/v2/slots/reservations/{path_segment(reservation_uid)}"
        await self._call("DELETE", path, self._slots_version, data_required=False)

    async def me(self) -> dict[str, Any]:
        """``GET /v2/me``: the key's owner; the cheapest call that proves the key (slots work without one)."""
        data = await self._call("GET", "/v2/me", None)
        if not isinstance(data, dict) or not isinstance(data.get("id"), int):
            raise MalformedResponse("GET /v2/me: no user id")
        return data


class CalcomPool:
    """One bounded connection pool per Cal.com base URL, shared by every tenant that uses it."""

    def __init__(
        self,
        *,
        timeout: float,
        max_connections: int,
        slots_version: str,
        bookings_version: str,
        transport: Transport | None = None,
    ) -> None:
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 2.0))
        self._limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._versions = {"slots_version": slots_version, "bookings_version": bookings_version}
        self._transport = transport
        self._http: dict[str, httpx.AsyncClient] = {}

    def client(self, base_url: str, api_key: str | None) -> CalcomClient:
        """A client for one tenant's key on the shared pool of ``base_url``."""
        http = self._http.get(base_url)
        if http is None:
            http = httpx.AsyncClient(
                base_url=base_url, timeout=self._timeout, limits=self._limits, transport=self._transport
            )
            self._http[base_url] = http
        return CalcomClient(http, api_key, **self._versions)

    async def aclose(self) -> None:
        """Close every pool."""
        for http in self._http.values():
            await http.aclose()
        self._http.clear()


__all__ = [
    "Booking",
    "CalcomClient",
    "CalcomError",
    "DaySlots",
    "RateLimitInfo",
    "rate_limit_info",
    "utc_iso",
]
