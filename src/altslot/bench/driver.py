"""A bounded load driver over lean keep-alive HTTP/1.1 connections, shared by ``bench`` and ``loadtest``.

Each worker owns one connection and sends its next request as soon as the previous answer is read, until a
request budget or a duration runs out: the driver always stops by itself. httpx's pool costs more CPU per
request than altslot's warm path does (see ``altslot.bench.micro.simulator``), so this client keeps the measurement on
the server side.
"""

from __future__ import annotations

import asyncio
import json
import time
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Call:
    """One HTTP request: method, path, JSON body (or None) and extra headers."""

    method: str
    path: str
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Tally:
    """What a load run saw: latencies, statuses and altslot's own search figures summed over answers."""

    latencies: array[float] = field(default_factory=lambda: array("d"))
    server_ms: array[float] = field(default_factory=lambda: array("d"))
    """altslot's own ``search.duration_ms`` of every answer that carries one."""
    statuses: Counter[int] = field(default_factory=Counter)
    upstream_calls: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    stale: int = 0
    degraded: int = 0
    without_call: int = 0
    transport_errors: int = 0
    seconds: float = 0.0

    @property
    def done(self) -> int:
        """Answered plus failed requests."""
        return len(self.latencies) + self.transport_errors

    def record(self, seconds: float, status: int, body: Any) -> None:
        """Add one answer; ``body`` is the parsed JSON (or None)."""
        self.latencies.append(seconds)
        self.statuses[status] += 1
        search = body.get("search") if isinstance(body, dict) else None
        if isinstance(search, dict):
            calls = int(search.get("upstream_calls", 0))
            self.upstream_calls += calls
            self.without_call += calls == 0
            self.cache_hits += int(search.get("cache_hits", 0))
            self.cache_misses += int(search.get("cache_misses", 0))
            self.stale += bool(body.get("freshness", {}).get("stale"))
            self.degraded += search.get("degraded") is not None
            if isinstance(search.get("duration_ms"), int | float):
                self.server_ms.append(float(search["duration_ms"]))

    def summary(self) -> dict[str, Any]:
        """Counts, percentiles in ms, error rate, hit ratio and throughput."""
        answered = len(self.latencies)
        errors = self.transport_errors + sum(n for s, n in self.statuses.items() if s >= 500 or s == 0)
        lookups = self.cache_hits + self.cache_misses
        return {
            "requests": self.done,
            "seconds": round(self.seconds, 3),
            "requests_per_second": round(answered / self.seconds, 1) if self.seconds else 0.0,
            **percentiles(self.latencies),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": errors,
            "error_rate": round(errors / self.done, 5) if self.done else 0.0,
            "upstream_calls": self.upstream_calls,
            "calls_per_search": round(self.upstream_calls / answered, 3) if answered else 0.0,
            "hit_ratio": round(self.cache_hits / lookups, 5) if lookups else None,
            "searches_without_call": round(self.without_call / answered, 5) if answered else None,
            "stale_answers": self.stale,
            "degraded_answers": self.degraded,
        }


def percentiles(seconds: Sequence[float]) -> dict[str, float | None]:
    """p50/p95/p99/max of durations in seconds, as milliseconds (nearest-rank)."""
    ordered = sorted(seconds)
    if not ordered:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}

    def rank(q: float) -> float:
        index = min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))
        return round(ordered[index] * 1000, 2)

    return {"p50_ms": rank(0.50), "p95_ms": rank(0.95), "p99_ms": rank(0.99), "max_ms": rank(1.0)}


Progress = Callable[[int, float], None]


class _Connection:
    """One keep-alive HTTP/1.1 connection that sends `Call`s and reads whole answers."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def send(self, call: Call) -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        body = b"" if call.body is None else json.dumps(call.body).encode()
        lines = [f"{call.method} {call.path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in call.headers]
        if call.body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        if b"transfer-encoding: chunked" in lower:
            payload = await self._chunks()
        else:
            length = int(lower.split(b"content-length:")[1].split(b"\r\n")[0])
            payload = await self._reader.readexactly(length)
        if b"connection: close" in lower:
            self.close()
        return status, payload

    async def _chunks(self) -> bytes:
        assert self._reader is not None
        out = bytearray()
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await self._reader.readexactly(size + 2)
            if size == 0:
                return bytes(out)
            out += chunk[:-2]

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def run_load(
    targets: Sequence[str],
    make: Callable[[int], Call],
    *,
    concurrency: int,
    total: int | None = None,
    duration: float | None = None,
    think_seconds: float = 0.0,
    progress: Progress | None = None,
    parse: bool = True,
) -> Tally:
    """Send ``make(i)`` for i = 0, 1, … from ``concurrency`` connections spread over ``targets``.

    Stops after ``total`` requests or ``duration`` seconds, whichever comes first (one must be given); the
    requests in flight at the end are awaited, so nothing is cut off mid-answer.
    """
    if total is None and duration is None:
        raise ValueError("give a request budget, a duration or both")
    tally = Tally()
    counter = iter(range(total if total is not None else 10**12))
    started = time.perf_counter()
    stop_at = started + duration if duration is not None else float("inf")

    async def worker(n: int) -> None:
        connection = _Connection(targets[n % len(targets)])
        try:
            for i in counter:
                if time.perf_counter() >= stop_at:
                    return
                began = time.perf_counter()
                try:
                    status, payload = await connection.send(make(i))
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                    tally.transport_errors += 1
                    connection.close()
                    continue
                elapsed = time.perf_counter() - began
                tally.record(elapsed, status, json.loads(payload) if parse and payload else None)
                if think_seconds:
                    await asyncio.sleep(think_seconds)
        finally:
            connection.close()

    async def ticker() -> None:
        while True:
            await asyncio.sleep(0.5)
            if progress is not None:
                progress(tally.done, time.perf_counter() - started)

    ticking = asyncio.create_task(ticker())
    try:
        await asyncio.gather(*(worker(n) for n in range(concurrency)))
    finally:
        ticking.cancel()
    tally.seconds = time.perf_counter() - started
    if progress is not None:
        progress(tally.done, tally.seconds)
    return tally
