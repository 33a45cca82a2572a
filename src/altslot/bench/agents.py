"""Warm ``check_availability`` through each agent adapter against the plain API, in one run.

MCP is measured as the single sessionless POST a 2026-07-28 client sends per tool call.
Everything runs on loopback: the simulator, one altslot under uvicorn, and a client that sends the
same wish (a taken 14:00, so every answer carries alternatives) through each route in turn, so all
routes see the same warm cache. Bounded: ``samples`` requests per route.

Run: ``python -m altslot.bench.agents [samples]`` (prints JSON).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from altslot.agents.retell import sign
from altslot.api.app import create_app
from altslot.api.serving import start_in_thread
from altslot.bench.world import TOKEN, TYPICAL, ServiceConfig, at, first_day, search_body, sim_data
from altslot.shell.config import load_settings
from altslot.shell.runtime import build_runtime
from altslot.sim import create_app as create_sim
from altslot.sim.datafile import parse_data

TENANT = "benchvoice"
SECRETS = {"retell_api_key": "bench-retell", "vapi_secret": "bench-vapi", "elevenlabs_token": "bench-eleven"}
Send = Callable[[httpx.Client], httpx.Response]
_MCP_META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}


def _config(calcom_url: str) -> str:
    base = ServiceConfig(tenant=TENANT, api_key="cal_bench_voice", calcom_url=calcom_url).toml()
    voice = "".join(f'{key} = "{value}"\n' for key, value in SECRETS.items())
    return f'{base}services = {{ "Haarschnitt" = {TYPICAL} }}\n{voice}[observability]\nsearch_log_url = ""\n'


def _routes(url: str, day: date) -> dict[str, Send]:
    """One request per route for the same wish: tomorrow (or Monday) 14:00, which is taken."""
    args = {"datum": day.strftime("%d.%m.%Y"), "uhrzeit": "14:00", "dienstleistung": "Haarschnitt"}
    plain = search_body(TYPICAL, at(day, 14))
    retell_body = json.dumps({"name": "check_availability", "args": args, "call": {"call_id": "bench"}}).encode()
    vapi_body = {
        "message": {
            "type": "tool-calls",
            "call": {"id": "bench"},
            "toolCallList": [
                {"id": "t", "type": "function", "function": {"name": "check_availability", "arguments": args}}
            ],
        }
    }

    def api(http: httpx.Client) -> httpx.Response:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        return http.post(f"{url}/api/appointments/alternatives", json=plain, headers=headers)

    def retell(http: httpx.Client) -> httpx.Response:
        signature = sign(retell_body, SECRETS["retell_api_key"], int(time.time() * 1000))
        headers = {"X-Retell-Signature": signature, "Content-Type": "application/json"}
        return http.post(f"{url}/integrations/retell/{TENANT}", content=retell_body, headers=headers)

    def vapi(http: httpx.Client) -> httpx.Response:
        headers = {"Authorization": f"Bearer {SECRETS['vapi_secret']}"}
        return http.post(f"{url}/integrations/vapi/{TENANT}", json=vapi_body, headers=headers)

    def elevenlabs(http: httpx.Client) -> httpx.Response:
        headers = {"Authorization": f"Bearer {SECRETS['elevenlabs_token']}"}
        return http.post(f"{url}/integrations/elevenlabs/{TENANT}/check_availability", json=args, headers=headers)

    mcp_body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {
            "name": "check_availability",
            "arguments": {"date": day.isoformat(), "time": "14:00"},
            "_meta": _MCP_META,
        },
    }
    mcp_headers = {
        "Authorization": f"Bearer {TOKEN}",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": "2026-07-28",
        "Mcp-Method": "tools/call",
        "Mcp-Name": "check_availability",
    }

    def mcp(http: httpx.Client) -> httpx.Response:
        # One sessionless 2026-07-28 request, as an SDK client sends it after discovery.
        return http.post(f"{url}/mcp", json=mcp_body, headers=mcp_headers)

    return {"api": api, "retell": retell, "vapi": vapi, "elevenlabs": elevenlabs, "mcp": mcp}


def measure(samples: int = 300) -> dict[str, Any]:
    """p50/p95 per route of ``samples`` warm requests each, round-robin across the routes."""
    today = date.today()
    day = first_day(today)
    sim_app = create_sim(parse_data(sim_data(today, "cal_bench_voice")), latency_ms=(50, 50))
    with tempfile.TemporaryDirectory() as tmp, httpx.Client(timeout=30) as http, start_in_thread(sim_app) as sim:
        config = Path(tmp) / "altslot.toml"
        config.write_text(_config(sim.url), encoding="utf-8")
        with start_in_thread(create_app(build_runtime(load_settings(config)))) as api:
            routes = _routes(api.url, day)
            timings: dict[str, list[float]] = {name: [] for name in routes}
            for send in routes.values():  # warm the day and every route's code path once
                send(http).raise_for_status()
            for _ in range(samples):
                for name, send in routes.items():
                    began = time.perf_counter()
                    send(http).raise_for_status()
                    timings[name].append((time.perf_counter() - began) * 1000)
    plain = statistics.median(timings["api"])
    return {
        "samples": samples,
        "routes": {
            name: {
                "p50_ms": round(statistics.median(values), 2),
                "p95_ms": round(statistics.quantiles(values, n=20)[-1], 2),
                "p50_over_api_ms": round(statistics.median(values) - plain, 2),
            }
            for name, values in timings.items()
        },
    }


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 300), indent=2))
