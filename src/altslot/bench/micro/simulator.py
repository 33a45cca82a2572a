"""Benchmark of the simulator itself: slot throughput, and that injected latency never blocks."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, timedelta
from typing import Any, Literal

import httpx
import uvicorn

from altslot.api.serving import bind_socket
from altslot.sim.app import create_app
from altslot.sim.demo import demo_data

_HEADERS = {"cal-api-version": "2024-09-04"}
Client = Literal["raw", "httpx"]


async def _fire_httpx(url: str, path: str, total: int, concurrency: int) -> list[float]:
    """``total`` GETs from ``concurrency`` workers sharing one httpx.AsyncClient; each one's duration."""
    durations: list[float] = []
    remaining = iter(range(total))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=None)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            for _ in remaining:
                started = time.perf_counter()
                response = await client.get(path, headers=_HEADERS)
                if response.status_code != 200:
                    raise RuntimeError(f"simulator answered {response.status_code}: {response.text[:200]}")
                durations.append(time.perf_counter() - started)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return durations


async def _fire_raw(url: str, path: str, total: int, concurrency: int) -> list[float]:
    """Like `_fire_httpx` over plain keep-alive HTTP/1.1 connections, one per worker.

    httpx's connection pool costs far more CPU per request than the simulator does once tens of connections
    are open (a bare Starlette ping measured under 100 requests/s through it with 50 connections), so the
    default client is this minimal one, which leaves the measurement to the server.
    """
    host, _, port = url.removeprefix("http://").partition(":")
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\ncal-api-version: {_HEADERS['cal-api-version']}\r\n\r\n"
    ).encode()
    durations: list[float] = []
    remaining = iter(range(total))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for _ in remaining:
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                if head[9:12] != b"200":
                    raise RuntimeError(f"simulator answered {head[:200]!r}")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                await reader.readexactly(length)
                durations.append(time.perf_counter() - started)
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return durations


def _path(today: date) -> str:
    # One week of the demo salon: a typical altslot horizon request.
    end = today + timedelta(days=7)
    return f"/v2/slots?start={today}&end={end}&eventTypeId=1412903&timeZone=Europe/Berlin"


@contextlib.contextmanager
def _served(day: date, latency_ms: int) -> Iterator[str]:
    """Serve the demo simulator in a child process and yield its base URL.

    A child process, not a thread: a server thread would share the GIL with the benchmark's own client and
    every wake-up would wait for the interpreter's switch interval, measuring the contention, not the server.
    """
    command = [sys.executable, "-m", "altslot.bench.micro.simulator", "--serve", day.isoformat(), str(latency_ms)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        url = f"http://127.0.0.1:{int(child.stdout.readline())}"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/_sim/stats", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or child.poll() is not None:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        child.terminate()
        child.wait(timeout=10)


def _serve(day: str, latency_ms: str) -> None:
    """Child-process side of `_served`: print the port, then run uvicorn until terminated."""
    delay = int(latency_ms)
    app = create_app(demo_data(date.fromisoformat(day)), latency_ms=(delay, delay), rate_limit=10**9, seed=1)
    sock = bind_socket()
    print(sock.getsockname()[1], flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


_Fire = Callable[[str, str, int, int], Awaitable[list[float]]]


async def _measure(
    fire: _Fire, day: date, latency_ms: int, path: str, total: int, concurrency: int, *, warm_up: int
) -> tuple[list[float], float]:
    """Serve the simulator at ``latency_ms`` and time ``total`` requests: their sorted durations, the wall time."""
    with _served(day, latency_ms) as url:
        await fire(url, path, warm_up, warm_up)  # warm up connections and caches
        started = time.perf_counter()
        durations = sorted(await fire(url, path, total, concurrency))
        return durations, time.perf_counter() - started


async def bench_simulator(
    *,
    requests: int = 2000,
    concurrency: int = 50,
    latency_requests: int = 500,
    latency_ms: int = 800,
    client: Client = "raw",
    today: date | None = None,
) -> dict[str, Any]:
    """Measure (a) slot requests/s with no latency and (b) wall time of concurrent requests at a latency.

    Each part serves its own simulator (demo data, a rate limit that never triggers) in a child process over
    loopback HTTP; ``client`` picks the load generator in this process (see `_fire_raw` for why "raw").
    """
    day = today or date.today()
    path = _path(day)
    fire = _fire_raw if client == "raw" else _fire_httpx
    durations, elapsed = await _measure(fire, day, 0, path, requests, concurrency, warm_up=concurrency)
    throughput = {
        "requests": requests,
        "concurrency": concurrency,
        "client": client,
        "seconds": round(elapsed, 3),
        "requests_per_second": round(requests / elapsed, 1),
        "p50_ms": round(durations[len(durations) // 2] * 1000, 2),
        "p99_ms": round(durations[int(len(durations) * 0.99) - 1] * 1000, 2),
    }
    waits, elapsed = await _measure(
        fire, day, latency_ms, path, latency_requests, latency_requests, warm_up=concurrency
    )
    latency = {
        "requests": latency_requests,
        "concurrency": latency_requests,
        "client": client,
        "latency_ms": latency_ms,
        "wall_seconds": round(elapsed, 3),
        "wall_over_latency": round(elapsed / (latency_ms / 1000), 3),
        "fastest_ms": round(waits[0] * 1000, 1),
        "slowest_ms": round(waits[-1] * 1000, 1),
    }
    return {"throughput": throughput, "latency": latency}


if __name__ == "__main__":
    import json

    if sys.argv[1:2] == ["--serve"]:
        _serve(*sys.argv[2:4])
    else:
        chosen: Client = "httpx" if "--httpx" in sys.argv else "raw"
        try:  # the load generator gets the same fast event loop uvicorn uses, when it is installed
            import uvloop

            result = uvloop.run(bench_simulator(client=chosen))
        except ImportError:
            result = asyncio.run(bench_simulator(client=chosen))
        print(json.dumps(result, indent=2))
