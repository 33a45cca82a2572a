"""How booking requests and webhook deliveries ended, as events, told from what the booking path gives back.

The routes and agent tools wrap their call in ``booking_reported`` / ``webhook_reported``: the outcome (or the
exception, which still propagates) names the event; metrics and logs only observe the events.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from altslot.booking.answers import Booked, SlotTaken
from altslot.booking.webhooks import WebhookResult
from altslot.errors import BadPayload, BadSignature, IdempotencyConflict, InvalidField, NotOwned, UnknownBooking
from altslot.events import BookingDone, BookingOperation, Events, WebhookDelivery
from altslot.search.answers import Unavailable

T = TypeVar("T")
_DONE = {"create": "created", "cancel": "cancelled", "reschedule": "rescheduled"}


def booking_outcome(operation: BookingOperation, result: object) -> str:
    """The outcome label of a booking call that returned ``result``."""
    if isinstance(result, Unavailable):
        return "upstream_error"
    if isinstance(result, SlotTaken):
        return "slot_taken"
    if isinstance(result, Booked) and result.replayed:
        return "replayed"
    return _DONE[operation]


def booking_failure(exc: Exception) -> str:
    """The outcome label of a booking call that raised ``exc``."""
    if isinstance(exc, IdempotencyConflict):
        return "in_progress" if exc.in_progress else "rejected"
    if isinstance(exc, InvalidField | NotOwned):
        return "rejected"
    return "not_found" if isinstance(exc, UnknownBooking) else "failed"


def webhook_failure(exc: Exception) -> str:
    """The outcome label of a webhook delivery whose handling raised ``exc``."""
    if isinstance(exc, BadSignature):
        return "bad_signature"
    return "bad_payload" if isinstance(exc, BadPayload) else "failed"


async def _reported(
    work: Awaitable[T], succeeded: Callable[[T], str], failed: Callable[[Exception], str], emit: Callable[[str], None]
) -> T:
    try:
        result = await work
    except Exception as exc:
        emit(failed(exc))
        raise
    emit(succeeded(result))
    return result


async def booking_reported(events: Events, tenant: str, operation: BookingOperation, work: Awaitable[T]) -> T:
    """Await ``work`` (a ``Booker`` call) and emit its ``BookingDone``."""

    def emit(outcome: str) -> None:
        events.emit(BookingDone(tenant, operation, outcome))

    return await _reported(work, lambda result: booking_outcome(operation, result), booking_failure, emit)


async def webhook_reported(events: Events, tenant: str, work: Awaitable[WebhookResult]) -> WebhookResult:
    """Await ``work`` (a ``WebhookHandler.handle``) and emit its ``WebhookDelivery``."""

    def emit(outcome: str) -> None:
        events.emit(WebhookDelivery(tenant, outcome))

    return await _reported(work, lambda result: result.status, webhook_failure, emit)
