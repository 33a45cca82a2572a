"""An absolute point in time by which a request must be answered.

A ``Deadline`` is an instant on a monotonic clock (``time.monotonic`` unless a test injects another), so
wall-clock jumps never shorten or stretch it. Every resilience step asks it how long it may still wait.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from altslot.calcom.errors import Refused
from altslot.types import Monotonic


class DeadlineExceeded(Refused):
    """The request's deadline passed before the upstream call finished; never retried."""

    def __init__(self, message: str = "deadline exceeded") -> None:
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Deadline:
    """The instant ``at`` on ``clock`` after which no more upstream work is useful."""

    at: float
    clock: Monotonic = field(default=time.monotonic, compare=False, repr=False)

    @classmethod
    def after(cls, seconds: float, clock: Monotonic = time.monotonic) -> Deadline:
        """The deadline ``seconds`` from now on ``clock``."""
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.at - self.clock())

    @property
    def expired(self) -> bool:
        """True once the instant has passed."""
        return self.clock() >= self.at

    def min(self, other: Deadline) -> Deadline:
        """The earlier of the two deadlines (both must use the same clock)."""
        return self if self.at <= other.at else other
