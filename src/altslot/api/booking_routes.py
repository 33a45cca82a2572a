"""Routes of the booking path and Cal.com's webhooks; they translate, the booker decides."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse

from altslot.api.deps import caller_tenant, runtime_of, unavailable_response
from altslot.booking import Created, SlotTaken, UnknownBooking
from altslot.events import WebhookDelivery
from altslot.observability.outcomes import booking_reported, webhook_reported
from altslot.schemas import (
    BookingOut,
    BookingRequest,
    CancelRequest,
    ErrorResponse,
    RescheduleRequest,
    SlotTakenResponse,
    UnavailableResponse,
)
from altslot.service import Unavailable
from altslot.tenants import Tenant
from altslot.webhooks import WebhookHandler

router = APIRouter()

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorResponse},
    404: {"model": ErrorResponse},
    409: {"model": SlotTakenResponse},
    503: {"model": UnavailableResponse},
}
# Cancelling meets Cal.com's state refusals (already cancelled, rescheduled away) as 409.
_CANCEL_ERRORS: dict[int | str, dict[str, object]] = {**_ERRORS, 409: {"model": ErrorResponse}}


def _answer(outcome: object, status: int) -> JSONResponse | BookingOut:
    if isinstance(outcome, Unavailable):
        return unavailable_response(outcome)
    if isinstance(outcome, SlotTaken):
        return JSONResponse(outcome.body.model_dump(mode="json"), 409)
    booking = outcome.booking if isinstance(outcome, Created) else outcome
    assert isinstance(booking, BookingOut)
    return JSONResponse(booking.model_dump(mode="json"), status)


@router.post("/api/appointments", status_code=201, response_model=BookingOut, responses=_ERRORS, summary="Book a slot")
async def book(
    body: BookingRequest,
    request: Request,
    caller: Annotated[Tenant, Depends(caller_tenant)],
    idempotency_key: Annotated[str, Header(min_length=1, max_length=200)],
) -> JSONResponse | BookingOut:
    """Book once per ``Idempotency-Key``; 409 with fresh alternatives when the slot is gone."""
    runtime = runtime_of(request)
    outcome = await booking_reported(
        runtime.events, caller.id, "create", runtime.booker.book(caller, body, idempotency_key)
    )
    return _answer(outcome, 201)


@router.post(
    "/api/appointments/{uid}/cancel", response_model=BookingOut, responses=_CANCEL_ERRORS, summary="Cancel a booking"
)
async def cancel(
    uid: str,
    request: Request,
    caller: Annotated[Tenant, Depends(caller_tenant)],
    body: CancelRequest | None = None,
) -> JSONResponse | BookingOut:
    """Cancel at Cal.com; the freed day is refreshed in the background."""
    runtime = runtime_of(request)
    cancelling = runtime.booker.cancel(caller, uid, body.reason if body else None)
    outcome = await booking_reported(runtime.events, caller.id, "cancel", cancelling)
    return _answer(outcome, 200)


@router.post(
    "/api/appointments/{uid}/reschedule",
    status_code=201,
    response_model=BookingOut,
    responses=_ERRORS,
    summary="Move a booking to another start",
)
async def reschedule(
    uid: str, body: RescheduleRequest, request: Request, caller: Annotated[Tenant, Depends(caller_tenant)]
) -> JSONResponse | BookingOut:
    """Cal.com makes a new booking (new uid); 409 with fresh alternatives when the slot is gone."""
    runtime = runtime_of(request)
    outcome = await booking_reported(
        runtime.events, caller.id, "reschedule", runtime.booker.reschedule(caller, uid, body)
    )
    return _answer(outcome, 201)


@router.post(
    "/webhooks/calcom/{tenant}",
    responses={401: {"model": ErrorResponse}, 404: {"model": ErrorResponse}},
    summary="Cal.com webhook subscriber (signed)",
)
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
        raise UnknownBooking(f"no tenant {tenant!r}")
    handler = WebhookHandler(runtime.availability, runtime.upstream, runtime.kv, runtime.durations)
    delivery = handler.handle(found, await request.body(), x_cal_signature_256)
    result = await webhook_reported(runtime.events, found.id, delivery)
    return {"status": result.status, "days": result.days}
