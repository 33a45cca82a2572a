"""MCP at ``/mcp``: the four tools over Streamable HTTP with the official ``mcp`` SDK (v2).

* Auth: ``Authorization: Bearer <tenant token>`` (the tokens of ``/api/*``), checked by the SDK's
  token verifier; the token selects the tenant, so a token reaches only its tenant's event types.
* Both protocol eras are served by the SDK on the same app (2026-07-28 sessionless, and the older
  ``initialize`` handshake); ``[mcp] stateless`` keeps handshake-era clients off sticky sessions.
* Each tool returns structured content (the ``ToolAnswer``) plus a text block with the spoken sentence;
  business outcomes are results, never protocol errors.
* A retried booking with the same arguments from the same client (token, and Vapi's ``X-Call-Id``
  when sent) books once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, Literal

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field
from starlette.applications import Starlette

from altslot.shell.config import McpSettings
from altslot.shell.tenants import TenantRegistry
from altslot.tools import CallContext, ToolAnswer, Toolbox
from altslot.tools.arguments import ToolName
from altslot.tools.definitions import describe_param, describe_tool
from altslot.types import Tenant

Window = Literal["morning", "afternoon", "evening"]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TenantTokens:
    """The SDK's ``TokenVerifier`` over the tenants' caller tokens (client id = tenant id)."""

    def __init__(self, tenants: TenantRegistry) -> None:
        self._tenants = tenants

    async def verify_token(self, token: str) -> AccessToken | None:
        """An access token for the tenant that owns ``token``, or None (the SDK answers 401)."""
        tenant = self._tenants.by_token(token)
        if tenant is None:
            return None
        # The SDK keeps this object for the request; a digest is enough to tell clients apart.
        return AccessToken(token=_digest(token), client_id=tenant.id, scopes=[])


def _arg(name: str) -> Any:
    return Field(description=describe_param(name, "en"))


class McpTools:
    """The four tools as the SDK sees them: typed arguments, answered by the tool layer for the token's tenant."""

    def __init__(self, tenants: TenantRegistry, toolbox: Toolbox) -> None:
        self._tenants = tenants
        self._toolbox = toolbox

    def _tenant_of_request(self) -> tuple[Tenant, str]:
        access = get_access_token()
        tenant = self._tenants.get(access.client_id) if access else None
        if access is None or tenant is None:  # the SDK's auth middleware lets nothing else through
            raise PermissionError("no tenant for this request")
        return tenant, access.token

    async def _run(self, tool: ToolName, arguments: Mapping[str, object], ctx: Context) -> CallToolResult:
        tenant, client = self._tenant_of_request()
        call_id = (ctx.headers or {}).get("x-call-id", "")
        context = CallContext("mcp", call_id=f"{client}:{call_id}")
        given = {k: v for k, v in arguments.items() if v is not None}
        answer: ToolAnswer = await self._toolbox.run(tenant, tool, given, context)
        return CallToolResult(
            content=[TextContent(type="text", text=answer.spoken)],
            structured_content=answer.model_dump(exclude_none=True),
        )

    async def check_availability(
        self,
        date: Annotated[str, _arg("date")],
        time: Annotated[str, _arg("time")],
        ctx: Context,
        service: Annotated[str | None, _arg("service")] = None,
        duration_minutes: Annotated[int | None, _arg("duration_minutes")] = None,
        preferred_window: Annotated[Window | None, _arg("preferred_window")] = None,
    ) -> Annotated[CallToolResult, ToolAnswer]:
        """``check_availability``: is the wished time free, else the best alternatives."""
        args = {"date": date, "time": time, "service": service, "duration_minutes": duration_minutes}
        return await self._run("check_availability", {**args, "preferred_window": preferred_window}, ctx)

    async def book_appointment(
        self,
        name: Annotated[str, _arg("name")],
        ctx: Context,
        start: Annotated[str | None, _arg("start")] = None,
        date: Annotated[str | None, _arg("date")] = None,
        time: Annotated[str | None, _arg("time")] = None,
        service: Annotated[str | None, _arg("service")] = None,
        phone: Annotated[str | None, _arg("phone")] = None,
        email: Annotated[str | None, _arg("email")] = None,
    ) -> Annotated[CallToolResult, ToolAnswer]:
        """``book_appointment``: book an offered (or named) time for the caller."""
        args = {"name": name, "start": start, "date": date, "time": time, "service": service}
        return await self._run("book_appointment", {**args, "phone": phone, "email": email}, ctx)

    async def cancel_appointment(
        self,
        booking_uid: Annotated[str, _arg("booking_uid")],
        ctx: Context,
        reason: Annotated[str | None, _arg("reason")] = None,
    ) -> Annotated[CallToolResult, ToolAnswer]:
        """``cancel_appointment``: cancel a booking."""
        return await self._run("cancel_appointment", {"booking_uid": booking_uid, "reason": reason}, ctx)

    async def reschedule_appointment(
        self,
        booking_uid: Annotated[str, _arg("booking_uid")],
        ctx: Context,
        start: Annotated[str | None, _arg("start")] = None,
        date: Annotated[str | None, _arg("date")] = None,
        time: Annotated[str | None, _arg("time")] = None,
        reason: Annotated[str | None, _arg("reason")] = None,
    ) -> Annotated[CallToolResult, ToolAnswer]:
        """``reschedule_appointment``: move a booking to another time."""
        args = {"booking_uid": booking_uid, "start": start, "date": date, "time": time, "reason": reason}
        return await self._run("reschedule_appointment", args, ctx)


def build_mcp(tenants: TenantRegistry, toolbox: Toolbox, settings: McpSettings) -> tuple[MCPServer, Starlette]:
    """The MCP server and its Streamable HTTP app (route ``/mcp``); run ``session_manager`` in the lifespan."""
    server = MCPServer(
        name="altslot",
        instructions=(
            "Appointment tools in front of Cal.com. Call check_availability for a wished date and time; "
            "say the answer's spoken sentence. Book an offered start with book_appointment only after the "
            "caller agreed."
        ),
        token_verifier=TenantTokens(tenants),
        log_level="WARNING",  # the SDK configures root logging when nothing else has; keep it quiet
        auth=AuthSettings(issuer_url=settings.public_url, resource_server_url=None),
    )
    tools = McpTools(tenants, toolbox)
    # Each tool with the hints MCP clients read about its effects.
    registered: dict[ToolName, tuple[Callable[..., Awaitable[CallToolResult]], ToolAnnotations]] = {
        "check_availability": (
            tools.check_availability,
            ToolAnnotations(read_only_hint=True, open_world_hint=True),
        ),
        "book_appointment": (
            tools.book_appointment,
            ToolAnnotations(destructive_hint=False, idempotent_hint=True, open_world_hint=True),
        ),
        "cancel_appointment": (
            tools.cancel_appointment,
            ToolAnnotations(destructive_hint=True, idempotent_hint=True, open_world_hint=True),
        ),
        "reschedule_appointment": (
            tools.reschedule_appointment,
            ToolAnnotations(destructive_hint=True, open_world_hint=True),
        ),
    }
    for name, (handler, hints) in registered.items():
        server.add_tool(handler, name=name, description=describe_tool(name, "en"), annotations=hints)
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=list(settings.allowed_hosts),
        allowed_origins=list(settings.allowed_origins),
    )
    app = server.streamable_http_app(
        streamable_http_path="/mcp", json_response=True, stateless_http=settings.stateless, transport_security=security
    )
    return server, app
