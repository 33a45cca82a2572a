"""Seconds (what altslot reasons in) to and from milliseconds (what Redis's ``PX`` and ``PTTL`` speak)."""

from __future__ import annotations

import math


def to_ms(seconds: float) -> int:
    """``seconds`` as a ``PX`` argument: whole milliseconds, at least 1 (Redis refuses 0)."""
    # Rounded up, so a TTL never ends before it was asked to: one that ends early frees a lease, ends a
    # cool-down or lifts Cal.com's block too soon (the next call earns a 429), while ending at most a
    # millisecond late costs nothing. Truncating would cut a whole millisecond off exact values too:
    # 1.001 * 1000 is 1000.9999999999999 in floating point.
    return max(1, math.ceil(seconds * 1000))


def from_ms(milliseconds: int | str | bytes) -> float:
    """A ``PTTL`` reply (or a script's millisecond count) in seconds; negative replies stay negative."""
    return int(milliseconds) / 1000
