"""A body-size guard: oversized requests are refused before the application sees them."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from altslot.api.asgi import send_json


class BodyLimit:
    """Answers 422 when a request body exceeds ``max_bytes``, whether declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int = 64 * 1024) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope["headers"])
        if declared is not None:
            if declared > self.max_bytes:
                await self._refuse(send)
            else:  # the server reads exactly the declared length: nothing more can arrive as this body
                await self.app(scope, receive, send)
            return
        # Bodies are small by contract, so reading one whole before the app is cheap and keeps the
        # refusal a clean 422 instead of an exception halfway through a handler.
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left (or the read deadline closed it) before its body was complete
            messages.append(message)
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._refuse(send)
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        detail = [{"loc": ["body"], "msg": f"request body larger than {self.max_bytes} bytes", "type": "too_large"}]
        await send_json(send, 422, json.dumps({"detail": detail}).encode())


def _declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    """The body length one plain ``Content-Length`` header declares; None when the body must be counted as it comes.

    Counted: no such header, several, one that is not a number, or any ``Transfer-Encoding`` beside it.
    """
    found: bytes | None = None
    for name, value in headers:
        if name == b"content-length":
            if found is not None:
                return None
            found = value
        elif name == b"transfer-encoding":
            return None
    return int(found) if found is not None and found.isdigit() else None
