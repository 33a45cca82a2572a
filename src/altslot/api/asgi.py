"""A complete JSON answer sent straight from ASGI middleware (before or around the FastAPI app)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import Send


async def send_json(send: Send, status: int, body: bytes, headers: Mapping[str, str] | None = None) -> None:
    """Send ``body`` as one ``application/json`` response with ``headers`` added."""
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
