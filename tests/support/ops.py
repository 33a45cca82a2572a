"""Stand-ins for one guarded upstream operation."""

from __future__ import annotations


class Upstream:
    """An op that counts its calls and raises the queued error, or answers "ok"."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls = 0
        self.error = error

    async def __call__(self) -> str:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return "ok"
