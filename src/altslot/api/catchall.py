"""The last resort: an exception no handler knows becomes a documented 503, and the connection lives on.

Starlette's own catch-all (``ServerErrorMiddleware``) answers and then re-raises, so uvicorn logs
"Exception in ASGI application" and drops the keep-alive connection. This middleware sits inside it,
answers with the documented ``UnavailableResponse`` shape and swallows the exception after logging it.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from altslot.api.asgi import send_json
from altslot.api.gate import TENANT_SCOPE_KEY
from altslot.api.schemas import UnavailableResponse
from altslot.finder.phrasing import unavailable_text

log = logging.getLogger("altslot.api")

RETRY_AFTER_SECONDS = 5


def internal_error(language: str = "en") -> UnavailableResponse:
    """The body of the catch-all 503."""
    text = unavailable_text("unreachable", "de" if language == "de" else "en")
    return UnavailableResponse(
        error="internal_error", cause="internal", response_text=text, retry_after_seconds=RETRY_AFTER_SECONDS
    )


class CatchAll:
    """Answers any unexpected exception with a 503 ``internal_error`` (when no response has started)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            log.exception("unexpected error on %s %s", scope["method"], scope["path"])
            if started:
                raise  # half a response cannot be repaired; the server closes the connection
            tenant = scope.get(TENANT_SCOPE_KEY)
            body = internal_error(getattr(tenant, "language", "en")).model_dump_json().encode()
            await send_json(send, 503, body, {"Retry-After": str(RETRY_AFTER_SECONDS)})
