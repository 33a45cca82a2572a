"""Structured logs: one ``search`` line per search, and JSON rendering for every log line of the process.

Lines go through the standard ``logging`` module, so nothing is printed until ``configure_logging`` (called
by ``altslot serve`` and ``demo``) attaches a handler: ``altslot find --json`` keeps a clean stdout.
Only the fields below are logged: no request body, no tokens, no attendee data.

The ``search`` line is on every warm search's path, so it skips ``LogRecord`` and structlog: the handler
``configure_logging`` installs takes the event and the time, and renders it with orjson (the same keys,
order and values as structlog's JSON line) when the current step of the event loop is over, which for a
search is after its answer went to the transport; the lines of one step go out in one write. A record
logged meanwhile first writes the lines queued before it, so the order holds; ``flush`` (which
``logging.shutdown`` calls at exit) writes them all; only a process killed within the step loses them.
Without a running loop the line is written at once. Any other handler an ``altslot.search`` record would
reach (a test's, a console one) still gets a ``LogRecord`` built from the same fields, at once.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from typing import Any, TextIO

import structlog
from structlog.typing import Processor

from altslot.events import Event, SearchDone
from altslot.observability.lines import SEARCH_FIELDS, UtcStamp, render, search_entry

__all__ = ["SEARCH_FIELDS", "SEARCH_LOGGER", "SearchLines", "configure_logging", "formatter"]

SEARCH_LOGGER = "altslot.search"


def _pre_chain() -> list[Processor]:
    return [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="ts"),
    ]


def formatter(log_format: str = "json") -> logging.Formatter:
    """A ``logging`` formatter for structlog events and plain records alike: JSON or console lines."""
    renderer: Processor = (
        structlog.processors.JSONRenderer() if log_format == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
        foreign_pre_chain=_pre_chain(),
    )


class _LineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``configure_logging`` installs (a class of its own, so a second call replaces it)."""

    def __init__(self, stream: TextIO, log_format: str) -> None:
        super().__init__(stream)
        self.json = log_format == "json"
        self._stamp = UtcStamp()
        self._queued: list[tuple[SearchDone, str, int]] = []
        self._flush_on: asyncio.AbstractEventLoop | None = None

    def takes_lines(self) -> bool:
        """Whether search lines may bypass this handler's formatter and filters (rendered as JSON here)."""
        return self.json and not self.filters

    def add_line(self, event: SearchDone, logger: str, at_ns: int) -> None:
        """Queue a search line logged at ``at_ns``: written after this loop step, or at once outside a loop."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        self.acquire()
        try:
            self._queued.append((event, logger, at_ns))
            if loop is None:
                self._write_queued()
            elif self._flush_on is not loop:  # one callback per step of this loop
                self._flush_on = loop
                loop.call_soon(self._flush_soon)
        finally:
            self.release()

    def _flush_soon(self) -> None:
        self.acquire()
        try:
            self._flush_on = None
            self._write_queued()
        finally:
            self.release()

    def _write_queued(self) -> None:
        """Render and write the queued lines in one write (the caller holds the handler's lock)."""
        if not self._queued:
            return
        queued, self._queued = self._queued, []
        text = "".join(render(search_entry(event, logger, self._stamp.at(ns))) for event, logger, ns in queued)
        self.stream.write(text)
        self.stream.flush()

    def flush(self) -> None:
        """Write the queued search lines, then flush the stream."""
        self.acquire()
        try:
            self._write_queued()
        finally:
            self.release()
        super().flush()

    def emit(self, record: logging.LogRecord) -> None:
        """Write the queued search lines, then ``record`` (``handle`` holds the lock): lines keep their order."""
        try:
            self._write_queued()
        except Exception:
            self.handleError(record)
        super().emit(record)


def configure_logging(log_format: str = "json", stream: TextIO | None = None) -> logging.Handler:
    """Send every log record of the process, one line each, to ``stream`` (stdout); returns the handler."""
    handler = _LineHandler(stream or sys.stdout, log_format)
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _LineHandler)]:
        old.flush()
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def _reached(logger: logging.Logger) -> tuple[list[_LineHandler], list[logging.Handler]]:
    """The handlers an INFO record of ``logger`` reaches (walked as ``Logger.callHandlers`` does).

    Split in two: the JSON handlers of ``configure_logging``, which take the event and render the line
    themselves, and the rest, which get a ``LogRecord``. A filter on the logger itself needs a record, so
    then every handler gets one.
    """
    lines: list[_LineHandler] = []
    others: list[logging.Handler] = []
    direct = not logger.filters
    current: logging.Logger | None = logger
    while current is not None:
        for handler in current.handlers:
            if handler.level > logging.INFO:
                continue
            if direct and isinstance(handler, _LineHandler) and handler.takes_lines():
                lines.append(handler)
            else:
                others.append(handler)
        current = current.parent if current.propagate else None
    return lines, others


def _dispatch(logger: logging.Logger, entry: dict[str, Any], handlers: list[logging.Handler]) -> None:
    """Hand ``handlers`` the record structlog's ``wrap_for_formatter`` would have made of ``entry``."""
    extra = {"_logger": logger, "_name": "info"}
    record = logger.makeRecord(logger.name, logging.INFO, "(unknown file)", 0, entry, (), None, extra=extra)
    kept = logger.filter(record)
    if not kept:
        return
    if isinstance(kept, logging.LogRecord):
        record = kept
    for handler in handlers:
        handler.handle(record)


class SearchLines:
    """An ``Events`` observer logging one ``search`` line per ``SearchDone``."""

    def __init__(self, name: str = SEARCH_LOGGER) -> None:
        self._logger = logging.getLogger(name)
        self._stamp = UtcStamp()

    def observe(self, event: Event) -> None:
        """Log a finished search (other events are ignored)."""
        if not isinstance(event, SearchDone) or not self._logger.isEnabledFor(logging.INFO):
            return
        lines, others = _reached(self._logger)
        at_ns = time.time_ns()
        for handler in lines:
            handler.add_line(event, self._logger.name, at_ns)
        if others:
            _dispatch(self._logger, search_entry(event, self._logger.name, self._stamp.at(at_ns)), others)
