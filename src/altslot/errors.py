"""Everything a caller can be told it did wrong, with the status and code each is answered with.

    CallerError                                the request cannot be served as it was asked
    ├── NotAuthenticated      401 unauthorized        no valid bearer token
    ├── BadSignature          401 bad_signature       a webhook not signed with the tenant's secret
    ├── NotOwned              404 not_found           an event type the tenant does not own
    ├── UnknownBooking        404 not_found           no booking of the tenant's with that uid
    ├── BookingConflict       409 booking_conflict    Cal.com refused because of the booking's state
    ├── IdempotencyConflict                           the ``Idempotency-Key`` cannot be used now
    │   ├── KeyInProgress     409 in_progress         its first request is still running
    │   └── KeyReused         422 (header)            it was used before with another body
    └── FieldError            422 (field messages)    ``loc`` names the part of the request at fault
        ├── InvalidField                               a well-formed field the service cannot use
        └── BadPayload                                 a webhook body that is not a Cal.com delivery

Failures of Cal.com (or altslot's own refusals to call it) are not the caller's: they are answered with the
value ``altslot.search.answers.Unavailable`` (503, a cause and a retry time); their tree is drawn in
``altslot.calcom.errors``. The HTTP layer answers every ``CallerError`` by its ``status``, ``code`` and ``loc``.
"""

from __future__ import annotations

from typing import ClassVar


class CallerError(Exception):
    """Base of the caller's errors: ``status`` and ``code`` say how the HTTP layer answers."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default: ClassVar[str] = "request refused"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default)
        self.message = message or self.default


class NotAuthenticated(CallerError):
    """No valid bearer token."""

    status, code, default = 401, "unauthorized", "a valid bearer token is required"


class BadSignature(CallerError):
    """The body was not signed with the tenant's webhook secret (nothing changes)."""

    status, code, default = 401, "bad_signature", "X-Cal-Signature-256 does not match the body"


class NotOwned(CallerError):
    """The event type does not belong to the caller's tenant."""

    status, code = 404, "not_found"

    def __init__(self, event_type_id: int) -> None:
        super().__init__(f"event type {event_type_id} is not configured for this tenant")
        self.event_type_id = event_type_id


class UnknownBooking(CallerError):
    """The uid is not a booking of the caller's tenant, whatever the reason (unknown or someone else's)."""

    status, code, default = 404, "not_found", "no such booking"


class BookingConflict(CallerError):
    """Cal.com refused the change because of the booking's state (already cancelled or moved)."""

    status, code = 409, "booking_conflict"


class IdempotencyConflict(CallerError):
    """The ``Idempotency-Key`` cannot be used for this request now."""

    @property
    def in_progress(self) -> bool:
        """True when the key's first request is still running (a retry later may succeed)."""
        return isinstance(self, KeyInProgress)


class KeyInProgress(IdempotencyConflict):
    """The key's first request is still running."""

    status, code = 409, "in_progress"


class FieldError(CallerError):
    """A part of the request the service cannot use; ``loc`` names it as FastAPI's own 422s do."""

    status, code = 422, "invalid"

    def __init__(self, loc: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


class KeyReused(IdempotencyConflict, FieldError):
    """The key was used before with another body."""

    def __init__(self, message: str) -> None:
        FieldError.__init__(self, ("header", "idempotency-key"), message)


class InvalidField(FieldError):
    """A body field is well-formed but unusable (past, closed, refused by Cal.com); ``field`` is dotted."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(("body", *field.split(".")), message)
        self.field = field


class BadPayload(FieldError):
    """The body is not a Cal.com webhook delivery."""

    def __init__(self, message: str) -> None:
        super().__init__(("body",), message)
