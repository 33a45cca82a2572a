"""Retries: 5xx and transport errors with backoff, 429 after the reset, never fatal errors or our refusals."""

from __future__ import annotations

import pytest

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
)
from altslot.upstream.breaker import CircuitOpen
from altslot.upstream.deadline import Deadline
from altslot.upstream.ratelimit import RateLimitWaitExceeded
from altslot.upstream.retry import RetryPolicy
from tests.support.clocks import FakeClock

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(max_attempts=3, backoff_initial=0.001, backoff_max=0.005, backoff_jitter=0.0)


class Flaky:
    """An op that raises the queued errors in order, then answers "ok"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def test_retries_server_and_transport_errors_until_success(clock: FakeClock) -> None:
    """A 502 and a dropped connection are retried; the third attempt's answer is returned."""
    op = Flaky(ServerError("bad gateway", status=502), TransportError("reset"))
    assert await FAST.run(op, Deadline.after(10.0, clock)) == "ok"
    assert op.calls == 3


async def test_gives_up_after_max_attempts(clock: FakeClock) -> None:
    """Failing every time, the op runs exactly max_attempts times and the last error surfaces."""
    op = Flaky(*(Timeout(f"slow {n}") for n in range(10)))
    with pytest.raises(Timeout, match="slow 2"):
        await FAST.run(op, Deadline.after(10.0, clock))
    assert op.calls == 3


@pytest.mark.parametrize(
    "error",
    [
        BadRequest("slot taken", status=400),
        NotFound("no such event type", status=404),
        Unauthorized("bad key", status=401),
        MalformedResponse("not json"),
        CircuitOpen(retry_after=30.0),
        RateLimitWaitExceeded(retry_after=60.0),
    ],
)
async def test_never_retries_fatal_errors_or_own_refusals(clock: FakeClock, error: CalcomError) -> None:
    """Fatal Cal.com errors and our own refusals are raised after a single attempt."""
    op = Flaky(error, error)
    with pytest.raises(type(error)):
        await FAST.run(op, Deadline.after(10.0, clock))
    assert op.calls == 1


async def test_rate_limited_waits_for_the_reset_within_the_deadline(clock: FakeClock) -> None:
    """A 429 whose reset fits into the deadline is retried after that reset."""
    op = Flaky(RateLimited("slow down", reset_seconds=0.01))
    assert await FAST.run(op, Deadline.after(5.0, clock)) == "ok"
    assert op.calls == 2


async def test_rate_limited_beyond_the_deadline_is_raised_at_once(clock: FakeClock) -> None:
    """A 429 with a 60 s reset and a 5 s deadline is re-raised immediately, without waiting."""
    op = Flaky(RateLimited("slow down", reset_seconds=60.0))
    with pytest.raises(RateLimited):
        await FAST.run(op, Deadline.after(5.0, clock))
    assert op.calls == 1


async def test_no_retry_when_the_backoff_does_not_fit_the_deadline(clock: FakeClock) -> None:
    """With a 1 s backoff and 0.5 s left, the 5xx is raised instead of sleeping past the deadline."""
    slow = RetryPolicy(max_attempts=3, backoff_initial=1.0, backoff_max=2.0, backoff_jitter=0.0)
    op = Flaky(ServerError("down", status=503))
    with pytest.raises(ServerError):
        await slow.run(op, Deadline.after(0.5, clock))
    assert op.calls == 1


async def test_expired_deadline_stops_retries(clock: FakeClock) -> None:
    """Once the deadline has passed, a retryable error is not retried."""
    deadline = Deadline.after(1.0, clock)
    clock.advance(2.0)
    op = Flaky(ServerError("down", status=500))
    with pytest.raises(ServerError):
        await FAST.run(op, deadline)
    assert op.calls == 1


def test_longest_backoff_grows_exponentially_up_to_the_cap() -> None:
    """The bound the deadline check uses doubles per attempt, plus jitter, and stops at backoff_max."""
    policy = RetryPolicy(backoff_initial=0.1, backoff_max=0.5, backoff_jitter=0.05)
    assert [policy.longest_backoff(n) for n in (1, 2, 3, 4)] == pytest.approx([0.15, 0.25, 0.45, 0.5])
