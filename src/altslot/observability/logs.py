"""Structured logs: one ``search`` line per search, and JSON rendering for every log line of the process.

Lines go through the standard ``logging`` module, so nothing is printed until ``configure_logging`` (called
by ``altslot serve`` and ``demo``) attaches a handler: ``altslot find --json`` keeps a clean stdout.
Only the fields below are logged: no request body, no tokens, no attendee data.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog
from structlog.typing import Processor

from altslot.events import Event, SearchDone

SEARCH_LOGGER = "altslot.search"
SEARCH_FIELDS = (
    "tenant",
    "request_id",
    "event_type_id",
    "status",
    "api_calls_made",
    "cache_hits",
    "cache_misses",
    "stale_hits",
    "duration_ms",
    "alternatives_found",
    "strategy_used",
    "fallback_triggered",
    "timeout_hit",
    "degraded",
    "available",
    "why_not",
)


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


def configure_logging(log_format: str = "json", stream: TextIO | None = None) -> logging.Handler:
    """Send every log record of the process, one line each, to ``stream`` (stdout); returns the handler."""
    handler = _LineHandler(stream or sys.stdout)
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _LineHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


class SearchLines:
    """An ``Events`` observer logging one ``search`` line per ``SearchDone``."""

    def __init__(self, name: str = SEARCH_LOGGER) -> None:
        self._stdlib = logging.getLogger(name)
        # Bound explicitly instead of through structlog.configure: no global state, works unconfigured.
        self._log = structlog.wrap_logger(
            self._stdlib,
            processors=[*_pre_chain(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
            wrapper_class=structlog.stdlib.BoundLogger,
        )

    def observe(self, event: Event) -> None:
        """Log a finished search (other events are ignored)."""
        if not isinstance(event, SearchDone) or not self._stdlib.isEnabledFor(logging.INFO):
            return
        fields: dict[str, Any] = {name: getattr(event, name) for name in SEARCH_FIELDS}
        self._log.info("search", **fields)
