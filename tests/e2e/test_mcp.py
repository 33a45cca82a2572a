"""MCP end to end with the SDK's own client over real HTTP (uvicorn + the simulator), in both protocol eras."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from altslot.shell.config import McpSettings
from altslot.shell.http_settings import ServerSettings
from tests.support.world import EVENT, TOKEN, World, berlin, running, salon_data

DOC = Path(__file__).parents[2] / "docs" / "mcp.md"
TAKEN_14 = [("2025-09-30 14:00", "2025-09-30 14:30")]
ERAS = ["legacy", "2026-07-28"]
OTHER_EVENT = 1499999


@asynccontextmanager
async def client(world: World, mode: str, token: str = TOKEN) -> AsyncIterator[Client]:
    """The SDK's client on Streamable HTTP with a tenant token, in one protocol era."""
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        transport = streamable_http_client(f"{world.api.url}/mcp", http_client=http)
        async with Client(transport, mode=mode) as mcp:  # type: ignore[arg-type]
            yield mcp


def run(coroutine: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(coroutine())


def bookings_at(world: World, start_utc: str) -> int:
    found = world.http.get(f"{world.sims[0].url}/_sim/bookings").json()
    return sum(1 for b in found if b["start"].startswith(start_utc) and b["status"] == "accepted")


@pytest.mark.parametrize("mode", ERAS)
def test_list_check_book_and_retry_over_mcp(mode: str) -> None:
    """List the tools, get structured alternatives for a taken 14:00, book one, retry: one booking."""
    with running(salon_data(bookings=TAKEN_14), tenant={"services": {"Haarschnitt": EVENT}}) as world:

        async def session() -> tuple[Any, ...]:
            async with client(world, mode) as mcp:
                listed = await mcp.list_tools()
                checked = await mcp.call_tool("check_availability", {"date": "2025-09-30", "time": "14:00"})
                offer = checked.structured_content["alternatives"][0]["start"]
                args = {"start": offer, "name": "Erika Mustermann", "phone": "+49 151 12345678"}
                first = await mcp.call_tool("book_appointment", args)
                again = await mcp.call_tool("book_appointment", args)
                return listed, checked, first, again

        listed, checked, first, again = run(session)
        names = {tool.name for tool in listed.tools}
        assert names == {"check_availability", "book_appointment", "cancel_appointment", "reschedule_appointment"}
        assert all(tool.output_schema for tool in listed.tools)
        assert not checked.is_error
        assert checked.structured_content["status"] == "alternatives"
        assert checked.content[0].text == checked.structured_content["spoken"]
        assert checked.content[0].text.startswith("Morgen um 14 Uhr ist leider nichts frei.")
        offers = checked.structured_content["alternatives"]
        assert offers[0]["start"] == berlin("2025-09-30T14:30")
        assert offers[0]["spoken_time"] == "halb drei nachmittags"
        assert first.structured_content["status"] == again.structured_content["status"] == "booked"
        assert first.structured_content["booking_uid"] == again.structured_content["booking_uid"]
        assert bookings_at(world, "2025-09-30T12:30") == 1
        assert int(world.stats()["requests"].get("POST /v2/bookings", 0)) == 1


@pytest.mark.parametrize("mode", ERAS)
def test_wrong_token_is_refused_and_another_tenants_event_type_is_not_found(mode: str) -> None:
    """A wrong token never gets a session; a second tenant's event type is an unknown service for the first."""
    other = salon_data(api_key="cal_test_other")
    other["event_types"][0]["id"] = OTHER_EVENT
    with running(salon_data(), other) as world:

        async def refused() -> None:
            async with client(world, mode, token="wrong-token") as mcp:
                await mcp.list_tools()

        with pytest.raises(Exception):  # noqa: B017, PT011 - the SDK's error type differs per era
            run(refused)

        async def foreign() -> Any:
            async with client(world, mode) as mcp:
                return await mcp.call_tool(
                    "check_availability", {"date": "2025-09-30", "time": "14:00", "service": str(OTHER_EVENT)}
                )

        answer = run(foreign)
        assert not answer.is_error
        assert answer.structured_content["status"] == "unknown_service"
        assert world.slot_calls(1) == 0


def test_plain_http_without_token_or_from_a_foreign_host_is_refused() -> None:
    """No token: 401; a Host that is not allowed: 421 (DNS-rebinding protection), before any tool runs."""
    with running(salon_data()) as world:
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
        headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
        bare = world.http.post(f"{world.api.url}/mcp", content=json.dumps(body), headers=headers)
        assert bare.status_code == 401
        foreign = world.http.post(
            f"{world.api.url}/mcp",
            content=json.dumps(body),
            headers={**headers, "Authorization": f"Bearer {TOKEN}", "Host": "evil.example.com"},
        )
        assert foreign.status_code == 421
        assert world.http.get(f"{world.api.url}/healthz").status_code == 200


def test_refused_mcp_tokens_count_as_failed_authentications() -> None:
    """Wrong tokens on /mcp are limited per address like the API's (429 past the limit); a right one never is."""
    with running(salon_data(), server=ServerSettings(failed_auth_limit="3/minute")) as world:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}})
        headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}

        def post(token: str) -> int:
            auth = {"Authorization": f"Bearer {token}"}
            return world.http.post(f"{world.api.url}/mcp", content=body, headers={**headers, **auth}).status_code

        assert [post("nope") for _ in range(4)] == [401, 401, 401, 429]
        assert post(TOKEN) not in (401, 429)


def test_docs_python_snippet_runs_against_a_real_server(tmp_path: Path) -> None:
    """The docs/mcp.md client snippet, pointed at a running altslot, prints the sentence and the offers."""
    block = re.search(r"```python\n(import asyncio.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert block is not None
    with running(salon_data(bookings=TAKEN_14)) as world:
        code = block[1].replace("https://altslot.example.org/mcp", f"{world.api.url}/mcp")
        code = code.replace('"demo-token"', f'"{TOKEN}"')
        script = tmp_path / "snippet.py"
        script.write_text(code, encoding="utf-8")
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Morgen um 14 Uhr ist leider nichts frei.")
    assert f"{berlin('2025-09-30T14:30')} halb drei nachmittags" in lines


def test_a_configured_hostname_is_served() -> None:
    """With the public hostname in [mcp] allowed_hosts, a request naming it is answered."""
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": meta}}
    headers = {
        "Accept": "application/json, text/event-stream",
        "Authorization": f"Bearer {TOKEN}",
        "MCP-Protocol-Version": "2026-07-28",
        "Mcp-Method": "tools/list",
    }
    with running(salon_data(), mcp=McpSettings(allowed_hosts=["altslot.example.org"])) as world:
        named = world.http.post(f"{world.api.url}/mcp", json=body, headers={**headers, "Host": "altslot.example.org"})
        assert named.status_code == 200, named.text
        assert len(named.json()["result"]["tools"]) == 4
        local = world.http.post(f"{world.api.url}/mcp", json=body, headers=headers)
        assert local.status_code == 421


def test_mcp_can_be_switched_off() -> None:
    """With ``[mcp] enabled = false`` there is no /mcp; the API answers as before."""
    with running(salon_data(), mcp=McpSettings(enabled=False)) as world:
        response = world.http.post(f"{world.api.url}/mcp", json={}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 404
        assert world.search(desired_start="2025-09-30T14:00").status_code == 200
