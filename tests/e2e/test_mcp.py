"""MCP end to end with the SDK's own client over real HTTP (uvicorn + the simulator), in both protocol eras."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.e2e.world import EVENT, TOKEN, World, berlin, running, salon_data

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
                args = {"start": offer, "name": "Erika Mustermann", "phone": "+49 151 1234567"}
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
        assert isinstance(world.http, httpx.Client)
