"""Everything that can go wrong talking to Cal.com.

    CalcomError
    ├── RetryableError          worth another try (later, or after Cal.com's reset)
    │   ├── TransportError      connection refused, reset or dropped
    │   ├── Timeout             no answer within the per-call timeout
    │   ├── ServerError         5xx
    │   └── RateLimited         429; carries the reset seconds Cal.com reported
    ├── FatalError              the same call will fail again
    │   ├── BadRequest          400 / 422: Cal.com refused the input
    │   │   └── SlotUnavailable the start cannot be booked or held (taken meanwhile): an answer, not a fault
    │   ├── Unauthorized        401 / 403: the tenant's API key is wrong or lacks rights
    │   ├── NotFound            404
    │   └── MalformedResponse   a body that is not the documented envelope
    └── Refused                 altslot declined to call, or to wait any longer: says nothing about Cal.com
        ├── CircuitOpen           upstream.breaker: the key's circuit is open (or probing); no call was made
        ├── RateLimitWaitExceeded upstream.ratelimit: the rate-limit wait would outlast the deadline
        └── DeadlineExceeded      upstream.deadline: the request's deadline passed, perhaps mid-call

Retry, the circuit breaker and the HTTP mapping classify by these types, never by raw status codes: retry
takes every ``RetryableError``, the breaker counts transport errors, timeouts and 5xx against Cal.com, and a
``Refused`` is neither retried nor counted. The refusals live beside the step that raises them.
"""

from __future__ import annotations

import re

# Cal.com's texts for "this start cannot be booked" (API.md §2.1, and a hold someone else placed first).
_SLOT_GONE = re.compile(
    r"not available|can't be booked|already has booking|no_available_users|reserved this booking time slot",
    re.IGNORECASE,
)


class CalcomError(Exception):
    """Base of all Cal.com failures; ``status`` is the HTTP status when there was a response."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class RetryableError(CalcomError):
    """A failure that may pass on a later attempt."""


class TransportError(RetryableError):
    """The connection failed before a response arrived."""


class Timeout(RetryableError):
    """Cal.com did not answer within the per-call timeout."""


class ServerError(RetryableError):
    """Cal.com answered with a 5xx status."""


class RateLimited(RetryableError):
    """Cal.com answered 429; ``reset_seconds`` is when it will accept the key again."""

    def __init__(self, message: str, *, reset_seconds: float, status: int | None = 429) -> None:
        super().__init__(message, status=status)
        self.reset_seconds = reset_seconds


class FatalError(CalcomError):
    """A failure that repeats on every attempt; never retried."""


class Refused(CalcomError):
    """altslot declined to call, or to wait any longer: says nothing about Cal.com's health; never retried."""


class BadRequest(FatalError):
    """Cal.com refused the request's content (400/422); ``message`` is Cal.com's own text."""


class SlotUnavailable(BadRequest):
    """Cal.com refused the start itself (taken or reserved meanwhile); the caller gets alternatives."""


def bad_request(message: str, status: int) -> BadRequest:
    """The error for a 400/422: ``SlotUnavailable`` when Cal.com's text says the start is gone."""
    return SlotUnavailable(message, status=status) if _SLOT_GONE.search(message) else BadRequest(message, status=status)


class Unauthorized(FatalError):
    """The API key was refused (401/403)."""


class NotFound(FatalError):
    """The event type or booking does not exist (404)."""


class MalformedResponse(FatalError):
    """The response body is not what Cal.com documents."""
