"""Injected latency and failure modes of the simulated Cal.com."""

from __future__ import annotations

import asyncio
import random
import re
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

FaultMode = Literal["ok", "down", "slow", "error_500", "rate_limited", "garbage"]
FAULT_MODES: tuple[str, ...] = get_args(FaultMode)
DEFAULT_SLOW_MS = 30_000
GARBAGE_BODY = b"<html><body><h1>502 Bad Gateway</h1>upstream sent an invalid response\x00"

_LATENCY = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def parse_latency(text: str) -> tuple[int, int]:
    """``"800"`` → ``(800, 800)``; ``"300-800"`` → ``(300, 800)`` (milliseconds, uniform random)."""
    match = _LATENCY.match(text)
    if match is None:
        raise ValueError(f"latency must be milliseconds like '800' or a range like '300-800', got {text!r}")
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) is not None else low
    if high < low:
        raise ValueError(f"latency range {text!r} ends before it starts")
    return low, high


def _latency_of(value: Any) -> tuple[int, int]:
    if isinstance(value, bool):
        raise ValueError("latency_ms must be a number or a 'A-B' range")
    if isinstance(value, int) and value >= 0:
        return value, value
    if isinstance(value, str):
        return parse_latency(value)
    raise ValueError("latency_ms must be a non-negative number or a 'A-B' range")


def _rate_of(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ValueError("error_rate must be a number between 0 and 1")
    return float(value)


@dataclass(slots=True)
class Faults:
    """What the simulator does to ``/v2`` requests before answering them."""

    latency_ms: tuple[int, int] = (0, 0)
    error_rate: float = 0.0
    mode: FaultMode = "ok"
    slow_ms: int = DEFAULT_SLOW_MS
    _changed: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def changed(self) -> asyncio.Event:
        """Set at the next change of the faults: requests still waiting out their latency answer at once then."""
        return self._changed

    def delay_seconds(self, rng: random.Random) -> float:
        """The injected latency of one request."""
        low, high = self.latency_ms
        return (low if low == high else rng.uniform(low, high)) / 1000.0

    def update(self, body: Any) -> None:
        """Apply ``POST /_sim/faults``; raise ValueError with a readable message on bad input."""
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        unknown = set(body) - {"mode", "latency_ms", "error_rate"}
        if unknown:
            raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
        mode = body.get("mode", self.mode)
        if mode not in FAULT_MODES:
            raise ValueError(f"mode must be one of {', '.join(FAULT_MODES)}")
        latency = _latency_of(body["latency_ms"]) if body.get("latency_ms") is not None else None
        rate = _rate_of(body["error_rate"]) if body.get("error_rate") is not None else None
        self.mode = mode
        if mode == "slow":
            # For "slow" the latency is how long to hang, not the normal per-request latency.
            self.slow_ms = latency[1] if latency is not None else DEFAULT_SLOW_MS
        elif latency is not None:
            self.latency_ms = latency
        if rate is not None:
            self.error_rate = rate
        self._changed.set()
        self._changed = asyncio.Event()

    def describe(self) -> dict[str, Any]:
        """The current settings as JSON."""
        return {
            "mode": self.mode,
            "latency_ms": list(self.latency_ms),
            "error_rate": self.error_rate,
            "slow_ms": self.slow_ms,
        }
