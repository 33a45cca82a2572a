"""Retry and breaker classify by the error tree alone: one row per leaf says what each does with it."""

from __future__ import annotations

import pytest

from altslot.calcom.errors import (
    BadRequest,
    CalcomError,
    FatalError,
    MalformedResponse,
    NotFound,
    RateLimited,
    Refused,
    RetryableError,
    ServerError,
    SlotUnavailable,
    Timeout,
    TransportError,
    Unauthorized,
)
from altslot.upstream.breaker import CircuitOpen, counts_as_failure
from altslot.upstream.deadline import DeadlineExceeded
from altslot.upstream.ratelimit import RateLimitWaitExceeded
from altslot.upstream.retry import is_retryable

# (error, retried, counted against Cal.com's health by the breaker)
TABLE: list[tuple[CalcomError, bool, bool]] = [
    (TransportError("connection reset"), True, True),
    (Timeout("no answer in time"), True, True),
    (ServerError("bad gateway", status=502), True, True),
    (RateLimited("slow down", reset_seconds=60.0), True, False),
    (BadRequest("invalid time range", status=400), False, False),
    (SlotUnavailable("already has booking", status=400), False, False),
    (Unauthorized("bad key", status=401), False, False),
    (NotFound("no such event type", status=404), False, False),
    (MalformedResponse("not json"), False, False),
    (CircuitOpen(retry_after=30.0), False, False),
    (RateLimitWaitExceeded(retry_after=60.0), False, False),
    (DeadlineExceeded(), False, False),
]


def _tree(root: type[CalcomError]) -> set[type[CalcomError]]:
    """Every class below ``root`` that altslot defines (test doubles elsewhere would not count)."""
    found: set[type[CalcomError]] = set()
    for sub in root.__subclasses__():
        if sub.__module__.startswith("altslot."):
            found |= {sub} | _tree(sub)
    return found


@pytest.mark.parametrize(("error", "retried", "counted"), TABLE, ids=[type(row[0]).__name__ for row in TABLE])
def test_each_leaf_is_retried_and_counted_by_its_type(error: CalcomError, retried: bool, counted: bool) -> None:
    """Only RetryableError is retried; only transport errors, timeouts and 5xx count against Cal.com."""
    assert is_retryable(error) is retried
    assert counts_as_failure(error) is counted


def test_the_table_covers_every_error_altslot_raises() -> None:
    """A new error class cannot slip past the table: each class below the three branches has its row."""
    branches = {RetryableError, FatalError, Refused}
    assert _tree(CalcomError) - branches == {type(row[0]) for row in TABLE}
