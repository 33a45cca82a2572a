"""Measure the hardening of issue 16 on loopback: ``python -m tests.e2e.security_probe`` (≈ 1 min).

Prints schemathesis counts with and without a token, how 2,000 stalled connections end, and a failed-
authentication flood with valid requests mixed in. Figures go to ``docs/security.md``.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from typing import Any

import httpx

from altslot.shell.http_settings import ServerSettings
from tests.e2e.test_openapi import DOCS, SECRET, UNLIMITED, fuzz
from tests.e2e.test_slowclients import BODY, HEAD
from tests.support.world import TOKEN, running, salon_data

STALLS = (b"", HEAD[: len(HEAD) // 2], HEAD + BODY[: len(BODY) // 2])


async def stall(host: str, port: int, sent: bytes, patience: float) -> float | None:
    """Open a connection, send ``sent`` and wait for the server to close it: seconds, or None if it did not."""
    reader, writer = await asyncio.open_connection(host, port)
    opened = time.monotonic()
    writer.write(sent)
    await writer.drain()
    try:
        async with asyncio.timeout(patience):
            while await reader.read(65536):
                pass
    except TimeoutError:
        return None
    finally:
        writer.close()
    return time.monotonic() - opened


async def stalled_connections(url: str, count: int, patience: float) -> dict[str, Any]:
    """``count`` stalled connections at once (nothing / half the headers / half the body, in turn)."""
    host, port = url.removeprefix("http://").split(":")
    tasks = [asyncio.create_task(stall(host, int(port), STALLS[i % 3], patience)) for i in range(count)]
    async with httpx.AsyncClient(timeout=30) as http:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        body = {"event_type_id": 1412903, "desired_start": "2025-09-30T10:00"}
        meanwhile = (await http.post(f"{url}/api/appointments/alternatives", json=body, headers=headers)).status_code
    closed = [t for t in await asyncio.gather(*tasks) if t is not None]
    return {
        "connections": count,
        "closed": len(closed),
        "close_seconds_min": round(min(closed), 2) if closed else None,
        "close_seconds_median": round(statistics.median(closed), 2) if closed else None,
        "close_seconds_max": round(max(closed), 2) if closed else None,
        "search_while_stalled": meanwhile,
    }


async def auth_flood(url: str, guesses: int, every: int) -> dict[str, Any]:
    """``guesses`` requests with wrong tokens from one address, a valid one after every ``every``-th."""
    body = {"event_type_id": 1412903, "desired_start": "2025-09-30T10:00"}
    wrong: Counter[int] = Counter()
    valid: Counter[int] = Counter()
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=20)) as http:

        async def one(n: int) -> None:
            headers = {"Authorization": f"Bearer guess-{n}"}
            response = await http.post(f"{url}/api/appointments/alternatives", json=body, headers=headers)
            wrong[response.status_code] += 1
            if n % every == 0:
                headers = {"Authorization": f"Bearer {TOKEN}"}
                response = await http.post(f"{url}/api/appointments/alternatives", json=body, headers=headers)
                valid[response.status_code] += 1

        for batch in range(0, guesses, 20):
            await asyncio.gather(*(one(n) for n in range(batch, min(batch + 20, guesses))))
    seconds = time.monotonic() - started
    return {"wrong_tokens": dict(wrong), "valid_tokens": dict(valid), "seconds": round(seconds, 1)}


def main() -> None:
    """Run the three measurements, each on a fresh altslot (defaults but for the fuzzing run), and print them."""
    fuzzing = {"sim_rate_limit": 1_000_000, "resilience": UNLIMITED, "server": DOCS}
    with running(salon_data(), webhook_secret=SECRET, **fuzzing) as world:
        for name, headers in (("with token", {"Authorization": f"Bearer {TOKEN}"}), ("without token", {})):
            started = time.monotonic()
            counts = fuzz(world.api.url, headers, examples=100)
            print(
                f"schemathesis {name}: {sum(counts.values())} requests, 0 failures, {time.monotonic() - started:.1f} s"
            )
    defaults = ServerSettings()
    with running(salon_data()) as world:
        patience = defaults.read_timeout_seconds * 3
        print("stalled:", asyncio.run(stalled_connections(world.api.url, 2000, patience)))
    with running(salon_data(), sim_rate_limit=1_000_000, resilience=UNLIMITED) as world:
        print(f"auth flood (limit {defaults.failed_auth_limit}):", asyncio.run(auth_flood(world.api.url, 5000, 50)))


if __name__ == "__main__":
    main()
