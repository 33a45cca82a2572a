"""Booking figures: latency of a booking through altslot, and how fast a booking made in Cal.com stops
being offered (webhook → cache), both against the simulator at a given latency.

Run: ``python -m altslot.bench.booking [latency_ms] [samples]`` (prints JSON).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from altslot.api.app import create_app
from altslot.api.serving import start_in_thread
from altslot.bench.processes import free_port
from altslot.bench.world import TOKEN, TYPICAL, ServiceConfig, at, first_day, search_body, sim_data
from altslot.shell.config import load_settings
from altslot.shell.runtime import build_runtime
from altslot.sim import create_app as create_sim
from altslot.sim.datafile import parse_data

SECRET = "whsec_bench"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


def _offers(http: httpx.Client, url: str, event_type_id: int, day: date) -> list[str]:
    body = search_body(event_type_id, at(day, 14))
    answer = http.post(f"{url}/api/appointments/alternatives", json=body, headers=HEADERS).json()
    return [a["start"] for a in answer["alternatives"]]


def measure(latency_ms: int = 800, samples: int = 5) -> dict[str, Any]:
    """Book ``samples`` offers through altslot, and make ``samples`` bookings behind its back."""
    today, api_key, tenant = date.today(), "cal_bench_booking", "benchbook"
    port = free_port()
    data = sim_data(today, api_key)
    data["webhooks"] = [{"subscriber_url": f"http://127.0.0.1:{port}/webhooks/calcom/{tenant}", "secret": SECRET}]
    day = first_day(today)
    sim_app = create_sim(parse_data(data), latency_ms=(latency_ms, latency_ms))
    with tempfile.TemporaryDirectory() as tmp, httpx.Client(timeout=30) as http, start_in_thread(sim_app) as sim:
        config = Path(tmp) / "altslot.toml"
        toml = ServiceConfig(tenant=tenant, api_key=api_key, calcom_url=sim.url).toml()
        config.write_text(toml + f'webhook_secret = "{SECRET}"\n[observability]\nsearch_log_url = ""\n')
        with start_in_thread(create_app(build_runtime(load_settings(config))), port=port) as api:
            booking_ms = []
            for i in range(samples):
                start = _offers(http, api.url, TYPICAL + 100 + i, day)[0]
                body = {
                    "event_type_id": TYPICAL + 100 + i,
                    "start": start,
                    "attendee": {"name": "Bench", "email": "bench@example.com", "time_zone": "Europe/Berlin"},
                }
                began = time.perf_counter()
                response = http.post(
                    f"{api.url}/api/appointments", json=body, headers={**HEADERS, "Idempotency-Key": f"b{i}"}
                )
                booking_ms.append((time.perf_counter() - began) * 1000)
                response.raise_for_status()
            propagation_ms = []
            for i in range(samples):
                event_type = TYPICAL + 120 + i
                start = _offers(http, api.url, event_type, day)[0]
                began = time.perf_counter()
                made = http.post(f"{sim.url}/_sim/bookings", json={"event_type_id": event_type, "start": start})
                made.raise_for_status()
                while start in _offers(http, api.url, event_type, day):
                    if time.perf_counter() - began > 10:
                        raise RuntimeError("the booking never reached altslot")
                    time.sleep(0.005)
                propagation_ms.append((time.perf_counter() - began) * 1000)
    return {
        "latency_ms": latency_ms,
        "booking_ms": {"p50": round(statistics.median(booking_ms), 1), "max": round(max(booking_ms), 1)},
        "booking_round_trips_p50": round(statistics.median(booking_ms) / latency_ms, 2) if latency_ms else None,
        "cal_com_booking_to_not_offered_ms": {
            "p50": round(statistics.median(propagation_ms), 1),
            "max": round(max(propagation_ms), 1),
        },
    }


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    print(json.dumps(measure(*args), indent=2))
