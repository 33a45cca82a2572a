"""The adapter routes: authenticate first, then read the body, run the tool, answer 200.

Each route checks the tenant's secret before it parses anything; a bad or missing secret is a 401 and
nothing else happens (no tool runs, nothing is logged about the request's content).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from altslot.agents import retell, vapi
from altslot.agents.auth import bearer, refuse, same_secret
from altslot.api.schemas import ErrorResponse
from altslot.shell.runtime import Runtime
from altslot.tools import CallContext, ToolAnswer, Toolbox
from altslot.tools.arguments import canonical_args, parse_arguments
from altslot.types import Tenant

# Every business outcome is a 200 with a sentence to speak; only a bad secret is not (for the OpenAPI document).
AGENT: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "No valid platform secret or signature for this tenant"},
    429: {"model": ErrorResponse, "description": "Too many failed authentications from this address"},
}


def _answer(answer: ToolAnswer) -> Response:
    return Response(answer.compact(), media_type="application/json")


class Adapters:
    """The platform endpoints over one tool layer; each checks the platform's secret before it reads the body."""

    def __init__(self, runtime: Runtime, tools: Toolbox) -> None:
        self._runtime = runtime
        self._tools = tools

    async def retell_function(self, tenant: str, request: Request, tool: str | None = None) -> Response:
        """A Retell function call, verified by ``X-Retell-Signature`` with the tenant's Retell API key."""
        found = self._runtime.tenants.get(tenant)
        key = found.voice.retell_api_key if found else None
        header = request.headers.get("x-retell-signature")
        if found is None or not key or not header:
            return await refuse(request)
        body = await request.body()
        now_ms = int(self._runtime.clock().timestamp() * 1000)
        if not retell.verify_signature(body, key, header, now_ms):
            return await refuse(request)
        call = retell.read_call(body, tool)
        return _answer(await self._tools.run(found, call.name, call.arguments, call.context))

    async def vapi_tool_calls(self, tenant: str, request: Request) -> Response:
        """A Vapi ``tool-calls`` message; ``vapi_secret`` as Bearer, ``X-Vapi-Secret`` or HMAC."""
        found = self._runtime.tenants.get(tenant)
        secret = found.voice.vapi_secret if found else None
        if found is None or not secret:
            return await refuse(request)
        now = self._runtime.clock().timestamp()
        body: bytes | None = None
        if not vapi.authenticated(request.headers, secret, None, now):
            if not vapi.has_hmac(request.headers):
                return await refuse(request)
            body = await request.body()
            if not vapi.authenticated(request.headers, secret, body, now):
                return await refuse(request)
        calls = vapi.read_calls(body if body is not None else await request.body())
        results = [vapi.result(c, await self._tools.run(found, c.name, c.arguments, c.context)) for c in calls]
        return JSONResponse({"results": results})

    async def elevenlabs_tool(self, tenant: str, tool: str, request: Request) -> Response:
        """An ElevenLabs webhook tool: the arguments are the body, ``elevenlabs_token`` the Bearer token."""
        found = self._runtime.tenants.get(tenant)
        token = found.voice.elevenlabs_token if found else None
        if found is None or not same_secret(bearer(request.headers.get("authorization")), token):
            return await refuse(request)
        return await self._plain(found, tool, request, "elevenlabs")

    async def any_tool(self, tool: str, request: Request) -> Response:
        """The arguments as the body and the tenant's API token as Bearer: for agents whose own code calls tools."""
        token = bearer(request.headers.get("authorization"))
        found = self._runtime.tenants.by_token(token) if token else None
        if found is None:
            return await refuse(request)
        return await self._plain(found, tool, request, "tools")

    async def _plain(self, found: Tenant, tool: str, request: Request, platform: str) -> Response:
        """The arguments are the whole body; call and caller come from mapped arguments if at all."""
        raw = await request.body()
        try:
            arguments = parse_arguments(json.loads(raw) if raw.strip() else {})
        except ValueError:
            arguments = {}
        args = canonical_args(arguments)
        context = CallContext(platform, call_id=args.get("call_id"), caller_phone=args.get("caller_phone"))
        return _answer(await self._tools.run(found, tool, arguments, context))


def agent_routes(runtime: Runtime) -> APIRouter:
    """Routes for Retell, Vapi and ElevenLabs over the runtime's tool layer."""
    adapters = Adapters(runtime, runtime.toolbox)
    router = APIRouter(tags=["agents"])
    for path, endpoint, summary in (
        ("/integrations/retell/{tenant}", adapters.retell_function, "Retell custom function (signed)"),
        ("/integrations/vapi/{tenant}", adapters.vapi_tool_calls, "Vapi tool calls (always 200 with results)"),
        ("/integrations/elevenlabs/{tenant}/{tool}", adapters.elevenlabs_tool, "ElevenLabs server tool"),
        ("/integrations/tools/{tool}", adapters.any_tool, "Any function-calling agent (OpenAI, LiveKit, Pipecat)"),
    ):
        router.add_api_route(path, endpoint, methods=["POST"], summary=summary, responses=AGENT)
    return router
