"""A read deadline for uvicorn: a request whose headers and body do not arrive in time closes its connection.

uvicorn (0.30–0.54) has ``timeout_keep_alive`` only, armed after a response: a client that connects and
sends nothing, half its headers or half its body holds a connection (and a file descriptor) forever, and
a stalled body also holds graceful shutdown. This subclass of uvicorn's httptools protocol arms one timer
when a connection opens and whenever a request begins, and cancels it once the request is complete.
``docs/security.md`` records why this was chosen over hypercorn, granian or a reverse proxy alone.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

READ_TIMEOUT_ATTRIBUTE = "altslot_read_timeout"
"""The ``uvicorn.Config`` attribute holding the deadline in seconds (it travels to worker processes)."""


def with_read_timeout(config: Config, seconds: float) -> Config:
    """Make ``config`` serve through ``ReadDeadlineProtocol`` with a ``seconds`` deadline."""
    config.http = ReadDeadlineProtocol
    setattr(config, READ_TIMEOUT_ATTRIBUTE, seconds)
    return config


class ReadDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol plus a deadline from the first byte (or connect) to the last body byte."""

    def __init__(self, config: Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self._read_timeout: float | None = getattr(config, READ_TIMEOUT_ATTRIBUTE, None)
        self._read_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the clock: the first request must arrive in time."""
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        """A (keep-alive or pipelined) request began: it gets a full deadline of its own."""
        super().on_message_begin()
        self._arm()

    def on_message_complete(self) -> None:
        """The whole request arrived; from here on only the app's own deadline applies."""
        self._disarm()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        """No timer outlives its connection."""
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        if self._read_timeout is not None:
            self._read_timer = self.loop.call_later(self._read_timeout, self._timed_out)

    def _disarm(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _timed_out(self) -> None:
        self._read_timer = None
        if not self.transport.is_closing():
            # Closing tells a waiting app ``http.disconnect``; nothing useful can be answered to a half request.
            self.transport.close()
