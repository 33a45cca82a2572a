"""Routes of the booking path and Cal.com's webhooks; they translate, the booker decides."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, Response

from altslot.api import present
from altslot.api.deps import Caller, runtime_of
from altslot.api.responses import BOOKING, WEBHOOK
from altslot.api.schemas import UID_PATTERN, BookingOut, BookingRequest, CancelRequest, RescheduleRequest
from altslot.booking.reporting import booking_reported, webhook_reported
from altslot.errors import BadSignature
from altslot.events import WebhookDelivery

router = APIRouter()

BookingUid = Annotated[str, Path(pattern=UID_PATTERN, description="A Cal.com booking uid (letters, digits, - and _)")]


@router.post("/api/appointments", status_code=201, response_model=BookingOut, responses=BOOKING, summary="Book a slot")
async def book(
    body: BookingRequest,
    request: Request,
    caller: Caller,
    idempotency_key: Annotated[str, Header(min_length=1, max_length=200)],
) -> Response:
    """Book once per ``Idempotency-Key``; 409 with fresh alternatives when the slot is gone."""
    runtime = runtime_of(request)
    booking = runtime.booker.book(caller, body.value(), idempotency_key)
    return present.booking_response(await booking_reported(runtime.events, caller.id, "create", booking), 201)


@router.post("/api/appointments/{uid}/cancel", response_model=BookingOut, responses=BOOKING, summary="Cancel a booking")
async def cancel(uid: BookingUid, request: Request, caller: Caller, body: CancelRequest | None = None) -> Response:
    """Cancel at Cal.com; the freed day is refreshed in the background."""
    runtime = runtime_of(request)
    cancelling = runtime.booker.cancel(caller, uid, body.reason if body else None)
    return present.booking_response(await booking_reported(runtime.events, caller.id, "cancel", cancelling), 200)


@router.post(
    "/api/appointments/{uid}/reschedule",
    status_code=201,
    response_model=BookingOut,
    responses=BOOKING,
    summary="Move a booking to another start",
)
async def reschedule(uid: BookingUid, body: RescheduleRequest, request: Request, caller: Caller) -> Response:
    """Cal.com makes a new booking (new uid); 409 with fresh alternatives when the slot is gone."""
    runtime = runtime_of(request)
    moving = runtime.booker.reschedule(caller, uid, body.value())
    return present.booking_response(await booking_reported(runtime.events, caller.id, "reschedule", moving), 201)


@router.post("/webhooks/calcom/{tenant}", responses=WEBHOOK, summary="Cal.com webhook subscriber (signed)")
async def webhook(
    tenant: str,
    request: Request,
    x_cal_signature_256: Annotated[str | None, Header()] = None,
) -> dict[str, object]:
    """Verify ``X-Cal-Signature-256`` over the raw body and refresh the days the change touched."""
    runtime = runtime_of(request)
    found = runtime.tenants.get(tenant)
    if found is None:
        runtime.events.emit(WebhookDelivery(tenant, "unknown_tenant"))
        raise BadSignature  # exactly like a wrong signature, so tenant names cannot be probed
    delivery = runtime.webhooks.handle(found, await request.body(), x_cal_signature_256)
    result = await webhook_reported(runtime.events, found.id, delivery)
    return {"status": result.status, "days": result.days}
