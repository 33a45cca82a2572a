"""Clocks tests move by hand, so nothing waits for real time."""

from __future__ import annotations


class FakeClock:
    """A monotonic clock that only moves when a test (or a fake sleep) says so."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        """The current instant."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        """A sleep that only moves this clock, for code that takes an injected sleep."""
        self.now += seconds
