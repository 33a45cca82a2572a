"""Deadlines on an injected monotonic clock."""

from __future__ import annotations

from altslot.upstream.deadline import Deadline
from tests.support.clocks import FakeClock


def test_remaining_counts_down_and_never_goes_negative(clock: FakeClock) -> None:
    """Remaining time follows the clock and stops at zero; expired flips at the instant."""
    deadline = Deadline.after(2.0, clock)
    assert deadline.remaining() == 2.0
    assert not deadline.expired
    clock.advance(1.5)
    assert deadline.remaining() == 0.5
    clock.advance(0.5)
    assert deadline.expired
    clock.advance(10.0)
    assert deadline.remaining() == 0.0


def test_min_picks_the_earlier(clock: FakeClock) -> None:
    """Combining a request deadline with a shorter per-call one keeps the shorter."""
    long, short = Deadline.after(5.0, clock), Deadline.after(1.0, clock)
    assert long.min(short) is short
    assert short.min(long) is short
